// crossValidate and `rnam cv`: whole ids per fold (never one id in two folds), stratified by the
// label; rolling origin for windows (each fold trains on the past only); per-fold metrics with their
// mean and sd; out-of-fold predictions in the one contribution convention.
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Papa from 'papaparse';
import * as rnam from '../src/index.js';
import { main } from '../src/cli/main.js';
import { foldJobOptions } from '../src/pipeline/cross-validate.js';
import { readCsv } from '../src/data/csv.js';

const test = suite('cross-validation');
const quiet = { log: null, progress: false, members: 1, epochs: 3, device: 'wasm' } as const;

function panelCsv(): string {
  const gen = new rnam.Generator(9), lines = ['id,day,x,sex,y'];
  for (let p = 0; p < 50; p++) {
    const level = gen.normal();
    for (let t = 0; t < 3; t++) lines.push(`e${p},${t * 5 + gen.int(3)},${(level + gen.normal() * 0.4).toFixed(3)},${p % 2 ? 'f' : 'm'},${p % 5 === 0 ? 'yes' : 'no'}`);
  }
  return lines.join('\n') + '\n';
}

test('panel: every id in exactly one fold, stratified by the label; metrics per fold and their mean', async () => {
  const cv = await rnam.crossValidate(panelCsv(), { id: 'id', time: 'day', target: 'y', folds: 5, ...quiet });
  assert.is(cv.scheme, 'grouped');
  assert.is(cv.folds.length, 5);
  const idAt = cv.header.indexOf('id'), foldAt = cv.header.indexOf('fold'), targetAt = cv.header.indexOf('target');
  const seen = new Map<string, number>();
  for (const r of cv.rows) {
    assert.not.ok(seen.has(String(r[idAt])), `id ${r[idAt]} scored twice`);
    seen.set(String(r[idAt]), Number(r[foldAt]));
  }
  assert.is(seen.size, 50, 'every id scored once');
  // 10 'yes' ids: two per fold.
  for (let f = 1; f <= 5; f++) assert.is(cv.rows.filter((r) => r[foldAt] === f && r[targetAt] === 'yes').length, 2, `fold ${f}`);
  assert.ok(cv.summary.auc.mean >= 0 && cv.summary.auc.sd >= 0);
  // Out-of-fold rows keep the identity: intercept + contributions = the logit of p.
  const at = (name: string) => cv.header.indexOf(name);
  for (const r of cv.rows) {
    const z = Number(r[at('intercept')]) + cv.header.filter((h) => h.startsWith('contribution_')).reduce((s, h) => s + Number(r[at(h)]), 0);
    assert.ok(Math.abs(1 / (1 + Math.exp(-z)) - Number(r[at('prediction')])) < 1e-5);
  }
  // The baselines on the same folds: fold 1's are trainTable's with that fold's ids as its test data.
  assert.equal(Object.keys(cv.baselines!), ['base rate', 'logistic regression on the last step']);
  assert.is(cv.baselines!['base rate'].auc.mean, 0.5);
  const held = new Set(cv.rows.filter((r) => r[foldAt] === 1).map((r) => String(r[idAt])));
  const [header, ...lines] = panelCsv().trim().split('\n');
  const part = (inFold: boolean) => [header, ...lines.filter((l) => held.has(l.split(',')[0]) === inFold)].join('\n') + '\n';
  const direct = await rnam.trainTable(part(false), { id: 'id', time: 'day', target: 'y', split: { test: 0 }, testData: part(true), ...quiet });
  assert.equal(cv.folds[0].baselines, direct.report.baselines);
  const lr = cv.folds.map((f) => f.baselines!['logistic regression on the last step'].auc), mean = lr.reduce((a, b) => a + b, 0) / lr.length;
  assert.ok(Math.abs(cv.baselines!['logistic regression on the last step'].auc.mean - mean) < 1e-12);
});

test('every fold reads a column as the whole table does: a text column that changes within one id stays time-varying', async () => {
  // 'arm' holds one level per id except in e7, whose fold's training rows alone would make it static.
  const [header, ...lines] = panelCsv().trim().split('\n');
  const csv = [header + ',arm', ...lines.map((l) => {
    const [id, day] = l.split(',');
    return `${l},${id === 'e7' && Number(day) >= 5 ? 'b' : Number(id.slice(1)) % 3 ? 'a' : 'b'}`;
  })].join('\n') + '\n';
  const cv = await rnam.crossValidate(csv, { id: 'id', time: 'day', target: 'y', folds: 5, ...quiet });
  assert.is(cv.rows.length, 50, 'every id scored, e7 among them');
  assert.ok(cv.header.includes('contribution_arm'));
  const roles = foldJobOptions('crossValidate', { id: 'id', time: 'day', target: 'y' }, readCsv(csv));
  assert.equal(roles.sequenceCategorical, ['arm']);
  assert.equal(roles.categorical, ['sex']);
});

