// The command line as a user meets it: `rnam train` on a CSV to model.safetensors, report.json and
// report.html, then `rnam predict` to per-sample predictions with contributions; panel and window
// mode, binary, regression and multiclass, wasm and WebGPU; and the errors a user makes.
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Papa from 'papaparse';
import * as rnam from '../src/index.js';
import { main } from '../src/cli/main.js';
import { escape as rnamEscape, fmt } from '../src/cli/report-html.js';
import { webgpuBackend, reportUnavailable } from './helpers/backends.js';

const test = suite('rnam command line');
const dir = mkdtempSync(join(tmpdir(), 'rnam-cli-'));

/** Panel data: 60 patients with 4 to 11 visits; the label depends on the mean of `marker`, `noise` is noise. */
function panelCsv(classes = 2): string {
  const gen = new rnam.Generator(3), lines = ['patient,visit,marker,noise,label'];
  for (let p = 0; p < 60; p++) {
    const level = gen.normal() * 1.5, n = 4 + gen.int(8);
    const label = classes === 2 ? (level > 0 ? 1 : 0) : level < -0.7 ? 0 : level < 0.7 ? 1 : 2;
    // Rows shuffled: the table may list them in any order.
    const rows = Array.from({ length: n }, (_, t) => `p${p},${t},${(level + gen.normal() * 0.5).toFixed(3)},${gen.normal().toFixed(3)},${label}`);
    for (let i = rows.length - 1; i > 0; i--) { const j = gen.int(i + 1); [rows[i], rows[j]] = [rows[j], rows[i]]; }
    lines.push(...rows);
  }
  return lines.join('\n') + '\n';
}

/** Window data: 3 stations, 90 daily readings (ISO dates); temp follows a smooth cycle. */
function stationsCsv(): string {
  const gen = new rnam.Generator(4), lines = ['station,date,temp,wind'];
  for (const s of ['A', 'B', 'C']) {
    for (let d = 0; d < 90; d++) {
      const date = new Date(Date.UTC(2020, 0, 1 + d)).toISOString().slice(0, 10);
      lines.push(`${s},${date},${(10 * Math.sin(d / 6) + gen.normal()).toFixed(2)},${(3 + gen.normal()).toFixed(2)}`);
    }
  }
  return lines.join('\n') + '\n';
}

const panelPath = join(dir, 'panel.csv'), stationsPath = join(dir, 'stations.csv'), classesPath = join(dir, 'classes.csv');
writeFileSync(panelPath, panelCsv());
writeFileSync(stationsPath, stationsCsv());
writeFileSync(classesPath, panelCsv(3));

async function run(args: string[]): Promise<{ code: number; log: string[] }> {
  const log: string[] = [];
  const code = await main(args, (line) => log.push(line));
  return { code, log };
}

const readCsvFile = (path: string) => Papa.parse<Record<string, string>>(readFileSync(path, 'utf8').trim(), { header: true }).data;

test('the reports write numbers of every size as a reader reads them: exponents only past a million or under a thousandth', () => {
  assert.equal([0.5, -2.25, 7432.25, -5613.38, 999.99995, 1234567, 0.00012, 0, NaN, undefined].map(fmt),
    ['0.5000', '-2.2500', '7432.3', '-5613.4', '1000.0000', '1.235e+6', '1.200e-4', '0.0000', '–', '–']);
});

