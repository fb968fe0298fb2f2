// SimpleRNN, GRU and LSTM: the fused recurrent kernels (through the modules) against a float64
// reference of each cell's forward and BPTT on many random shapes (hidden sizes that are not
// multiples of 4, seq 1, batch 1, batch-first, with and without initial states and biases); the
// reference's gradients against central finite differences; SIMD and scalar builds bitwise equal;
// 1, 2 and 4 threads bitwise equal; errors; training with clipGradNorm and an optimizer.
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { readFileSync } from 'node:fs';
import * as rnam from '../src/index.js';
import { forEachBackend } from './helpers/backends.js';
import { assertBitwiseEqual, assertClose, randomArray } from './helpers/util.js';

type Cell = 'rnn_tanh' | 'rnn_relu' | 'gru' | 'lstm';
const GATES: Record<Cell, number> = { rnn_tanh: 1, rnn_relu: 1, gru: 3, lstm: 4 };
const sigmoid = (v: number) => 1 / (1 + Math.exp(-v));

interface LayerParams {
  wih: ArrayLike<number>; whh: ArrayLike<number>; bih: ArrayLike<number> | null; bhh: ArrayLike<number> | null;
}
interface RefCase extends LayerParams {
  cell: Cell; seq: number; batch: number; inSize: number; H: number;
  x: ArrayLike<number>; // time-major (seq, batch, in)
  h0: ArrayLike<number> | null; c0: ArrayLike<number> | null; // (batch, H)
}

/** float64 forward of one layer; returns out (seq, batch, H), hN, cN and what BPTT needs per step. */
function refForward(c: RefCase) {
  const { cell, seq, batch, inSize, H, x, wih, whh, bih, bhh } = c;
  const GH = GATES[cell] * H;
  const out = new Float64Array(seq * batch * H);
  const hN = new Float64Array(batch * H), cN = new Float64Array(batch * H);
  const steps: { hp: Float64Array; cp: Float64Array; gi: Float64Array; gh: Float64Array; a: Float64Array; cn: Float64Array }[][] = [];
  for (let b = 0; b < batch; b++) {
    let h = Float64Array.from({ length: H }, (_, k) => (c.h0 ? c.h0[b * H + k] : 0));
    let cc = Float64Array.from({ length: H }, (_, k) => (c.c0 ? c.c0[b * H + k] : 0));
    const list = [];
    for (let t = 0; t < seq; t++) {
      const gi = new Float64Array(GH), gh = new Float64Array(GH);
      for (let j = 0; j < GH; j++) {
        let s = bih ? bih[j] : 0;
        for (let i = 0; i < inSize; i++) s += wih[j * inSize + i] * x[(t * batch + b) * inSize + i];
        gi[j] = s;
        let u = bhh ? bhh[j] : 0;
        for (let k = 0; k < H; k++) u += whh[j * H + k] * h[k];
        gh[j] = u;
      }
      const a = new Float64Array(GH); // activations
      const hn = new Float64Array(H), cn = new Float64Array(H);
      for (let k = 0; k < H; k++) {
        if (cell === 'rnn_tanh') hn[k] = a[k] = Math.tanh(gi[k] + gh[k]);
        else if (cell === 'rnn_relu') hn[k] = a[k] = Math.max(0, gi[k] + gh[k]);
        else if (cell === 'gru') {
          const r = (a[k] = sigmoid(gi[k] + gh[k]));
          const z = (a[H + k] = sigmoid(gi[H + k] + gh[H + k]));
          const n = (a[2 * H + k] = Math.tanh(gi[2 * H + k] + r * gh[2 * H + k]));
          hn[k] = (1 - z) * n + z * h[k];
        } else {
          const i = (a[k] = sigmoid(gi[k] + gh[k]));
          const f = (a[H + k] = sigmoid(gi[H + k] + gh[H + k]));
          const g = (a[2 * H + k] = Math.tanh(gi[2 * H + k] + gh[2 * H + k]));
          const o = (a[3 * H + k] = sigmoid(gi[3 * H + k] + gh[3 * H + k]));
          cn[k] = f * cc[k] + i * g;
          hn[k] = o * Math.tanh(cn[k]);
        }
      }
      list.push({ hp: h, cp: cc, gi, gh, a, cn });
      h = hn;
      cc = cn;
      for (let k = 0; k < H; k++) out[(t * batch + b) * H + k] = h[k];
    }
    for (let k = 0; k < H; k++) {
      hN[b * H + k] = h[k];
      cN[b * H + k] = cc[k];
    }
    steps.push(list);
  }
  return { out, hN, cN, steps };
}

