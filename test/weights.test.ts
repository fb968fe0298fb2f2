// Per-sample and class weights: the weighted task loss (regression, binary, multiclass) against
// PyTorch (test/fixtures/weighted_loss_golden.json, from test/golden/make_weighted_loss_fixtures.py),
// a float64 reference and central differences, on every backend and the same on both; integer
// weights equal to duplicated rows (loss, gradient and metrics); weighted AUC by pair counting;
// the weight column's checks in trainTable (typed errors naming column, row and id) and its report;
// balanced class weights raising the minority class's recall; the CLI's flags.
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { readFileSync } from 'node:fs';
import * as rnam from '../src/index.js';
import { weightedLoss } from '../src/train/weighted-loss.js';
import { defaultLoss, type Task } from '../src/train/task.js';
import { parseCvArgs, parseTrainArgs, UsageError } from '../src/cli/args.js';
import { renderReportHtml } from '../src/cli/report-html.js';
import { main } from '../src/cli/main.js';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { forEachBackend, webgpuBackend } from './helpers/backends.js';
import { assertClose } from './helpers/util.js';

interface GoldenCase { task: Task; what: string; shape: [number, number]; yHat: number[]; target: number[]; weights: number[]; loss: number; grad: number[] }
const golden = JSON.parse(readFileSync(new URL('./fixtures/weighted_loss_golden.json', import.meta.url), 'utf8')) as { cases: GoldenCase[] };

/** float64 reference: sum w_i l_i / sum w_i, l_i a sample's loss (the mean of its outputs' for regression and binary). */
function reference(task: Task, yHat: ArrayLike<number>, shape: [number, number], y: ArrayLike<number>, w: ArrayLike<number>): number {
  const [n, d] = shape;
  let num = 0, den = 0;
  for (let i = 0; i < n; i++) {
    let l = 0;
    if (task === 'multiclass') {
      let m = -Infinity, z = 0;
      for (let c = 0; c < d; c++) m = Math.max(m, yHat[i * d + c]);
      for (let c = 0; c < d; c++) z += Math.exp(yHat[i * d + c] - m);
      l = m + Math.log(z) - yHat[i * d + y[i]];
    } else {
      for (let j = 0; j < d; j++) {
        const x = yHat[i * d + j], t = y[i * d + j];
        l += (task === 'regression' ? (x - t) ** 2 : Math.max(x, 0) - x * t + Math.log1p(Math.exp(-Math.abs(x)))) / d;
      }
    }
    num += w[i] * l;
    den += w[i];
  }
  return num / den;
}

async function lossAndGrad(device: rnam.Backend, task: Task, yHat: ArrayLike<number>, shape: number[], y: ArrayLike<number>, w: ArrayLike<number>): Promise<{ loss: number; grad: Float32Array }> {
  const x = rnam.tensor(Float32Array.from(yHat), shape, { device, requiresGrad: true });
  const l = weightedLoss(task, x, Float32Array.from(y), w);
  l.backward();
  const out = { loss: await l.item(), grad: await x.grad!.toArray() };
  l.dispose();
  x.dispose();
  return out;
}

const byBackend = new Map<string, number[]>();