test("train's warnings about the data go to the log, report.json's notes and the HTML report", async () => {
  const lines = ['patient,visit,marker,label'];
  for (let p = 0; p < 40; p++) for (let t = 0; t < 3; t++) lines.push(`p${p},${t},${(p % 7) / 7 + t},${p < 8 ? t % 2 : p % 2}`);
  const path = join(dir, 'changing.csv'), out = join(dir, 'changing-out');
  writeFileSync(path, lines.join('\n') + '\n');
  const r = await run(['train', path, '--id', 'patient', '--time', 'visit', '--target', 'label', '--device', 'wasm', '--no-progress', '--epochs', '2', '--members', '1', '--out', out]);
  assert.is(r.code, 0, r.log.join('\n'));
  const said = "note: the target 'label' changes within 8 of 40 ids: panel mode predicts each id's last known target and reads none of its earlier values; --target-history reads them as a feature (when they are measured over time, not an outcome known later), as window mode (a window of steps) does";
  assert.ok(r.log.includes(said), r.log.join('\n'));
  // The report keeps the library's spelling of the option (the log says the flag).
  const noted = said.replace('--target-history', 'targetHistory');
  const report = JSON.parse(readFileSync(join(out, 'report.json'), 'utf8'));
  assert.equal(report.notes.filter((n: { text: string }) => n.text.startsWith('note:')), [{ kind: 'warning', text: noted }]);
  assert.ok(readFileSync(join(out, 'report.html'), 'utf8').includes(`<ul class="warnings"><li>${rnamEscape(noted)}</li>`));
  // --target-history reads it, says so, and the model file keeps it for predict.
  const withHistory = join(dir, 'changing-history');
  const h = await run(['train', path, '--id', 'patient', '--time', 'visit', '--target', 'label', '--target-history', '--device', 'wasm', '--no-progress', '--epochs', '2', '--members', '1', '--out', withHistory]);
  assert.is(h.code, 0, h.log.join('\n'));
  assert.ok(h.log.includes("target history: the target 'label' is also a time-varying feature, its value at the row predicted hidden"), h.log.join('\n'));
  assert.not.ok(h.log.some((l) => l.startsWith('note: the target')), h.log.join('\n'));
  const hr = JSON.parse(readFileSync(join(withHistory, 'report.json'), 'utf8'));
  assert.equal([hr.features, hr.preprocessing.targetHistory], [['marker', 'label'], true]);
  const p = await run(['predict', withHistory, path, '--out', join(dir, 'changing-history.csv')]);
  assert.is(p.code, 0, p.log.join('\n'));
});

test('train (panel, binary inferred) writes the model and both reports; predict writes one row per patient', async () => {
  const out = join(dir, 'panel-out');
  const r = await run(['train', panelPath, '--id', 'patient', '--time', 'visit', '--target', 'label', '--device', 'wasm', '--no-progress', '--out', out]);
  assert.is(r.code, 0, r.log.join('\n'));
  assert.ok(r.log.some((l) => l.includes('task: binary (inferred')), r.log.join('\n'));
  const report = JSON.parse(readFileSync(join(out, 'report.json'), 'utf8'));
  assert.is(report.task, 'binary');
  assert.equal(report.features, ['marker', 'noise']);
  assert.is(report.samples.train + report.samples.validation + report.samples.test, 60);
  // Each ensemble member early-stops on its own validation patients, so there is no one validation split to score.
  assert.ok(report.crossFitted);
  assert.is(report.members.length, 5);
  assert.is(report.metrics.validation, null);
  for (const split of ['train', 'test']) assert.equal(Object.keys(report.metrics[split]).sort(), ['accuracy', 'auc', 'logLoss']);
  assert.ok(report.metrics.train.auc > 0.8, `train AUC ${report.metrics.train.auc}`);
  assert.is(report.importance[0].feature, 'marker', JSON.stringify(report.importance));
  assert.ok(report.importance[0].importance >= report.importance[1].importance);
  assert.ok(report.history.length >= 1 && report.history.length <= 200, `${report.history.length} epochs`);
  const html = readFileSync(join(out, 'report.html'), 'utf8');
  assert.ok(html.includes('<svg') && html.includes('marker') && !html.includes('<script'), 'self-contained report with charts');
  // report.json's notes are the log's lines: the choices, and the one warning (9 test patients), which the HTML report shows
  const notes = report.notes as { kind: string; text: string }[];
  assert.equal(notes.filter((n) => n.kind === 'choice').map((n) => n.text), r.log.filter((l) => /^(task|missing values):/.test(l)));
  const warnings = notes.filter((n) => n.kind === 'warning').map((n) => n.text);
  assert.equal(warnings, r.log.filter((l) => l.startsWith('warning: the test split holds')));
  assert.match(warnings[0], /^warning: the test split holds \d sample\(s\) of class '[01]' \(of 9\): its AUC rests on them/);
  assert.ok(html.includes(`<li>${rnamEscape(warnings[0])}</li>`));

  const pred = join(dir, 'panel-pred.csv');
  const p = await run(['predict', join(out, 'model.safetensors'), panelPath, '--device', 'wasm', '--out', pred]);
  assert.is(p.code, 0, p.log.join('\n'));
  const rows = readCsvFile(pred);
  assert.is(rows.length, 60);
  // The folder train wrote names its model file as well.
  const fromFolder = join(dir, 'panel-pred-folder.csv');
  assert.is((await run(['predict', out, panelPath, '--device', 'wasm', '--out', fromFolder])).code, 0);
  assert.is(readFileSync(fromFolder, 'utf8'), readFileSync(pred, 'utf8'));
  assert.equal(Object.keys(rows[0]), ['id', 'time', 'target', 'target_known', 'prediction', 'intercept', 'contribution_marker', 'contribution_noise']);
  assert.is(rows[0].id, 'p0');
  const probs = rows.map((row) => Number(row.prediction));
  assert.ok(probs.every((v) => v >= 0 && v <= 1), 'probabilities of class 1');
  // One convention: intercept + contributions = the logit of the positive class, for every row.
  for (const row of rows) {
    const logit = Number(row.intercept) + Number(row.contribution_marker) + Number(row.contribution_noise);
    assert.ok(Math.abs(1 / (1 + Math.exp(-logit)) - Number(row.prediction)) < 1e-6, `${row.id}: sigmoid(${logit}) vs ${row.prediction}`);
  }
  // The report's explained samples carry the same numbers as predict's rows for the same ids.
  for (const e of report.examples) {
    const row = rows.find((r) => r.id === e.id)!;
    assert.ok(Math.abs(Number(row.intercept) - e.intercept) < 1e-9 && Math.abs(Number(row.contribution_marker) - e.contributions.marker) < 1e-9, `sample ${e.id} in report.json and predictions`);
  }
  assert.ok(report.examples.length > 0 && html.includes(`>${report.examples[0].id}<`), 'the HTML report lists the explained samples');
  // The time of a panel sample is its last visit.
  const lastVisit = Math.max(...readCsvFile(panelPath).filter((row) => row.patient === 'p0').map((row) => Number(row.visit)));
  assert.is(Number(rows[0].time), lastVisit);
});