/** float64 BPTT of loss = sum(out dOut) + sum(hN dhN) + sum(cN dcN). */
function refBackward(c: RefCase, dOut: ArrayLike<number>, dhN: ArrayLike<number>, dcN: ArrayLike<number> | null) {
  const { cell, seq, batch, inSize, H, x, wih, whh } = c;
  const GH = GATES[cell] * H;
  const { steps } = refForward(c);
  const dx = new Float64Array(seq * batch * inSize), dwih = new Float64Array(GH * inSize), dwhh = new Float64Array(GH * H);
  const dbih = new Float64Array(GH), dbhh = new Float64Array(GH), dh0 = new Float64Array(batch * H), dc0 = new Float64Array(batch * H);
  for (let b = 0; b < batch; b++) {
    let dh = Float64Array.from({ length: H }, (_, k) => dhN[b * H + k]);
    let dc = Float64Array.from({ length: H }, (_, k) => (dcN ? dcN[b * H + k] : 0));
    for (let t = seq - 1; t >= 0; t--) {
      const { hp, cp, a, gh, cn } = steps[b][t];
      for (let k = 0; k < H; k++) dh[k] += dOut[(t * batch + b) * H + k];
      const dgi = new Float64Array(GH), dgh = new Float64Array(GH);
      const dhp = new Float64Array(H), dcp = new Float64Array(H);
      for (let k = 0; k < H; k++) {
        if (cell === 'rnn_tanh') dgi[k] = dgh[k] = dh[k] * (1 - a[k] * a[k]);
        else if (cell === 'rnn_relu') dgi[k] = dgh[k] = a[k] > 0 ? dh[k] : 0;
        else if (cell === 'gru') {
          const r = a[k], z = a[H + k], n = a[2 * H + k];
          const dn = dh[k] * (1 - z) * (1 - n * n);
          dgi[2 * H + k] = dn;
          dgh[2 * H + k] = dn * r;
          dgi[k] = dgh[k] = dn * gh[2 * H + k] * r * (1 - r);
          dgi[H + k] = dgh[H + k] = dh[k] * (hp[k] - n) * z * (1 - z);
          dhp[k] = dh[k] * z;
        } else {
          const i = a[k], f = a[H + k], g = a[2 * H + k], o = a[3 * H + k], tc = Math.tanh(cn[k]);
          const dck = dc[k] + dh[k] * o * (1 - tc * tc);
          dgi[k] = dck * g * i * (1 - i);
          dgi[H + k] = dck * cp[k] * f * (1 - f);
          dgi[2 * H + k] = dck * i * (1 - g * g);
          dgi[3 * H + k] = dh[k] * tc * o * (1 - o);
          for (const q of [0, 1, 2, 3]) dgh[q * H + k] = dgi[q * H + k];
          dcp[k] = dck * f;
        }
      }
      const row = t * batch + b;
      for (let j = 0; j < GH; j++) {
        dbih[j] += dgi[j];
        dbhh[j] += dgh[j];
        for (let i = 0; i < inSize; i++) {
          dwih[j * inSize + i] += dgi[j] * x[row * inSize + i];
          dx[row * inSize + i] += dgi[j] * wih[j * inSize + i];
        }
        for (let k = 0; k < H; k++) {
          dwhh[j * H + k] += dgh[j] * hp[k];
          dhp[k] += dgh[j] * whh[j * H + k];
        }
      }
      dh = dhp;
      dc = dcp;
    }
    dh0.set(dh, b * H);
    dc0.set(dc, b * H);
  }
  return { dx, dwih, dwhh, dbih, dbhh, dh0, dc0 };
}

