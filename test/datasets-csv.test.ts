// Long tables to datasets: CSV parsing (papaparse), panel and window mode, time columns, the
// default feature list, right padding and maxLength, every DataError the pipeline raises.
import { readFileSync } from 'node:fs';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import * as rnam from '../src/index.js';

const test = suite('datasets: CSV');
const fixture = (name: string) => readFileSync(new URL(`./fixtures/data/${name}`, import.meta.url), 'utf8');

/** The DataError thrown by fn, checked for its code and place. */
function dataError(fn: () => unknown, code: rnam.DataErrorCode, where: rnam.DataErrorWhere = {}): rnam.DataError {
  try {
    fn();
  } catch (err) {
    assert.instance(err, rnam.DataError, String(err));
    const e = err as rnam.DataError;
    assert.is(e.code, code, e.message);
    for (const [k, v] of Object.entries(where)) assert.is(e[k as keyof rnam.DataErrorWhere], v, `${k} of: ${e.message}`);
    return e;
  }
  assert.unreachable(`expected a DataError '${code}'`);
  throw new Error('unreachable');
}

/** Batch-first rows of sample i: steps x features. */
function steps(ds: rnam.SeriesDataset, i: number): number[][] {
  const b = ds.toBatch([i], { layout: 'batch-first' });
  return Array.from({ length: ds.seq }, (_, t) => Array.from(b.x.subarray(t * ds.terms, (t + 1) * ds.terms)));
}

test('readCsv: quoted fields with commas, quotes and line breaks; CRLF; a BOM; blank lines keep the row numbers', () => {
  const t = rnam.readCsv('\ufeffname,note\r\n"a, b","say ""hi""\r\nthere"\r\n\r\nc,d\r\n');
  assert.equal(t.columns, ['name', 'note']);
  assert.equal(t.rows, [['a, b', 'say "hi"\r\nthere'], ['c', 'd']]);
  assert.equal(t.rowNumbers, [2, 4]);
});

test('readCsv: the delimiter is read from the header (semicolon with decimal commas, tab, bar); a comma header keeps commas; an explicit one wins', () => {
  // Without a comma delimiter a decimal-comma number is read with a point; other text keeps its commas.
  assert.equal(rnam.readCsv('id;x;"a;b"\n1;0,5;z\n').rows, [['1', '0.5', 'z']]);
  assert.equal(rnam.readCsv('id;x;y;z\n1; -12,75 ;1,2,3;"a,5"\n').rows, [['1', ' -12.75 ', '1,2,3', 'a,5']]);
  assert.equal(rnam.readCsv('id,x\n1,"0,5"\n').rows, [['1', '0,5']], 'a comma-separated file keeps a quoted decimal comma as text');
  assert.equal(rnam.readCsv('id;x;"a;b"\n1;0,5;z\n').columns, ['id', 'x', 'a;b']);
  assert.equal(rnam.readCsv('id\tx\n1\t2\n').rows, [['1', '2']]);
  assert.equal(rnam.readCsv('id|x\n1|2\n').rows, [['1', '2']]);
  assert.equal(rnam.readCsv('id,"x;y"\n1,2;3\n').rows, [['1', '2;3']]);
  assert.equal(rnam.readCsv('id;x\n1;2\n', { delimiter: ',' }).columns, ['id;x']);
  assert.is(rnam.headerDelimiter('"a,b";c'), ';');
  assert.is(rnam.headerDelimiter('single'), ',');
});

test('panel mode: one sample per id, rows sorted by ISO date, target at the last row, right padding, default features', () => {
  const { train } = rnam.datasetsFromCsv(fixture('visits.csv'), { id: 'patient', time: 'day', target: 'outcome', mode: 'panel', standardize: false });
  // ward is text, outcome the target (never an input in panel mode), patient and day are id and time
  assert.equal(train.featureNames, ['heart_rate', 'weight']);
  assert.equal(train.sampleIds, ['b', 'a', 'c']);   // order of first appearance
  assert.equal([...train.lengths], [3, 3, 1]);
  assert.is(train.seq, 3);
  assert.equal(steps(train, 0), [[78, 71], [79, 71], [80, 70.5]]);
  assert.equal(steps(train, 1), [[70, 61], [72, 60], [75, 60.5]]);
  assert.equal(steps(train, 2), [[90, 80], [0, 0], [0, 0]], 'padding is at the end, with 0');
  assert.equal([...train.targets], [1, 1, 1]);
  assert.is(train.sampleTimes[1], Date.UTC(2024, 0, 3));
  assert.equal(train.task, { kind: 'binary', classes: 2 });
  assert.equal(train.targetNames, ['outcome']);
});