test('windows: rolling origin, each fold trains on the rows before its test block only', async () => {
  const gen = new rnam.Generator(3), lines = ['day,x,y'];
  for (let d = 0; d < 200; d++) lines.push(`${d},${gen.normal().toFixed(3)},${(Math.sin(d / 5) + gen.normal() * 0.1).toFixed(3)}`);
  const said: string[] = [];
  const cv = await rnam.crossValidate(lines.join('\n'), { time: 'day', target: 'y', window: 5, folds: 4, ...quiet, log: (l) => said.push(l) });
  assert.is(cv.scheme, 'rolling-origin');
  const trainRows = said.filter((l) => /training rows/.test(l)).map((l) => Number(/: (\d+) training rows/.exec(l)![1]));
  assert.equal(trainRows, [40, 80, 120, 160], 'each fold trains on the blocks before its own (5 blocks of 40 days)');
  const foldAt = cv.header.indexOf('fold'), timeAt = cv.header.indexOf('time');
  for (let f = 1; f <= 4; f++) {
    const times = cv.rows.filter((r) => r[foldAt] === f).map((r) => Number(r[timeAt]));
    // A window is timed at its last input day; its target is the day after. Fold f scores the windows whose target lies in its block.
    const targets = times.map((t) => t + 1), to = f < 4 ? trainRows[f] : 200;
    assert.is(Math.min(...targets), trainRows[f - 1], `fold ${f}'s first target, trained on days < ${trainRows[f - 1]}`);
    assert.is(Math.max(...targets), to - 1, `fold ${f}'s last target`);
    assert.is(targets.length, to - trainRows[f - 1], `fold ${f}: every day of its block is a target`);
  }
  // The baselines score the same windows: persistence reads the target's last value in each.
  assert.equal(Object.keys(cv.baselines!), ['training mean', 'persistence', 'ridge on the last step']);
  const yAt = cv.header.indexOf('target');
  const byDay = new Map(lines.slice(1).map((l) => [Number(l.split(',')[0]), Number(l.split(',')[2])]));
  cv.folds.forEach((fold, f) => {
    const rows = cv.rows.filter((r) => r[foldAt] === f + 1);
    const rmse = Math.sqrt(rows.reduce((s, r) => s + (Number(r[yAt]) - byDay.get(Number(r[timeAt]))!) ** 2, 0) / rows.length);
    assert.ok(Math.abs(fold.baselines!.persistence.rmse - rmse) < 1e-9, `fold ${f + 1}: persistence ${fold.baselines!.persistence.rmse} vs ${rmse}`);
  });
});

test('windows: a first fold too short for a window and its validation is refused before any fold trains, with the folds that fit', async () => {
  const lines = ['id,day,y'];
  for (const id of ['a', 'b']) for (let d = 0; d < 20; d++) lines.push(`${id},${d},${Math.sin(d)}`);
  const said: string[] = [];
  try {
    await rnam.crossValidate(lines.join('\n'), { id: 'id', time: 'day', target: 'y', window: 3, folds: 5, ...quiet, log: (l) => said.push(l) });
    assert.unreachable();
  } catch (err) {
    assert.instance(err, rnam.DataError);
    assert.is((err as Error).message, 'rolling origin with 5 folds trains fold 1 on the first of 6 blocks of the times, where the longest id has 3 step(s); '
      + 'a window and its target take 4 and a validation block follows (5 at least): at most 3 folds fit here (more with a shorter window)');
  }
  assert.equal(said, [], 'no fold started');
  const cv = await rnam.crossValidate(lines.join('\n'), { id: 'id', time: 'day', target: 'y', window: 3, folds: 3, ...quiet });
  assert.is(cv.folds.length, 3);
});