function randomCase(gen: rnam.Generator, cell: Cell, dims: { seq: number; batch: number; inSize: number; H: number },
  withBias: boolean, withH0: boolean): RefCase {
  const { seq, batch, inSize, H } = dims;
  const GH = GATES[cell] * H;
  const bound = 1 / Math.sqrt(H) + 0.3;
  return {
    cell, ...dims,
    x: randomArray(gen, seq * batch * inSize, -1.5, 1.5),
    wih: randomArray(gen, GH * inSize, -bound, bound), whh: randomArray(gen, GH * H, -bound, bound),
    bih: withBias ? randomArray(gen, GH, -bound, bound) : null, bhh: withBias ? randomArray(gen, GH, -bound, bound) : null,
    h0: withH0 ? randomArray(gen, batch * H) : null, c0: withH0 && cell === 'lstm' ? randomArray(gen, batch * H) : null,
  };
}

/** (seq, batch, f) <-> (batch, seq, f). */
function swap01(v: ArrayLike<number>, a: number, b: number, f: number): Float32Array {
  const out = new Float32Array(a * b * f);
  for (let i = 0; i < a; i++) for (let j = 0; j < b; j++) for (let k = 0; k < f; k++) out[(j * a + i) * f + k] = v[(i * b + j) * f + k];
  return out;
}

function makeModule(cell: Cell, inputSize: number, hiddenSize: number, bias: boolean, batchFirst: boolean, numLayers = 1) {
  const options = { inputSize, hiddenSize, bias, batchFirst, numLayers };
  if (cell === 'gru') return new rnam.GRU(options);
  if (cell === 'lstm') return new rnam.LSTM(options);
  return new rnam.SimpleRNN({ ...options, nonlinearity: cell === 'rnn_relu' ? 'relu' : 'tanh' });
}

/** Runs one layer through the module and autograd; returns forward values and gradients (time-major). */
async function runModule(device: rnam.Backend, c: RefCase, batchFirst: boolean, dOut: Float32Array, dhN: Float32Array,
  dcN: Float32Array | null) {
  const { cell, seq, batch, inSize, H } = c;
  const m = makeModule(cell, inSize, H, c.bih !== null, batchFirst).to(device);
  const state: Record<string, rnam.Tensor> = {
    weight_ih_l0: rnam.tensor(Float32Array.from(c.wih), [GATES[cell] * H, inSize], { device }),
    weight_hh_l0: rnam.tensor(Float32Array.from(c.whh), [GATES[cell] * H, H], { device }),
  };
  if (c.bih) {
    state.bias_ih_l0 = rnam.tensor(Float32Array.from(c.bih), [GATES[cell] * H], { device });
    state.bias_hh_l0 = rnam.tensor(Float32Array.from(c.bhh!), [GATES[cell] * H], { device });
  }
  m.loadStateDict(state);
  const xv = batchFirst ? swap01(c.x, seq, batch, inSize) : Float32Array.from(c.x);
  const x = rnam.tensor(xv, batchFirst ? [batch, seq, inSize] : [seq, batch, inSize], { device, requiresGrad: true });
  const h0 = c.h0 ? rnam.tensor(Float32Array.from(c.h0), [1, batch, H], { device, requiresGrad: true }) : null;
  const c0 = c.c0 ? rnam.tensor(Float32Array.from(c.c0), [1, batch, H], { device, requiresGrad: true }) : null;
  let out: rnam.Tensor, hN: rnam.Tensor, cN: rnam.Tensor | null = null;
  if (m instanceof rnam.LSTM) [out, [hN, cN]] = m.forward(x, h0 || c0 ? [h0, c0] : null);
  else [out, hN] = (m as rnam.GRU).forward(x, h0);
  const parts = [out.reshape(-1), hN.reshape(-1), ...(cN ? [cN.reshape(-1)] : [])];
  const grads = [batchFirst ? swap01(dOut, seq, batch, H) : dOut, dhN, ...(cN ? [dcN!] : [])];
  const all = rnam.cat(parts, 0);
  const result = {
    out: batchFirst ? swap01(await out.toArray(), batch, seq, H) : await out.toArray(),
    hN: await hN.toArray(), cN: cN ? await cN.toArray() : null,
  };
  all.backward(rnam.tensor(Float32Array.from(grads.flatMap((g) => [...g])), all.shape, { device }));
  const p = m.stateDict();
  const dxv = await x.grad!.toArray();
  const gradsOut = {
    dx: batchFirst ? swap01(dxv, batch, seq, inSize) : dxv,
    dwih: await p.weight_ih_l0.grad!.toArray(), dwhh: await p.weight_hh_l0.grad!.toArray(),
    dbih: c.bih ? await p.bias_ih_l0.grad!.toArray() : null, dbhh: c.bih ? await p.bias_hh_l0.grad!.toArray() : null,
    dh0: h0 ? await h0.grad!.toArray() : null, dc0: c0 ? await c0.grad!.toArray() : null,
  };
  all.dispose();
  return { ...result, ...gradsOut };
}