await forEachBackend('weighted loss', (test, device) => {
  for (const c of golden.cases) {
    test(`${c.what}: PyTorch's weighted loss and gradient, the float64 reference`, async () => {
      const r = await lossAndGrad(device, c.task, c.yHat, c.shape, c.target, c.weights);
      assertClose([r.loss], [c.loss], `${c.what} loss`, 1e-5, 1e-6);
      assertClose(r.grad, c.grad, `${c.what} gradient`, 1e-4, 1e-6);
      assertClose([r.loss], [reference(c.task, c.yHat, c.shape, c.target, c.weights)], `${c.what} float64 reference`, 1e-5, 1e-6);
      byBackend.set(`${c.what} on ${device.kind}`, [r.loss, ...r.grad]);
    });
    test(`${c.what}: the gradient matches central differences of the loss`, async () => {
      const { grad } = await lossAndGrad(device, c.task, c.yHat, c.shape, c.target, c.weights);
      const h = 1e-2;
      for (let k = 0; k < c.yHat.length; k++) {
        const up = [...c.yHat], down = [...c.yHat];
        up[k] += h;
        down[k] -= h;
        const numeric = (reference(c.task, up, c.shape, c.target, c.weights) - reference(c.task, down, c.shape, c.target, c.weights)) / (2 * h);
        assert.ok(Math.abs(numeric - grad[k]) < 2e-3 * Math.max(1, Math.abs(numeric)), `${c.what} d/dx[${k}]: ${grad[k]} vs ${numeric}`);
      }
    });
  }

  test('integer weights equal duplicated rows: loss and gradient, every task', async () => {
    const gen = new rnam.Generator(3), counts = [2, 1, 3, 1, 0, 2];
    for (const [task, d] of [['regression', 2], ['binary', 1], ['multiclass', 3]] as const) {
      const n = counts.length, x = Array.from({ length: n * d }, () => gen.normal() * 2);
      const y = task === 'multiclass' ? Array.from({ length: n }, () => gen.int(d)) : Array.from({ length: n * d }, () => (task === 'binary' ? gen.int(2) : gen.normal()));
      const per = task === 'multiclass' ? 1 : d;
      const weighted = await lossAndGrad(device, task, x, [n, d], y, counts);
      // the duplicated batch through the fused loss fit uses without weights
      const rows = counts.flatMap((c, i) => Array.from({ length: c }, () => i));
      const xd = rnam.tensor(Float32Array.from(rows.flatMap((i) => x.slice(i * d, (i + 1) * d))), [rows.length, d], { device, requiresGrad: true });
      const yd = rnam.tensor(Float32Array.from(rows.flatMap((i) => y.slice(i * per, (i + 1) * per))), task === 'multiclass' ? [rows.length] : [rows.length, d], { device });
      const l = defaultLoss(task)(xd, yd);
      l.backward();
      const dup = await l.item(), g = await xd.grad!.toArray();
      assertClose([weighted.loss], [dup], `${task} loss`, 1e-5, 1e-6);
      // a row's gradient is the sum of its copies' gradients
      const summed = new Float64Array(n * d);
      rows.forEach((i, r) => { for (let j = 0; j < d; j++) summed[i * d + j] += g[r * d + j]; });
      assertClose(weighted.grad, summed, `${task} gradient`, 1e-4, 1e-6);
      for (const t of [l, xd, yd]) t.dispose();
    }
  });

  test('zero total weight and bad weights are refused', () => {
    const x = rnam.tensor([[0.5], [1]], { device });
    assert.throws(() => weightedLoss('regression', x, Float32Array.of(0, 1), [0, 0]), /every weight of the batch is 0/);
    assert.throws(() => weightedLoss('regression', x, Float32Array.of(0, 1), [1, -1]), /weight 1 is -1/);
    assert.throws(() => weightedLoss('regression', x, Float32Array.of(0, 1), [1, NaN]), /weight 1 is NaN/);
    x.dispose();
  });
});

const both = suite('weighted loss: wasm and WebGPU agree');
both('every golden case gives the same loss and gradient on both backends', async () => {
  if (typeof (await webgpuBackend()) === 'string') return; // reported as a skip by forEachBackend above
  for (const c of golden.cases) assertClose(byBackend.get(`${c.what} on webgpu`)!, byBackend.get(`${c.what} on wasm`)!, `${c.what} wasm vs WebGPU`, 1e-5, 1e-7);
});
both.run();