test('rnam cv writes cv.json and oof.csv', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'rnam-cv-')), csv = join(dir, 'panel.csv'), out = join(dir, 'cv');
  writeFileSync(csv, panelCsv());
  const log: string[] = [];
  assert.is(await main(['cv', csv, '--id', 'id', '--time', 'day', '--target', 'y', '--folds', '3', '--members', '1', '--epochs', '2', '--device', 'wasm', '--out', out], (l) => log.push(l)), 0, log.join('\n'));
  const report = JSON.parse(readFileSync(join(out, 'cv.json'), 'utf8'));
  assert.is(report.folds.length, 3);
  assert.ok(log.some((l) => /^grouped 3-fold: auc /.test(l)), log.join('\n'));
  // What train says of the columns, said once for the whole file, before the folds.
  const task = log.indexOf("task: binary (inferred from column 'y')");
  assert.ok(task >= 0 && task < log.findIndex((l) => l.startsWith('fold 1 of 3')), log.join('\n'));
  assert.ok(log.includes("classes: no, yes (positive: 'yes')"), log.join('\n'));
  assert.is(log.filter((l) => l.startsWith('categorical (text): sex')).length, 1);
  assert.ok(log.some((l) => /^auc on the same folds: rnam \d\.\d{4} ± \d\.\d{4}; base rate 0\.5000 ± 0\.0000, logistic regression on the last step \d\.\d{4} ± \d\.\d{4}$/.test(l)), log.join('\n'));
  assert.ok(report.baselines['logistic regression on the last step'].auc.mean > 0, 'cv.json holds the baselines');
  assert.is(readFileSync(join(out, 'oof.csv'), 'utf8').trim().split('\n').length, 51);
  // cv.html: rnam and each baseline, mean ± sd over the folds, and the AUC fold by fold.
  const html = readFileSync(join(out, 'cv.html'), 'utf8');
  assert.match(html, `<tr><th scope="row">rnam</th><td>${report.summary.auc.mean.toFixed(4)} ± ${report.summary.auc.sd.toFixed(4)}</td>`);
  assert.match(html, `<tr><th scope="row">logistic regression on the last step</th><td>${report.baselines['logistic regression on the last step'].auc.mean.toFixed(4)} ± `);
  assert.match(html, `<tr><th scope="row">3</th><td>${report.folds[2].samples}</td><td>${report.folds[2].metrics.auc.toFixed(4)}</td>`);
  // Two 'yes' ids of 50: three folds score one class and have no AUC; the log and cv.html compare the log loss.
  const rare = join(dir, 'rare.csv'), rareOut = join(dir, 'cv-rare'), rareLog: string[] = [];
  const keeping = (ids: string[]) => panelCsv().split('\n').map((l) => (ids.some((id) => l.startsWith(`${id},`)) ? l : l.replace(/,yes$/, ',no'))).join('\n');
  writeFileSync(rare, keeping(['e0', 'e5']));
  assert.is(await main(['cv', rare, '--id', 'id', '--time', 'day', '--target', 'y', '--members', '1', '--epochs', '2', '--device', 'wasm', '--out', rareOut], (l) => rareLog.push(l)), 0, rareLog.join('\n'));
  assert.ok(rareLog.some((l) => /^grouped 5-fold: auc undefined in 3 of 5 folds \(a fold that scores one class\), accuracy /.test(l)), rareLog.join('\n'));
  assert.ok(rareLog.some((l) => /^auc undefined in 3 of 5 folds \(a fold that scores one class\); logLoss on the same folds: rnam \d\.\d{4} ± /.test(l)), rareLog.join('\n'));
  assert.match(readFileSync(join(rareOut, 'cv.html'), 'utf8'), '<h2>logLoss per fold</h2>');
  // One 'yes' id: the fold that tests it trains on 'no' alone, with both classes (the whole table's).
  writeFileSync(rare, keeping(['e0']));
  const said: string[] = [];
  assert.is(await main(['cv', rare, '--id', 'id', '--time', 'day', '--target', 'y', '--members', '1', '--epochs', '2', '--device', 'wasm', '--out', rareOut], (l) => said.push(l)), 0, said.join('\n'));
  const oneYes = Papa.parse<Record<string, string>>(readFileSync(join(rareOut, 'oof.csv'), 'utf8').trim(), { header: true }).data;
  assert.is(oneYes.length, 50);
  const e0 = oneYes.find((r) => r.id === 'e0')!;
  assert.is(e0.target, 'yes');
  const p = Number(e0.prediction);
  assert.ok(p > 0 && p < 0.5, `trained without a 'yes', the fold gives e0 a low p(yes): ${p}`);
  assert.is(await main(['cv', csv, '--id', 'id', '--time', 'day', '--target', 'y', '--test-data', csv, '--out', out], () => {}), 2);
  assert.is(await main(['cv', csv, '--id', 'id', '--time', 'day', '--target', 'y', '--workers', '0', '--out', out], () => {}), 2);
});

test('--classes on the command line: the labels in output order, checked', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'rnam-classes-')), csv = join(dir, 'panel.csv'), out = join(dir, 'train');
  writeFileSync(csv, panelCsv());
  const log: string[] = [];
  const common = ['--id', 'id', '--time', 'day', '--target', 'y', '--members', '1', '--epochs', '2', '--device', 'wasm', '--no-progress'];
  assert.is(await main(['train', csv, ...common, '--classes', 'no, maybe ,yes', '--out', out], (l) => log.push(l)), 0, log.join('\n'));
  assert.ok(log.includes('classes: no, maybe, yes'), log.join('\n'));
  assert.equal(JSON.parse(readFileSync(join(out, 'report.json'), 'utf8')).classes, ['no', 'maybe', 'yes']);
  for (const bad of ['yes', 'yes,', 'yes,yes']) {
    const said: string[] = [];
    assert.is(await main(['train', csv, ...common, '--classes', bad, '--out', out], (l) => said.push(l)), 2, bad);
    assert.match(said[0], /^rnam train: UsageError: --classes /);
  }
  const said: string[] = [];
  assert.is(await main(['cv', csv, ...common, '--classes', 'no,maybe', '--out', join(dir, 'cv')], (l) => said.push(l)), 1);
  assert.match(said[0], "the target label 'yes' is not one of the classes given (no, maybe)");
});

test.run();
