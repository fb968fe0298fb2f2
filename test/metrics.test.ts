// The evaluation metrics (src/train/metrics.ts): hand-computed values, scikit-learn's definitions
// evaluated at fixture time (test/fixtures/loss_golden.json's "metrics", written by
// test/golden/make_loss_fixtures.py: ROC AUC there is the O(n^2) pair count, independent of the
// midranks used here), ties, one class only, NaN, and the errors on bad input.
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { readFileSync } from 'node:fs';
import * as rnam from '../src/index.js';

interface RegressionCase { kind: 'regression'; name: string; pred: number[]; target: number[]; rmse: number; mae: number; r2: number }
interface BinaryCase {
  kind: 'binary'; name: string; probs: number[]; logits: number[]; target: number[]; auc: number; aucLogits: number;
  accuracy: number; accuracyLogits: number; accuracyAt03: number; logLoss: number;
}
interface MulticlassCase { kind: 'multiclass'; name: string; classes: number; scores: number[]; probs: number[]; target: number[]; accuracy: number; logLoss: number }
const { metrics } = JSON.parse(readFileSync(new URL('./fixtures/loss_golden.json', import.meta.url), 'utf8')) as
  { metrics: (RegressionCase | BinaryCase | MulticlassCase)[] };

const test = suite('metrics');
const close = (got: number, want: number, what: string, tol = 1e-12) =>
  assert.ok(Math.abs(got - want) <= tol * Math.max(1, Math.abs(want)), `${what}: ${got}, expected ${want}`);

function throwsWith(fn: () => unknown, ...fragments: string[]): void {
  try {
    fn();
  } catch (err) {
    const message = (err as Error).message;
    for (const f of fragments) assert.ok(message.includes(f), `message "${message}" lacks "${f}"`);
    return;
  }
  assert.unreachable(`expected an error mentioning ${fragments.join(', ')}`);
}

test('hand-computed values', () => {
  // errors 1, -2, 0, 1: squares 1 4 0 1 -> rmse sqrt(6 / 4); mae 4 / 4
  const pred = [2, 0, 3, 5], target = [1, 2, 3, 4];
  close(rnam.rmse(pred, target), Math.sqrt(1.5), 'rmse');
  close(rnam.mae(Float32Array.from(pred), target), 1, 'mae');
  // target mean 2.5: SS_tot = 2.25 + 0.25 + 0.25 + 2.25 = 5, SS_res = 6 -> 1 - 6 / 5
  close(rnam.r2Score(pred, target), -0.2, 'r2');
  close(rnam.r2Score(target, target), 1, 'r2 perfect');
  close(rnam.r2Score([1, 2], [3, 3]), 0, 'r2 of a constant target, imperfect (sklearn force_finite)');
  close(rnam.r2Score([3, 3], [3, 3]), 1, 'r2 of a constant target, perfect');
  // binary accuracy: p > 0.5 -> 1 (0.5 itself is class 0)
  close(rnam.accuracy([0.9, 0.5, 0.2, 0.7], [1, 0, 1, 0]), 0.5, 'accuracy');
  close(rnam.accuracy([2, 0, -1, 1], [1, 0, 1, 0], { from: 'logits' }), 0.5, 'accuracy from logits');
  close(rnam.accuracy([0.9, 0.5, 0.2, 0.7], [1, 1, 1, 0], { threshold: 0.1 }), 0.75, 'accuracy at threshold 0.1');
  // multiclass: rows argmax 2, 0 (first of the tie), 1
  close(rnam.accuracy([0, 1, 5, 3, 3, 1, 0, 9, 2], [2, 1, 1], { classes: 3 }), 2 / 3, 'multiclass accuracy');
  // AUC: positives 0.8, 0.4; negatives 0.4, 0.1: pairs (0.8 > 0.4), (0.8 > 0.1), (0.4 = 0.4: 1/2), (0.4 > 0.1) -> 3.5 / 4
  close(rnam.rocAuc([0.8, 0.4, 0.4, 0.1], [1, 1, 0, 0]), 0.875, 'auc with a tie');
  close(rnam.rocAuc([0.1, 0.2, 0.3], [1, 0, 0]), 0, 'auc reversed');
  close(rnam.rocAuc([5, 5, 5, 5], [1, 0, 1, 0]), 0.5, 'auc all tied');
  // log loss: -(log 0.8 + log 0.6) / 2; a certain wrong answer is clipped at eps
  close(rnam.logLoss([0.8, 0.4], [1, 0]), -(Math.log(0.8) + Math.log(0.6)) / 2, 'log loss');
  close(rnam.logLoss([0, 1], [1, 0]), -Math.log(1e-15), 'log loss clipped at 1e-15', 1e-9);
  close(rnam.logLoss([0, 1], [1, 0], { eps: 1e-7 }), -Math.log(1e-7), 'log loss clipped at 1e-7', 1e-9);
  close(rnam.logLoss([0.2, 0.3, 0.5, 0.6, 0.2, 0.2], [2, 0], { classes: 3 }), -(Math.log(0.5) + Math.log(0.6)) / 2, 'multiclass log loss');
  close(rnam.logLoss([0, 0, Math.log(2)], [2], { classes: 3, from: 'logits' }), -Math.log(0.5), 'multiclass log loss from logits');
});