test('train (window, regression, ISO dates) and predict: a forecast per window, contributions in the target units', async () => {
  const out = join(dir, 'window-out');
  const r = await run(['train', stationsPath, '--id', 'station', '--time', 'date', '--target', 'temp', '--window', '7', '--horizon', '1',
    '--epochs', '6', '--device', 'wasm', '--no-progress', '--out', out]);
  assert.is(r.code, 0, r.log.join('\n'));
  const report = JSON.parse(readFileSync(join(out, 'report.json'), 'utf8'));
  assert.is(report.task, 'regression');
  assert.equal(report.features, ['temp', 'wind']);
  for (const split of ['train', 'validation', 'test']) assert.equal(Object.keys(report.metrics[split]).sort(), ['mae', 'r2', 'rmse']);
  const pred = join(dir, 'window-pred.csv');
  assert.is((await run(['predict', join(out, 'model.safetensors'), stationsPath, '--out', pred, '--device', 'wasm'])).code, 0);
  const rows = readCsvFile(pred);
  assert.is(rows.length, 3 * (90 - 7 + 1), 'a window ending at every step from the 7th');
  assert.is(rows[0].time, '2020-01-07');
  assert.is(rows.at(-1)!.time, '2020-03-30');
  assert.ok(rows.every((row) => Number.isFinite(Number(row.prediction))));
  // The last window of each station forecasts a day the table does not hold: predicted, target unknown.
  const last = rows.filter((row) => row.time === '2020-03-30');
  assert.equal(last.map((row) => [row.target, row.target_known]), [['', 'false'], ['', 'false'], ['', 'false']]);
  assert.is(rows.filter((row) => row.target_known === 'true').length, 3 * (90 - 7));
  for (const row of rows) {
    const sum = Number(row.intercept) + Number(row.contribution_temp) + Number(row.contribution_wind);
    assert.ok(Math.abs(sum - Number(row.prediction)) < 1e-4 * (1 + Math.abs(sum)), `${row.id} ${row.time}: ${sum} vs ${row.prediction}`);
  }
  // The target column may be left out of the data to predict altogether.
  const noTarget = join(dir, 'stations-no-target.csv');
  writeFileSync(noTarget, stationsCsv().split('\n').map((line) => line.split(',').filter((_, j) => j !== 2).join(',')).join('\n'));
  const blind = join(dir, 'window-blind.csv');
  const b = await run(['predict', join(out, 'model.safetensors'), noTarget, '--out', blind, '--device', 'wasm']);
  assert.is(b.code, 1, 'temp is also an input feature of this model, so it cannot be left out');
  assert.match(b.log.join('\n'), /the target column is not in the header .*: the model reads its earlier values \(a window of its steps\).*temp/);
});

