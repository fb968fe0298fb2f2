// ImplicitRNN: the fused implicit kernels against a float64 reference written from the equations
// (forward fixed points solved to 1e-14, gradients by implicit differentiation, itself checked by
// finite differences), PyTorch golden cases (float64, gradients by autograd through an exact
// linear solve), non-convergence warnings, thread-count independence, and a few training steps.
// The kernel and golden suites run on every available backend (WebGPU: Dawn, on SwiftShader without a
// GPU, so its shapes are kept small); the statistics arrive asynchronously there.
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { readFileSync } from 'node:fs';
import * as rnam from '../src/index.js';
import { assertBitwiseEqual, assertClose, randomArray } from './helpers/util.js';
import { forEachBackend } from './helpers/backends.js';

// ---------------------------------------------------------------- float64 reference

interface Dims { batch: number; seq: number; p: number; n: number; hid: number }
interface Params { A: ArrayLike<number>; B: ArrayLike<number>; C: ArrayLike<number>; D: ArrayLike<number> }

/** A scaled onto ||A||_inf <= kappa (the whole matrix, as torchidl). */
function projectRef(A: ArrayLike<number>, n: number, kappa: number): Float64Array {
  let norm = 0;
  for (let i = 0; i < n; i++) {
    let s = 0;
    for (let j = 0; j < n; j++) s += Math.abs(A[i * n + j]);
    norm = Math.max(norm, s);
  }
  const scale = norm > kappa ? kappa / norm : 1;
  return Float64Array.from(A, (v) => v * scale);
}

function solveFixedPoint(step: (cur: Float64Array) => Float64Array, size: number): Float64Array {
  let cur: Float64Array = new Float64Array(size);
  for (let it = 0; it < 20000; it++) {
    const next = step(cur);
    let err = 0;
    for (let i = 0; i < size; i++) err = Math.max(err, Math.abs(next[i] - cur[i]));
    cur = next;
    if (err < 1e-15) return cur;
  }
  throw new Error('reference fixed point did not converge');
}

function forwardRef(x: ArrayLike<number>, P: Params, d: Dims, kappa: number) {
  const { batch, seq, p, n, hid } = d;
  const q = p + hid;
  const Ap = projectRef(P.A, n, kappa);
  const h = new Float64Array(batch * seq * hid);
  const xs = new Float64Array(batch * seq * n);
  for (let b = 0; b < batch; b++) {
    for (let t = 0; t < seq; t++) {
      const U = new Float64Array(q);
      for (let k = 0; k < p; k++) U[k] = x[(b * seq + t) * p + k];
      if (t > 0) for (let k = 0; k < hid; k++) U[p + k] = h[(b * seq + t - 1) * hid + k];
      const Z = new Float64Array(n);
      for (let i = 0; i < n; i++) for (let k = 0; k < q; k++) Z[i] += P.B[i * q + k] * U[k];
      const X = solveFixedPoint((cur) => {
        const next = new Float64Array(n);
        for (let i = 0; i < n; i++) {
          let s = Z[i];
          for (let j = 0; j < n; j++) s += Ap[i * n + j] * cur[j];
          next[i] = Math.max(s, 0);
        }
        return next;
      }, n);
      xs.set(X, (b * seq + t) * n);
      for (let i = 0; i < hid; i++) {
        let s = 0;
        for (let j = 0; j < n; j++) s += P.C[i * n + j] * X[j];
        for (let k = 0; k < q; k++) s += P.D[i * q + k] * U[k];
        h[(b * seq + t) * hid + i] = s;
      }
    }
  }
  return { h, xs, Ap };
}

