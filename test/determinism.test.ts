// Reproducibility: the same seed gives bitwise-identical weights, outputs and gradients; the SIMD
// and scalar builds of the kernels give bitwise-identical results (same operations, same order).
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { readFileSync } from 'node:fs';
import * as rnam from '../src/index.js';
import { Buffers } from './helpers/buffers.js';
import { Unary } from '../src/backend/opcodes.js';
import { assertBitwiseEqual, randomArray } from './helpers/util.js';

const test = suite('determinism');

/** Kernel-call buffers on the default (SIMD) backend and on a backend of the scalar build. */
async function simdAndScalar(): Promise<[Buffers, Buffers]> {
  const scalarBinary = readFileSync(new URL('../build/rnam-scalar.wasm', import.meta.url));
  return [new Buffers(rnam.cpu), new Buffers(await rnam.WasmBackend.create({ binary: scalarBinary, label: 'wasm scalar' }))];
}

async function run(seed: number) {
  rnam.manualSeed(seed);
  const emb = new rnam.Linear(3, 1, 8);
  const gru = new rnam.MinGRU(3, 8, { expansionFactor: 2 });
  const x = rnam.tensor(randomArray(new rnam.Generator(seed + 1), 3 * 4 * 33), [3, 4, 33, 1], { requiresGrad: true });
  const [out] = gru.forward(emb.forward(x));
  out.backward(rnam.ones(out.shape));
  const params = [...emb.parameters(), ...gru.parameters()];
  return {
    weights: await Promise.all(params.map((p) => p.toArray())),
    out: await out.toArray(),
    grads: await Promise.all([x, ...params].map((p) => p.grad!.toArray())),
  };
}

test('the same seed gives bitwise-identical weights, outputs and gradients', async () => {
  const a = await run(7), b = await run(7);
  a.weights.forEach((w, i) => assertBitwiseEqual(w, b.weights[i], `weight ${i}`));
  assertBitwiseEqual(a.out, b.out, 'output');
  a.grads.forEach((g, i) => assertBitwiseEqual(g, b.grads[i], `grad ${i}`));
  const c = await run(8);
  assert.not.equal([...c.weights[0]], [...a.weights[0]], 'a different seed must give different weights');
});

test('the generator stream is fixed: known first values for seed 42', () => {
  const gen = new rnam.Generator(42);
  const first = [gen.nextUint32(), gen.nextUint32(), gen.nextUint32()];
  const again = new rnam.Generator(42);
  assert.equal([again.nextUint32(), again.nextUint32(), again.nextUint32()], first);
  const u = new rnam.Generator(42).fillUniform(new Float32Array(10000), 0, 1);
  const mean = u.reduce((s, v) => s + v, 0) / u.length;
  assert.ok(Math.abs(mean - 0.5) < 0.01, `uniform mean ${mean}`);
  assert.ok(u.every((v) => v >= 0 && v < 1));
});

test('SIMD and scalar builds of the kernels agree bitwise', async () => {
  const [simd, scalar] = await simdAndScalar();
  const gen = new rnam.Generator(31);
  // 30 random shapes, then fixed ones for each SIMD form of the linear kernels: four and two output
  // vectors at a time with tails (forward), four inputs at a time with an input tail (input gradient).
  const fixed = [[8, 16], [6, 8], [5, 20], [9, 12], [3, 24]];
  for (let c = 0; c < 30 + fixed.length; c++) {
    const terms = 1 + gen.int(3), rows = 1 + gen.int(20);
    const [inDim, outDim] = c < 30 ? [1 + gen.int(17), 1 + gen.int(17)] : fixed[c - 30];
    const seq = 1 + gen.int(20), dim = 1 + gen.int(17);
    const x = randomArray(gen, terms * rows * inDim), w = randomArray(gen, terms * inDim * outDim), b = randomArray(gen, terms * outDim);
    const dy = randomArray(gen, terms * rows * outDim);
    const hg = randomArray(gen, terms * seq * 2 * dim, -4, 4), h0 = randomArray(gen, terms * dim), dh = randomArray(gen, terms * seq * dim);
    const results: Float32Array[][] = [];
    for (const bufs of [simd, scalar]) {
      const dev = bufs.dev;
      const y = bufs.output(dy.length), dx = bufs.output(x.length), dw = bufs.output(w.length), db = bufs.output(b.length);
      const xb = bufs.upload(x), wb = bufs.upload(w);
      dev.linear_forward({ x: xb, w: wb, b: bufs.upload(b), y, terms, rows, inDim, outDim });
      dev.linear_backward({ x: xb, w: wb, dy: bufs.upload(dy), dx, dw, db, terms, rows, inDim, outDim });
      const hgb = bufs.upload(hg), h0b = bufs.upload(h0), h = bufs.output(dh.length), dhg = bufs.output(hg.length), dh0 = bufs.output(h0.length);
      dev.mingru_scan_forward({ hg: hgb, h0: h0b, h, lengths: null, groups: terms, seq, dim });
      dev.mingru_scan_backward({ hg: hgb, h0: h0b, h, dh: bufs.upload(dh), dhg, dh0, lengths: null, groups: terms, seq, dim });
      results.push(await Promise.all([y, dx, dw, db, h, dhg, dh0].map((t) => bufs.read(t))));
      bufs.freeAll();
    }
    const names = ['linear y', 'linear dx', 'linear dw', 'linear db', 'mingru h', 'mingru dhg', 'mingru dh0'];
    results[0].forEach((r, i) => assertBitwiseEqual(r, results[1][i], `${names[i]} (case ${c})`));
  }
});

