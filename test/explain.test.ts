// rnam.explain and its charts: local contributions + intercept equal the model's output (each sample
// against its own unpadded forward, so the lengths are honoured) on wasm and WebGPU; importance and
// per-class importance against an independent mean |contribution|; shape-function summaries (last,
// mean, EMA over valid steps only) against hand computations; the standardizer inverted on the x
// axes; the charts compile with vega-lite and render to SVG; bad input -> typed errors.
import { suite } from 'uvu';
import { execFileSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdtempSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import * as assert from 'uvu/assert';
import { compile } from 'vega-lite';
import * as rnam from '../src/index.js';
import { renderSvg } from '../src/plot/index.js';
import { availableBackends } from './helpers/backends.js';

const test = suite('explain');
const TERMS = 3, SAMPLES = 11, SEQ = 6;
const NAMES = ['pulse', 'weight', 'dose'];
const close = (a: number, b: number, tol: number, what: string) => assert.ok(Math.abs(a - b) <= tol * Math.max(1, Math.abs(b)), `${what}: ${a} vs ${b}`);

/** Batch-first nested sequences of lengths 2..SEQ (right-padded by fromArrays), deterministic values. */
function sequences(): number[][][] {
  return Array.from({ length: SAMPLES }, (_, i) => Array.from({ length: 2 + (i % (SEQ - 1)) }, (_, t) =>
    Array.from({ length: TERMS }, (_, f) => Math.sin(1.3 * i + 0.7 * t + 2.1 * f) * (f + 1) + f)));
}

function dataset(y: number[]): rnam.SeriesDataset {
  return rnam.fromArrays({ x: sequences(), layout: 'batch-first', y, featureNames: NAMES, maxLength: SEQ });
}

/** A small untrained RNAM with a non-zero intercept (so a missing intercept would show). */
function model(outDim: number, seed = 3): rnam.FirstOrderRNAM {
  rnam.manualSeed(seed);
  const m = new rnam.FirstOrderRNAM({ terms: TERMS, hiddenDim: 4, outDim, blocks: 1 });
  m.loadStateDict({ 'gam.bias': rnam.tensor(Array.from({ length: outDim }, (_, k) => 0.25 - 0.2 * k), [outDim]) }, { strict: false });
  return m;
}

/** Sample i's outputs from a forward of its valid steps alone (no padding, no lengths, batch 1). */
async function ownForward(m: rnam.FirstOrderRNAM, ds: rnam.SeriesDataset, i: number): Promise<{ yHat: Float32Array; parts: Float32Array }> {
  const len = ds.lengths[i], x = new Float32Array(TERMS * len);
  for (let f = 0; f < TERMS; f++) for (let t = 0; t < len; t++) x[f * len + t] = ds.at(i, t, f);
  const device = m.parameters()[0].device;
  const [yHat, parts] = rnam.noGrad(() => m.forward(rnam.tensor(x, [TERMS, 1, len, 1], { device })));
  const out = { yHat: await yHat.toArray(), parts: await parts.toArray() };
  yHat.dispose(); parts.dispose();
  return out;
}

const backends = await availableBackends('explain');
for (const device of backends) {
  test(`${device.kind}: local contributions + intercept = the model's output of each (padded) sample; importance = mean |contribution|; centering`, async () => {
    const ds = dataset(Array.from({ length: SAMPLES }, (_, i) => i * 0.1));
    const m = model(1).to(device);
    const own = await Promise.all(Array.from({ length: SAMPLES }, (_, i) => ownForward(m, ds, i)));
    const means = NAMES.map((_, t) => own.reduce((s, o) => s + o.parts[t], 0) / SAMPLES);
    for (const center of [false, true]) {
      const e = await rnam.explain(m, ds, { batchSize: 4, center }); // batches of 4, 4, 3
      assert.is(e.task, 'regression');
      assert.equal(e.featureNames, NAMES);
      assert.equal(e.bias, [0.25]);
      assert.is(e.centered, center);
      e.offsets.forEach((o, t) => close(o[0], center ? means[t] : 0, 1e-6, `offset of ${NAMES[t]}`));
      close(e.intercept[0], 0.25 + (center ? means.reduce((a, b) => a + b) : 0), 1e-6, 'intercept');
      const abs = new Float64Array(TERMS);
      for (let i = 0; i < SAMPLES; i++) {
        const l = e.local(i);
        assert.is(l.scale, 'output');
        assert.equal(l.contributions.map((c) => c.feature), NAMES);
        const sum = l.intercept + l.contributions.reduce((s, c) => s + c.contribution, 0);
        close(sum, l.prediction, 1e-5, `sample ${i}: intercept + contributions`);
        close(l.prediction, own[i].yHat[0], 2e-5, `sample ${i} (length ${ds.lengths[i]}): prediction vs its own forward`);
        l.contributions.forEach((c, t) => {
          const expected = own[i].parts[t] - (center ? means[t] : 0);
          close(c.contribution, expected, 2e-5, `sample ${i} ${c.feature}`);
          abs[t] += Math.abs(expected);
        });
      }
      const expected = NAMES.map((feature, t) => ({ feature, importance: abs[t] / SAMPLES })).sort((a, b) => b.importance - a.importance);
      assert.equal(e.importance.map((i) => i.feature), expected.map((i) => i.feature));
      e.importance.forEach((imp, k) => { close(imp.importance, expected[k].importance, 2e-5, `importance of ${imp.feature}`); assert.is(imp.perClass, undefined); });
    }
  });
}

test('shape-function summaries over valid steps only: last, mean and EMA by hand; quantile bins', async () => {
  // Two terms, three samples; padding filled with 99 so that reading it would show.
  const seqs = [[1, 2, 4], [3, 5], [-2, 0, 2]];
  const lengths = Int32Array.from(seqs, (s) => s.length), seq = 4;
  const features = new Float32Array(2 * 3 * seq).fill(99);
  seqs.forEach((s, n) => s.forEach((v, t) => { features[(0 * 3 + n) * seq + t] = v; features[(1 * 3 + n) * seq + t] = 10 * v; }));
  const ds: rnam.SequenceDataset = { features, targets: new Float32Array(3), terms: 2, samples: 3, seq, featureDim: 1, outDim: 1, lengths };
  rnam.manualSeed(1);
  const m = new rnam.FirstOrderRNAM({ terms: 2, hiddenDim: 4, outDim: 1, blocks: 1 });
  const ema = (s: number[], a: number) => s.slice(1).reduce((e, v) => a * v + (1 - a) * e, s[0]);
  const hand = { last: seqs.map((s) => s.at(-1)!), mean: seqs.map((s) => s.reduce((a, b) => a + b) / s.length), ema: seqs.map((s) => ema(s, 0.3)) };
  for (const summary of ['last', 'mean', 'ema'] as const) {
    const e = await rnam.explain(m, ds, { summary, emaAlpha: 0.3, bins: 2 });
    assert.equal(e.featureNames, ['term_0', 'term_1']);
    const [s0, s1] = e.shapes;
    assert.is(s0.summary, summary);
    assert.is(s0.emaAlpha, summary === 'ema' ? 0.3 : undefined);
    assert.is(s0.originalUnits, false);
    s0.points.forEach((p, n) => { close(p.x, hand[summary][n], 1e-6, `${summary} of sample ${n}`); close(s1.points[n].x, 10 * hand[summary][n], 1e-6, `${summary} term 1`); });
    s0.points.forEach((p, n) => assert.is(p.contribution, e.contributions[n]));
    close(s0.points.reduce((a, p) => a + p.contribution, 0), 0, 1e-9, 'centered: the contributions average 0');
    // Bins of 1 and 2 samples (floor(3/2) = 1), by x: the smallest alone, then the mean of the other two.
    const byX = s0.points.slice().sort((a, b) => a.x - b.x);
    assert.is(s0.bins.length, 2);
    assert.equal(s0.bins.map((b) => b.count), [1, 2]);
    close(s0.bins[0].x, byX[0].x, 1e-12, 'first bin x');
    close(s0.bins[1].x, (byX[1].x + byX[2].x) / 2, 1e-12, 'second bin x');
    close(s0.bins[1].contribution, (byX[1].contribution + byX[2].contribution) / 2, 1e-12, 'second bin contribution');
    assert.equal([s0.bins[1].x0, s0.bins[1].x1], [byX[1].x, byX[2].x]);
  }
});

test('the standardizer is inverted on the x axes (original units)', async () => {
  const raw = dataset(Array.from({ length: SAMPLES }, (_, i) => i));
  const standardizer = rnam.fitStandardizer(raw, { target: true });
  const ds = rnam.standardizeDataset(raw, standardizer);
  const e = await rnam.explain(model(1), ds, { summary: 'mean' });
  assert.equal(e.targetScale, standardizer.target);
  e.shapes.forEach((s, f) => {
    assert.ok(s.originalUnits);
    s.points.forEach((p, n) => {
      const len = raw.lengths[n];
      let sum = 0;
      for (let t = 0; t < len; t++) sum += raw.at(n, t, f);
      close(p.x, sum / len, 1e-5, `${s.feature} sample ${n}: mean in original units`);
    });
  });
  const std = await rnam.explain(model(1), ds, { summary: 'last' });
  close(std.shapes[2].points[4].x, raw.at(4, raw.lengths[4] - 1, 2), 1e-5, 'last value in original units');
});

test('multiclass: per-class importance, local explanation of the predicted class, softmax probabilities', async () => {
  const K = 3, ds = dataset(Array.from({ length: SAMPLES }, (_, i) => i % K));
  const m = model(K, 5);
  const e = await rnam.explain(m, ds, { center: false });
  assert.is(e.task, 'multiclass');
  assert.equal(e.outputNames, ['class 0', 'class 1', 'class 2']);
  // Named outputs (a model's class labels) reach the charts; a wrong count is refused.
  const named = await rnam.explain(m, ds, { center: false, outputNames: ['ant', 'bee', 'cat'] });
  assert.equal(named.outputNames, ['ant', 'bee', 'cat']);
  assert.match(JSON.stringify(rnam.explanationCharts(named).importance), '"1 bee"');
  try {
    await rnam.explain(m, ds, { outputNames: ['ant', 'bee'] });
    assert.unreachable('two names for three outputs');
  } catch (err) {
    assert.instance(err, rnam.ArgumentError);
    assert.match((err as Error).message, 'explain: outputNames must be 3 strings (one per output)');
  }
  close(e.intercept[2], 0.25 - 0.4, 1e-7, 'class 2 intercept');
  const centered = await rnam.explain(m, ds);
  for (let k = 0; k < K; k++) close(centered.intercept[k], e.intercept[k] + centered.offsets.reduce((s, o) => s + o[k], 0), 1e-6, `centered intercept of class ${k}`);
  for (const imp of e.importance) {
    const t = NAMES.indexOf(imp.feature), perClass = Array.from({ length: K }, () => 0);
    for (let i = 0; i < SAMPLES; i++) {
      const own = await ownForward(m, ds, i);
      for (let k = 0; k < K; k++) perClass[k] += Math.abs(own.parts[t * K + k]) / SAMPLES;
    }
    perClass.forEach((p, k) => close(imp.perClass![k], p, 2e-5, `${imp.feature} class ${k}`));
    close(imp.importance, perClass.reduce((a, b) => a + b) / K, 2e-5, `${imp.feature} importance`);
  }
  for (let i = 0; i < SAMPLES; i++) {
    const own = await ownForward(m, ds, i), logits = Array.from(own.yHat);
    const l = e.local(i);
    assert.is(l.output, logits.indexOf(Math.max(...logits)), 'the predicted class by default');
    const lc = centered.local(i, { output: 2 });
    close(lc.intercept + lc.contributions.reduce((s, c) => s + c.contribution, 0), logits[2], 2e-5, `sample ${i} centered class 2 logit`);
    assert.is(l.scale, 'logit');
    close(l.probabilities!.reduce((a, b) => a + b), 1, 1e-12, 'probabilities sum to 1');
    const z = logits.map((v) => Math.exp(v)), total = z.reduce((a, b) => a + b);
    for (let k = 0; k < K; k++) {
      const lk = e.local(i, { output: k });
      close(lk.intercept + lk.contributions.reduce((s, c) => s + c.contribution, 0), logits[k], 2e-5, `sample ${i} class ${k} logit`);
      close(lk.probability!, z[k] / total, 1e-5, `sample ${i} class ${k} probability`);
    }
  }
});

test('binary: probability = sigmoid(logit); task from the 0/1 targets', async () => {
  const ds = dataset(Array.from({ length: SAMPLES }, (_, i) => i % 2));
  const e = await rnam.explain(model(1), ds);
  assert.is(e.task, 'binary');
  const l = e.local(2);
  assert.is(l.scale, 'logit');
  close(l.probability!, 1 / (1 + Math.exp(-l.prediction)), 1e-12, 'sigmoid');
  assert.is((await rnam.explain(model(1), ds, { task: 'regression' })).local(2).probability, undefined);
});

test('charts: valid Vega-Lite (compiled), rendered to SVG with the feature names', async () => {
  const regression = await rnam.explain(model(1), dataset(Array.from({ length: SAMPLES }, (_, i) => i)), { summary: 'ema' });
  const multiclass = await rnam.explain(model(3), dataset(Array.from({ length: SAMPLES }, (_, i) => i % 3)));
  for (const e of [regression, multiclass]) {
    const charts = rnam.explanationCharts(e, { sample: 3, maxPoints: 5 });
    for (const [name, spec] of Object.entries(charts)) {
      assert.ok(JSON.parse(JSON.stringify(spec)), `${name} is plain JSON`);
      const vega = compile(spec as Parameters<typeof compile>[0]).spec;
      assert.ok(Array.isArray(vega.data) && vega.data.length > 0, `${e.task} ${name} compiles to a Vega spec with data`);
    }
    const svg = await renderSvg(charts.shapes);
    assert.ok(svg.startsWith('<svg'), 'an SVG document');
    for (const f of NAMES) assert.ok(svg.includes(`>${f}<`), `the shapes picture names ${f}`);
    const local = await renderSvg(charts.local);
    for (const f of [...NAMES, '(intercept)', '= prediction']) assert.ok(local.includes(`>${f}<`), `the local picture names ${f}`);
  }
  // The waterfall ends at the prediction: its rows chain from the intercept to the sum.
  const rows = (rnam.explanationCharts(regression, { sample: 3 }).local.data as { values: { start: number; end: number }[] }).values;
  for (let k = 2; k < rows.length - 1; k++) assert.is(rows[k].start, rows[k - 1].end);
  close(rows.at(-2)!.end, rows.at(-1)!.end, 1e-5, 'the last step ends at the prediction');
  // Points are strided to maxPoints per term; the bins use every sample.
  const spec = rnam.explanationCharts(regression, { maxPoints: 5 }).shapes.data as { values: { kind: string }[] };
  assert.is(spec.values.filter((v) => v.kind === 'sample').length, TERMS * Math.ceil(SAMPLES / Math.ceil(SAMPLES / 5)));
});

test('bad input: typed errors naming the problem', async () => {
  const ds = dataset(Array.from({ length: SAMPLES }, (_, i) => i));
  const seqModel = new rnam.SequenceModel({ cell: 'gru', inputSize: TERMS, hiddenSize: 4, outDim: 1 });
  const rejects = async (fn: () => Promise<unknown>, type: Function, pattern: RegExp) => {
    try { await fn(); } catch (err) {
      assert.instance(err, type);
      assert.match((err as Error).message, pattern);
      return;
    }
    assert.unreachable(`no ${type.name} for ${pattern}`);
  };
  await rejects(() => rnam.explain(seqModel as unknown as rnam.FirstOrderRNAM, ds), rnam.ArgumentError, /not additive.*SequenceModel/);
  await rejects(() => rnam.explain(null as unknown as rnam.FirstOrderRNAM, ds), rnam.ArgumentError, /not additive/);
  const four = new rnam.FirstOrderRNAM({ terms: 4, hiddenDim: 4, outDim: 1, blocks: 1 });
  await rejects(() => rnam.explain(four, ds), rnam.ShapeError, /3 terms.*has 4/);
  await rejects(() => rnam.explain(model(1), { ...ds, features: ds.features.subarray(1) } as rnam.SequenceDataset), rnam.ShapeError, /features hold/);
  await rejects(() => rnam.explain(model(1), null as unknown as rnam.SequenceDataset), rnam.ArgumentError, /SequenceDataset/);
  await rejects(() => rnam.explain(model(3), ds, { task: 'binary' }), rnam.ArgumentError, /one output/);
  await rejects(() => rnam.explain(model(1), ds, { summary: 'median' as 'last' }), rnam.ArgumentError, /summary/);
  await rejects(() => rnam.explain(model(1), ds, { emaAlpha: 0 }), rnam.ArgumentError, /emaAlpha/);
  const e = await rnam.explain(model(1), ds);
  await rejects(async () => e.local(SAMPLES), rnam.ArgumentError, /sample must be an integer in 0\.\.10/);
  await rejects(async () => e.local(0, { output: 1 }), rnam.ArgumentError, /output/);
  await rejects(async () => rnam.explanationCharts(e, { maxPoints: 0 }), rnam.ArgumentError, /maxPoints/);
  await rejects(() => renderSvg(null as unknown as object), rnam.ArgumentError, /Vega-Lite/);
});

const root = join(dirname(fileURLToPath(import.meta.url)), '..');

test('rnam never loads vega: only src/plot/ imports it, and dist/rnam.node.js has no vega import', () => {
  const walk = (dir: string): string[] => readdirSync(dir).flatMap((n) => (statSync(join(dir, n)).isDirectory() ? walk(join(dir, n)) : [join(dir, n)]));
  const importers = walk(join(root, 'src')).filter((f) => f.endsWith('.ts') && /(from\s+|import\()\s*'vega/.test(readFileSync(f, 'utf8')));
  assert.equal(importers.map((f) => f.slice(root.length + 1)), ['src/plot/index.ts']);
  const bundle = join(root, 'dist', 'rnam.node.js');
  assert.ok(existsSync(bundle), 'dist/rnam.node.js is built (npm run build)');
  assert.not.match(readFileSync(bundle, 'utf8'), /(from\s*|import\()\s*["']vega/);
});

test('dist/plot.js without vega installed: an RnamError (the class rnam exports) naming the packages', () => {
  // The two bundles alone in a folder with no node_modules above it, so vega cannot resolve.
  const dir = mkdtempSync(join(tmpdir(), 'rnam-plot-'));
  for (const f of ['rnam.node.js', 'plot.js']) copyFileSync(join(root, 'dist', f), join(dir, f));
  writeFileSync(join(dir, 'probe.mjs'), `
    const { RnamError } = await import('./rnam.node.js');
    const { renderSvg } = await import('./plot.js');
    try { await renderSvg({ mark: 'bar' }); console.log('rendered'); }
    catch (err) { console.log(JSON.stringify({ rnamError: err instanceof RnamError, message: err.message })); }
  `);
  const out = JSON.parse(execFileSync(process.execPath, [join(dir, 'probe.mjs')], { encoding: 'utf8' }).trim().split('\n').pop()!);
  assert.ok(out.rnamError, 'instanceof the RnamError of rnam.node.js');
  assert.match(out.message, /npm install vega vega-lite/);
});

test.run();
