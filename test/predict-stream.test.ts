// predictStream and `rnam predict` read their input a chunk of whole ids at a time and write as they
// go: the bytes are those of predictTable on the whole table (panel with intervals, multiclass with
// text labels, window, plain-table and first-order models, with and without missing values, chunks
// as small as one id, the same on WebGPU); the input is read
// lazily; an id that comes back after another is a typed error naming it and its row; a run that
// fails part-way leaves no file at --out (and an older one whole).
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Papa from 'papaparse';
import * as rnam from '../src/index.js';
import { main } from '../src/cli/main.js';
import { writeFileAtomicallyFrom } from '../src/io/atomic-write.js';
import { webgpuBackend, reportUnavailable } from './helpers/backends.js';

const quiet = { log: null, progress: false, members: 1, epochs: 2, hiddenDim: 4 } as const;
const dir = mkdtempSync(join(tmpdir(), 'rnam-predict-stream-'));

/**
 * Patients with 3 to 8 visits (times in any order within a patient); every `gap`-th marker cell empty
 * when gap > 0; the outcome a number, or with `labels` one of three text labels (multiclass).
 */
function panelCsv(gap = 0, seed = 11, labels = false): string {
  const gen = new rnam.Generator(seed), lines = ['patient,visit,marker,dose,outcome'];
  let cell = 0;
  for (let p = 0; p < 30; p++) {
    const level = gen.normal(), n = 3 + gen.int(6);
    const visits = Array.from({ length: n }, (_, t) => t * 3 + gen.int(3)).reverse();
    for (const t of visits) {
      const marker = gap > 0 && ++cell % gap === 0 ? '' : (level + gen.normal() * 0.5).toFixed(3);
      const outcome = labels ? (level < -0.4 ? 'low' : level > 0.4 ? 'high' : 'mid') : (10 + 3 * level).toFixed(2);
      lines.push(`p${p},${t},${marker},${gen.normal().toFixed(3)},${outcome}`);
    }
  }
  return lines.join('\n') + '\n';
}

/** Stations with daily rows (ISO dates); rain tomorrow from humidity today; every `gap`-th humidity empty when gap > 0. */
function windowCsv(gap = 0): string {
  const gen = new rnam.Generator(5), lines = ['station,day,humidity,wind,rain'];
  let cell = 0;
  for (let s = 0; s < 6; s++) {
    let rain = 0;
    for (let d = 0; d < 45; d++) {
      const humidity = gen.normal();
      const h = gap > 0 && ++cell % gap === 0 ? '' : humidity.toFixed(3);
      lines.push(`s${s},${new Date(Date.UTC(2024, 0, 1 + d)).toISOString().slice(0, 10)},${h},${gen.normal().toFixed(3)},${rain}`);
      rain = humidity + gen.normal() * 0.3 > 0 ? 1 : 0;
    }
  }
  return lines.join('\n') + '\n';
}

/** What `rnam predict` wrote before it streamed: one Papa.unparse of predictTable's rows. */
async function wholeFile(trained: rnam.TrainedModel, csv: string): Promise<string> {
  const p = await rnam.predictTable(trained, csv);
  return Papa.unparse({ fields: p.header, data: [...p.rows()] }) + '\n';
}

async function streamed(trained: rnam.TrainedModel, source: rnam.RowSource, options: rnam.PredictStreamOptions = {}): Promise<{ text: string; summary: rnam.StreamSummary }> {
  const p = rnam.predictStream(trained, source, options);
  let text = '';
  for await (const piece of rnam.predictionCsv(p.header, p.batches())) text += piece;
  return { text, summary: p.summary() };
}

/** The text in pieces of `size` characters (rows and quoted fields cut anywhere). */
function* pieces(text: string, size: number): Generator<string> {
  for (let i = 0; i < text.length; i += size) yield text.slice(i, i + size);
}

async function saved(trained: rnam.TrainedModel, name: string): Promise<string> {
  const path = join(dir, name);
  writeFileSync(path, await rnam.saveTrained(trained));
  return path;
}