/** Gradients of sum(h * dh) by implicit differentiation and BPTT, dA straight through the projection. */
function backwardRef(x: ArrayLike<number>, P: Params, d: Dims, kappa: number, dh: ArrayLike<number>) {
  const { batch, seq, p, n, hid } = d;
  const q = p + hid;
  const { h, xs, Ap } = forwardRef(x, P, d, kappa);
  const dx = new Float64Array(batch * seq * p);
  const dA = new Float64Array(n * n), dB = new Float64Array(n * q), dC = new Float64Array(hid * n), dD = new Float64Array(hid * q);
  for (let b = 0; b < batch; b++) {
    const carry = new Float64Array(hid);
    for (let t = seq - 1; t >= 0; t--) {
      const U = new Float64Array(q);
      for (let k = 0; k < p; k++) U[k] = x[(b * seq + t) * p + k];
      if (t > 0) for (let k = 0; k < hid; k++) U[p + k] = h[(b * seq + t - 1) * hid + k];
      const X = xs.subarray((b * seq + t) * n, (b * seq + t + 1) * n);
      const g = new Float64Array(hid);
      for (let i = 0; i < hid; i++) g[i] = dh[(b * seq + t) * hid + i] + carry[i];
      for (let i = 0; i < hid; i++) {
        for (let j = 0; j < n; j++) dC[i * n + j] += g[i] * X[j];
        for (let k = 0; k < q; k++) dD[i * q + k] += g[i] * U[k];
      }
      const M = new Float64Array(n), MG = new Float64Array(n);
      for (let i = 0; i < n; i++) {
        let pre = 0;
        for (let j = 0; j < n; j++) pre += Ap[i * n + j] * X[j];
        for (let k = 0; k < q; k++) pre += P.B[i * q + k] * U[k];
        M[i] = pre > 0 ? 1 : 0;
        let G = 0;
        for (let k = 0; k < hid; k++) G += P.C[k * n + i] * g[k];
        MG[i] = M[i] * G;
      }
      const V = solveFixedPoint((cur) => {
        const next = new Float64Array(n);
        for (let j = 0; j < n; j++) {
          let s = 0;
          for (let i = 0; i < n; i++) s += Ap[i * n + j] * cur[i];
          next[j] = M[j] * s + MG[j];
        }
        return next;
      }, n);
      for (let i = 0; i < n; i++) {
        for (let j = 0; j < n; j++) dA[i * n + j] += V[i] * X[j];
        for (let k = 0; k < q; k++) dB[i * q + k] += V[i] * U[k];
      }
      const dU = new Float64Array(q);
      for (let k = 0; k < q; k++) {
        let s = 0;
        for (let i = 0; i < n; i++) s += P.B[i * q + k] * V[i];
        for (let i = 0; i < hid; i++) s += P.D[i * q + k] * g[i];
        dU[k] = s;
      }
      for (let k = 0; k < p; k++) dx[(b * seq + t) * p + k] = dU[k];
      for (let k = 0; k < hid; k++) carry[k] = dU[p + k];
    }
  }
  return { h, dx, dA, dB, dC, dD };
}

// ---------------------------------------------------------------- helpers

/** Generator(0).fillNormal(3): pinned, since a change of the stream changes every initialisation. */
const PINNED_NORMALS = ['0.535339', '-0.516986', '-0.226494'];

function randomCase(gen: rnam.Generator, d: Dims, scale = 1) {
  const { batch, seq, p, n, hid } = d;
  const q = p + hid;
  const normal = (k: number, div: number) => Float32Array.from(gen.fillNormal(new Float32Array(k)), (v) => (v * scale) / div);
  return {
    x: randomArray(gen, batch * seq * p, -1, 1),
    P: { A: normal(n * n, n), B: normal(n * q, n), C: normal(hid * n, n), D: normal(hid * q, n) },
    dh: randomArray(gen, batch * seq * hid, -1, 1),
  };
}

/** Waits until `list` has `count` entries (statistics read asynchronously from WebGPU). */
async function settle<T>(list: T[], count: number, what: string): Promise<void> {
  for (let i = 0; i < 500 && list.length < count; i++) await new Promise((r) => setTimeout(r, 2));
  assert.ok(list.length >= count, `${what}: ${list.length} of ${count} expected reports arrived`);
}