test('a semicolon-separated CSV (the delimiter read from its header) trains like the comma one', async () => {
  const path = join(dir, 'panel-semicolon.csv');
  writeFileSync(path, panelCsv().replace(/,/g, ';'));
  const a = await run(['train', panelPath, '--id', 'patient', '--time', 'visit', '--target', 'label', '--device', 'wasm', '--no-progress', '--members', '1', '--epochs', '2', '--out', join(dir, 'comma-out')]);
  const b = await run(['train', path, '--id', 'patient', '--time', 'visit', '--target', 'label', '--device', 'wasm', '--no-progress', '--members', '1', '--epochs', '2', '--out', join(dir, 'semicolon-out')]);
  assert.is(b.code, 0, b.log.join('\n'));
  // The same weights: the tensor bytes after the safetensors header (the header's history holds timings).
  const weights = (out: string) => {
    const file = readFileSync(join(dir, out, 'model.safetensors'));
    return file.subarray(8 + Number(file.readBigUInt64LE(0)));
  };
  assert.ok(weights('semicolon-out').equals(weights('comma-out')), 'the same weights');
  assert.is(a.code, 0);
  // A locale's export: ';' between cells and decimal commas in the numbers. Where ',' is no delimiter,
  // '0,5' can only be a number: the same weights again.
  writeFileSync(path, panelCsv().split('\n').map((line) => line.split(',').map((c) => c.replace('.', ',')).join(';')).join('\n'));
  const locale = await run(['train', path, '--id', 'patient', '--time', 'visit', '--target', 'label', '--device', 'wasm', '--no-progress', '--members', '1', '--epochs', '2', '--out', join(dir, 'decimal-comma-out')]);
  assert.is(locale.code, 0, locale.log.join('\n'));
  assert.ok(weights('decimal-comma-out').equals(weights('comma-out')), 'decimal commas read as the numbers they are');
  // In a comma-separated file, quoted decimal commas are named as such, not read as levels of a categorical feature.
  writeFileSync(path, panelCsv().split('\n').map((line, i) => (i === 0 ? line : line.split(',').map((c) => (/^\d+\.\d+$/.test(c) ? `"${c.replace('.', ',')}"` : c)).join(','))).join('\n'));
  const comma = await run(['train', path, '--id', 'patient', '--time', 'visit', '--target', 'label', '--out', join(dir, 'decimal-comma-out-2')]);
  assert.is(comma.code, 1);
  assert.match(comma.log.at(-1)!, /decimal comma .*column 'marker'/);
  // Thousands separators, quoted as a report writes them: named as such, not left out as labels.
  writeFileSync(path, panelCsv().split('\n').map((line, i) => (i === 0 || !line ? line : line.replace(/^([^,]+,[^,]+),([^,]+),/, (_, a, m) => `${a},"${(Number(m) * 1000 + 5000).toLocaleString('en-US', { minimumFractionDigits: 2 })}",`))).join('\n'));
  const grouped = await run(['train', path, '--id', 'patient', '--time', 'visit', '--target', 'label', '--out', join(dir, 'grouped-out')]);
  assert.is(grouped.code, 1, grouped.log.join('\n'));
  assert.match(grouped.log.at(-1)!, /numbers with thousands separators \('\d,\d{3}\.\d\d'\): write them without the separators.*column 'marker'/);
});

