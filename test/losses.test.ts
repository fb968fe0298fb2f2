// The fused losses (l1Loss, huberLoss, bceWithLogitsLoss, crossEntropyLoss) on every available
// backend: against float64 references on random shapes (sizes that split the GPU reduction into
// partials included), against PyTorch (test/fixtures/loss_golden.json, written by
// test/golden/make_loss_fixtures.py; logits of magnitude ~100 included), NaN propagation, and the
// errors on bad input (shapes, class indices, gradients that are not implemented).
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { readFileSync } from 'node:fs';
import * as rnam from '../src/index.js';
import { forEachBackend } from './helpers/backends.js';
import { assertClose, randomArray } from './helpers/util.js';

// ---- float64 references: the loss and its gradient with respect to each input, for upstream g ----

interface Ref { loss: number; dInput: Float64Array; dTarget?: Float64Array }

function pairRef(a: ArrayLike<number>, b: ArrayLike<number>, g: number, f: (d: number) => [number, number]): Ref {
  const n = a.length, dInput = new Float64Array(n), dTarget = new Float64Array(n);
  let s = 0;
  for (let i = 0; i < n; i++) {
    const [l, dl] = f(a[i] - b[i]);
    s += l;
    dInput[i] = (dl * g) / n;
    dTarget[i] = -dInput[i];
  }
  return { loss: s / n, dInput, dTarget };
}
const l1Ref = (a: ArrayLike<number>, b: ArrayLike<number>, g: number) => pairRef(a, b, g, (d) => [Math.abs(d), Math.sign(d)]);
const huberRef = (a: ArrayLike<number>, b: ArrayLike<number>, g: number, delta: number) =>
  pairRef(a, b, g, (d) => (Math.abs(d) < delta ? [0.5 * d * d, d] : [delta * (Math.abs(d) - 0.5 * delta), Math.sign(d) * delta]));

const softplus = (x: number) => Math.max(x, 0) + Math.log1p(Math.exp(-Math.abs(x)));
const sigmoid = (x: number) => (x >= 0 ? 1 / (1 + Math.exp(-x)) : Math.exp(x) / (1 + Math.exp(x)));

function bceRef(x: ArrayLike<number>, y: ArrayLike<number>, g: number, pw: ArrayLike<number> | null): Ref {
  const n = x.length, dInput = new Float64Array(n), dTarget = new Float64Array(n);
  let s = 0;
  for (let i = 0; i < n; i++) {
    const p = pw ? pw[i % pw.length] : 1;
    // -(p y log sigmoid(x) + (1 - y) log(1 - sigmoid(x)))
    s += p * y[i] * softplus(-x[i]) + (1 - y[i]) * softplus(x[i]);
    dInput[i] = ((1 - y[i]) * sigmoid(x[i]) - p * y[i] * (1 - sigmoid(x[i]))) * g / n;
    // d/dy = p softplus(-x) - softplus(x) (the kernel computes the equal (p - 1) softplus(-x) - x)
    dTarget[i] = ((p * softplus(-x[i]) - softplus(x[i])) * g) / n;
  }
  return { loss: s / n, dInput, dTarget };
}

function ceRef(x: ArrayLike<number>, t: ArrayLike<number>, rows: number, classes: number, g: number,
  w: ArrayLike<number> | null, ignoreIndex: number): Ref {
  const dInput = new Float64Array(rows * classes);
  let num = 0, den = 0;
  const soft = new Float64Array(rows * classes);
  for (let i = 0; i < rows; i++) {
    if (t[i] === ignoreIndex) continue;
    let m = -Infinity;
    for (let c = 0; c < classes; c++) m = Math.max(m, x[i * classes + c]);
    let z = 0;
    for (let c = 0; c < classes; c++) z += Math.exp(x[i * classes + c] - m);
    for (let c = 0; c < classes; c++) soft[i * classes + c] = Math.exp(x[i * classes + c] - m) / z;
    const wi = w ? w[t[i]] : 1;
    num += wi * (m + Math.log(z) - x[i * classes + t[i]]);
    den += wi;
  }
  for (let i = 0; i < rows; i++) {
    if (t[i] === ignoreIndex) continue;
    const wi = w ? w[t[i]] : 1;
    for (let c = 0; c < classes; c++) dInput[i * classes + c] = (wi * g * (soft[i * classes + c] - (c === t[i] ? 1 : 0))) / den;
  }
  return { loss: num / den, dInput };
}