async function runOp(dev: rnam.Backend, c: ReturnType<typeof randomCase>, d: Dims, options: rnam.ImplicitRnnOptions = {}) {
  const { batch, seq, p, n, hid } = d;
  const q = p + hid;
  const t = (v: Float32Array, shape: number[]) => rnam.tensor(v, shape, { device: dev, requiresGrad: true });
  const x = t(c.x, [batch, seq, p]);
  const A = t(c.P.A, [n, n]), B = t(c.P.B, [n, q]), C = t(c.P.C, [hid, n]), D = t(c.P.D, [hid, q]);
  const stats: rnam.ImplicitSolveStats[] = [];
  const h = rnam.implicitRnn(x, A, B, C, D, { ...options, onStats: (s) => stats.push(s) });
  const hv = await h.toArray();
  h.backward(rnam.tensor(c.dh, [batch, seq, hid], { device: dev }));
  const grads: Float32Array[] = [];
  for (const v of [x, A, B, C, D]) grads.push(await v.grad!.toArray());
  await settle(stats, 2, 'forward and backward statistics');
  const out = { h: hv, dx: grads[0], dA: grads[1], dB: grads[2], dC: grads[3], dD: grads[4], stats };
  for (const v of [x, A, B, C, D, h]) { v.grad?.dispose(); v.dispose(); }
  return out;
}


// ---------------------------------------------------------------- the reference itself

const ref = suite('implicit: float64 reference');

ref('implicit gradients of the reference match central finite differences of its converged forward', () => {
  const gen = new rnam.Generator(101);
  const d: Dims = { batch: 2, seq: 3, p: 2, n: 5, hid: 3 };
  const c = randomCase(gen, d);
  const kappa = 0.99;
  const loss = (x: ArrayLike<number>, P: Params) => forwardRef(x, P, d, kappa).h.reduce((s, v, i) => s + v * c.dh[i], 0);
  const g = backwardRef(c.x, c.P, d, kappa, c.dh);
  const eps = 1e-6;
  const check = (name: string, values: ArrayLike<number>, grad: Float64Array, rebuild: (v: Float64Array) => number) => {
    const fd = new Float64Array(values.length);
    for (let i = 0; i < values.length; i++) {
      const plus = Float64Array.from(values), minus = Float64Array.from(values);
      plus[i] += eps;
      minus[i] -= eps;
      fd[i] = (rebuild(plus) - rebuild(minus)) / (2 * eps);
    }
    assertClose(grad, fd, `reference d${name} vs finite differences`, 1e-5, 1e-7);
  };
  check('x', c.x, g.dx, (v) => loss(v, c.P));
  check('A', c.P.A, g.dA, (v) => loss(c.x, { ...c.P, A: v }));
  check('B', c.P.B, g.dB, (v) => loss(c.x, { ...c.P, B: v }));
  check('C', c.P.C, g.dC, (v) => loss(c.x, { ...c.P, C: v }));
  check('D', c.P.D, g.dD, (v) => loss(c.x, { ...c.P, D: v }));
});

ref.run();

// ---------------------------------------------------------------- kernels vs the reference