const models = new Map<string, { trained: rnam.TrainedModel; csv: string }>();
async function model(kind: 'panel' | 'panel-gaps' | 'multiclass' | 'window' | 'window-gaps' | 'table' | 'first-order', device: rnam.Device | 'wasm' = 'wasm'): Promise<{ trained: rnam.TrainedModel; csv: string }> {
  const key = `${kind} ${typeof device === 'string' ? device : device.kind}`;
  const have = models.get(key);
  if (have) return have;
  const dev = typeof device === 'string' ? await rnam.device(device) : device;
  let made: { trained: rnam.TrainedModel; csv: string };
  if (kind === 'panel' || kind === 'panel-gaps') {
    const csv = panelCsv(kind === 'panel' ? 0 : 4);
    made = { csv, trained: await rnam.trainTable(csv, { id: 'patient', time: 'visit', target: 'outcome', device: dev, ...quiet }) };
  } else if (kind === 'multiclass') {
    const csv = panelCsv(6, 3, true);
    made = { csv, trained: await rnam.trainTable(csv, { id: 'patient', time: 'visit', target: 'outcome', device: dev, ...quiet }) };
  } else if (kind === 'window' || kind === 'window-gaps') {
    const csv = windowCsv(kind === 'window' ? 0 : 5);
    made = { csv, trained: await rnam.trainTable(csv, { id: 'station', time: 'day', target: 'rain', window: 4, device: dev, ...quiet }) };
  } else if (kind === 'table') {
    // One row per patient, no time column: every feature static.
    const seen = new Set<string>();
    const csv = panelCsv(0).trimEnd().split('\n').filter((line) => !seen.has(line.split(',')[0]) && seen.add(line.split(',')[0]))
      .map((line) => line.split(',').filter((_, j) => j !== 1).join(',')).join('\n') + '\n';
    made = { csv, trained: await rnam.trainTable(csv, { id: 'patient', target: 'outcome', device: dev, ...quiet }) };
  } else {
    const csv = windowCsv(0);
    made = { csv, trained: await rnam.trainTable(csv, { id: 'station', time: 'day', target: 'rain', window: 4, model: 'first-order', device: dev, log: null, progress: false, epochs: 2 }) };
  }
  models.set(key, made);
  return made;
}

const test = suite('predictStream and rnam predict');

for (const kind of ['panel', 'panel-gaps', 'multiclass', 'window', 'window-gaps', 'table', 'first-order'] as const) {
  test(`${kind}: the streamed bytes are predictTable's, for chunks of one id, a few ids and all`, async () => {
    const { trained, csv } = await model(kind);
    const expected = await wholeFile(trained, csv);
    const whole = await rnam.predictTable(trained, csv);
    assert.ok(whole.samples > 20, `${kind}: ${whole.samples} samples`);
    if (kind === 'multiclass') assert.equal(whole.header.slice(4, 8), ['prediction', 'p_high', 'p_low', 'p_mid'], 'three text labels: multiclass');
    for (const chunkSamples of [1, 7, 4096]) {
      const { text, summary } = await streamed(trained, { csv: pieces(csv, 37) }, { chunkSamples, batchSize: 5 });
      assert.ok(text === expected, `${kind}, chunkSamples ${chunkSamples}: the streamed CSV differs from predictTable's`);
      assert.is(summary.samples, whole.samples);
      assert.equal(summary.metrics, whole.metrics);
    }
    // Row objects stream too (the cells as a table's would be: text).
    const table = rnam.readCsv(csv);
    const objects = table.rows.map((r) => Object.fromEntries(table.columns.map((c, j) => [c, r[j]])));
    assert.ok((await streamed(trained, { rows: objects }, { chunkSamples: 3 })).text === expected, `${kind}: row objects`);
  });
}

test('window mode: an id shorter than a window makes no sample, in training and prediction, and is said; none long enough is an error', async () => {
  // station s9 has 3 days: fewer than a window of 4 (and its target a day later) needs
  const lines = windowCsv().trimEnd().split('\n');
  const short = ['s9,2024-01-01,0.5,0.1,0', 's9,2024-01-02,-0.5,0.2,1', 's9,2024-01-03,0.3,0.3,0'];
  const csv = [...lines.slice(0, 1 + 2 * 45), ...short, ...lines.slice(1 + 2 * 45)].join('\n') + '\n';
  const logged: string[] = [];
  const trained = await rnam.trainTable(csv, { id: 'station', time: 'day', target: 'rain', window: 4, ...quiet, log: (line: string) => logged.push(line) });
  assert.ok(logged.includes('no sample from 1 id (s9): fewer than the 5 rows a window of 4 steps and its target 1 step later need'), logged.join('\n'));
  const whole = await rnam.predictTable(trained, csv);
  assert.equal(whole.shortIds, { count: 1, examples: ['s9'] });
  assert.ok(whole.ids.every((id) => id !== 's9') && whole.samples === 6 * (45 - 3), `${whole.samples} samples`);
  assert.is(rnam.describeIds(whole.shortIds), '1 id (s9)');
  const expected = await wholeFile(trained, csv);
  for (const chunkSamples of [1, 4096]) {
    const { text, summary } = await streamed(trained, { csv: pieces(csv, 41) }, { chunkSamples });
    assert.ok(text === expected, `chunkSamples ${chunkSamples}: the streamed CSV differs from predictTable's`);
    assert.equal(summary.shortIds, whole.shortIds);
  }
  const onlyShort = ['station,day,humidity,wind,rain', ...short].join('\n') + '\n';
  const tooFew = async (run: () => Promise<unknown>, message: string) => {
    const err = await run().then(() => null, (e: unknown) => e);
    assert.ok(err instanceof rnam.DataError && err.code === 'too-few-rows' && err.message.includes(message), `${String(err)}`);
  };
  await tooFew(() => rnam.predictTable(trained, onlyShort), 'no id has the 4 rows a window of 4 steps needs');
  await tooFew(() => streamed(trained, { csv: [onlyShort] }), 'no id has the 4 rows a window of 4 steps needs');
  await tooFew(() => rnam.trainTable(onlyShort, { id: 'station', time: 'day', target: 'rain', window: 4, ...quiet }),
    'no id has the 5 rows a window of 4 steps and its target 1 step later need');
});