const metrics = suite('weighted metrics');
metrics('integer weights equal duplicated rows for every metric', () => {
  const gen = new rnam.Generator(8), n = 40;
  const w = Array.from({ length: n }, () => gen.int(4));
  w[0] = 1;
  const rows = w.flatMap((c, i) => Array.from({ length: c }, () => i));
  const pick = <T>(a: T[]) => rows.map((i) => a[i]);
  const score = Array.from({ length: n }, () => Math.round(gen.normal() * 4) / 4); // ties included
  const label = Array.from({ length: n }, (_, i) => (score[i] + gen.normal() > 0 ? 1 : 0));
  const value = Array.from({ length: n }, () => gen.normal());
  const p = score.map((s) => 1 / (1 + Math.exp(-s)));
  const close = (a: number, b: number, what: string) => assert.ok(Math.abs(a - b) < 1e-12 * Math.max(1, Math.abs(b)), `${what}: ${a} vs ${b}`);
  close(rnam.rmse(score, value, { weights: w }), rnam.rmse(pick(score), pick(value)), 'rmse');
  close(rnam.mae(score, value, { weights: w }), rnam.mae(pick(score), pick(value)), 'mae');
  close(rnam.r2Score(score, value, { weights: w }), rnam.r2Score(pick(score), pick(value)), 'r2');
  close(rnam.rocAuc(score, label, { weights: w }), rnam.rocAuc(pick(score), pick(label)), 'auc');
  close(rnam.accuracy(p, label, { weights: w }), rnam.accuracy(pick(p), pick(label)), 'accuracy');
  close(rnam.logLoss(p, label, { weights: w }), rnam.logLoss(pick(p), pick(label)), 'logLoss');
  const probs = Array.from({ length: n * 3 }, () => gen.uniform() + 0.01), cls = Array.from({ length: n }, () => gen.int(3));
  const pickRows = rows.flatMap((i) => probs.slice(i * 3, i * 3 + 3));
  close(rnam.accuracy(probs, cls, { classes: 3, weights: w }), rnam.accuracy(pickRows, pick(cls), { classes: 3 }), 'multiclass accuracy');
  close(rnam.logLoss(probs, cls, { classes: 3, weights: w }), rnam.logLoss(pickRows, pick(cls), { classes: 3 }), 'multiclass logLoss');
});
metrics('weighted AUC counts each positive-negative pair by the product of its weights', () => {
  const s = [0.1, 0.4, 0.35, 0.8, 0.4], y = [0, 0, 1, 1, 1], w = [1, 2, 0.5, 3, 1.5];
  let pairs = 0, total = 0;
  for (let i = 0; i < 5; i++) for (let j = 0; j < 5; j++) {
    if (y[i] !== 1 || y[j] !== 0) continue;
    total += w[i] * w[j];
    pairs += w[i] * w[j] * (s[i] > s[j] ? 1 : s[i] === s[j] ? 0.5 : 0);
  }
  assert.ok(Math.abs(rnam.rocAuc(s, y, { weights: w }) - pairs / total) < 1e-12);
  assert.throws(() => rnam.rocAuc(s, y, { weights: [1, 1, 1, 1] }), /4 weights for 5 targets/);
  assert.throws(() => rnam.rmse([1], [2], { weights: [-1] }), /weight\[0\] = -1/);
  assert.throws(() => rnam.mae([1, 2], [2, 2], { weights: [0, 0] }), /every weight is 0/);
});
metrics.run();

const quiet = { log: null, progress: false, device: 'wasm', members: 1 } as const;

/** 30 patients with 3 visits each and a per-patient weight; outcome 1 when the marker is high. */
function panelCsv(weight: (p: number, visit: number) => string = (p) => String(1 + (p % 3))): string {
  const gen = new rnam.Generator(2), lines = ['patient,visit,marker,w,outcome'];
  for (let p = 0; p < 30; p++) {
    const level = gen.normal();
    for (let t = 0; t < 3; t++) lines.push(`p${p},${t},${(level + gen.normal() * 0.3).toFixed(3)},${weight(p, t)},${level > 0 ? 1 : 0}`);
  }
  return lines.join('\n') + '\n';
}

