// Arrays in a named layout: batch-first and terms-first, nested or flat with a shape, variable
// lengths, the round trip through toBatch, the shape errors, NaN rules, and the trainer's view.
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import * as rnam from '../src/index.js';

const test = suite('datasets: arrays');

function code(fn: () => unknown): string {
  try {
    fn();
  } catch (err) {
    assert.instance(err, rnam.DataError, String(err));
    return `${(err as rnam.DataError).code}: ${(err as Error).message}`;
  }
  return 'no error';
}

// 3 samples of lengths 2, 3, 1 over 2 features; value = 100 * sample + 10 * step + feature
const nested = [0, 1, 2].map((s) => Array.from({ length: [2, 3, 1][s] }, (_, t) => [0, 1].map((f) => 100 * s + 10 * t + f)));

test('nested batch-first with different lengths: right padding with 0, lengths kept', () => {
  const ds = rnam.fromArrays({ x: nested, layout: 'batch-first', y: [1, 2, 3], featureNames: ['a', 'b'] });
  assert.equal([ds.samples, ds.seq, ds.terms, ds.featureDim, ds.outDim], [3, 3, 2, 1, 1]);
  assert.equal([...ds.lengths], [2, 3, 1]);
  const b = ds.toBatch([2, 0], { layout: 'batch-first' });
  assert.equal(b.shape, [2, 3, 2]);
  assert.equal([...b.x], [200, 201, 0, 0, 0, 0, 0, 1, 10, 11, 0, 0]);
  assert.equal([...b.y], [3, 1]);
  assert.equal([...b.lengths], [1, 2]);
  const tf = ds.toBatch([2, 0]);
  assert.equal(tf.shape, [2, 2, 3, 1], 'terms-first (features, batch, seq, 1) by default');
  assert.equal([...tf.x], [200, 0, 0, 0, 10, 0, 201, 0, 0, 1, 11, 0]);
});

test('layouts round-trip: batch-first -> terms-first flat -> batch-first flat -> nested terms-first', () => {
  const a = rnam.fromArrays({ x: nested, layout: 'batch-first', y: [[1, -1], [2, -2], [3, -3]] });
  assert.is(a.outDim, 2);
  const all = [0, 1, 2];
  const tf = a.toBatch(all, { layout: 'terms-first' });
  const b = rnam.fromArrays({ x: tf.x, shape: tf.shape, layout: 'terms-first', y: tf.y, yShape: tf.yShape, lengths: tf.lengths });
  const bf = b.toBatch(all, { layout: 'batch-first' });
  const c = rnam.fromArrays({ x: bf.x, shape: bf.shape, layout: 'batch-first', y: bf.y, yShape: bf.yShape, lengths: bf.lengths });
  const nested4 = [0, 1].map((f) => all.map((s) => Array.from({ length: a.lengths[s] }, (_, t) => [a.at(s, t, f)])));
  const d = rnam.fromArrays({ x: nested4, layout: 'terms-first', y: [[1, -1], [2, -2], [3, -3]] });
  for (const ds of [b, c, d]) {
    assert.equal([...ds.features], [...a.features]);
    assert.equal([...ds.targets], [...a.targets]);
    assert.equal([...ds.lengths], [...a.lengths]);
  }
});

test('flat arrays: the shape is required and checked against the length and the layout', () => {
  const x = new Float32Array(2 * 3 * 4);
  assert.match(code(() => rnam.fromArrays({ x, layout: 'batch-first', y: [0, 0] })), /^shape: a flat x needs its shape \(samples, seq, features\)/);
  assert.match(code(() => rnam.fromArrays({ x, shape: [2, 3, 5], layout: 'batch-first', y: [0, 0] })), /x holds 24 values, its shape \(2, 3, 5\) \(samples, seq, features\) needs 30/);
  assert.match(code(() => rnam.fromArrays({ x, shape: [2, 3, 4], layout: 'terms-first', y: [0, 0] })), /terms-first x has the shape \(terms, samples, seq, 1\), got \(2, 3, 4\)/);
  assert.match(code(() => rnam.fromArrays({ x, shape: [2, 3, 2, 2], layout: 'terms-first', y: [0, 0, 0] })), /featureDim 1/);
  assert.match(code(() => rnam.fromArrays({ x, shape: [2, 3, 4], layout: 'batch-first', y: [0, 0, 0] })), /y holds 3 values, \(samples, outDim\) = \(2, 1\) needs 2/);
  assert.match(code(() => rnam.fromArrays({ x, shape: [2, 3, 4], layout: 'bf' as never, y: [0, 0] })), /name the layout/);
  assert.match(code(() => rnam.fromArrays({ x, shape: [2, 3, 4], layout: 'batch-first', y: [0, 0], lengths: [3, 4] })), /lengths\[1\] = 4, expected an integer in 1\.\.3/);
  assert.match(code(() => rnam.fromArrays({ x: [[[1, 2]], [[1]]], layout: 'batch-first', y: [0, 0] })), /sample 1 step 0 has 1 features, sample 0 step 0 has 2/);
  assert.match(code(() => rnam.fromArrays({ x: [[[1, 2]]], layout: 'terms-first', y: [0] })), /not a \[value\] of featureDim 1/);
  // the same 24 numbers read in the two layouts are different datasets: the layout decides, not the length
  const seq = Float32Array.from({ length: 24 }, (_, i) => i);
  const bf = rnam.fromArrays({ x: seq, shape: [2, 3, 4], layout: 'batch-first', y: [0, 0] });
  const tf = rnam.fromArrays({ x: seq, shape: [4, 2, 3, 1], layout: 'terms-first', y: [0, 0] });
  assert.equal([bf.at(1, 2, 3), tf.at(1, 2, 3)], [23, 23]);
  assert.equal([bf.at(0, 1, 0), tf.at(0, 1, 0)], [4, 1]);
});