const CELLS: Cell[] = ['rnn_tanh', 'rnn_relu', 'gru', 'lstm'];
const HIDDEN = [1, 2, 3, 4, 5, 7, 8, 13, 16, 17, 20, 33, 70]; // WebGPU: 70 > its 64 invocations per workgroup

await forEachBackend('recurrent cells', async (test, device) => {
  const isGpu = device.kind === 'webgpu';

  for (const cell of CELLS) {
    test(`${cell}: kernels vs the float64 reference, forward and BPTT, random shapes`, async () => {
      const gen = new rnam.Generator(100 + CELLS.indexOf(cell));
      const cases = isGpu ? 6 : 28;
      for (let n = 0; n < cases; n++) {
        const dims = {
          seq: n % 7 === 0 ? 1 : 1 + gen.int(isGpu ? 4 : 9), batch: n % 5 === 0 ? 1 : 1 + gen.int(4),
          inSize: 1 + gen.int(6), H: isGpu ? [1, 3, 5, 17, 70, 8][n] : HIDDEN[n % HIDDEN.length],
        };
        const withBias = n % 4 !== 3, withH0 = n % 3 !== 1, batchFirst = n % 2 === 1;
        const c = randomCase(gen, cell, dims, withBias, withH0);
        const { seq, batch, H } = dims;
        const dOut = randomArray(gen, seq * batch * H), dhN = randomArray(gen, batch * H);
        const dcN = cell === 'lstm' ? randomArray(gen, batch * H) : null;
        const ref = refForward(c);
        const got = await runModule(device, c, batchFirst, dOut, dhN, dcN);
        const name = `${cell} case ${n} (seq ${seq}, batch ${batch}, in ${dims.inSize}, hidden ${H}, bias ${withBias}, h0 ${withH0}, batchFirst ${batchFirst})`;
        assertClose(got.out, ref.out, `${name} out`);
        assertClose(got.hN, ref.hN, `${name} hN`);
        if (cell === 'lstm') assertClose(got.cN!, ref.cN, `${name} cN`);
        const g = refBackward(c, dOut, dhN, dcN);
        assertClose(got.dx, g.dx, `${name} dx`);
        assertClose(got.dwih, g.dwih, `${name} dweight_ih`);
        assertClose(got.dwhh, g.dwhh, `${name} dweight_hh`);
        if (withBias) {
          assertClose(got.dbih!, g.dbih, `${name} dbias_ih`);
          assertClose(got.dbhh!, g.dbhh, `${name} dbias_hh`);
        }
        if (withH0) assertClose(got.dh0!, g.dh0, `${name} dh0`);
        if (withH0 && cell === 'lstm') assertClose(got.dc0!, g.dc0, `${name} dc0`);
      }
    });
  }

  test('LSTM: a loss on cN alone, on the output alone, and on hN alone', async () => {
    const gen = new rnam.Generator(7);
    const c = randomCase(gen, 'lstm', { seq: 4, batch: 3, inSize: 2, H: 5 }, true, true);
    const zeros = (n: number) => new Float32Array(n);
    const cases: [string, Float32Array, Float32Array, Float32Array][] = [
      ['cN', zeros(60), zeros(15), randomArray(gen, 15)],
      ['output', randomArray(gen, 60), zeros(15), zeros(15)],
      ['hN', zeros(60), randomArray(gen, 15), zeros(15)],
    ];
    for (const [what, dOut, dhN, dcN] of cases) {
      const got = await runModule(device, c, false, dOut, dhN, dcN);
      const g = refBackward(c, dOut, dhN, dcN);
      assertClose(got.dx, g.dx, `${what}: dx`);
      assertClose(got.dwhh, g.dwhh, `${what}: dweight_hh`);
      assertClose(got.dc0!, g.dc0, `${what}: dc0`);
    }
    // Through the module with the loss on cN only: the BPTT still runs (out is never used).
    const m = new rnam.LSTM({ inputSize: 2, hiddenSize: 3 }).to(device);
    const x = rnam.tensor(randomArray(gen, 2 * 2 * 2), [2, 2, 2], { device, requiresGrad: true });
    const [, [, cN]] = m.forward(x);
    rnam.sum(cN).backward();
    assert.ok(m.parameters().every((p) => p.grad !== null), 'every parameter has a gradient');
  });

  test('numLayers 3: each layer reads the previous output; hN stacks the layers', async () => {
    const gen = new rnam.Generator(8);
    for (const cell of CELLS) {
      const [seq, batch, inSize, H, L] = [3, 2, 3, 5, 3];
      const m = makeModule(cell, inSize, H, true, false, L).to(device);
      const x0 = randomArray(gen, seq * batch * inSize);
      const x = rnam.tensor(x0, [seq, batch, inSize], { device });
      const [out, hN] = m.forward(x) as [rnam.Tensor, rnam.Tensor | [rnam.Tensor, rnam.Tensor]];
      const hNt = Array.isArray(hN) ? hN[0] : hN;
      assert.equal(hNt.shape, [L, batch, H]);
      let input: ArrayLike<number> = x0, last: Float64Array = new Float64Array();
      const hs: number[] = [];
      for (let k = 0; k < L; k++) {
        const p = m.stateDict();
        const get = (n: string) => p[`${n}_l${k}`].toArray();
        const ref = refForward({ cell, seq, batch, inSize: k === 0 ? inSize : H, H, x: input, wih: await get('weight_ih'),
          whh: await get('weight_hh'), bih: await get('bias_ih'), bhh: await get('bias_hh'), h0: null, c0: null });
        hs.push(...ref.hN);
        input = last = ref.out;
      }
      assertClose(await out.toArray(), last, `${cell} out`);
      assertClose(await hNt.toArray(), hs, `${cell} hN`);
    }
  });

});