test('the default features: a column of numbers with a stray text cell is an error naming the cell, not a column left out; a column of text is left out', () => {
  const lines = ['id,t,y,marker,ward'];
  for (let i = 0; i < 30; i++) lines.push(`p${i % 5},${Math.floor(i / 5)},${i % 2},${i === 17 ? '<0.5' : i * 1.5},${i % 3 ? 'east' : 'west'}`);
  const e = dataError(() => rnam.datasetsFromCsv(lines.join('\n'), { id: 'id', time: 't', target: 'y', mode: 'panel' }), 'non-numeric', { column: 'marker', row: 19 });
  assert.match(e.message, /a cell is not a number: '<0\.5' in a column of numbers/);
  lines[18] = lines[18].replace('<0.5', '25.5');
  assert.equal(rnam.datasetsFromCsv(lines.join('\n'), { id: 'id', time: 't', target: 'y', mode: 'panel' }).train.featureNames, ['marker']);
});

test('panel mode: maxLength pads further or keeps the last (most recent) steps', () => {
  const opts = { id: 'patient', time: 'day', target: 'outcome', mode: 'panel', standardize: false, features: ['heart_rate'] } as const;
  const long = rnam.datasetsFromCsv(fixture('visits.csv'), { ...opts, maxLength: 5 }).train;
  assert.is(long.seq, 5);
  assert.equal(steps(long, 1).map((r) => r[0]), [70, 72, 75, 0, 0]);
  const short = rnam.datasetsFromCsv(fixture('visits.csv'), { ...opts, maxLength: 2 }).train;
  assert.equal([...short.lengths], [2, 2, 1]);
  assert.equal(steps(short, 1).map((r) => r[0]), [72, 75], 'the oldest step is dropped');
  assert.equal(short.toBatch([2], { layout: 'batch-first', trim: true }).shape, [1, 1, 1], 'trim cuts seq to the batch\'s longest');
});

test('window mode: rows in any order, windows of `window` steps every `stride`, the target `horizon` steps after the end', () => {
  // two ids, numeric time, rows shuffled; v = 10 * id + step so every value says where it came from
  const rows: string[] = [];
  for (const id of [1, 2]) for (let t = 0; t < 7; t++) rows.push(`${id},${t * 10},${10 * id + t},${100 * id + t}`);
  const order = [5, 12, 0, 3, 9, 13, 1, 7, 4, 11, 2, 8, 10, 6];
  const csv = 'station,t,v,y\n' + order.map((i) => rows[i]).join('\n');
  const { train } = rnam.datasetsFromCsv(csv, { id: 'station', time: 't', target: 'y', mode: 'window', window: 3, horizon: 2, stride: 2, standardize: false });
  assert.equal(train.featureNames, ['v', 'y'], 'the target is an input by default in window mode');
  // 7 steps, window 3, horizon 2: starts 0 and 2 (start 4 would need step 8)
  assert.is(train.samples, 4);
  assert.equal(train.sampleIds, ['1', '1', '2', '2']);
  assert.equal(steps(train, 1).map((r) => r[0]), [12, 13, 14]);
  assert.equal([...train.targets], [104, 106, 204, 206]);
  assert.equal([...train.sampleTimes], [40, 60, 40, 60]);
  assert.equal([...train.lengths], [3, 3, 3, 3]);
  assert.equal(train.task, { kind: 'integer', classes: 207 });
});