test(`scikit-learn definitions at fixture time: ${metrics.length} cases`, () => {
  assert.ok(metrics.length >= 8);
  for (const c of metrics) {
    if (c.kind === 'regression') {
      close(rnam.rmse(c.pred, c.target), c.rmse, `${c.name} rmse`);
      close(rnam.mae(c.pred, c.target), c.mae, `${c.name} mae`);
      close(rnam.r2Score(c.pred, c.target), c.r2, `${c.name} r2`);
    } else if (c.kind === 'binary') {
      close(rnam.rocAuc(c.probs, c.target), c.auc, `${c.name} auc`);
      close(rnam.rocAuc(Float32Array.from(c.logits), c.target), c.aucLogits, `${c.name} auc of logits`);
      close(rnam.accuracy(c.probs, c.target), c.accuracy, `${c.name} accuracy`);
      close(rnam.accuracy(c.logits, c.target, { from: 'logits' }), c.accuracyLogits, `${c.name} accuracy from logits`);
      close(rnam.accuracy(c.probs, c.target, { threshold: 0.3 }), c.accuracyAt03, `${c.name} accuracy at 0.3`);
      close(rnam.logLoss(c.probs, c.target), c.logLoss, `${c.name} log loss`);
      close(rnam.logLoss(c.logits, c.target, { from: 'logits' }), c.logLoss, `${c.name} log loss from logits`, 1e-6);
    } else {
      close(rnam.accuracy(c.scores, c.target, { classes: c.classes }), c.accuracy, `${c.name} accuracy`);
      close(rnam.logLoss(c.probs, c.target, { classes: c.classes }), c.logLoss, `${c.name} log loss`);
    }
  }
});

test('one class only: rocAuc is NaN; NaN predictions give NaN', () => {
  assert.ok(Number.isNaN(rnam.rocAuc([0.1, 0.9], [1, 1])));
  assert.ok(Number.isNaN(rnam.rocAuc([0.1, 0.9], [0, 0])));
  assert.ok(Number.isNaN(rnam.rocAuc([0.1, NaN], [0, 1])));
  for (const f of [rnam.rmse, rnam.mae, rnam.r2Score]) assert.ok(Number.isNaN(f([1, NaN], [1, 2])), f.name);
  assert.ok(Number.isNaN(rnam.logLoss([0.5, NaN], [0, 1])));
  close(rnam.accuracy([NaN, 0.9], [1, 1]), 0.5, 'a NaN prediction is a miss');
});

test('bad input is named', () => {
  throwsWith(() => rnam.rmse([1, 2], [1]), 'rmse', '2 predictions for 1');
  throwsWith(() => rnam.mae([], []), 'mae', 'no targets');
  throwsWith(() => rnam.accuracy([0.5, 0.5], [1, 2]), 'accuracy', 'target[1] = 2', 'not 0 or 1');
  throwsWith(() => rnam.accuracy([0.5], [1], { threshold: 2 }), 'threshold');
  throwsWith(() => rnam.accuracy([1, 2, 3], [0, 1], { classes: 3 }), '3 predictions for 2 targets x 3 classes = 6');
  throwsWith(() => rnam.accuracy([1, 2, 3], [3], { classes: 3 }), 'target[0] = 3', 'not a class index in [0, 3)');
  throwsWith(() => rnam.accuracy([1, 2, 3], [0.5], { classes: 3 }), 'target[0] = 0.5');
  throwsWith(() => rnam.accuracy([1, 2, 3], [0], { classes: 1 }), 'classes must be an integer >= 2');
  throwsWith(() => rnam.rocAuc([0.1, 0.2], [0, -1]), 'rocAuc', 'target[1] = -1');
  throwsWith(() => rnam.logLoss([0.1], [1], { eps: 0 }), 'logLoss', 'eps');
});

test.run();