test('multiclass: the class and one probability column per class', async () => {
  const out = join(dir, 'classes-out');
  const r = await run(['train', classesPath, '--id', 'patient', '--time', 'visit', '--target', 'label', '--epochs', '4', '--device', 'wasm', '--no-progress', '--out', out]);
  assert.is(r.code, 0, r.log.join('\n'));
  const report = JSON.parse(readFileSync(join(out, 'report.json'), 'utf8'));
  assert.is(report.task, 'multiclass');
  assert.equal(Object.keys(report.metrics.test).sort(), ['accuracy', 'logLoss']);
  const pred = join(dir, 'classes-pred.csv');
  assert.is((await run(['predict', join(out, 'model.safetensors'), classesPath, '--out', pred])).code, 0);
  const rows = readCsvFile(pred);
  assert.equal(Object.keys(rows[0]).slice(0, 9), ['id', 'time', 'target', 'target_known', 'prediction', 'p_0', 'p_1', 'p_2', 'intercept']);
  for (const row of rows) {
    const p = [row.p_0, row.p_1, row.p_2].map(Number);
    assert.ok(Math.abs(p[0] + p[1] + p[2] - 1) < 1e-5);
    assert.is(row.prediction, String(p.indexOf(Math.max(...p))));
  }
});

test('--exclude leaves a column out of the features; an excluded column not in the header is an error naming it', async () => {
  const out = join(dir, 'exclude-out');
  const r = await run(['train', panelPath, '--id', 'patient', '--time', 'visit', '--target', 'label', '--exclude', 'noise', '--epochs', '2', '--members', '1', '--device', 'wasm', '--no-progress', '--out', out]);
  assert.is(r.code, 0, r.log.join('\n'));
  assert.equal(JSON.parse(readFileSync(join(out, 'report.json'), 'utf8')).features, ['marker']);
  const typo = await run(['cv', panelPath, '--id', 'patient', '--time', 'visit', '--target', 'label', '--exclude', 'noize', '--out', join(dir, 'exclude-cv')]);
  assert.is(typo.code, 1);
  assert.match(typo.log[0], /excluded column is not in the header/);
  assert.match(typo.log[0], /noize/);
});

test('errors name the column, the row or the id; a wrong command line prints the usage (exit 2)', async () => {
  const out = join(dir, 'bad-out');
  const missing = await run(['train', panelPath, '--id', 'patient', '--time', 'visit', '--target', 'outcome', '--out', out]);
  assert.is(missing.code, 1);
  assert.match(missing.log[0], /target column .*outcome|outcome.*not in the header/);
  const text = panelCsv().replace(/\n(p1,[^,]+),[^,]+,/, '\n$1,high,');
  writeFileSync(join(dir, 'text.csv'), text);
  const nonNumeric = await run(['train', join(dir, 'text.csv'), '--id', 'patient', '--time', 'visit', '--target', 'label', '--features', 'marker,noise', '--out', out]);
  assert.is(nonNumeric.code, 1);
  assert.match(nonNumeric.log[0], /high/);
  assert.match(nonNumeric.log[0], /marker/);
  // every patient has 4 to 11 visits: none holds a window of 12 and its target
  const short = await run(['train', panelPath, '--id', 'patient', '--time', 'visit', '--target', 'label', '--window', '12', '--out', out]);
  assert.is(short.code, 1);
  assert.match(short.log[0], /no id has the 13 rows a window of 12 steps and its target 1 step later need/);
  assert.match(short.log[0], /patient/);
  const noId = await run(['train', panelPath, '--time', 'visit', '--target', 'label', '--out', out]);
  assert.is(noId.code, 2);
  assert.match(noId.log[0], /panel mode .* --id/);
  const usage = await run(['train', panelPath, '--id', 'patient', '--time', 'visit', '--target', 'label', '--out', out, '--epochs', 'many']);
  assert.is(usage.code, 2);
  assert.match(usage.log[0], /--epochs must be an integer/);
  assert.ok(usage.log.some((l) => l.startsWith('usage:')));
  assert.is((await run(['fly'])).code, 2);
  const tiny = await run(['train', panelPath, '--id', 'patient', '--time', 'visit', '--target', 'label', '--test', '0.0001', '--out', out]);
  assert.is(tiny.code, 1);
  assert.match(tiny.log[0], /--test 0\.0001 of \d+ ids is no id/);
  assert.ok(!existsSync(join(out, 'model.safetensors')));
});

