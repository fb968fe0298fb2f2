// Outputs are written atomically: a process killed (SIGKILL) while writing leaves the previous files
// whole, never a partial one; `rnam train` checks --out before any work and `rnam predict` never
// writes over its inputs.
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import * as rnam from '../src/index.js';
import { main } from '../src/cli/main.js';
import { writeFilesAtomically } from '../src/io/atomic-write.js';

const test = suite('atomic outputs');
const dir = mkdtempSync(join(tmpdir(), 'rnam-atomic-'));
const root = join(import.meta.dirname ?? new URL('.', import.meta.url).pathname, '..');

test('a writer killed mid-write leaves the previous files whole (every kill, at every stage)', async () => {
  const a = join(dir, 'model.bin'), b = join(dir, 'report.txt');
  const old = Buffer.alloc(1 << 20, 1);
  await writeFilesAtomically([[a, old], [b, 'old report']]);
  // A child writes two large files together, over and over; we kill it once its temporary file exists.
  const child = `import { writeFilesAtomically } from ${JSON.stringify(join(root, 'src', 'io', 'atomic-write.ts'))};
    const big = Buffer.alloc(96 << 20, 2);
    for (;;) await writeFilesAtomically([[${JSON.stringify(a)}, big], [${JSON.stringify(b)}, 'new report']]);`;
  let killedMidWrite = 0;
  for (let round = 0; round < 6; round++) {
    const p = spawn(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', child], { cwd: root, stdio: 'ignore' });
    // Wait for a temporary file to appear (the child is writing), then a little more on later rounds.
    const started = Date.now();
    while (!readdirSync(dir).some((f) => f.includes('.tmp-')) && Date.now() - started < 20_000) await new Promise((ok) => setTimeout(ok, 2));
    await new Promise((ok) => setTimeout(ok, round * 7));
    if (readdirSync(dir).some((f) => f.includes('.tmp-'))) killedMidWrite++;
    p.kill('SIGKILL');
    await new Promise((ok) => p.on('exit', ok));
    const model = readFileSync(a), report = readFileSync(b, 'utf8');
    const whole = (model.length === old.length && model.every((x) => x === 1)) || (model.length === 96 << 20 && model[0] === 2 && model[model.length - 1] === 2);
    assert.ok(whole, `round ${round}: model.bin has ${model.length} bytes, a partial write`);
    assert.ok(report === 'old report' || report === 'new report', `round ${round}: report '${report}'`);
  }
  assert.ok(killedMidWrite >= 3, `killed while a temporary file was being written in ${killedMidWrite} of 6 rounds`);
});

test('a temporary file left by a killed process of this host goes at the next write to its path; a live process\'s stays', async () => {
  const target = join(dir, 'swept.csv'), host = hostname().replace(/[^A-Za-z0-9_-]/g, '_');
  const dead = spawn(process.execPath, ['-e', '0']);
  await new Promise((ok) => dead.on('exit', ok));
  const orphan = `${target}.tmp-${host}-${dead.pid}-1`, running = `${target}.tmp-${host}-${process.ppid}-1`, other = `${target}.tmp-elsewhere-${dead.pid}-1`;
  for (const f of [orphan, running, other]) writeFileSync(f, 'partial');
  await writeFilesAtomically([[target, 'whole']]);
  assert.is(readFileSync(target, 'utf8'), 'whole');
  assert.not.ok(existsSync(orphan), 'the dead process\'s temporary file is removed');
  assert.ok(existsSync(running), 'a live process may still be writing it');
  assert.ok(existsSync(other), 'another host\'s is not judged here');
});

test('rnam predict stopped by Ctrl-C while it streams: exit 130, no file at --out and no temporary file', async () => {
  const csv = join(dir, 'stream-train.csv'), out = join(dir, 'stream-run'), big = join(dir, 'stream-big.csv'), pred = join(dir, 'stream-pred.csv');
  writeFileSync(csv, panel());
  assert.is(await main(['train', csv, '--id', 'patient', '--time', 'visit', '--target', 'label', '--epochs', '1', '--members', '1', '--out', out, '--device', 'wasm', '--no-progress'], () => {}), 0);
  const gen = new rnam.Generator(5), rows = ['patient,visit,marker,label'];
  for (let p = 0; p < 60_000; p++) for (let t = 0; t < 3; t++) rows.push(`q${p},${t},${gen.normal().toFixed(3)},${p % 2}`);
  writeFileSync(big, rows.join('\n') + '\n');
  const child = spawn(process.execPath, [join(root, 'bin', 'rnam.js'), 'predict', join(out, 'model.safetensors'), big, '--out', pred, '--device', 'wasm']);
  let stderr = '';
  child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
  const started = Date.now();
  while (!readdirSync(dir).some((f) => f.startsWith('stream-pred.csv.tmp-')) && Date.now() - started < 30_000) await new Promise((ok) => setTimeout(ok, 2));
  assert.ok(readdirSync(dir).some((f) => f.startsWith('stream-pred.csv.tmp-')), 'the prediction was being written');
  child.kill('SIGINT');
  const code = await new Promise((ok) => child.on('exit', ok));
  assert.is(code, 130, stderr);
  assert.match(stderr, /Ctrl-C: stopped, nothing written/);
  assert.not.ok(existsSync(pred), 'no file at --out');
  assert.equal(readdirSync(dir).filter((f) => f.startsWith('stream-pred.csv.tmp-')), [], 'no temporary file');
});

const panel = () => {
  const gen = new rnam.Generator(3), lines = ['patient,visit,marker,label'];
  for (let p = 0; p < 30; p++) for (let t = 0; t < 3; t++) lines.push(`p${p},${t},${gen.normal().toFixed(3)},${p % 2}`);
  return lines.join('\n') + '\n';
};

test('--out is checked before any work; predict never writes over its inputs', async () => {
  const csv = join(dir, 'panel.csv');
  writeFileSync(csv, panel());
  const log: string[] = [];
  const asFile = join(dir, 'a-file');
  writeFileSync(asFile, 'x');
  const started = Date.now();
  assert.is(await main(['train', csv, '--id', 'patient', '--time', 'visit', '--target', 'label', '--out', asFile, '--device', 'wasm'], (l) => log.push(l)), 2);
  assert.match(log[0], /is a file; it must be a folder/);
  assert.ok(Date.now() - started < 2000, 'refused before training');
  const out = join(dir, 'run');
  assert.is(await main(['train', csv, '--id', 'patient', '--time', 'visit', '--target', 'label', '--epochs', '1', '--members', '1', '--out', out, '--device', 'wasm', '--no-progress'], (l) => log.push(l)), 0, log.join('\n'));
  const model = join(out, 'model.safetensors');
  for (const victim of [csv, model]) {
    const before = readFileSync(victim);
    log.length = 0;
    assert.is(await main(['predict', model, csv, '--out', victim, '--device', 'wasm'], (l) => log.push(l)), 2);
    assert.match(log[0], /is the input/);
    assert.equal(readFileSync(victim), before, `${victim} untouched`);
  }
  assert.not.ok(readdirSync(out).some((f) => f.includes('.tmp-')), 'no temporary file left by a finished run');
  assert.ok(existsSync(join(out, 'report.html')));
});

test('spreadsheet formulas in ids are neutralized in predictions, unless --raw-cells', async () => {
  const csv = join(dir, 'formula.csv');
  writeFileSync(csv, panel().replace(/^p0,/gm, '=HYPERLINK("x"),'));
  const out = join(dir, 'formula-run');
  const log: string[] = [];
  assert.is(await main(['train', csv, '--id', 'patient', '--time', 'visit', '--target', 'label', '--epochs', '1', '--members', '1', '--out', out, '--device', 'wasm', '--no-progress'], (l) => log.push(l)), 0, log.join('\n'));
  const pred = join(dir, 'formula-pred.csv'), raw = join(dir, 'formula-raw.csv');
  assert.is(await main(['predict', join(out, 'model.safetensors'), csv, '--out', pred, '--device', 'wasm'], () => {}), 0);
  assert.is(await main(['predict', join(out, 'model.safetensors'), csv, '--out', raw, '--device', 'wasm', '--raw-cells'], () => {}), 0);
  assert.ok(readFileSync(pred, 'utf8').includes(`"'=HYPERLINK(""x"")"`), readFileSync(pred, 'utf8').slice(0, 300));
  assert.ok(readFileSync(raw, 'utf8').includes('"=HYPERLINK(""x"")"'));
});

test('1e400 and -1e400 are not numbers: errors naming the cell', async () => {
  for (const [csv, column] of [['patient,visit,marker,label\na,1,1e400,0\na,2,1,1\nb,1,2,0\nb,2,3,1\n', 'marker'], ['patient,visit,marker,label\na,-1e400,1,0\na,2,1,1\nb,1,2,0\nb,2,3,1\n', 'visit']] as const) {
    try {
      await rnam.trainTable(csv, { id: 'patient', time: 'visit', target: 'label', features: ['marker'], log: null });
      assert.unreachable();
    } catch (err) {
      assert.instance(err, rnam.DataError);
      assert.is((err as rnam.DataError).column, column);
    }
  }
});

test.run();
