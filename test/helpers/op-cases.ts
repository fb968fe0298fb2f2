// The table of differentiable ops that test/gradcheck.test.ts checks by central differences against
// float64 references on every backend. Adding an op: one row here (parity.test.ts counts a row's
// `kernels` as covered, since each row runs on both backends against the same reference).
import * as rnam from '../../src/index.js';
import { binaryRef, layerNormRef, linearRef, mingruRef, unaryRef } from './reference.js';
import { randomArray } from './util.js';

/** Ops whose finite-difference checks live in their own suites. */
export const CHECKED_ELSEWHERE: Record<string, string> = {
  implicitRnn: 'implicit.test.ts (finite differences of the float32 forward)',
  recurrentLayer: 'rnn.test.ts (the float64 reference BPTT against finite differences)',
};

/** One table-driven case: inputs (values in a domain where the op is smooth), the op, its float64 reference. */
export interface OpCase {
  op: string;
  what: string;
  inputs: { shape: number[]; low?: number; high?: number; avoidZero?: boolean }[];
  run: (ts: rnam.Tensor[]) => rnam.Tensor;
  ref: (vs: ArrayLike<number>[]) => ArrayLike<number>;
  tol?: [number, number];
  /** Kernels only this case exercises; it runs on every backend against the float64 reference, so it is their parity case too. */
  kernels?: string[];
  /**
   * The same op in PyTorch, a Python expression over the inputs x0, x1, ... (torch and F =
   * torch.nn.functional in scope): test/golden/make_op_fixtures.py evaluates it in float64 with
   * autograd, and test/op-golden.test.ts compares rnam with it on every backend.
   */
  torch?: string;
}

const mapRef = (f: (x: number) => number) => ([v]: ArrayLike<number>[]) => Float64Array.from(v, f);
const zipRef = (f: (a: number, b: number) => number) => ([a, b]: ArrayLike<number>[]) => Float64Array.from(a, (x, i) => f(x, b[i]));
const sumRef = (v: ArrayLike<number>): number => Array.from(v).reduce((s, x) => s + x, 0);