// The vector exp and sigmoid (assembly/math.ts) use pmin / pmax and a rounding constant where the
// scalar forms use min / max and trunc_sat: the same bits at the edges of their ranges too.
test('SIMD and scalar exp, sigmoid and tanh agree bitwise on special values', async () => {
  const [simd, scalar] = await simdAndScalar();
  const special = [-Infinity, -1e30, -200, -88.8, -88.3, -87.31, -87.3, -87.29, -50, -1, -1e-30, -1e-45, -0, 0, 1e-45, 1e-30,
    0.5, 1, 44.15, 50, 88.29, 88.3, 88.31, 89, 1e30, Infinity];
  const x = new Float32Array([...special, ...randomArray(new rnam.Generator(5), 1003, -100, 100)]);
  for (const [name, op] of [['sigmoid', Unary.sigmoid], ['exp', Unary.exp], ['tanh', Unary.tanh]] as const) {
    const [a, b] = await Promise.all([simd, scalar].map(async (bufs) => {
      const y = bufs.output(x.length);
      bufs.dev.unary_forward({ x: bufs.upload(x), y, n: x.length, op });
      const out = await bufs.read(y);
      bufs.freeAll();
      return out;
    }));
    assertBitwiseEqual(a, b, name);
  }
});

// The SIMD build runs the fused block four sequences at a time (assembly/rnamblock-quad.ts), the
// scalar build row by row: the same bits, for batches with and without a remainder of sequences.
test('SIMD (four sequences at a time) and scalar builds of the fused RNAM block agree bitwise', async () => {
  const [simd, scalar] = await simdAndScalar();
  const gen = new rnam.Generator(37);
  for (let c = 0; c < 12; c++) {
    const terms = 1 + gen.int(2), batch = 1 + gen.int(9), seq = 1 + gen.int(40), dim = 1 + gen.int(13), eps = 1e-5;
    const n = terms * batch * seq * dim;
    const inputs = {
      x: randomArray(gen, n, -2, 2), dout: randomArray(gen, n), wg: randomArray(gen, terms * dim * 2 * dim),
      lnw: randomArray(gen, dim, 0.5, 1.5), lnb: randomArray(gen, dim), w1: randomArray(gen, terms * dim * dim),
      b1: randomArray(gen, terms * dim), w2: randomArray(gen, terms * dim * dim), b2: randomArray(gen, terms * dim),
    };
    const results: Float32Array[][] = [];
    for (const bufs of [simd, scalar]) {
      const dev = bufs.dev;
      const u = Object.fromEntries(Object.entries(inputs).map(([k, v]) => [k, bufs.upload(v)])) as Record<keyof typeof inputs, rnam.DeviceBuffer>;
      const h = bufs.output(n), out = bufs.output(n), dx = bufs.output(n);
      const grads = { dwg: inputs.wg, dlnw: inputs.lnw, dlnb: inputs.lnb, dw1: inputs.w1, db1: inputs.b1, dw2: inputs.w2, db2: inputs.b2 };
      const g = Object.fromEntries(Object.entries(grads).map(([k, v]) => [k, bufs.output(v.length)])) as Record<keyof typeof grads, rnam.DeviceBuffer>;
      const { x, dout, wg, lnw, lnb, w1, b1, w2, b2 } = u;
      const hz = c % 2 ? bufs.output(2 * n) : null; // the minGRU kept for backward, or recomputed there
      dev.rnam_block_forward({ x, wg, lnw, lnb, w1, b1, w2, b2, h, out, lengths: null, hz, terms, batch, seq, dim, eps });
      dev.rnam_block_backward({ x, h, dout, wg, lnw, lnb, w1, b1, w2, dx, ...g, lengths: null, hz, terms, batch, seq, dim, eps });
      results.push(await Promise.all([h, out, dx, ...Object.values(g)].map((t) => bufs.read(t))));
      bufs.freeAll();
    }
    const names = ['h', 'out', 'dx', 'dwg', 'dlnw', 'dlnb', 'dw1', 'db1', 'dw2', 'db2'];
    results[0].forEach((r, i) => assertBitwiseEqual(r, results[1][i], `rnam block ${names[i]} (case ${c}: ${terms}x${batch}x${seq}x${dim})`));
  }
});

test.run();