test('rnam predict streams: the same bytes as the whole-file path (--in-memory), on a panel and a window model', async () => {
  for (const kind of ['panel-gaps', 'window-gaps'] as const) {
    const { trained, csv } = await model(kind);
    const modelPath = await saved(trained, `${kind}.safetensors`), data = join(dir, `${kind}.csv`);
    writeFileSync(data, csv);
    const a = join(dir, `${kind}-stream.csv`), b = join(dir, `${kind}-whole.csv`);
    assert.is(await main(['predict', modelPath, data, '--out', a, '--device', 'wasm'], () => {}), 0);
    assert.is(await main(['predict', modelPath, data, '--out', b, '--device', 'wasm', '--in-memory'], () => {}), 0);
    const loaded = await rnam.loadTrained(readFileSync(modelPath));
    assert.ok(readFileSync(a, 'utf8') === await wholeFile(loaded, csv), `${kind}: rnam predict vs predictTable`);
    assert.ok(readFileSync(a).equals(readFileSync(b)), `${kind}: streamed vs --in-memory`);
  }
});

test('the input is read lazily: the first rows come out before the source is exhausted', async () => {
  const { trained, csv } = await model('panel');
  let given = 0;
  const total = [...pieces(csv, 64)].length;
  async function* source() {
    for (const piece of pieces(csv, 64)) {
      given++;
      yield new TextEncoder().encode(piece);
    }
  }
  const p = rnam.predictStream(trained, { csv: source() }, { chunkSamples: 2 });
  const first = await p.batches().next();
  assert.ok(!first.done && first.value.length >= 2);
  assert.ok(given < total / 2, `${given} of ${total} pieces read for the first batch`);
});

test('an id that comes back after another id started is a DataError naming the id and its row', async () => {
  const { trained, csv } = await model('panel');
  const lines = csv.trimEnd().split('\n');
  const firstP1 = lines.findIndex((l) => l.startsWith('p1,'));
  // A row of p0 moved after p1's rows: p0 comes back at the row it now occupies.
  const moved = [...lines.slice(0, 1), ...lines.slice(2, firstP1 + 3), lines[1], ...lines.slice(firstP1 + 3)];
  const back = moved.indexOf(lines[1]) + 1;
  for (const chunkSamples of [1, 4096]) {
    try {
      await streamed(trained, { csv: [moved.join('\n')] }, { chunkSamples });
      assert.unreachable('a non-contiguous id was accepted');
    } catch (err) {
      assert.instance(err, rnam.DataError);
      assert.is((err as rnam.DataError).code, 'unsorted-stream');
      assert.is((err as rnam.DataError).id, 'p0');
      assert.is((err as rnam.DataError).row, back);
    }
  }
  // rnam predict --stream: exit 1, the error and a hint; nothing at --out. Without it, a file this small
  // is read whole (the same bytes as --in-memory), saying why.
  const modelPath = await saved(trained, 'panel.safetensors'), data = join(dir, 'unsorted.csv'), out = join(dir, 'unsorted-pred.csv');
  writeFileSync(data, moved.join('\n') + '\n');
  const log: string[] = [];
  assert.is(await main(['predict', modelPath, data, '--out', out, '--device', 'wasm', '--stream'], (l) => log.push(l)), 1);
  assert.match(log.join('\n'), /id 'p0'.*row \d+|row \d+.*id 'p0'/);
  assert.match(log.join('\n'), /with --stream: sort it by id, or pass --in-memory/);
  assert.not.ok(existsSync(out), 'no file at --out');
  const fallback: string[] = [];
  assert.is(await main(['predict', modelPath, data, '--out', out, '--device', 'wasm'], (l) => fallback.push(l)), 0);
  assert.match(fallback.join('\n'), new RegExp(`the ids are not together \\(id 'p0' comes back at row ${back}\\): reading the file whole`));
  const whole = join(dir, 'unsorted-whole.csv');
  assert.is(await main(['predict', modelPath, data, '--out', whole, '--device', 'wasm', '--in-memory'], () => {}), 0);
  assert.ok(readFileSync(out).equals(readFileSync(whole)), 'read whole after the stream stopped: the bytes of --in-memory');
  assert.is(await main(['predict', modelPath, data, '--out', out, '--device', 'wasm', '--stream', '--in-memory'], (l) => log.push(l)), 2);
});