const cpuTests = suite('recurrent cells: gradients, determinism, errors, training (wasm)');

cpuTests('the float64 reference BPTT agrees with central finite differences of the float64 forward', () => {
  const gen = new rnam.Generator(21);
  for (const cell of CELLS) {
    for (let n = 0; n < 3; n++) {
      const c = randomCase(gen, cell, { seq: 1 + n * 2, batch: 2, inSize: 3, H: 3 + n }, n !== 1, n !== 2);
      const { seq, batch, H } = c;
      // Move relu pre-activations away from the kink so differences are smooth there.
      const dOut = randomArray(gen, seq * batch * H), dhN = randomArray(gen, batch * H);
      const dcN = cell === 'lstm' ? randomArray(gen, batch * H) : null;
      const loss = (cc: RefCase) => {
        const f = refForward(cc);
        let s = 0;
        f.out.forEach((v, i) => (s += v * dOut[i]));
        f.hN.forEach((v, i) => (s += v * dhN[i]));
        if (dcN) f.cN.forEach((v, i) => (s += v * dcN[i]));
        return s;
      };
      const g = refBackward(c, dOut, dhN, dcN);
      const eps = 1e-6;
      const check = (key: 'x' | 'wih' | 'whh' | 'bih' | 'bhh' | 'h0' | 'c0', grad: Float64Array) => {
        const base = c[key];
        if (!base) return;
        const fd = new Float64Array(base.length);
        for (let i = 0; i < base.length; i++) {
          const plus = Float64Array.from(base), minus = Float64Array.from(base);
          plus[i] += eps;
          minus[i] -= eps;
          fd[i] = (loss({ ...c, [key]: plus }) - loss({ ...c, [key]: minus })) / (2 * eps);
        }
        assertClose(grad, fd, `${cell} case ${n}: d${key} vs finite differences`, 1e-5, 1e-6);
      };
      check('x', g.dx);
      check('wih', g.dwih);
      check('whh', g.dwhh);
      check('bih', g.dbih);
      check('bhh', g.dbhh);
      check('h0', g.dh0);
      check('c0', g.dc0);
    }
  }
});