test('window mode without an id column: the table is one series (seattle weather, real data)', () => {
  const text = readFileSync(new URL('../node_modules/vega-datasets/data/seattle-weather.csv', import.meta.url), 'utf8');
  const d = rnam.datasetsFromCsv(text, { time: 'date', target: 'temp_max', mode: 'window', window: 7, split: { by: 'time', validation: 0.15, test: 0.15 } });
  assert.equal(d.train.featureNames, ['precipitation', 'temp_max', 'temp_min', 'wind'], 'weather (text) is left out');
  // 1461 days: test 219, validation 219, train 1023 days; a window is 7 days and its target the next,
  // and belongs to the block its target lies in (inputs may reach back into the block before)
  assert.equal([d.train.samples, d.validation!.samples, d.test!.samples], [1023 - 7, 219, 219]);
  // the training mean of temp_max is over the 1023 training days only
  const days = rnam.readCsv(text).rows.map((r) => Number(r[2]));
  const mean = days.slice(0, 1023).reduce((a, b) => a + b, 0) / 1023;
  const scale = d.standardizer.features![1];
  assert.ok(Math.abs(scale.mean - mean) < 1e-9, `${scale.mean} vs ${mean}`);
  // first training window: days 0..6, target day 7's temp_max (unstandardized: targets are raw by default)
  assert.is(d.train.targets[0], Math.fround(days[7]));
  assert.ok(Math.abs(d.train.at(0, 6, 1) * scale.std + scale.mean - days[6]) < 1e-4);
  assert.is(d.train.sampleTimes[0], Date.UTC(2012, 0, 8));
  assert.ok(d.validation!.sampleTimes[0] > d.train.sampleTimes[d.train.samples - 1]);
  assert.equal(d.train.task.kind, 'continuous');
});

test('rows as objects: numbers, Dates and strings; ids 7 and "7" are one entity', () => {
  const { train } = rnam.datasetsFromRows([
    { id: 7, when: new Date(Date.UTC(2020, 0, 2)), a: 2, y: 1.5 },
    { id: '7', when: '2020-01-01', a: '1', y: 0.5 },
  ], { id: 'id', time: 'when', target: 'y', mode: 'panel', standardize: false });
  assert.is(train.samples, 1);
  assert.equal(steps(train, 0), [[1], [2]]);
  assert.is(train.targets[0], 1.5);
});

test('ISO-8601 times: date-times with offsets, without an offset read as UTC', () => {
  const csv = 'id,t,a,y\nx,2020-01-01T10:00:00+02:00,2,0\nx,2020-01-01T09:00Z,1,0\nx,2020-01-01 09:30,3,1\n';
  const { train } = rnam.datasetsFromCsv(csv, { id: 'id', time: 't', target: 'y', mode: 'panel', standardize: false });
  // 10:00+02:00 is 08:00Z: the order is 08:00, 09:00, 09:30
  assert.equal(steps(train, 0).map((r) => r[0]), [2, 1, 3]);
  assert.is(train.sampleTimes[0], Date.UTC(2020, 0, 1, 9, 30));
});

test('year-first dates with slashes read as the ISO dates they are (2020/1/31, 2020/01/31 08:00); day- or month-first and impossible ones are refused', async () => {
  const slash = 'id,t,a,y\nx,2020/1/31,1,0\nx,2020/02/01 08:00,2,0\nx,2020/2/3,3,1\n';
  const iso = 'id,t,a,y\nx,2020-01-31,1,0\nx,2020-02-01T08:00,2,0\nx,2020-02-03,3,1\n';
  const o = { id: 'id', time: 't', target: 'y', mode: 'panel', standardize: false } as const;
  const a = rnam.datasetsFromCsv(slash, o).train, b = rnam.datasetsFromCsv(iso, o).train;
  assert.equal(steps(a, 0), steps(b, 0));
  assert.is(a.sampleTimes[0], Date.UTC(2020, 1, 3));
  // Through the one path too; predict writes the times back as ISO dates.
  const rows = Array.from({ length: 40 }, (_, i) => `p${i % 10},2021/${1 + Math.floor(i / 10)}/${1 + (i % 10)},${i % 7},${(i % 10) % 2}`);
  const trained = await rnam.trainTable(['id,t,a,y', ...rows].join('\n'), { id: 'id', time: 't', target: 'y', members: 1, epochs: 1, device: 'wasm', log: null });
  const p = await rnam.predictTable(trained, ['id,t,a,y', ...rows].join('\n'));
  assert.is([...p.rows()][0][1], '2021-04-01');
  // A month, as monthly series write it: its first day.
  const months = rnam.datasetsFromCsv('id,t,a,y\nx,2020-01,1,0\nx,2020-02,2,0\nx,2020-12,3,1\n', o).train;
  assert.is(months.sampleTimes[0], Date.UTC(2020, 11, 1));
  for (const bad of ['1/31/2020', '31/1/2020', '2020/2/30', '2020/13/01', '2020-13', '2019-20']) {
    const e = dataError(() => rnam.datasetsFromCsv(`id,t,a,y\nx,${bad},1,0\n`, { id: 'id', time: 't', target: 'y', mode: 'panel' }), 'non-numeric', { column: 't', row: 2 });
    assert.match(e.message, /year first: ISO-8601 YYYY-MM-DD or YYYY\/MM\/DD/);
  }
});