const table = suite('weight column and class weights in trainTable');
table('the weight column is checked: constant within an id, finite, >= 0, a number, not all zero', async () => {
  const opts = { id: 'patient', time: 'visit', target: 'outcome', weight: 'w', epochs: 1, ...quiet };
  const fails = async (csv: string, pattern: RegExp, where: { column?: string; row?: number; id?: string }) => {
    try {
      await rnam.trainTable(csv, opts);
      assert.unreachable('expected a DataError');
    } catch (err) {
      assert.instance(err, rnam.DataError);
      assert.match((err as Error).message, pattern);
      for (const [k, v] of Object.entries(where)) assert.is((err as Record<string, unknown>)[k], v, k);
    }
  };
  await fails(panelCsv((p, t) => (p === 4 && t === 2 ? '7' : '1')), /changes within id 'p4' \(1, then 7\)/, { column: 'w', id: 'p4', row: 16 });
  await fails(panelCsv((p, t) => (p === 2 && t === 1 ? '-1' : '1')), /finite number >= 0, got -1/, { column: 'w', row: 9, id: 'p2' });
  await fails(panelCsv((p, t) => (p === 1 && t === 0 ? 'heavy' : '1')), /not a number: 'heavy'/, { column: 'w', row: 5, id: 'p1' });
  await fails(panelCsv((p, t) => (p === 3 && t === 0 ? '' : '1')), /weight cell is empty/, { column: 'w', row: 11, id: 'p3' });
  await fails(panelCsv(() => '0'), /weight 0/, { column: 'w' });
  await rnam.trainTable(panelCsv(), { ...opts, weight: 'nope' }).then(() => assert.unreachable(), (err) => assert.match(err.message, /weight column is not in the header/));
  await rnam.trainTable(panelCsv(), { ...opts, features: ['marker', 'w'] }).then(() => assert.unreachable(), (err) => assert.instance(err, rnam.ArgumentError));
});
table('weights weight the metrics and the report says so; the weight column is never a feature', async () => {
  const trained = await rnam.trainTable(panelCsv(), { id: 'patient', time: 'visit', target: 'outcome', weight: 'w', epochs: 2, ...quiet });
  const r = trained.report;
  assert.not.ok(r.features.includes('w'));
  assert.equal(r.weighting, { column: 'w' });
  assert.is(r.preprocessing.columns.weight, 'w');
  // the test metrics are the weighted ones of predictTable's outputs on the test ids
  const test = trained.datasets.test as rnam.MixedDataset;
  assert.ok(test.weights && test.weights.some((w) => w !== test.weights![0]), 'the test split holds different weights');
  const o = await rnam.predictTable(trained, panelCsv());
  const known = test.sampleIds.map((id) => o.ids.indexOf(id));
  const weighted = rnam.rocAuc(known.map((i) => o.prediction[i]), known.map((i) => o.targets[i]), { weights: Array.from(test.weights) });
  assert.ok(Math.abs(r.metrics.test!.auc - weighted) < 1e-9, `${r.metrics.test!.auc} vs ${weighted}`);
  const html = await renderReportHtml(r, trained.explanation);
  assert.match(html, /weighted by the column <code>w<\/code>/);
  for (const p of trained.model.parameters()) p.dispose();
});
table('class weights: errors for regression and unknown labels; balanced is n / (k n_c)', async () => {
  const base = { id: 'patient', time: 'visit', target: 'marker', epochs: 1, ...quiet };
  await rnam.trainTable(panelCsv(), { ...base, features: ['w'], classWeight: 'balanced' }).then(() => assert.unreachable(), (err) => assert.match(err.message, /class weights need a classification task/));
  const cls = { ...base, target: 'outcome', features: ['marker'] };
  await rnam.trainTable(panelCsv(), { ...cls, classWeight: { '2': 1 } }).then(() => assert.unreachable(), (err) => assert.match(err.message, /'2', which is not a class/));
  await rnam.trainTable(panelCsv(), { ...cls, classWeight: { '1': -2 } }).then(() => assert.unreachable(), (err) => assert.match(err.message, /finite number >= 0/));
  const trained = await rnam.trainTable(panelCsv(), { ...cls, classWeight: 'balanced' });
  const y = (trained.datasets.train as rnam.MixedDataset).targets, n = y.length, n1 = y.filter((v) => v === 1).length;
  assert.equal(trained.report.weighting, { classWeight: 'balanced', classWeights: { 0: n / (2 * (n - n1)), 1: n / (2 * n1) } });
  for (const p of trained.model.parameters()) p.dispose();
});
table('balanced class weights raise the minority class recall on imbalanced data', async () => {
  // a plain table: 10% positives, whose feature overlaps the negatives'
  const gen = new rnam.Generator(4), lines = ['a,b,y'];
  for (let i = 0; i < 600; i++) {
    const y = gen.uniform() < 0.1 ? 1 : 0;
    lines.push(`${(gen.normal() + y * 1.2).toFixed(3)},${(gen.normal() + y * 0.8).toFixed(3)},${y}`);
  }
  const csv = lines.join('\n') + '\n', opts = { target: 'y', epochs: 25, seed: 1, ...quiet };
  const recall = async (classWeight?: 'balanced') => {
    const trained = await rnam.trainTable(csv, { ...opts, ...(classWeight ? { classWeight } : {}) });
    const p = await rnam.predictTable(trained, csv);
    let hit = 0, pos = 0;
    for (let i = 0; i < p.samples; i++) if (p.targets[i] === 1) pos++, (hit += p.prediction[i] > 0.5 ? 1 : 0);
    for (const q of trained.model.parameters()) q.dispose();
    return hit / pos;
  };
  const plain = await recall(), balanced = await recall('balanced');
  assert.ok(balanced > plain + 0.2, `recall of the positives: balanced ${balanced}, unweighted ${plain}`);
});
table.run();