test('outputs that cannot be made are usage errors at once; predict never writes over the model a folder holds', async () => {
  // Linux's /proc refuses new entries with ENOENT, where Node's recursive mkdir loops forever.
  assert.ok(process.platform !== 'linux' || existsSync('/proc/self'), 'Linux has /proc');
  if (process.platform === 'linux') {
    for (const out of ['/proc/rnam-nope', '/proc/rnam-a/b/c']) {
      const r = await run(['train', panelPath, '--id', 'patient', '--time', 'visit', '--target', 'label', '--out', out]);
      assert.is(r.code, 2, out);
      assert.match(r.log[0], `--out '${out}' cannot be written: ENOENT`);
    }
  }
  const out = join(dir, 'folder-model');
  assert.is((await run(['train', panelPath, '--id', 'patient', '--time', 'visit', '--target', 'label', '--epochs', '1', '--members', '1', '--device', 'wasm', '--no-progress', '--out', out])).code, 0);
  const model = readFileSync(join(out, 'model.safetensors'));
  const over = await run(['predict', out, panelPath, '--out', join(out, 'model.safetensors')]);
  assert.is(over.code, 2);
  assert.match(over.log[0], /is the input/);
  assert.ok(readFileSync(join(out, 'model.safetensors')).equals(model), 'the model file is untouched');
  const empty = mkdtempSync(join(dir, 'empty-'));
  const none = await run(['predict', empty, panelPath, '--out', join(dir, 'none.csv')]);
  assert.is(none.code, 2);
  assert.match(none.log[0], /holds no model\.safetensors/);
  if (process.platform === 'linux') {
    const proc = await run(['predict', out, panelPath, '--out', '/proc/rnam-p.csv']);
    assert.is(proc.code, 2);
    assert.match(proc.log[0], "--out '/proc/rnam-p.csv': its folder cannot be written (");
  }
});

test('the installed bin: `rnam --help` and a train/predict round trip through bin/rnam.js', () => {
  const bin = join(import.meta.dirname ?? new URL('.', import.meta.url).pathname, '..', 'bin', 'rnam.js');
  const help = spawnSync(process.execPath, [bin, '--help'], { encoding: 'utf8' });
  assert.is(help.status, 0, help.stderr);
  assert.match(help.stdout, /rnam train DATA\.csv/);
  // after a command too, wherever it stands, with nothing run
  const commandHelp = spawnSync(process.execPath, [bin, 'predict', 'model-dir', '--help'], { encoding: 'utf8' });
  assert.is(commandHelp.status, 0, commandHelp.stderr);
  assert.match(commandHelp.stdout, /rnam predict MODEL\.safetensors/);
  assert.is(commandHelp.stderr, '');
  const version = spawnSync(process.execPath, [bin, '--version'], { encoding: 'utf8' });
  assert.is(version.status, 0, version.stderr);
  assert.is(version.stdout.trim(), JSON.parse(readFileSync(join(bin, '..', '..', 'package.json'), 'utf8')).version);
  const out = join(dir, 'bin-out');
  execFileSync(process.execPath, [bin, 'train', panelPath, '--id', 'patient', '--time', 'visit', '--target', 'label', '--epochs', '2', '--device', 'wasm', '--out', out], { stdio: 'pipe' });
  execFileSync(process.execPath, [bin, 'predict', join(out, 'model.safetensors'), panelPath, '--out', join(out, 'pred.csv')], { stdio: 'pipe' });
  assert.is(readCsvFile(join(out, 'pred.csv')).length, 60);
});

test.run();

const gpu = await webgpuBackend();
if (typeof gpu === 'string') reportUnavailable('the command line', gpu);
else {
  const g = suite('rnam command line on WebGPU');
  g('train and predict with --device webgpu', async () => {
    const out = join(dir, 'gpu-out');
    const r = await run(['train', panelPath, '--id', 'patient', '--time', 'visit', '--target', 'label', '--epochs', '2', '--device', 'webgpu', '--no-progress', '--out', out]);
    assert.is(r.code, 0, r.log.join('\n'));
    assert.match(JSON.parse(readFileSync(join(out, 'report.json'), 'utf8')).device, /^webgpu/);
    const pred = join(dir, 'gpu-pred.csv');
    assert.is((await run(['predict', join(out, 'model.safetensors'), panelPath, '--device', 'webgpu', '--out', pred])).code, 0);
    assert.is(readCsvFile(pred).length, 60);
  });
  g.run();
}