await forEachBackend('implicit kernels', (k, dev) => {

  const gpu = dev.kind === 'webgpu';
  const count = gpu ? 12 : 40; // SwiftShader emulates the GPU on the CPU: fewer shapes there

  k(`forward and backward match the float64 reference on ${count} random shapes (incl. sizes that are not multiples of 4)`, async () => {
    const gen = new rnam.Generator(7);
    const shapes: Dims[] = [
      { batch: 1, seq: 1, p: 1, n: 1, hid: 1 },
      { batch: 3, seq: 4, p: 2, n: 17, hid: 5 },
      { batch: 2, seq: 3, p: 5, n: 37, hid: 19 },
      { batch: 5, seq: 2, p: 3, n: 16, hid: 16 },
    ];
    if (gpu) shapes.push({ batch: 2, seq: 2, p: 3, n: 150, hid: 130 }); // 256 invocations, several units each
    for (let i = shapes.length; i < count; i++) {
      shapes.push({ batch: 1 + gen.int(6), seq: 1 + gen.int(6), p: 1 + gen.int(5), n: 1 + gen.int(23), hid: 1 + gen.int(13) });
    }
    for (const d of shapes) {
      const c = randomCase(gen, d);
      const kappa = gen.uniform() < 0.3 ? 0.4 : 0.99; // sometimes with the projection active
      const got = await runOp(dev, c, d, { kappa });
      const want = backwardRef(c.x, c.P, d, kappa, c.dh);
      const what = `${JSON.stringify(d)} kappa ${kappa}`;
      assert.is(got.stats[0].unconverged, 0, `${what}: forward converged`);
      assert.is(got.stats[1].unconverged, 0, `${what}: backward converged`);
      assertClose(got.h, want.h, `${what}: h`, 1e-4, 2e-5);
      assertClose(got.dx, want.dx, `${what}: dx`, 1e-4, 5e-5);
      assertClose(got.dA, want.dA, `${what}: dA`, 1e-4, 5e-5);
      assertClose(got.dB, want.dB, `${what}: dB`, 1e-4, 5e-5);
      assertClose(got.dC, want.dC, `${what}: dC`, 1e-4, 5e-5);
      assertClose(got.dD, want.dD, `${what}: dD`, 1e-4, 5e-5);
    }
  });

  k('the projection: A beyond kappa is scaled as a whole (and A within kappa is untouched)', async () => {
    const gen = new rnam.Generator(8);
    const d: Dims = { batch: 2, seq: 3, p: 2, n: 6, hid: 4 };
    const c = randomCase(gen, d, 8); // ||A||_inf well above 1
    const got = await runOp(dev, c, d, { kappa: 0.9 });
    const want = backwardRef(c.x, c.P, d, 0.9, c.dh);
    assertClose(got.h, want.h, 'h with the projection active', 1e-4, 2e-5);
    assertClose(got.dA, want.dA, 'dA (straight through the projection)', 1e-4, 5e-5);
  });

  k('finite differences of the float32 forward agree with the implicit gradient', async () => {
    const gen = new rnam.Generator(9);
    const d: Dims = { batch: 2, seq: 3, p: 2, n: 9, hid: 5 };
    const c = randomCase(gen, d);
    const opts = { tol: 1e-7, maxIter: 2000 };
    const got = await runOp(dev, c, d, opts);
    const loss = async (cc: typeof c) => {
      const { batch, seq, p, n, hid } = d;
      const q = p + hid;
      const t = (v: Float32Array, shape: number[]) => rnam.tensor(v, shape, { device: dev });
      const inputs = [t(cc.x, [batch, seq, p]), t(cc.P.A, [n, n]), t(cc.P.B, [n, q]), t(cc.P.C, [hid, n]), t(cc.P.D, [hid, q])];
      const h = rnam.noGrad(() => rnam.implicitRnn(inputs[0], inputs[1], inputs[2], inputs[3], inputs[4], opts));
      let s = 0;
      (await h.toArray()).forEach((v, i) => (s += v * cc.dh[i]));
      for (const v of [...inputs, h]) v.dispose();
      return s;
    };
    const eps = 1e-2;
    const fdAt = async (name: 'A' | 'B' | 'C' | 'D' | 'x', i: number) => {
      const bump = (delta: number) => {
        const cc = { x: c.x.slice(), P: { A: c.P.A.slice(), B: c.P.B.slice(), C: c.P.C.slice(), D: c.P.D.slice() }, dh: c.dh };
        const arr = name === 'x' ? cc.x : cc.P[name];
        arr[i] += delta;
        return loss(cc);
      };
      return ((await bump(eps)) - (await bump(-eps))) / (2 * eps);
    };
    const pairs: ['A' | 'B' | 'C' | 'D' | 'x', Float32Array][] = [['A', got.dA], ['B', got.dB], ['C', got.dC], ['D', got.dD], ['x', got.dx]];
    for (const [name, grad] of pairs) {
      for (let k = 0; k < 4; k++) {
        const i = gen.int(grad.length);
        const fd = await fdAt(name, i);
        assert.ok(Math.abs(fd - grad[i]) <= 2e-3 + 2e-2 * Math.abs(fd), `d${name}[${i}]: implicit ${grad[i]}, finite differences ${fd}`);
      }
    }
  });

});