test('errors: missing column, non-numeric cell, duplicate (id, time), too few rows, empty file, malformed CSV', async () => {
  const base = { id: 'id', time: 't', target: 'y', mode: 'panel' } as const;
  dataError(() => rnam.datasetsFromCsv('id,t,y\n1,1,1\n', { ...base, features: ['a'] }), 'missing-column', { column: 'a' });
  dataError(() => rnam.datasetsFromCsv('id,t,a,y\n1,1,1,1\n', { ...base, time: 'time' }), 'missing-column', { column: 'time' });
  const e = dataError(() => rnam.datasetsFromCsv('id,t,a,y\np,1,1,1\nq,1,2,1\nq,2,2x,0\n', { ...base, features: ['a'] }), 'non-numeric', { column: 'a', row: 4, id: 'q' });
  assert.match(e.message, /'2x'/);
  dataError(() => rnam.datasetsFromCsv('id,t,a,y\np,1,1,1\np,2,1,abc\n', { ...base, features: ['a'] }), 'non-numeric', { column: 'y', row: 3, id: 'p' });
  dataError(() => rnam.datasetsFromCsv('id,t,a,y\np,1,1,1\np,Infinity,1,1\n', base), 'non-numeric', { column: 't', row: 3 });
  dataError(() => rnam.datasetsFromCsv('id,t,a,y\np,2020-01-01,1,1\np,5,1,1\n', base), 'non-numeric', { column: 't', row: 3 });
  dataError(() => rnam.datasetsFromCsv('id,t,a,y\np,2020-02-30,1,1\n', base), 'non-numeric', { column: 't', row: 2 });
  const dup = dataError(() => rnam.datasetsFromCsv('id,t,a,y\np,1,1,1\nq,1,1,1\np,1,2,1\n', base), 'duplicate-time', { id: 'p', column: 't' });
  assert.match(dup.message, /rows 2 and 4\): a series holds one row per time; merge the two, or drop one/);
  dataError(() => rnam.datasetsFromCsv('id,t,a,y\np,1,1,1\np,2,1,1\np,3,1,1\nq,1,1,1\n', { ...base, mode: 'window', window: 3 }), 'too-few-rows', { id: 'p' });
  const dropped = rnam.datasetsFromCsv('id,t,a,y\np,1,1,1\np,2,1,1\np,3,1,1\nq,1,1,1\n', { ...base, mode: 'window', window: 2, tooShort: 'drop', standardize: false });
  assert.equal([dropped.droppedIds, dropped.train.samples], [['q'], 1]);
  dataError(() => rnam.datasetsFromCsv('', base), 'empty');
  dataError(() => rnam.datasetsFromCsv('id,t,a,y\n', base), 'empty', { row: 1 });
  dataError(() => rnam.datasetsFromCsv('id,t,a,y\n\n\n', base), 'empty');
  dataError(() => rnam.datasetsFromCsv('id,t,a,y\np,1,"1,1\n', base), 'csv', { row: 2 });
  dataError(() => rnam.datasetsFromCsv('id,t,a,y\np,1,1\n', base), 'csv', { row: 2 });
  dataError(() => rnam.datasetsFromCsv('id,t,a,a\np,1,1,1\n', base), 'duplicate-column', { column: 'a' });
  assert.match(dataError(() => rnam.datasetsFromCsv('id,,t,a,y\np,0,1,1,1\n', base), 'csv', { row: 1 }).message, /column 2 of the header has no name: name it, or remove the column/);
  assert.equal(rnam.readCsv(',id,t\n0,p,1\n').columns, ['row_names', 'id', 't'], 'an unnamed first column: the row names of R and pandas');
  // A spreadsheet's trailing unnamed columns are dropped while empty; a value in one is an error naming its row.
  const trailing = rnam.readCsv('id,t,a,y,,\r\np,1,1,1,,\r\np,2,2,0, ,\r\n');
  assert.equal([trailing.columns, trailing.rows], [['id', 't', 'a', 'y'], [['p', '1', '1', '1'], ['p', '2', '2', '0']]]);
  const streamed: string[][] = [];
  for await (const { columns, record } of rnam.csvRecords(['id,t,a,', 'y,\np,1,1,1', ',\np,2,2,0,\n'])) streamed.push([...columns, '|', ...record.cells]);
  assert.equal(streamed, [['id', 't', 'a', 'y', '|', 'p', '1', '1', '1'], ['id', 't', 'a', 'y', '|', 'p', '2', '2', '0']], 'the streamed records too');
  assert.match(dataError(() => rnam.readCsv('id,t,a,y,\np,1,1,1,\np,2,1,1,x\n'), 'csv', { row: 3 }).message, /column 5 has no name in the header but holds 'x' here: name it in the header, or remove the column/);
  assert.is(rnam.datasetsFromCsv('id,t,a,y,\np,1,1,1,\np,2,2,0,\np,3,3,1,\nq,1,1,1,\nq,2,2,0,\nq,3,3,1,\n', { ...base, mode: 'window', window: 2, split: { by: 'entity', test: 0, validation: 0 } }).train.samples, 2);
  dataError(() => rnam.datasetsFromCsv('id,t,a,y\n,1,1,1\n', base), 'missing-value', { column: 'id', row: 2 });
});