/** Forward and backward of a 2-layer model on `device`; returns outputs and every gradient. */
async function fullRun(device: rnam.Backend, cell: Cell, dims: { seq: number; batch: number; inSize: number; H: number },
  batchFirst: boolean, seed: number) {
  rnam.manualSeed(seed);
  const m = makeModule(cell, dims.inSize, dims.H, true, batchFirst, 2).to(device);
  const gen = new rnam.Generator(seed);
  const { seq, batch, inSize, H } = dims;
  const x = rnam.tensor(randomArray(gen, seq * batch * inSize), batchFirst ? [batch, seq, inSize] : [seq, batch, inSize],
    { device, requiresGrad: true });
  const h0 = rnam.tensor(randomArray(gen, 2 * batch * H), [2, batch, H], { device, requiresGrad: true });
  const c0 = rnam.tensor(randomArray(gen, 2 * batch * H), [2, batch, H], { device, requiresGrad: true });
  const [out, state] = m instanceof rnam.LSTM ? m.forward(x, [h0, c0]) : (m as rnam.GRU).forward(x, h0);
  const hN = Array.isArray(state) ? state[0] : state;
  const loss = rnam.add(rnam.sum(rnam.mul(out, out)), rnam.sum(hN));
  loss.backward();
  const values = [await out.toArray(), await hN.toArray(), await x.grad!.toArray(), await h0.grad!.toArray()];
  for (const p of m.parameters()) values.push(await p.grad!.toArray());
  return values;
}

cpuTests('SIMD and scalar builds of the recurrent kernels agree bitwise', async () => {
  const scalarBinary = readFileSync(new URL('../build/rnam-scalar.wasm', import.meta.url));
  const scalar = await rnam.WasmBackend.create({ binary: scalarBinary, label: 'wasm scalar' });
  const simd = await rnam.WasmBackend.create({ threads: 1 });
  for (const cell of CELLS) {
    for (const [H, bf] of [[5, false], [20, true], [37, false]] as const) {
      const dims = { seq: 6, batch: 3, inSize: 4, H };
      const a = await fullRun(simd, cell, dims, bf, 3), b = await fullRun(scalar, cell, dims, bf, 3);
      a.forEach((v, i) => assertBitwiseEqual(b[i], v, `${cell} hidden ${H}: tensor ${i}`));
    }
  }
  scalar.dispose();
  simd.dispose();
});