// ---------------------------------------------------------------- PyTorch golden cases

interface GoldenCase {
  name: string; inputDim: number; outputDim: number; implicitHiddenDim: number; hiddenDim: number; kappa: number;
  batch: number; seq: number; x: number[]; state: Record<string, { shape: number[]; values: number[] }>;
  y: number[]; dy: number[]; grads: Record<string, number[]>; dx: number[];
}
const golden = JSON.parse(readFileSync(new URL('./fixtures/implicit_golden.json', import.meta.url), 'utf8')) as { cases: GoldenCase[] };

await forEachBackend('implicit golden (PyTorch, float64)', (gs, dev) => {
  gs(`${golden.cases.length} ImplicitRNN cases: outputs and gradients of every parameter and the input`, async () => {
    for (const c of golden.cases) {
      const model = new rnam.ImplicitRNN({
        inputDim: c.inputDim, outputDim: c.outputDim, implicitHiddenDim: c.implicitHiddenDim, hiddenDim: c.hiddenDim, kappa: c.kappa,
      }).to(dev);
      const names = model.namedParameters().map(([name]) => name).sort();
      assert.equal(names, Object.keys(c.state).sort(), `${c.name}: state-dict names`);
      model.loadStateDict(Object.fromEntries(Object.entries(c.state).map(([k, v]) => [k, rnam.tensor(v.values, v.shape)])));
      const x = rnam.tensor(c.x, [c.batch, c.seq, c.inputDim], { device: dev, requiresGrad: true });
      const y = model.forward(x);
      assertClose(await y.toArray(), c.y, `${c.name}: output`, 1e-4, 2e-5);
      y.backward(rnam.tensor(c.dy, [c.batch, c.outputDim], { device: dev }));
      for (const [name, p] of model.namedParameters()) assertClose(await p.grad!.toArray(), c.grads[name], `${c.name}: grad ${name}`, 1e-4, 5e-5);
      assertClose(await x.grad!.toArray(), c.dx, `${c.name}: grad input`, 1e-4, 5e-5);
      model.zeroGrad();
    }
  });
});

// ---------------------------------------------------------------- non-convergence is reported

const warn = suite('implicit: non-convergence is reported');