test('flat padded input with lengths and maxLength: padding zeroed, the oldest steps dropped', () => {
  const x = Float32Array.from([1, 2, 3, 99, 5, 6, 7, 8]);   // (2, 4, 1); sample 0 has 3 valid steps
  const ds = rnam.fromArrays({ x, shape: [2, 4, 1], layout: 'batch-first', y: [0, 1], lengths: [3, 4], maxLength: 2 });
  assert.equal([...ds.lengths], [2, 2]);
  assert.equal([...ds.toBatch([0, 1], { layout: 'batch-first' }).x], [2, 3, 7, 8]);
  const padded = rnam.fromArrays({ x, shape: [2, 4, 1], layout: 'batch-first', y: [0, 1], lengths: [3, 4] });
  assert.equal([...padded.toBatch([0], { layout: 'batch-first' }).x], [1, 2, 3, 0], 'what was in the padding does not matter');
});

test('NaN in arrays: an error by default, carry-forward with the given fill values (or the mean) for leading gaps', () => {
  const x = [[[NaN, 1], [2, NaN], [3, 5]], [[4, 6]]];
  assert.match(code(() => rnam.fromArrays({ x, layout: 'batch-first', y: [0, 1] })), /^missing-value: x is NaN at sample 0, step 0/);
  const cf = rnam.fromArrays({ x, layout: 'batch-first', y: [0, 1], missing: 'carry-forward', fillValues: [-1, -2] });
  assert.equal([...cf.toBatch([0], { layout: 'batch-first' }).x], [-1, 1, 2, 1, 3, 5]);
  const mean = rnam.fromArrays({ x, layout: 'batch-first', y: [0, 1], missing: 'carry-forward' });
  assert.is(mean.at(0, 0, 0), 3, 'mean of the observed 2, 3, 4');
  assert.match(code(() => rnam.fromArrays({ x: [[[1]]], layout: 'batch-first', y: [NaN] })), /^missing-value: target 0 is missing/);
});

test('task hints: binary, integer classes, continuous', () => {
  const x = [[[1]], [[2]], [[3]]];
  assert.equal(rnam.fromArrays({ x, layout: 'batch-first', y: [0, 1, 1] }).task, { kind: 'binary', classes: 2 });
  assert.equal(rnam.fromArrays({ x, layout: 'batch-first', y: [0, 4, 2] }).task, { kind: 'integer', classes: 5 });
  assert.equal(rnam.fromArrays({ x, layout: 'batch-first', y: [0, -1, 2] }).task, { kind: 'integer' });
  assert.equal(rnam.fromArrays({ x, layout: 'batch-first', y: [0, 0.5, 2] }).task, { kind: 'continuous' });
});

test('the trainer\'s view: SeriesDataset is a SequenceDataset; gatherBatch and subset agree with toBatch; fit runs on it', async () => {
  const gen = new rnam.Generator(3);
  const x = gen.fillNormal(new Float32Array(12 * 5 * 2));
  const y = Float32Array.from({ length: 12 }, (_, i) => x[i * 10] + 0.5 * x[i * 10 + 9]);
  const ds = rnam.fromArrays({ x, shape: [12, 5, 2], layout: 'batch-first', y, lengths: Array.from({ length: 12 }, (_, i) => 1 + (i % 5)) });
  const idx = [4, 0, 11];
  const g = rnam.gatherBatch(ds, idx), b = ds.toBatch(idx);
  assert.equal([...g.x], [...b.x]);
  assert.equal([...g.y], [...b.y]);
  assert.equal([...g.lengths!], [...b.lengths]);
  const part = rnam.subset(ds, 3, 7);
  assert.instance(part, rnam.SeriesDataset);
  assert.equal([...(part as rnam.SeriesDataset).lengths], [4, 5, 1, 2]);
  assert.equal([...part.features], [...ds.subset([3, 4, 5, 6]).features]);
  rnam.manualSeed(0);
  const model = new rnam.FirstOrderRNAM({ terms: ds.terms, hiddenDim: 4, outDim: 1, blocks: 1 });
  const history = await rnam.fit(model, ds, { epochs: 2, batchSize: 4, optimizer: new rnam.Adam(model.parameters(), { lr: 1e-2 }), log: null, progress: false });
  assert.is(history.length, 2);
  assert.ok(Number.isFinite(history[1].trainLoss));
});

test.run();