// ---- fixtures ----

interface PairCase { name: string; kind: 'l1' | 'huber'; shape: number[]; delta: number; input: number[]; target: number[]; dOut: number; loss: number; dInput: number[]; dTarget: number[] }
interface BceCase { name: string; kind: 'bce'; shape: number[]; logits: number[]; target: number[]; posWeight: number | number[] | null; dOut: number; loss: number; dLogits: number[]; dTarget: number[] }
interface CeCase { name: string; kind: 'ce'; logitsShape: number[]; logits: number[]; target: number[]; weight: number[] | null; ignoreIndex: number; dOut: number; loss: number; dLogits: number[] }
const fixtures = JSON.parse(readFileSync(new URL('./fixtures/loss_golden.json', import.meta.url), 'utf8')) as
  { torch: string; losses: (PairCase | BceCase | CeCase)[] };

const DIMS = [1, 2, 3, 4, 5, 7, 8, 9, 16, 17, 33];

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

await forEachBackend('losses', async (test, device) => {
  const t = (v: ArrayLike<number>, shape: number[], requiresGrad = false) => rnam.tensor(Float32Array.from(v), shape, { device, requiresGrad });
  /** Runs loss.backward() with upstream g, returning the loss and the inputs' gradients. */
  async function lossAndGrads(loss: rnam.Tensor, g: number, ...inputs: rnam.Tensor[]): Promise<[number, Float32Array[]]> {
    loss.backward(rnam.tensor([g], [], { device }));
    return [await loss.item(), await Promise.all(inputs.map((x) => x.grad!.toArray()))];
  }
  const close = (got: number, want: number, what: string, rtol = 1e-4, atol = 1e-5) => assertClose([got], [want], what, rtol, atol);

  test('l1Loss and huberLoss: float64 references on 40 shapes up to 100k elements, both gradients', async () => {
    const gen = new rnam.Generator(301);
    for (let c = 0; c < 40; c++) {
      const shape = c % 10 === 9 ? [1000 + gen.int(99000)] : [1 + gen.int(40), DIMS[gen.int(DIMS.length)]];
      const n = shape.reduce((p, d) => p * d, 1);
      const a = randomArray(gen, n, -3, 3), b = randomArray(gen, n, -3, 3), g = 0.5 + gen.uniform();
      const delta = [1, 0.25, 2][c % 3];
      const tol = 1e-5 * Math.sqrt(n);
      for (const kind of ['l1', 'huber'] as const) {
        const x = t(a, shape, true), y = t(b, shape, true);
        const loss = kind === 'l1' ? rnam.l1Loss(x, y) : rnam.huberLoss(x, y, { delta });
        const [value, [dx, dy]] = await lossAndGrads(loss, g, x, y);
        const ref = kind === 'l1' ? l1Ref(a, b, g) : huberRef(a, b, g, delta);
        const what = `${kind} n=${n} delta=${delta}`;
        close(value, ref.loss, `${what} loss`, 1e-4, tol);
        assertClose(dx, ref.dInput, `${what} dInput`, 1e-5, 1e-9);
        assertClose(dy, ref.dTarget!, `${what} dTarget`, 1e-5, 1e-9);
      }
    }
  });

  test('bceWithLogitsLoss: float64 references on 40 shapes (no, scalar and per-class posWeight), logits up to |x| = 120', async () => {
    const gen = new rnam.Generator(302);
    for (let c = 0; c < 40; c++) {
      const rows = c % 10 === 9 ? 1000 + gen.int(30000) : 1 + gen.int(40), classes = DIMS[gen.int(DIMS.length)], n = rows * classes;
      const scale = c % 4 === 3 ? 120 : 4;
      const x = randomArray(gen, n, -scale, scale), y = randomArray(gen, n, 0, 1), g = 0.5 + gen.uniform();
      if (c % 2) for (let i = 0; i < n; i++) y[i] = y[i] < 0.5 ? 0 : 1;
      const mode = c % 3, pwv = mode === 2 ? randomArray(gen, classes, 0.1, 3) : mode === 1 ? Float32Array.of(2.5) : null;
      const xt = t(x, [rows, classes], true), yt = t(y, [rows, classes], true);
      const posWeight = mode === 2 ? t(pwv!, [classes]) : mode === 1 ? 2.5 : undefined;
      const [value, [dx, dy]] = await lossAndGrads(rnam.bceWithLogitsLoss(xt, yt, { posWeight }), g, xt, yt);
      const ref = bceRef(x, y, g, pwv);
      const what = `bce ${rows}x${classes} scale=${scale} posWeight=${['none', 'number', 'per-class'][mode]}`;
      close(value, ref.loss, `${what} loss`, 1e-4, 1e-5 * Math.sqrt(n));
      assertClose(dx, ref.dInput, `${what} dLogits`, 1e-4, 1e-8);
      assertClose(dy, ref.dTarget!, `${what} dTarget`, 1e-4, 1e-8);
    }
  });

  test('crossEntropyLoss: float64 references on 40 shapes (weights, ignored rows, custom ignoreIndex), logits up to |x| = 120', async () => {
    const gen = new rnam.Generator(303);
    for (let c = 0; c < 40; c++) {
      const rows = c % 10 === 9 ? 2000 + gen.int(20000) : 1 + gen.int(50), classes = DIMS[gen.int(DIMS.length)];
      const scale = c % 4 === 3 ? 120 : 4, g = 0.5 + gen.uniform();
      const x = randomArray(gen, rows * classes, -scale, scale);
      const ignoreIndex = c % 5 === 4 ? 0 : -100;
      const target = Float32Array.from({ length: rows }, () => gen.int(classes));
      if (c % 3 === 2) for (let i = 0; i < rows; i += 3) target[i] = ignoreIndex;
      if (target.every((v) => v === ignoreIndex)) target[0] = classes - 1 === ignoreIndex ? 1 % classes : classes - 1;
      if (target.every((v) => v === ignoreIndex)) continue; // one class, ignored: nothing to average
      const weight = c % 2 ? randomArray(gen, classes, 0.1, 2) : null;
      const xt = t(x, [rows, classes], true);
      const loss = rnam.crossEntropyLoss(xt, t(target, [rows]), { weight: weight ? t(weight, [classes]) : undefined, ignoreIndex });
      const [value, [dx]] = await lossAndGrads(loss, g, xt);
      const ref = ceRef(x, target, rows, classes, g, weight, ignoreIndex);
      const what = `ce ${rows}x${classes} scale=${scale} weight=${!!weight} ignoreIndex=${ignoreIndex}`;
      close(value, ref.loss, `${what} loss`, 1e-4, 1e-5);
      assertClose(dx, ref.dInput, `${what} dLogits`, 1e-4, 1e-7);
    }
  });

  test(`PyTorch ${fixtures.torch} golden cases: ${fixtures.losses.length} cases, loss and gradients`, async () => {
    assert.ok(fixtures.losses.length >= 60);
    for (const c of fixtures.losses) {
      if (c.kind === 'ce') {
        const x = t(c.logits, c.logitsShape, true);
        const loss = rnam.crossEntropyLoss(x, t(c.target, c.logitsShape.slice(0, -1)), {
          weight: c.weight ? t(c.weight, [c.weight.length]) : undefined, ignoreIndex: c.ignoreIndex,
        });
        const [value, [dx]] = await lossAndGrads(loss, c.dOut, x);
        close(value, c.loss, `${c.name} loss`);
        assertClose(dx, c.dLogits, `${c.name} dLogits`);
      } else if (c.kind === 'bce') {
        const x = t(c.logits, c.shape, true), y = t(c.target, c.shape, true);
        const posWeight = typeof c.posWeight === 'number' ? c.posWeight : c.posWeight ? t(c.posWeight, [c.posWeight.length]) : undefined;
        const [value, [dx, dy]] = await lossAndGrads(rnam.bceWithLogitsLoss(x, y, { posWeight }), c.dOut, x, y);
        close(value, c.loss, `${c.name} loss`);
        assertClose(dx, c.dLogits, `${c.name} dLogits`);
        assertClose(dy, c.dTarget, `${c.name} dTarget`);
      } else {
        const x = t(c.input, c.shape, true), y = t(c.target, c.shape, true);
        const loss = c.kind === 'l1' ? rnam.l1Loss(x, y) : rnam.huberLoss(x, y, { delta: c.delta });
        const [value, [dx, dy]] = await lossAndGrads(loss, c.dOut, x, y);
        close(value, c.loss, `${c.name} loss`);
        assertClose(dx, c.dInput, `${c.name} dInput`);
        assertClose(dy, c.dTarget, `${c.name} dTarget`);
      }
    }
  });

  test('a NaN input or target gives a NaN loss (and NaN gradients where it sits), at sizes with one and many partials', async () => {
    for (const n of [5, 70000]) {
      const a = new Float32Array(n).fill(0.5), b = new Float32Array(n).fill(0.25);
      for (const [where, at] of [['input', 'a'], ['target', 'b']] as const) {
        const av = a.slice(), bv = b.slice();
        (at === 'a' ? av : bv)[n - 2] = NaN;
        for (const [name, fn] of [
          ['l1Loss', rnam.l1Loss], ['huberLoss', rnam.huberLoss], ['bceWithLogitsLoss', rnam.bceWithLogitsLoss],
          ['bceWithLogitsLoss posWeight', (x: rnam.Tensor, y: rnam.Tensor) => rnam.bceWithLogitsLoss(x, y, { posWeight: 2 })],
        ] as const) {
          const x = t(av, [n], true);
          const loss = fn(x, t(bv, [n]));
          loss.backward(t([1], [])); // an explicit seed: backward() alone refuses a NaN loss on wasm
          assert.ok(Number.isNaN(await loss.item()), `${name} n=${n}: NaN ${where} gives loss ${await loss.item()}`);
          const dx = await x.grad!.toArray();
          assert.ok(Number.isNaN(dx[n - 2]), `${name} n=${n}: gradient at the NaN ${where} is ${dx[n - 2]}`);
          assert.ok(Number.isFinite(dx[0]), `${name} n=${n}: gradient elsewhere is ${dx[0]}`);
        }
      }
      // cross entropy: a NaN logit makes the loss NaN and its row's gradient NaN, the other rows finite
      const rows = Math.ceil(n / 4), logits = randomArray(new rnam.Generator(5), rows * 4);
      logits[4 * (rows - 1) + 1] = NaN;
      const x = t(logits, [rows, 4], true);
      const loss = rnam.crossEntropyLoss(x, t(new Float32Array(rows).fill(2), [rows]));
      loss.backward(t([1], []));
      assert.ok(Number.isNaN(await loss.item()), `crossEntropyLoss rows=${rows}: NaN logit gives loss ${await loss.item()}`);
      const dx = await x.grad!.toArray();
      assert.ok(dx.slice(4 * (rows - 1)).every(Number.isNaN), `crossEntropyLoss rows=${rows}: the NaN row's gradient`);
      assert.ok(dx.slice(0, 4 * (rows - 1)).every(Number.isFinite), `crossEntropyLoss rows=${rows}: the other rows' gradients`);
    }
  });

  test('large logits: no overflow where naive formulas overflow in float32 (|x| = 100, 1000, 1e30)', async () => {
    for (const big of [100, 1000, 1e30]) {
      // bce: max(x, 0) - x y + log1p(exp(-|x|)); exp(|x|) overflows float32 from |x| ~ 88.7
      const x = t([big, -big, big, -big], [4], true);
      const loss = rnam.bceWithLogitsLoss(x, t([1, 0, 0, 1], [4]));
      loss.backward();
      close(await loss.item(), big / 2, `bce |x|=${big}`, 1e-6, 1e-6);
      assertClose(await x.grad!.toArray(), [0, 0, 0.25, -0.25], `bce |x|=${big} gradient`, 1e-6, 1e-7);
      // cross entropy: logsumexp with the max subtracted
      const z = t([big, 0, -big, 0, big, big], [2, 3], true);
      const ce = rnam.crossEntropyLoss(z, t([0, 2], [2]));
      ce.backward();
      close(await ce.item(), (0 + Math.log(2)) / 2, `ce |x|=${big}`, 1e-6, 1e-6);
      assertClose(await z.grad!.toArray(), [0, 0, 0, 0, 0.25, -0.25], `ce |x|=${big} gradient`, 1e-6, 1e-7);
    }
  });

  test('crossEntropyLoss: an invalid class index (out of range, non-integer, NaN) is reported', async () => {
    const x = t(randomArray(new rnam.Generator(6), 12), [3, 4], true);
    for (const bad of [4, -1, 1.5, NaN]) {
      const target = t([0, bad, 3], [3]);
      if (device.syncRead) {
        throwsWith(() => rnam.crossEntropyLoss(x, target), 'crossEntropyLoss', `target[1] = ${bad}`, 'not a class index in [0, 4)');
      } else {
        // WebGPU cannot read the kernel's flag synchronously: the loss and every gradient are NaN
        const loss = rnam.crossEntropyLoss(x, target);
        loss.backward(t([1], []));
        assert.ok(Number.isNaN(await loss.item()), `target ${bad}: loss ${await loss.item()}`);
        assert.ok((await x.grad!.toArray()).every(Number.isNaN), `target ${bad}: gradients`);
        x.grad = null;
      }
    }
    // ignoreIndex is no error, and every row ignored gives NaN (0 / 0, as PyTorch)
    const all = rnam.crossEntropyLoss(x, t([-100, -100, -100], [3]));
    assert.ok(Number.isNaN(await all.item()));
  });

  test('bad input: shape mismatches name both shapes; options and gradients that are not implemented', () => {
    const a = t([1, 2, 3, 4, 5, 6], [2, 3], true), b = t([1, 2, 3, 4, 5, 6], [3, 2]);
    throwsWith(() => rnam.l1Loss(a, b), 'l1Loss', '(2, 3)', '(3, 2)');
    throwsWith(() => rnam.huberLoss(a, b), 'huberLoss', '(2, 3)', '(3, 2)');
    throwsWith(() => rnam.huberLoss(a, a, { delta: 0 }), 'huberLoss', 'delta');
    throwsWith(() => rnam.bceWithLogitsLoss(a, b), 'bceWithLogitsLoss', 'logits (2, 3)', 'target (3, 2)');
    throwsWith(() => rnam.bceWithLogitsLoss(a, a, { posWeight: t([1, 2], [2]) }), 'posWeight (2)', 'logits (2, 3)', '(3) or (1)');
    throwsWith(() => rnam.bceWithLogitsLoss(a, a, { posWeight: t([1, 2, 3], [3], true) }), 'posWeight requires grad');
    throwsWith(() => rnam.crossEntropyLoss(a, t([0, 1, 2], [3])), 'crossEntropyLoss', 'logits (2, 3)', 'target (2)', 'got target (3)');
    throwsWith(() => rnam.crossEntropyLoss(a, t([0, 1], [2, 1])), 'got target (2, 1)');
    throwsWith(() => rnam.crossEntropyLoss(t([1], [1, 1, 1]), t([0], [1])), 'logits must be (N, C) or (C)');
    throwsWith(() => rnam.crossEntropyLoss(a, t([0, 1], [2], true)), 'target requires grad', 'class indices');
    throwsWith(() => rnam.crossEntropyLoss(a, t([0, 1], [2]), { weight: t([1, 2], [2]) }), 'weight (2)', 'must be (3)');
    throwsWith(() => rnam.crossEntropyLoss(a, t([0, 1], [2]), { ignoreIndex: 0.5 }), 'ignoreIndex');
  });

});
