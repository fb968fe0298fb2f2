// The streaming source: window batches from CSV chunks (papaparse's incremental parser), from a
// file read in small chunks, and from an async generator of rows; the same numbers as in memory.
import { createReadStream, readFileSync } from 'node:fs';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import * as rnam from '../src/index.js';
import { assertBitwiseEqual } from './helpers/util.js';

const test = suite('datasets: streaming');

/** Ids u0..u4 in blocks (sorted by id), each id's rows in a shuffled time order, a few gaps and a quoted field. */
function sensorCsv(): string {
  const gen = new rnam.Generator(11);
  const lines = ['sensor,t,temp,"hum, %",note,y'];
  for (let i = 0; i < 5; i++) {
    const n = 12 + 3 * i, rows: string[] = [];
    for (let t = 0; t < n; t++) {
      const temp = gen.uniform() < 0.15 && t > 0 ? '' : (20 + i + 3 * gen.normal()).toFixed(3);
      rows.push(`u${i},${t},${temp},${(50 + 10 * gen.uniform()).toFixed(2)},"a ""quoted"",\nnote",${(i * t) % 7}`);
    }
    for (let k = rows.length - 1; k > 0; k--) {
      const j = gen.int(k + 1);
      [rows[k], rows[j]] = [rows[j], rows[k]];
    }
    lines.push(...rows);
  }
  return lines.join('\n') + '\n';
}

const columns = { id: 'sensor', time: 't', target: 'y', features: ['temp', 'hum, %', 'y'], window: 4, horizon: 1, stride: 2,
  missing: 'carry-forward' as const, split: { by: 'time' as const, validation: 0.2, test: 0.2 } };

function* chunksOf(text: string, size: number): Generator<string> {
  for (let i = 0; i < text.length; i += size) yield text.slice(i, i + size);
}

async function collect(batches: AsyncIterable<rnam.StreamBatch>) {
  const out: rnam.StreamBatch[] = [];
  for await (const b of batches) out.push(b);
  return out;
}

/** The batches must be the in-memory dataset's samples in order, batch by batch, bitwise. */
function assertSameAsMemory(batches: rnam.StreamBatch[], ds: rnam.SeriesDataset, batchSize: number, layout: rnam.Layout) {
  assert.is(batches.length, Math.ceil(ds.samples / batchSize));
  batches.forEach((b, k) => {
    const idx = Array.from({ length: Math.min(batchSize, ds.samples - k * batchSize) }, (_, i) => k * batchSize + i);
    const want = ds.toBatch(idx, { layout });
    assert.equal(b.shape, want.shape);
    assertBitwiseEqual(b.x, want.x, `batch ${k} x`);
    assertBitwiseEqual(b.y, want.y, `batch ${k} y`);
    assert.equal([...b.lengths], [...want.lengths]);
    assert.equal(b.sampleIds, idx.map((i) => ds.sampleIds[i]));
  });
}

test('CSV chunks (7 characters, rows and quoted fields split across chunks): the standardizer and every batch equal the in-memory build', async () => {
  const csv = sensorCsv();
  const memory = rnam.datasetsFromCsv(csv, { ...columns, mode: 'window', standardize: { target: true } });
  const standardizer = await rnam.fitStreamStandardizer({ csv: chunksOf(csv, 7) }, { ...columns, standardizeTarget: true });
  assert.equal(standardizer, memory.standardizer);
  for (const [part, layout] of [['train', 'terms-first'], ['validation', 'batch-first'], ['test', 'terms-first']] as const) {
    const batches = await collect(rnam.windowBatches({ csv: chunksOf(csv, 7) }, { ...columns, part, batchSize: 5, layout, standardizer }));
    assertSameAsMemory(batches, memory[part]!, 5, layout);
  }
  assert.ok(memory.train.samples > 10 && memory.validation!.samples > 0);
});

test('a file read in small chunks (fs stream, 512 bytes): seattle weather windows as in memory', async () => {
  const path = new URL('../node_modules/vega-datasets/data/seattle-weather.csv', import.meta.url);
  const opts = { time: 'date', target: 'temp_max', features: ['temp_max', 'temp_min', 'precipitation'], window: 7 };
  const memory = rnam.datasetsFromCsv(readFileSync(path, 'utf8'), { ...opts, mode: 'window' });
  const file = () => ({ csv: createReadStream(path, { highWaterMark: 512 }) });
  const standardizer = await rnam.fitStreamStandardizer(file(), opts);
  assert.equal(standardizer, memory.standardizer);
  const batches = await collect(rnam.windowBatches(file(), { ...opts, batchSize: 64, standardizer, layout: 'batch-first' }));
  assertSameAsMemory(batches, memory.train, 64, 'batch-first');
  assert.is(batches.reduce((n, b) => n + b.lengths.length, 0), 1461 - 7);
});

test('an async generator of row objects; an id that comes back is an error; carry-forward needs the training means', async () => {
  async function* rows() {
    for (const id of ['a', 'b']) for (let t = 5; t >= 0; t--) yield { id, t, v: t === 2 && id === 'b' ? null : 10 * t, y: t };
  }
  const opts = { id: 'id', time: 't', target: 'y', features: ['v'], window: 2, horizon: 1 };
  const batches = await collect(rnam.windowBatches({ rows: rows() }, { ...opts, missing: 'carry-forward', batchSize: 3, layout: 'batch-first' }));
  assert.equal(batches.map((b) => b.lengths.length), [3, 3, 2]);
  assert.equal([...batches[2].x], [10, 30, 30, 40], 'b\'s windows at t = 2, 3: t = 2 carries t = 1 (10) forward');
  assert.equal([...batches[0].y], [2, 3, 4]);
  async function* unsorted() {
    yield* [{ id: 'a', t: 0, v: 1, y: 0 }, { id: 'b', t: 0, v: 1, y: 0 }, { id: 'a', t: 1, v: 1, y: 0 }];
  }
  const err = await collect(rnam.windowBatches({ rows: unsorted() }, { ...opts, window: 1, horizon: 0, batchSize: 2 })).catch((e) => e);
  assert.instance(err, rnam.DataError);
  assert.equal([err.code, err.id, err.row], ['unsorted-stream', 'a', 3]);
  async function* leading() {
    yield* [{ id: 'a', t: 0, v: null, y: 0 }, { id: 'a', t: 1, v: 1, y: 0 }, { id: 'a', t: 2, v: 1, y: 0 }];
  }
  const gap = await collect(rnam.windowBatches({ rows: leading() }, { ...opts, missing: 'carry-forward', batchSize: 2 })).catch((e) => e);
  assert.equal([gap.code, gap.column, gap.row], ['missing-value', 'v', 1]);
  const few = await collect(rnam.windowBatches({ csv: ['id,t,v,y\na,1,1,1\n'] }, { ...opts, batchSize: 2 })).catch((e) => e);
  assert.equal([few.code, few.id], ['too-few-rows', 'a']);
  const empty = await collect(rnam.windowBatches({ csv: [''] }, { ...opts, batchSize: 2 })).catch((e) => e);
  assert.equal(empty.code, 'empty');
  const unnamed = await collect(rnam.windowBatches({ csv: ['id,t,v,y\na,1,1,1\n'] }, { ...opts, features: undefined as never, batchSize: 2 })).catch((e) => e);
  assert.match(unnamed.message, /name the features/);
});

test.run();