export function opCases(): OpCase[] {
  const shape = [3, 5];
  const cases: OpCase[] = [];
  for (const [name, code] of Object.entries(rnam.Binary)) {
    const fn = rnam[name as rnam.BinaryOp] as (a: rnam.Tensor, b: rnam.Tensor) => rnam.Tensor;
    cases.push({
      op: name, what: `${name}(a, b)`, inputs: [{ shape }, { shape, avoidZero: name === 'div', low: name === 'div' ? 0.5 : -1, high: name === 'div' ? 2 : 1 }],
      run: ([a, b]) => fn(a, b), ref: zipRef(binaryRef[code][0]), torch: { add: 'x0 + x1', sub: 'x0 - x1', mul: 'x0 * x1', div: 'x0 / x1' }[name],
    });
  }
  for (const [name, code] of Object.entries(rnam.Unary)) {
    const positive = name === 'log' || name === 'sqrt';
    const fn = rnam[name as rnam.UnaryOp] as (x: rnam.Tensor) => rnam.Tensor;
    cases.push({
      op: name, what: `${name}(x)`, inputs: [{ shape, low: positive ? 0.2 : -2, high: 2, avoidZero: name === 'relu' || name === 'abs' }],
      run: ([x]) => fn(x), ref: mapRef(unaryRef[code][0]), torch: name === 'neg' ? '-x0' : `torch.${name}(x0)`,
    });
  }
  cases.push(
    { op: 'affine', what: 'affine(x, -1.5, 0.25)', inputs: [{ shape }], run: ([x]) => rnam.affine(x, -1.5, 0.25), ref: mapRef((x) => -1.5 * x + 0.25), torch: 'x0 * -1.5 + 0.25' },
    { op: 'mulScalar', what: 'mulScalar(x, 3)', inputs: [{ shape }], run: ([x]) => rnam.mulScalar(x, 3), ref: mapRef((x) => 3 * x), torch: 'x0 * 3' },
    { op: 'addScalar', what: 'addScalar(x, 2)', inputs: [{ shape }], run: ([x]) => rnam.addScalar(x, 2), ref: mapRef((x) => x + 2), torch: 'x0 + 2' },
    { op: 'sum', what: 'sum(x)', inputs: [{ shape: [4, 3, 2] }], run: ([x]) => rnam.sum(x), ref: ([v]) => [sumRef(v)], torch: 'x0.sum()' },
    { op: 'mean', what: 'mean(x)', inputs: [{ shape: [4, 3, 2] }], run: ([x]) => rnam.mean(x), ref: ([v]) => [sumRef(v) / v.length], torch: 'x0.mean()' },
    {
      op: 'sumFirstAxis', what: 'sumFirstAxis(x (4, 3, 2))', inputs: [{ shape: [4, 3, 2] }], run: ([x]) => rnam.sumFirstAxis(x),
      ref: ([v]) => Float64Array.from({ length: 6 }, (_, j) => v[j] + v[6 + j] + v[12 + j] + v[18 + j]), torch: 'x0.sum(0)',
    },
    {
      op: 'addBroadcast', what: 'addBroadcast(x (4, 3, 2), v (3, 2))', inputs: [{ shape: [4, 3, 2] }, { shape: [3, 2] }],
      run: ([x, v]) => rnam.addBroadcast(x, v), ref: ([x, v]) => Float64Array.from(x, (a, i) => a + v[i % 6]), torch: 'x0 + x1',
    },
    {
      op: 'mseLoss', what: 'mseLoss(input, target), both differentiated', inputs: [{ shape: [6, 2] }, { shape: [6, 2] }],
      run: ([a, b]) => rnam.mseLoss(a, b), ref: ([a, b]) => [Array.from(a, (x, i) => (x - b[i]) ** 2).reduce((s, x) => s + x, 0) / a.length],
      torch: 'F.mse_loss(x0, x1)',
    },
    {
      op: 'l1Loss', what: 'l1Loss(input, target), both differentiated', inputs: [{ shape: [6, 2] }, { shape: [6, 2], low: 2, high: 3 }],
      run: ([a, b]) => rnam.l1Loss(a, b), torch: 'F.l1_loss(x0, x1)', ref: ([a, b]) => [Array.from(a, (x, i) => Math.abs(x - b[i])).reduce((s, x) => s + x, 0) / a.length],
    },
    {
      // differences in [-4, 0]: on both sides of delta = 1.5 (the loss is C1 there), away from the kink of |d| at 0
      op: 'huberLoss', what: 'huberLoss(input, target, { delta: 1.5 }), both differentiated', inputs: [{ shape: [6, 2], low: -2, high: 1 }, { shape: [6, 2], low: 1, high: 2 }],
      run: ([a, b]) => rnam.huberLoss(a, b, { delta: 1.5 }), torch: 'F.huber_loss(x0, x1, delta=1.5)',
      ref: ([a, b]) => [Array.from(a, (x, i) => {
        const d = Math.abs(x - b[i]);
        return d < 1.5 ? 0.5 * d * d : 1.5 * (d - 0.75);
      }).reduce((s, x) => s + x, 0) / a.length],
    },
    {
      op: 'bceWithLogitsLoss', what: 'bceWithLogitsLoss(logits, target, { posWeight (3) }), both differentiated',
      inputs: [{ shape: [4, 3], low: -4, high: 4 }, { shape: [4, 3], low: 0, high: 1 }],
      run: ([x, y]) => rnam.bceWithLogitsLoss(x, y, { posWeight: rnam.tensor([0.5, 1, 2.5], [3], { device: x.device }) }),
      torch: 'F.binary_cross_entropy_with_logits(x0, x1, pos_weight=torch.tensor([0.5, 1, 2.5], dtype=torch.float64))',
      ref: ([x, y]) => {
        const sp = (v: number) => Math.max(v, 0) + Math.log1p(Math.exp(-Math.abs(v)));
        return [Array.from(x, (v, i) => [0.5, 1, 2.5][i % 3] * y[i] * sp(-v) + (1 - y[i]) * sp(v)).reduce((s, v) => s + v, 0) / x.length];
      },
    },
    {
      op: 'crossEntropyLoss', what: 'crossEntropyLoss(logits (5, 4), fixed targets with one ignored row, class weights)',
      inputs: [{ shape: [5, 4], low: -3, high: 3 }],
      torch: 'F.cross_entropy(x0, torch.tensor([3, 0, -100, 1, 3]), weight=torch.tensor([1, 0.5, 2, 1.5], dtype=torch.float64))',
      run: ([x]) => rnam.crossEntropyLoss(x, rnam.tensor([3, 0, -100, 1, 3], [5], { device: x.device }), { weight: rnam.tensor([1, 0.5, 2, 1.5], [4], { device: x.device }) }),
      ref: ([x]) => {
        const target = [3, 0, -100, 1, 3], w = [1, 0.5, 2, 1.5];
        let num = 0, den = 0;
        target.forEach((k, i) => {
          if (k < 0) return;
          const row = Array.from({ length: 4 }, (_, c) => x[i * 4 + c]), m = Math.max(...row);
          num += w[k] * (m + Math.log(row.reduce((s, v) => s + Math.exp(v - m), 0)) - row[k]);
          den += w[k];
        });
        return [num / den];
      },
    },
    {
      op: 'softplus', what: 'softplus(x, beta 2, threshold 3): both branches', inputs: [{ shape: [4, 6], low: -4, high: 4 }],
      run: ([x]) => rnam.softplus(x, { beta: 2, threshold: 3 }), kernels: ['softplus_forward', 'softplus_backward'],
      ref: mapRef((x) => (2 * x > 3 ? x : Math.log1p(Math.exp(2 * x)) / 2)), torch: 'F.softplus(x0, beta=2, threshold=3)',
    },
    {
      // Grouped (terms 2, batch 3, seq 4, dim 2), lengths 4, 1, 3: one copy per sample, forward and backward.
      op: 'lastStep', what: 'lastStep(x (2, 3, 4, 2), lengths [4, 1, 3])', inputs: [{ shape: [2, 3, 4, 2] }],
      run: ([x]) => rnam.lastStep(x, [4, 1, 3]),
      ref: ([x]) => Float64Array.from({ length: 12 }, (_, k) => {
        const t = Math.floor(k / 6), b = Math.floor(k / 2) % 3, d = k % 2;
        return x[((t * 3 + b) * 4 + [4, 1, 3][b] - 1) * 2 + d];
      }),
      torch: 'torch.stack([x0[:, b, l - 1] for b, l in enumerate([4, 1, 3])], 1)',
    },
    {
      op: 'lastStep', what: 'lastStep(x (3, 5, 2)) without lengths: the last step in one copy', inputs: [{ shape: [3, 5, 2] }],
      run: ([x]) => rnam.lastStep(x), ref: ([x]) => Float64Array.from({ length: 6 }, (_, k) => x[(Math.floor(k / 2) * 5 + 4) * 2 + k % 2]),
      torch: 'x0[:, -1]',
    },
    {
      op: 'transpose2d', what: 'transpose2d(w (3, 5))', inputs: [{ shape: [3, 5] }], run: ([w]) => rnam.transpose2d(w),
      ref: ([w]) => Float64Array.from({ length: 15 }, (_, k) => w[(k % 3) * 5 + Math.floor(k / 3)]), torch: 'x0.t()',
    },
  );
  for (const [withW, withB] of [[true, true], [false, false], [true, false], [false, true]]) {
    const inputs = [{ shape: [4, 6], low: -2, high: 2 }, ...(withW ? [{ shape: [6] }] : []), ...(withB ? [{ shape: [6] }] : [])];
    cases.push({
      op: 'layerNorm', what: `layerNorm(x (4, 6), ${withW ? 'weight' : 'no weight'}, ${withB ? 'bias' : 'no bias'})`, inputs,
      run: ([x, ...rest]) => rnam.layerNorm(x, withW ? rest[0] : null, withB ? rest[withW ? 1 : 0] : null, 1e-5),
      ref: ([x, ...rest]) => layerNormRef(x, withW ? rest[0] : null, withB ? rest[withW ? 1 : 0] : null, 4, 6, 1e-5).y,
      tol: [2e-4, 2e-5],
      torch: `F.layer_norm(x0, (6,), ${withW ? 'x1' : 'None'}, ${withB ? (withW ? 'x2' : 'x1') : 'None'}, 1e-5)`,
    });
  }
  const [terms, batch, seq, dim, hidden] = [2, 2, 5, 3, 4];
  cases.push({
    op: 'mingruLayer', what: 'mingruLayer(x, weight, h0)',
    inputs: [{ shape: [terms, batch, seq, dim] }, { shape: [terms, dim, 2 * hidden] }, { shape: [terms, batch, 1, hidden], low: 0.05, high: 1 }],
    run: ([x, w, h0]) => rnam.mingruLayer(x, w, h0),
    ref: ([x, w, h0]) => mingruRef(linearRef(x, w, null, terms, batch * seq, dim, 2 * hidden), h0, terms * batch, seq, hidden),
  });
  return cases;
}


/** A case's input values: uniform in each input's range, kept away from kinks (relu, abs at 0) where asked. */
export function caseInputs(c: OpCase, gen: rnam.Generator): Float32Array[] {
  return c.inputs.map(({ shape, low = -1, high = 1, avoidZero }) => {
    const v = randomArray(gen, shape.reduce((a, b) => a * b, 1), low, high);
    if (avoidZero) for (let i = 0; i < v.length; i++) if (Math.abs(v[i]) < 0.1) v[i] = v[i] < 0 ? -0.1 - v[i] : 0.1 + v[i];
    return v;
  });
}