test('errors: the target as an input where it is read, bad options', () => {
  const csv = 'id,t,a,y\np,1,1,1\np,2,2,0\np,3,3,1\n';
  const base = { id: 'id', time: 't', target: 'y' } as const;
  dataError(() => rnam.datasetsFromCsv(csv, { ...base, mode: 'panel', features: ['a', 'y'] }), 'target-leak', { column: 'y' });
  dataError(() => rnam.datasetsFromCsv(csv, { ...base, mode: 'window', window: 2, horizon: 0, features: ['y'] }), 'target-leak');
  const h0 = rnam.datasetsFromCsv(csv, { ...base, mode: 'window', window: 2, horizon: 0, standardize: false });
  assert.equal(h0.train.featureNames, ['a'], 'horizon 0: the target is not a default input');
  dataError(() => rnam.datasetsFromCsv(csv, { ...base, mode: 'window' }), 'option');
  dataError(() => rnam.datasetsFromCsv(csv, { ...base, mode: 'window', window: 0 }), 'option');
  dataError(() => rnam.datasetsFromCsv(csv, { ...base, mode: 'panel', window: 2 }), 'option');
  dataError(() => rnam.datasetsFromCsv(csv, { ...base, mode: 'panel', split: { by: 'time', test: 0.2 } }), 'option');
  dataError(() => rnam.datasetsFromCsv(csv, { ...base, mode: 'panel', missing: 'mask' as never }), 'option');
  dataError(() => rnam.datasetsFromCsv(csv, { ...base, mode: 'sliding' as never }), 'option');
});

test('missing values: an error by default naming the cell, carry-forward with the training mean before the first observation', () => {
  const csv = 'id,t,a,b,y\np,1,,10,0\np,2,4,,1\np,3,NA,30,0\nq,1,2,20,1\nq,2,NaN,20,0\n';
  const base = { id: 'id', time: 't', target: 'y', mode: 'panel', features: ['a', 'b'] } as const;
  dataError(() => rnam.datasetsFromCsv(csv, base), 'missing-value', { column: 'a', row: 2, id: 'p' });
  const { train, standardizer } = rnam.datasetsFromCsv(csv, { ...base, missing: 'carry-forward', standardize: false });
  // a: p = [NaN, 4, 4], q = [2, 2]: observed-or-carried training values 4, 4, 2, 2 -> mean 3 fills p's first step
  assert.equal(steps(train, 0), [[3, 10], [4, 10], [4, 30]]);
  assert.equal(steps(train, 1), [[2, 20], [2, 20], [0, 0]]);
  assert.equal(standardizer, {}, 'nothing applied when standardize is false');
  const std = rnam.datasetsFromCsv(csv, { ...base, missing: 'carry-forward' });
  assert.is(std.train.at(0, 0, 0), 0, 'the leading gap is the training mean: 0 once standardized');
  assert.ok(!std.train.features.some(Number.isNaN));
  dataError(() => rnam.datasetsFromCsv('id,t,a,y\np,1,1,\n', { ...base, features: ['a'] }), 'missing-value', { column: 'y', row: 2, id: 'p' });
  dataError(() => rnam.datasetsFromCsv('id,t,a,y\np,1,,1\np,2,,1\n', { ...base, features: ['a'], missing: 'carry-forward' }), 'missing-value', { column: 'a' });
});

test.run();