const cli = suite('--weight and --class-weight');
cli('parsed for train and cv; bad values are usage errors', () => {
  const base = ['d.csv', '--target', 'y', '--out', 'o'];
  const a = parseTrainArgs([...base, '--weight', 'w', '--class-weight', 'dead=3,alive=1']);
  assert.is(a.weight, 'w');
  assert.equal(a.classWeight, { dead: 3, alive: 1 });
  assert.is(parseCvArgs([...base, '--class-weight', 'balanced', '--folds', '3']).classWeight, 'balanced');
  assert.is(parseTrainArgs(base).weight, undefined);
  for (const bad of ['dead', 'dead=', 'dead=-1', '=2', 'dead=1,dead=2', 'dead=x']) assert.throws(() => parseTrainArgs([...base, '--class-weight', bad]), (e: unknown) => e instanceof UsageError);
});
cli('rnam train and rnam cv with --weight and --class-weight: the report and cv.json say so', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'rnam-weights-')), data = join(dir, 'panel.csv');
  writeFileSync(data, panelCsv());
  const log: string[] = [];
  const common = ['--id', 'patient', '--time', 'visit', '--target', 'outcome', '--weight', 'w', '--class-weight', '0=1,1=2', '--epochs', '1', '--members', '1', '--device', 'wasm', '--no-progress'];
  assert.is(await main(['train', data, ...common, '--out', join(dir, 'train')], (l) => log.push(l)), 0, log.join('\n'));
  const report = JSON.parse(readFileSync(join(dir, 'train', 'report.json'), 'utf8')) as rnam.Report;
  assert.equal(report.weighting, { column: 'w', classWeight: 'given', classWeights: { 0: 1, 1: 2 } });
  assert.match(readFileSync(join(dir, 'train', 'report.html'), 'utf8'), /Class weights \(given\) multiply those weights/);
  assert.ok(log.some((l) => l.startsWith("weights: column 'w'")), log.join('\n'));
  assert.is(await main(['cv', data, ...common, '--folds', '2', '--out', join(dir, 'cv')], (l) => log.push(l)), 0, log.join('\n'));
  const bad: string[] = [];
  assert.is(await main(['train', data, ...common.slice(0, 6), '--class-weight', 'maybe=2', '--epochs', '1', '--members', '1', '--device', 'wasm', '--out', join(dir, 'bad')], (l) => bad.push(l)), 1);
  assert.match(bad.join('\n'), /--class-weight names 'maybe', which is not a class \(the classes: 0, 1\)/);
});
cli.run();