cpuTests('bitwise-identical results for 1, 2 and 4 threads (batch split over threads, chunked weight gradients)', async () => {
  const backends = await Promise.all([1, 2, 4].map((threads) => rnam.WasmBackend.create({ threads })));
  assert.equal(backends.map((b) => b.threads), [1, 2, 4]);
  for (const cell of CELLS) {
    // rows = seq * batch = 4800 > the 4096-row reduction chunk; work large enough to split.
    const dims = { seq: 300, batch: 16, inSize: 2, H: 9 };
    const runs: Float32Array[][] = [];
    for (const dev of backends) runs.push(await fullRun(dev, cell, dims, cell === 'gru', 5));
    for (let i = 1; i < runs.length; i++) {
      runs[0].forEach((v, k) => assertBitwiseEqual(runs[i][k], v, `${cell}, ${backends[i].threads} threads: tensor ${k}`));
    }
  }
  for (const b of backends) b.dispose();
});

cpuTests('shape errors name the layer, the expected and the actual shape', () => {
  const gru = new rnam.GRU({ inputSize: 3, hiddenSize: 4, numLayers: 2 });
  assert.throws(() => gru.forward(rnam.zeros([5, 2, 7])),
    (e: Error) => e.message === 'GRU(inputSize=3, hiddenSize=4, numLayers=2): expected input of shape (seq, batch, 3) or, unbatched, (seq, 3), got (5, 2, 7)');
  assert.throws(() => gru.forward(rnam.zeros([5, 2, 3]), rnam.zeros([1, 2, 4])),
    (e: Error) => e.message === 'GRU(inputSize=3, hiddenSize=4, numLayers=2): expected h0 of shape (2, 2, 4), got (1, 2, 4)');
  const lstm = new rnam.LSTM({ inputSize: 1, hiddenSize: 2, batchFirst: true });
  assert.throws(() => lstm.forward(rnam.zeros([4, 5, 1]), [null, rnam.zeros([1, 5, 2])]), /expected c0 of shape \(1, 4, 2\), got \(1, 5, 2\)/);
  assert.throws(() => lstm.forward(rnam.zeros([4, 5])), /LSTM\(inputSize=1, hiddenSize=2, numLayers=1, batchFirst=true\): expected input of shape \(batch, seq, 1\)/);
  assert.throws(() => new rnam.SimpleRNN({ inputSize: 1, hiddenSize: 2, nonlinearity: 'sigmoid' as 'tanh' }), /nonlinearity must be 'tanh' or 'relu'/);
  assert.throws(() => new rnam.GRU({ inputSize: 1, hiddenSize: 0 }), /hiddenSize must be a positive integer/);
  assert.throws(() => new rnam.LSTM({ inputSize: 1, hiddenSize: 2, bidirectional: true }), /unidirectional/);
  assert.throws(() => new rnam.SimpleRNN({ inputSize: 2, hiddenSize: 3 }).loadStateDict({ weight_ih_l0: rnam.zeros([3, 3]) }, { strict: false }),
    /weight_ih_l0: expected shape \(3, 2\), got \(3, 3\)/);
});

cpuTests('PyTorch names, shapes and init range; unbatched input', async () => {
  rnam.manualSeed(1);
  const lstm = new rnam.LSTM({ inputSize: 3, hiddenSize: 5, numLayers: 2 });
  assert.equal(Object.entries(lstm.stateDict()).map(([n, p]) => `${n}${JSON.stringify(p.shape)}`), [
    'weight_ih_l0[20,3]', 'weight_hh_l0[20,5]', 'bias_ih_l0[20]', 'bias_hh_l0[20]',
    'weight_ih_l1[20,5]', 'weight_hh_l1[20,5]', 'bias_ih_l1[20]', 'bias_hh_l1[20]',
  ]);
  const bound = 1 / Math.sqrt(5);
  for (const p of lstm.parameters()) assert.ok((await p.toArray()).every((v) => Math.abs(v) <= bound));
  assert.equal(Object.keys(new rnam.GRU({ inputSize: 1, hiddenSize: 2, bias: false }).stateDict()), ['weight_ih_l0', 'weight_hh_l0']);
  // Unbatched (seq, feature) input equals batch 1.
  const x = rnam.tensor(randomArray(new rnam.Generator(2), 12), [4, 3]);
  const [out, [hN, cN]] = lstm.forward(x);
  const [out1, [hN1, cN1]] = lstm.forward(x.reshape(4, 1, 3));
  assert.equal(out.shape, [4, 5]);
  assert.equal(hN.shape, [2, 5]);
  assertBitwiseEqual(await out.toArray(), await out1.toArray(), 'unbatched out');
  assertBitwiseEqual(await hN.toArray(), await hN1.toArray(), 'unbatched hN');
  assertBitwiseEqual(await cN.toArray(), await cN1.toArray(), 'unbatched cN');
});