test('a failure part-way (a bad cell in a late id) leaves no file at --out, an older one whole, and no temporary file', async () => {
  const { trained, csv } = await model('panel');
  const lines = csv.trimEnd().split('\n');
  lines[lines.length - 1] = lines[lines.length - 1].replace(/^(p\d+,\d+,)[^,]*/, '$1oops');
  const bad = lines.join('\n') + '\n';
  const out = join(dir, 'partial.csv');
  // The library path the CLI takes, with chunks small enough that rows are written before the failure.
  let written = 0;
  const p = rnam.predictStream(trained, { csv: pieces(bad, 50) }, { chunkSamples: 2 });
  async function* counted() {
    for await (const piece of rnam.predictionCsv(p.header, p.batches())) {
      written++;
      yield piece;
    }
  }
  try {
    await writeFileAtomicallyFrom(out, counted());
    assert.unreachable('a non-numeric cell was accepted');
  } catch (err) {
    assert.instance(err, rnam.DataError);
    assert.is((err as rnam.DataError).row, lines.length);
  }
  assert.ok(written > 3, `${written} pieces written before the failure`);
  assert.not.ok(existsSync(out), 'no half file at --out');
  // The command keeps an older file whole.
  writeFileSync(out, 'older\n');
  const modelPath = await saved(trained, 'panel.safetensors'), data = join(dir, 'bad.csv');
  writeFileSync(data, bad);
  assert.is(await main(['predict', modelPath, data, '--out', out, '--device', 'wasm'], () => {}), 1);
  assert.is(readFileSync(out, 'utf8'), 'older\n');
  assert.equal(readdirSync(dir).filter((f) => f.includes('.tmp-')), [], 'no temporary file left');
});

test('a later id whose times are dates in a file of number times is an error, as in the whole table', async () => {
  const { trained, csv } = await model('panel');
  const lines = csv.trimEnd().split('\n');
  const last = lines.at(-1)!.split(',')[0];
  const mixed = lines.map((l) => (l.startsWith(`${last},`) ? l.replace(/^([^,]+),(\d+),/, (_, id, t) => `${id},2024-01-${String(Number(t) + 1).padStart(2, '0')},`) : l)).join('\n');
  const firstDate = lines.findIndex((l) => l.startsWith(`${last},`)) + 1;
  for (const chunkSamples of [1, 4096]) {
    try {
      await streamed(trained, { csv: [mixed] }, { chunkSamples });
      assert.unreachable('a date among number times was accepted');
    } catch (err) {
      assert.instance(err, rnam.DataError);
      assert.is((err as rnam.DataError).code, 'non-numeric');
      assert.is((err as rnam.DataError).row, firstDate, `chunkSamples ${chunkSamples}`);
    }
  }
});

test('bad arguments: typed errors before any reading', async () => {
  const { trained } = await model('panel');
  assert.throws(() => rnam.predictStream(trained, { csv: [''] }, { chunkSamples: 0 }), (e: Error) => e instanceof rnam.ArgumentError && /chunkSamples/.test(e.message));
  assert.throws(() => rnam.predictStream(trained, 'a,b\n1,2' as unknown as rnam.RowSource), (e: Error) => e instanceof rnam.ArgumentError && /source/.test(e.message));
  const p = rnam.predictStream(trained, { csv: [panelCsv()] });
  for await (const _ of p) break; // eslint-disable-line @typescript-eslint/no-unused-vars
  await p.batches().next().then(() => assert.unreachable('read twice'), (e: Error) => assert.instance(e, rnam.ArgumentError));
  try {
    await streamed(trained, { csv: ['patient,visit,marker,dose,outcome\n'] });
    assert.unreachable();
  } catch (err) {
    assert.instance(err, rnam.DataError);
    assert.is((err as rnam.DataError).code, 'empty');
  }
});

test.after(() => rmSync(dir, { recursive: true, force: true }));
test.run();

// WebGPU: the streamed bytes equal predictTable's on the same device.
const gpu = await webgpuBackend();
if (typeof gpu === 'string') reportUnavailable('predictStream', gpu);
else {
  const g = suite('predictStream on WebGPU');
  g('panel with missing values: streamed in chunks of 3 ids = predictTable, on WebGPU', async () => {
    const { trained, csv } = await model('panel-gaps');
    const bytes = await rnam.saveTrained(trained);
    const onGpu = await rnam.loadTrained(bytes, { device: gpu });
    const expected = await wholeFile(onGpu, csv);
    assert.ok((await streamed(onGpu, { csv: pieces(csv, 100) }, { chunkSamples: 3 })).text === expected, 'WebGPU: streamed vs whole');
  });
  g.run();
}
