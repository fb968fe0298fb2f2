// trainStream and `rnam train --stream`: a CSV read a chunk of whole ids at a time. The preprocessing
// equals the in-memory fit on the same rows and split; a streamed model's predictions match the
// in-memory model's quality; bad cells and unsorted ids mid-file name their row and column; a run
// killed mid-training leaves no model file.
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { createReadStream, existsSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { spawn } from 'node:child_process';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as rnam from '../src/index.js';
import { fitStreamPreprocessing } from '../src/pipeline/stream-preprocessing.js';
import { Preprocessing } from '../src/pipeline/preprocessing.js';
import { toTable } from '../src/pipeline/table-input.js';
import { STREAM_ABOVE_BYTES, streamReason } from '../src/cli/train.js';
import { webgpuBackend, reportUnavailable } from './helpers/backends.js';

const test = suite('train-stream');
const dir = mkdtempSync(join(tmpdir(), 'rnam-train-stream-'));

/** A panel: per id a static level and size, a time-varying x with gaps; the target at each row depends on them. */
function panelCsv(ids: number, steps: number, seed: number, split = false): string {
  let s = seed >>> 0;
  const rand = () => ((s = (Math.imul(s, 1664525) + 1013904223) >>> 0) / 2 ** 32);
  const lines = [`id,t,x,size,group,y${split ? ',part' : ''},enrolled`];
  for (let i = 0; i < ids; i++) {
    const size = (rand() * 4).toFixed(3), group = ['a', 'b', 'c'][i % 3];
    let t = 0;
    for (let k = 0; k < steps; k++) {
      t += 1 + (rand() < 0.2 ? 1 : 0);
      const x = rand() < 0.1 ? '' : (Math.sin(t / 3 + i) * 2 + rand()).toFixed(4);
      const y = (Number(size) * 0.8 + (group === 'b' ? 1 : 0) + Math.sin(t / 3 + i) + rand() * 0.3).toFixed(4);
      const enrolled = new Date(Date.UTC(2019, 0, 1 + i)).toISOString().slice(0, 10);   // a date per id: a static date feature
      lines.push(`p${seed}_${i},${t},${x},${size},${group},${y}${split ? `,${i % 7 === 0 ? 'test' : i % 7 === 1 ? 'validation' : 'train'}` : ''},${enrolled}`);
    }
  }
  return lines.join('\n') + '\n';
}

const trainPath = join(dir, 'train.csv'), holdoutPath = join(dir, 'holdout.csv');
writeFileSync(trainPath, panelCsv(420, 6, 1, true));
writeFileSync(holdoutPath, panelCsv(120, 6, 2));
const open = (path: string) => () => ({ csv: createReadStream(path, { highWaterMark: 4096 }) });
const columns = { id: 'id', time: 't', target: 'y', features: ['x'], static: ['size'], categorical: ['group'] };

test('the streamed preprocessing equals the in-memory fit on the same rows and split (scales, levels, gap unit, length)', async () => {
  for (const auto of [false, true]) {
    const options = { id: 'id', time: 't', target: 'y', split: { column: 'part' }, ...(auto ? {} : { features: ['x'], static: ['size'], categorical: ['group'] }) };
    const streamed = await fitStreamPreprocessing(open(trainPath), options, 25);
    const memory = Preprocessing.fit(toTable('test', readFileSync(trainPath, 'utf8')), options);
    assert.equal(streamed.preprocessing.toRecord(), memory.preprocessing.toRecord());
    assert.is(streamed.samples.train, memory.datasets.train.samples);
    assert.is(streamed.samples.test, memory.datasets.test!.samples);
    assert.equal(streamed.preprocessing.record.columns.dates, auto ? ['enrolled'] : undefined);
    const m = streamed.preprocessing.record.mixed!;
    assert.ok(m.sequence[0].std > 0.5 && m.static[0].std > 0.5 && m.levels[0].length === 4, JSON.stringify(m));
  }
});


test('window and table mode: the streamed preprocessing and sample counts equal the in-memory ones (a time split, a split column)', async () => {
  const text = readFileSync(trainPath, 'utf8');
  const window = { id: 'id', time: 't', target: 'y', window: 3, split: { validation: 0.2, test: 0.2 } };
  const tableRows = ['id,x,size,group,y,part', ...text.trimEnd().split('\n').slice(1).map((l) => {
    const c = l.split(',');
    return [`${c[0]}_${c[1]}`, c[2], c[3], c[4], c[5], c[6]].join(',');
  })].join('\n') + '\n';
  const tablePath = join(dir, 'table.csv');
  writeFileSync(tablePath, tableRows);
  const table = { id: 'id', target: 'y', split: { column: 'part' } };
  const windowPath = join(dir, 'window.csv');
  writeFileSync(windowPath, panelCsv(40, 20, 7));
  for (const [path, options] of [[windowPath, window], [tablePath, table]] as const) {
    const streamed = await fitStreamPreprocessing(open(path), options, 50);
    const memory = Preprocessing.fit(toTable('test', readFileSync(path, 'utf8')), options);
    assert.equal(streamed.preprocessing.toRecord(), memory.preprocessing.toRecord());
    for (const part of ['train', 'validation', 'test'] as const) assert.is(streamed.samples[part], memory.datasets[part]!.samples, part);
  }
  const trained = await rnam.trainStream(open(windowPath), { ...window, epochs: 2, device: 'wasm', log: null, chunkSamples: 300 });
  assert.ok(trained.report.metrics.test!.rmse < 1.3 && trained.report.preprocessing.mode === 'window', JSON.stringify(trained.report.metrics));
});

test('a streamed model predicts a held-out file as well as the in-memory one (one member each, the same split)', async () => {
  const common = { ...columns, split: { column: 'part' }, epochs: 12, batchSize: 32, seed: 3, device: 'wasm' as const, log: null };
  const streamed = await rnam.trainStream(open(trainPath), { ...common, chunkSamples: 40 });
  const memory = await rnam.trainTable(readFileSync(trainPath, 'utf8'), { ...common, members: 1 });
  const s = streamed.report.metrics.test!.rmse, m = memory.report.metrics.test!.rmse;
  assert.is(streamed.report.samples.test, memory.report.samples.test);
  assert.ok(streamed.history.length === 12 && streamed.history.every((h) => Number.isFinite(h.valLoss)), 'a validation loss per epoch');
  // The target's spread is about 1.3: both models explain most of it, within a quarter of each other.
  assert.ok(s < 0.6 && m < 0.6 && Math.abs(s - m) < 0.25 * m, `streamed rmse ${s}, in memory ${m}`);
  const bytes = await rnam.saveTrained(streamed);
  const loaded = await rnam.loadTrained(bytes, { device: await rnam.device('wasm') });
  const p = rnam.predictStream(loaded, { csv: createReadStream(holdoutPath) });
  for await (const _ of p.batches()) void _;
  const held = p.summary().metrics!.rmse;
  assert.ok(held < 0.6 && Math.abs(held - s) < 0.25, `held-out rmse ${held}, test ${s}`);
  assert.equal(streamed.preprocessing.record.columns.features, memory.preprocessing.record.columns.features);
});

test('the hashed split: seeded, about the asked shares, every id in one part', async () => {
  const a = await fitStreamPreprocessing(open(holdoutPath), { ...columns, split: { validation: 0.2, test: 0.2, seed: 5 } }, 16);
  const b = await fitStreamPreprocessing(open(holdoutPath), { ...columns, split: { validation: 0.2, test: 0.2, seed: 5 } }, 50);
  const c = await fitStreamPreprocessing(open(holdoutPath), { ...columns, split: { validation: 0.2, test: 0.2, seed: 6 } }, 16);
  assert.equal(a.samples, b.samples);
  assert.is(a.samples.train + a.samples.validation + a.samples.test, 120);
  assert.ok(a.samples.test > 10 && a.samples.test < 40 && a.samples.validation > 10 && a.samples.validation < 40, JSON.stringify(a.samples));
  assert.not.equal(a.samples, c.samples);
});

async function dataError(run: () => Promise<unknown>): Promise<rnam.DataError> {
  try {
    await run();
  } catch (err) {
    if (err instanceof rnam.DataError) return err;
    throw err;
  }
  throw new Error('expected a DataError');
}

test('bad input mid-file: a text cell in a number column and an id that comes back name their row and column', async () => {
  const lines = panelCsv(60, 5, 4).trimEnd().split('\n');
  const bad = lines.slice(), row = 200; // CSV row numbers count the header as row 1
  const cells = bad[row - 1].split(',');
  cells[2] = 'abc';
  bad[row - 1] = cells.join(',');
  const badPath = join(dir, 'bad.csv');
  writeFileSync(badPath, bad.join('\n') + '\n');
  for (const named of [true, false]) {
    const err = await dataError(() => rnam.trainStream(open(badPath), { ...(named ? columns : { id: 'id', time: 't', target: 'y' }), epochs: 1, device: 'wasm', log: null, chunkSamples: 8 }));
    assert.is(err.code, 'non-numeric');
    assert.is(err.row, row);
    assert.is(err.column, 'x');
  }
  const unsorted = [...lines, lines[1]];
  const unsortedPath = join(dir, 'unsorted.csv');
  writeFileSync(unsortedPath, unsorted.join('\n') + '\n');
  const err = await dataError(() => rnam.trainStream(open(unsortedPath), { ...columns, epochs: 1, device: 'wasm', log: null }));
  assert.is(err.code, 'unsorted-stream');
  assert.is(err.row, unsorted.length);
  assert.is(err.column, 'id');
});

test('options a stream cannot honour are refused naming them', async () => {
  for (const [key, value] of [['refit', true], ['coverage', 0.8], ['classWeight', 'balanced'], ['members', 3], ['model', 'first-order']] as const) {
    try {
      await rnam.trainStream(open(trainPath), { ...columns, [key]: value, log: null });
      assert.unreachable(`${key} accepted`);
    } catch (err) {
      assert.instance(err, rnam.ArgumentError);
      assert.match((err as Error).message, key === 'members' ? 'one member' : key === 'model' ? 'additive' : key);
    }
  }
});

test('`rnam train --stream`: the model predicts; a run killed mid-training leaves no model file', async () => {
  const out = join(dir, 'cli');
  const { main } = await import('../src/cli/main.js');
  const lines: string[] = [];
  const code = await main(['train', trainPath, '--stream', '--id', 'id', '--time', 't', '--target', 'y', '--epochs', '2', '--device', 'wasm', '--no-progress', '--out', out], (l) => lines.push(l));
  assert.is(code, 0, lines.join('\n'));
  assert.ok(lines.some((l) => l.startsWith('streaming ') && l.includes('--stream')), lines.join('\n'));
  // Without a flag the size decides: above 256 MiB the file streams, and the line says why.
  assert.is(streamReason({ inMemory: false }, STREAM_ABOVE_BYTES), null);
  assert.match(streamReason({ inMemory: false }, STREAM_ABOVE_BYTES + 1)!, /above the 256 MiB read whole \(--in-memory reads it whole\)/);
  assert.is(streamReason({ inMemory: true }, 10 * STREAM_ABOVE_BYTES), null);
  assert.ok(existsSync(join(out, 'model.safetensors')) && existsSync(join(out, 'report.html')));
  assert.is(await main(['train', trainPath, '--stream', '--refit', '--id', 'id', '--time', 't', '--target', 'y', '--out', out], () => {}), 1);

  const killed = join(dir, 'killed');
  const child = spawn(process.execPath, ['--import', 'tsx', '-e',
    `import('./src/cli/main.ts').then((m) => m.main(['train', ${JSON.stringify(trainPath)}, '--stream', '--id', 'id', '--time', 't', '--target', 'y', '--epochs', '200', '--patience', '200', '--device', 'wasm', '--no-progress', '--out', ${JSON.stringify(killed)}]))`],
  { stdio: ['ignore', 'pipe', 'pipe'] });
  await new Promise<void>((resolve, reject) => {
    let seen = '';
    const timer = setTimeout(() => reject(new Error(`no epoch line: ${seen}`)), 60_000);
    const onData = (b: Buffer) => {
      seen += b.toString();
      if (/\n00[1-9]: /.test(seen) || /^00[1-9]: /m.test(seen)) {
        clearTimeout(timer);
        child.kill('SIGKILL');
        resolve();
      }
    };
    child.stdout.on('data', onData);
    child.stderr.on('data', onData);
  });
  await new Promise((r) => child.once('exit', r));
  assert.equal(readdirSync(killed), [], 'nothing written by a killed run');
});

test('streamed training is deterministic for a seed (the same model bytes twice)', async () => {
  const options = { ...columns, epochs: 2, seed: 9, device: 'wasm' as const, log: null, chunkSamples: 30 };
  const a = await rnam.saveTrained(await rnam.trainStream(open(holdoutPath), options));
  const b = await rnam.saveTrained(await rnam.trainStream(open(holdoutPath), options));
  assert.ok(Buffer.from(a).equals(Buffer.from(b)));
});

const gpu = await webgpuBackend();
if (typeof gpu === 'string') reportUnavailable('trainStream', gpu);
else {
  test('on WebGPU: the same streamed training reaches the wasm model\'s test error', async () => {
    const options = { ...columns, epochs: 3, batchSize: 32, seed: 3, log: null, chunkSamples: 40 };
    const onGpu = await rnam.trainStream(open(holdoutPath), { ...options, device: gpu as typeof gpu & { readonly reason: string } });
    const onCpu = await rnam.trainStream(open(holdoutPath), { ...options, device: 'wasm' });
    const g = onGpu.report.metrics.test!.rmse, c = onCpu.report.metrics.test!.rmse;
    assert.ok(Math.abs(g - c) < 0.02 * c, `webgpu rmse ${g}, wasm ${c}`);
  });
}

test.after(() => rmSync(dir, { recursive: true, force: true }));
test.run();