warn('maxIter 1: a forward warning with the residual; gradMaxIter 1: a backward warning', () => {
  rnam.manualSeed(3);
  const warnings: rnam.ImplicitWarning[] = [];
  const model = new rnam.ImplicitRNN({ inputDim: 2, outputDim: 1, implicitHiddenDim: 6, hiddenDim: 4, maxIter: 1, gradMaxIter: 1 });
  model.on('warning', (w) => warnings.push(w));
  const x = rnam.tensor(randomArray(new rnam.Generator(4), 3 * 5 * 2), [3, 5, 2]);
  const y = model.forward(x);
  assert.is(warnings.length, 1);
  assert.is(warnings[0].phase, 'forward');
  assert.ok(warnings[0].unconverged > 0 && warnings[0].unconverged <= 15);
  assert.ok(warnings[0].maxResidual >= 3e-6, `residual ${warnings[0].maxResidual}`);
  assert.match(warnings[0].message, /did not converge in 1 iterations \(largest residual/);
  rnam.sum(y).backward();
  assert.is(warnings.length, 2);
  assert.is(warnings[1].phase, 'backward');
  assert.ok(warnings[1].maxResidual > 0);
});

warn('kappa > 1 with a large A: the iteration diverges or stalls and says so (default: one console.warn per call)', () => {
  rnam.manualSeed(5);
  const model = new rnam.ImplicitRNN({ inputDim: 1, outputDim: 1, implicitHiddenDim: 8, hiddenDim: 3, kappa: 4, maxIter: 50 });
  const A = model.recurrent.layer.A;
  A.device.write(A.buffer, Float32Array.from(A.toArraySync(), (_, i) => (i % 9 === 0 ? 3 : 0.3))); // ||A||_inf ~ 5
  const messages: string[] = [];
  const original = console.warn;
  console.warn = (m: string) => messages.push(m);
  try {
    model.forward(rnam.tensor(Float32Array.from({ length: 2 * 3 }, (_, i) => 1 + i), [2, 3, 1]));
  } finally {
    console.warn = original;
  }
  assert.is(messages.length, 1);
  assert.match(messages[0], /ImplicitRNN\(.*\): \d+ of 6 fixed-point solves did not converge in 50 iterations/);
  assert.is(model.lastStats.forward!.unconverged > 0, true);
});

warn('converged solves report nothing and keep statistics', () => {
  rnam.manualSeed(6);
  const model = new rnam.ImplicitRNN({ inputDim: 2, outputDim: 2, implicitHiddenDim: 8, hiddenDim: 4, onWarning: () => assert.unreachable('no warning expected') });
  const y = model.forward(rnam.tensor(randomArray(new rnam.Generator(1), 2 * 7 * 2), [2, 7, 2]));
  rnam.sum(y).backward();
  const s = model.lastStats;
  assert.is(s.forward!.solves, 14);
  assert.ok(s.forward!.meanIterations >= 1 && s.forward!.maxIterations < 300);
  assert.ok(s.backward!.meanIterations >= 1);
});

warn.run();

await forEachBackend('implicit: non-convergence', (wg, gpuDevice) => {
  wg('maxIter 1 / gradMaxIter 1: the warnings arrive when the statistics are read back, with the wasm kernel\'s numbers', async () => {
    const seen: rnam.ImplicitWarning[][] = [];
    for (const dev of [rnam.cpu, gpuDevice]) {
      rnam.manualSeed(3);
      const warnings: rnam.ImplicitWarning[] = [];
      const model = new rnam.ImplicitRNN({ inputDim: 2, outputDim: 1, implicitHiddenDim: 6, hiddenDim: 4, maxIter: 1, gradMaxIter: 1 }).to(dev);
      model.on('warning', (w) => warnings.push(w));
      const x = rnam.tensor(randomArray(new rnam.Generator(4), 3 * 5 * 2), [3, 5, 2], { device: dev });
      const y = model.forward(x);
      await y.toArray();
      await settle(warnings, 1, `${dev.kind} forward warning`);
      rnam.sum(y).backward();
      await model.linear.weight.grad!.toArray();
      await settle(warnings, 2, `${dev.kind} backward warning`);
      seen.push(warnings);
    }
    const [cpuW, gpuW] = seen;
    for (let i = 0; i < 2; i++) {
      assert.is(gpuW[i].phase, cpuW[i].phase);
      assert.is(gpuW[i].unconverged, cpuW[i].unconverged, `${cpuW[i].phase} unconverged solves`);
      assert.is(gpuW[i].meanIterations, 1);
      assertClose([gpuW[i].maxResidual], [cpuW[i].maxResidual], `${cpuW[i].phase} largest residual`, 1e-4, 1e-7);
      assert.match(gpuW[i].message, /did not converge in 1 iterations \(largest residual/);
    }
  });

  wg('a layer above the WGSL limit (implicitHiddenDim 1025) is a clear error', () => {
    const t = (shape: number[]) => rnam.zeros(shape, { device: gpuDevice });
    assert.throws(() => rnam.implicitRnn(t([1, 1, 1]), t([1025, 1025]), t([1025, 2]), t([1, 1025]), t([1, 2])),
      /implicit_forward: implicitHiddenDim 1025 is above the WGSL implicit kernels' limit of 1024/);
  });
}, { kinds: ['webgpu'] });

// ---------------------------------------------------------------- module, errors, determinism

const mod = suite('implicit: module');

mod('state-dict names and shapes follow torchidl (recurrent.layer.A..D, linear.weight/bias)', () => {
  const model = new rnam.ImplicitRNN({ inputDim: 3, outputDim: 2, implicitHiddenDim: 7, hiddenDim: 5 });
  assert.equal(model.namedParameters().map(([k, v]) => [k, v.shape]), [
    ['recurrent.layer.A', [7, 7]], ['recurrent.layer.B', [7, 8]], ['recurrent.layer.C', [5, 7]], ['recurrent.layer.D', [5, 8]],
    ['linear.weight', [2, 5]], ['linear.bias', [2]],
  ]);
});

mod('initialisation: randn / n from the seeded generator, deterministic', () => {
  rnam.manualSeed(11);
  const a = new rnam.ImplicitRNN({ inputDim: 3, outputDim: 2, implicitHiddenDim: 40, hiddenDim: 30 });
  rnam.manualSeed(11);
  const b = new rnam.ImplicitRNN({ inputDim: 3, outputDim: 2, implicitHiddenDim: 40, hiddenDim: 30 });
  a.parameters().forEach((p, i) => assertBitwiseEqual(b.parameters()[i].toArraySync(), p.toArraySync(), `parameter ${i}`));
  const A = a.recurrent.layer.A.toArraySync();
  const mean = A.reduce((s, v) => s + v, 0) / A.length;
  const std = Math.sqrt(A.reduce((s, v) => s + (v - mean) ** 2, 0) / A.length);
  assert.ok(Math.abs(mean) < 0.005 && Math.abs(std - 1 / 40) < 0.002, `A mean ${mean}, std ${std}`);
});

mod('Generator.normal: deterministic, standard normal moments', () => {
  const a = new rnam.Generator(42).fillNormal(new Float32Array(40000));
  const b = new rnam.Generator(42).fillNormal(new Float32Array(40000));
  assertBitwiseEqual(a, b, 'same seed');
  const mean = a.reduce((s, v) => s + v, 0) / a.length;
  const variance = a.reduce((s, v) => s + (v - mean) ** 2, 0) / a.length;
  const kurt = a.reduce((s, v) => s + (v - mean) ** 4, 0) / a.length / variance ** 2;
  assert.ok(Math.abs(mean) < 0.02 && Math.abs(variance - 1) < 0.03 && Math.abs(kurt - 3) < 0.15, `mean ${mean}, var ${variance}, kurtosis ${kurt}`);
  // The first values are pinned: a change of the stream is a change of every initialisation.
  assert.equal(Array.from(new rnam.Generator(0).fillNormal(new Float32Array(3))).map((v) => v.toFixed(6)), PINNED_NORMALS);
});

mod('bad shapes and options are errors naming the layer, the expected and the actual shape', () => {
  const model = new rnam.ImplicitRNN({ inputDim: 3, outputDim: 1, implicitHiddenDim: 4, hiddenDim: 2 });
  assert.throws(() => model.forward(rnam.zeros([2, 5, 4])),
    (e: Error) => e.message === 'ImplicitRNN(inputDim=3, outputDim=1, implicitHiddenDim=4, hiddenDim=2): expected input of shape (batch >= 1, seq >= 1, 3), got (2, 5, 4)');
  const t = (shape: number[]) => rnam.zeros(shape);
  assert.throws(() => rnam.implicitRnn(t([1, 2, 3]), t([4, 4]), t([4, 6]), t([2, 4]), t([2, 5])), /^implicitRnn: expected B of shape \(4, 5\), got \(4, 6\)$/);
  assert.throws(() => rnam.implicitRnn(t([1, 2, 3]), t([4, 4]), t([4, 5]), t([2, 4]), t([2, 5]), { tol: 0 }), /tol must be a positive number, got 0/);
  assert.throws(() => new rnam.ImplicitRNN({ inputDim: 0, outputDim: 1, implicitHiddenDim: 4, hiddenDim: 2 }), /inputDim must be a positive integer, got 0/);
});

mod.run();


// ---------------------------------------------------------------- threads

const thr = suite('implicit: threads');

thr('forward and backward are bitwise identical for 1, 2 and 4 threads', async () => {
  const backends = await Promise.all([1, 2, 4].map((threads) => rnam.WasmBackend.create({ threads })));
  try {
    const gen = new rnam.Generator(21);
    const d: Dims = { batch: 23, seq: 9, p: 3, n: 21, hid: 10 }; // several backward chunks, split forward
    const c = randomCase(gen, d);
    const runs = [];
    for (const dev of backends) runs.push(await runOp(dev, c, d));
    for (let i = 1; i < runs.length; i++) {
      for (const key of ['h', 'dx', 'dA', 'dB', 'dC', 'dD'] as const) {
        assertBitwiseEqual(runs[i][key], runs[0][key], `${key} with ${backends[i].threads} threads`);
      }
    }
  } finally {
    backends.forEach((b) => b.dispose());
  }
});

thr('the SIMD and scalar builds agree bitwise (n, hid with 16-, 4-wide and scalar tails)', async () => {
  const scalar = await rnam.WasmBackend.create({ binary: readFileSync(new URL('../build/rnam-scalar.wasm', import.meta.url)), label: 'wasm scalar' });
  const simd = await rnam.WasmBackend.create({ threads: 1 });
  const gen = new rnam.Generator(22);
  const d: Dims = { batch: 5, seq: 4, p: 3, n: 23, hid: 18 };
  const c = randomCase(gen, d);
  const a = await runOp(simd, c, d), b = await runOp(scalar, c, d);
  for (const key of ['h', 'dx', 'dA', 'dB', 'dC', 'dD'] as const) assertBitwiseEqual(b[key], a[key], `${key}: scalar vs SIMD`);
});

thr.run();

// ---------------------------------------------------------------- training

const train = suite('implicit: training');

train('Adam on a tiny task (the sum of the last two inputs): the loss falls', async () => {
  rnam.manualSeed(1);
  const model = new rnam.ImplicitRNN({ inputDim: 1, outputDim: 1, implicitHiddenDim: 16, hiddenDim: 8 });
  const gen = new rnam.Generator(2);
  const [batch, seq] = [32, 6];
  const xv = randomArray(gen, batch * seq, -1, 1);
  const yv = Float32Array.from({ length: batch }, (_, b) => xv[b * seq + seq - 1] + xv[b * seq + seq - 2]);
  const x = rnam.tensor(xv, [batch, seq, 1]), y = rnam.tensor(yv, [batch, 1]);
  const opt = new rnam.Adam(model.parameters(), { lr: 1e-2 });
  const losses: number[] = [];
  for (let step = 0; step < 60; step++) {
    const loss = rnam.tidy(() => {
      opt.zeroGrad();
      const l = rnam.mseLoss(model.forward(x), y);
      l.backward();
      opt.step();
      return l;
    });
    losses.push(await loss.item());
    loss.dispose();
  }
  assert.ok(losses[59] < 0.3 * losses[0], `loss ${losses[0]} -> ${losses[59]}`);
});

train.run();