cpuTests('training: clipGradNorm and AdamW on each model (seed 004\'s next-value task, small)', async () => {
  const gen = new rnam.Generator(4);
  const [batch, seq] = [64, 5];
  // Sequences arange(6) * a with a ~ U(-1, 1): predict the sixth value from the first five.
  const a = randomArray(gen, batch);
  const xs = new Float32Array(batch * seq), ys = new Float32Array(batch);
  for (let b = 0; b < batch; b++) {
    for (let t = 0; t < seq; t++) xs[b * seq + t] = t * a[b];
    ys[b] = seq * a[b];
  }
  for (const Model of [rnam.SimpleRNN, rnam.GRU, rnam.LSTM]) {
    rnam.manualSeed(3);
    const rnn = new Model({ inputSize: 1, hiddenSize: 8, batchFirst: true });
    const head = new rnam.Linear(1, 8, 1);
    const params = [...rnn.parameters(), ...head.parameters()];
    const opt = new rnam.AdamW(params, { lr: 0.02, weightDecay: 0 });
    const x = rnam.tensor(xs, [batch, seq, 1]), y = rnam.tensor(ys, [1, batch, 1]);
    const losses: number[] = [];
    for (let step = 0; step < 150; step++) {
      const loss = rnam.tidy(() => {
        opt.zeroGrad();
        const [, state] = rnn.forward(x) as [rnam.Tensor, rnam.Tensor | [rnam.Tensor, rnam.Tensor]];
        const hN = Array.isArray(state) ? state[0] : state; // (1, batch, 8)
        const l = rnam.mseLoss(head.forward(hN), y);
        l.backward();
        const norm = rnam.clipGradNorm(params, 1.0);
        if (step === 0) {
          let sq = 0;
          for (const p of params) for (const v of p.grad!.toArraySync()) sq += v * v;
          assert.ok(Math.sqrt(sq) <= 1.0 + 1e-4 || norm.toArraySync()[0] <= 1, `${Model.name}: gradients clipped to norm 1`);
        }
        norm.dispose();
        opt.step();
        return l;
      });
      losses.push(await loss.item());
      loss.dispose();
    }
    const first = losses[0], last = losses[losses.length - 1];
    assert.ok(last < first * 0.1, `${Model.name}: loss ${first} -> ${last}`);
  }
});

cpuTests('memory stays flat over training steps', async () => {
  const dev = rnam.cpu;
  const m = new rnam.LSTM({ inputSize: 2, hiddenSize: 6, numLayers: 2 });
  const opt = new rnam.SGD(m.parameters(), { lr: 0.01 });
  const x = rnam.tensor(randomArray(new rnam.Generator(5), 7 * 3 * 2), [7, 3, 2]);
  const step = () => rnam.tidy(() => {
    opt.zeroGrad();
    const [out] = m.forward(x);
    const l = rnam.mean(rnam.mul(out, out));
    l.backward();
    opt.step();
  });
  for (let i = 0; i < 3; i++) step();
  const before = dev.memoryStats().liveBytes;
  for (let i = 0; i < 20; i++) step();
  assert.is(dev.memoryStats().liveBytes, before);
});

cpuTests.run();
