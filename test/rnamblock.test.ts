// The fused RNAM block (src/ops/rnamblock.ts) against the unfused ops it replaces (RNAMBlock's
// forwardUnfused): bitwise equal on the CPU backend (output, input gradient, every parameter
// gradient), for shapes with dim not a multiple of 4, seq 1, batch 1, and shapes whose rows span
// several reduction chunks (per term and over all rows, cut at different places), on 1 call and on
// the thread pool; close on WebGPU. The whole-model PyTorch golden cases (rnam-golden.test.ts) run
// through the fused path too.
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import * as rnam from '../src/index.js';
import { forEachBackend } from './helpers/backends.js';
import { assertBitwiseEqual, assertClose, randomArray } from './helpers/util.js';
import { backwardCuts, forwardCuts } from '../src/backend/wasm/plans/rnamblock.js';

type Shape4 = [terms: number, batch: number, seq: number, dim: number];

/** A block with every parameter random (the layer norm's too), an input and an output gradient. */
function setup(device: rnam.Backend, [terms, batch, seq, dim]: Shape4, seed: number) {
  const gen = new rnam.Generator(seed);
  const block = new rnam.RNAMBlock(terms, dim).to(device);
  const state: Record<string, rnam.Tensor> = {};
  for (const [name, p] of block.namedParameters()) state[name] = rnam.tensor(randomArray(gen, p.numel, -0.9, 0.9), p.shape, { device });
  block.loadStateDict(state);
  const xs = randomArray(gen, terms * batch * seq * dim, -2, 2);
  const douts = randomArray(gen, xs.length);
  return { block, xs, douts };
}

/** Output, input gradient (when xGrad) and parameter gradients of one path. */
async function run(device: rnam.Backend, block: rnam.RNAMBlock, xs: Float32Array, douts: Float32Array, shape: Shape4, fused: boolean, xGrad = true) {
  block.zeroGrad();
  const x = rnam.tensor(xs, shape, { device, requiresGrad: xGrad });
  const out = fused ? block.forward(x) : block.forwardUnfused(x);
  out.backward(rnam.tensor(douts, shape, { device }));
  const result: Record<string, Float32Array> = { out: await out.toArray() };
  if (xGrad) result['x.grad'] = await x.grad!.toArray();
  for (const [name, p] of block.namedParameters()) result[`${name}.grad`] = await p.grad!.toArray();
  return result;
}

const SHAPES: Shape4[] = [
  [2, 3, 5, 8], [3, 2, 7, 5], [1, 1, 1, 3], [2, 1, 9, 4], [1, 4, 1, 6], [2, 2, 3, 1], [1, 2, 6, 13],
  [2, 3, 2000, 3], // 6000 rows per term: two linear chunks per term, three layer-norm chunks, one call
  [2, 9, 512, 4], // chunk starts of the two kinds apart: calls cut only where both start
  [3, 8, 1024, 8], // the seed's sequence length: four sequences per chunk, many calls on the pool
  // four sequences at a time (assembly/rnamblock-quad.ts), dims not a multiple of 4, a remainder of sequences
  [2, 5, 7, 5], [1, 6, 3, 13], [1, 4, 5, 1], [2, 4, 33, 2], [1, 7, 1, 9],
  [1, 4, 3000, 3], // quads whose sequences cross linear and layer-norm chunks (runs of rows per slot)
];

const cpu = suite('rnamBlock (fused) vs the unfused ops on the CPU backend: bitwise');

cpu('backward calls are cut only where a linear chunk (per term), a layer-norm chunk and a quad all start', () => {
  assert.equal(backwardCuts(8 * 128, 128, 1024, 4096), Array.from({ length: 257 }, (_, i) => 4 * i));
  assert.equal(backwardCuts(18, 9, 512, 4096), [0, 8, 18]);
  assert.equal(backwardCuts(6, 3, 2000, 4096), [0, 6]);
  assert.equal(backwardCuts(4, 2, 3, 4096), [0, 4]);
  assert.equal(backwardCuts(8, 8, 4096, 4096), [0, 4, 8]); // every sequence is a chunk: quads decide
});

cpu('forward calls are cut only where a quad of one term starts', () => {
  assert.equal(forwardCuts(12, 6), [0, 4, 6, 10, 12]);
  assert.equal(forwardCuts(8, 4), [0, 4, 8]);
  assert.equal(forwardCuts(3, 1), [0, 1, 2, 3]);
});

for (const shape of SHAPES) {
  cpu(`terms ${shape[0]}, batch ${shape[1]}, seq ${shape[2]}, dim ${shape[3]}`, async () => {
    const { block, xs, douts } = setup(rnam.cpu, shape, 7 + shape[2]);
    const fused = await run(rnam.cpu, block, xs, douts, shape, true);
    const unfused = await run(rnam.cpu, block, xs, douts, shape, false);
    assert.equal(Object.keys(fused).sort(), Object.keys(unfused).sort());
    for (const name of Object.keys(unfused)) assertBitwiseEqual(fused[name], unfused[name], `${shape.join('x')} ${name}`);
    // the gradients are not all zero: the comparison means something (with dim 1 the layer norm's output is constant)
    assert.ok(fused['ff.3.bias.grad'].some((v) => v !== 0), 'ff.3.bias.grad is all zero');
    if (shape[3] > 1) assert.ok(fused['gru.to_hidden_and_gate.weight.grad'].some((v) => v !== 0), 'the minGRU weight gradient is all zero');
  });
}

cpu('an input that requires no gradient: the parameter gradients alone, bitwise', async () => {
  const shape: Shape4 = [2, 3, 11, 6];
  const { block, xs, douts } = setup(rnam.cpu, shape, 3);
  const fused = await run(rnam.cpu, block, xs, douts, shape, true, false);
  const unfused = await run(rnam.cpu, block, xs, douts, shape, false, false);
  assert.not.ok('x.grad' in fused);
  for (const name of Object.keys(unfused)) assertBitwiseEqual(fused[name], unfused[name], name);
});

cpu('NaN in the input propagates as on the unfused path', async () => {
  const shape: Shape4 = [1, 2, 4, 5];
  const { block, xs, douts } = setup(rnam.cpu, shape, 5);
  xs[7] = NaN;
  const fused = await run(rnam.cpu, block, xs, douts, shape, true);
  const unfused = await run(rnam.cpu, block, xs, douts, shape, false);
  assert.ok(fused.out.some(Number.isNaN));
  // wasm leaves a NaN's sign and payload unspecified: NaN is compared as NaN, everything else bitwise
  const canonical = (a: Float32Array) => a.map((v) => (Number.isNaN(v) ? NaN : v));
  for (const name of Object.keys(unfused)) assertBitwiseEqual(canonical(fused[name]), canonical(unfused[name]), name);
});

cpu('noGrad forward saves nothing and gives the same output', async () => {
  const shape: Shape4 = [2, 2, 6, 8];
  const { block, xs } = setup(rnam.cpu, shape, 9);
  const x = rnam.tensor(xs, shape);
  const before = rnam.cpu.memoryStats().liveBytes;
  const a = rnam.noGrad(() => block.forward(x));
  assert.is(rnam.cpu.memoryStats().liveBytes - before, xs.length * 4, 'only the output stays allocated');
  const b = rnam.noGrad(() => block.forwardUnfused(x));
  assertBitwiseEqual(await a.toArray(), await b.toArray(), 'out');
});

/**
 * The block with and without lengths: the output gradient is 0 past each sequence's length (what a
 * model reading the last valid step gives), so the valid rows, the input gradient's valid rows and
 * every parameter gradient must not change; the rows past the lengths are 0.
 */
async function withLengths(device: rnam.Backend, shape: Shape4, lengths: number[], seed: number) {
  const [terms, batch, seq, dim] = shape;
  const { block, xs, douts } = setup(device, shape, seed);
  const valid = (g: number, t: number) => t < lengths[g % batch];
  for (let g = 0; g < terms * batch; g++) for (let t = 0; t < seq; t++) if (!valid(g, t)) douts.fill(0, (g * seq + t) * dim, (g * seq + t + 1) * dim);
  const results = [];
  for (const lens of [lengths, null]) {
    block.zeroGrad();
    const x = rnam.tensor(xs, shape, { device, requiresGrad: true });
    const out = block.forward(x, lens);
    out.backward(rnam.tensor(douts, shape, { device }));
    const r: Record<string, Float32Array> = { out: await out.toArray(), 'x.grad': await x.grad!.toArray() };
    for (const [name, p] of block.namedParameters()) r[`${name}.grad`] = await p.grad!.toArray();
    results.push(r);
  }
  const [masked, full] = results;
  const rows = (a: Float32Array, keep: boolean) => a.filter((_, i) => valid(Math.floor(i / (seq * dim)), Math.floor(i / dim) % seq) === keep);
  return { masked, full, rows };
}

for (const [shape, lengths] of [
  [[2, 4, 9, 8], [9, 3, 1, 5]], // one quad per term, lengths differing inside it
  [[2, 6, 7, 5], [2, 7, 4, 1, 6, 3]], // a quad and two sequences on the row path per term, dim not a multiple of 4
  [[1, 4, 3000, 3], [3000, 1200, 5, 2999]], // quads whose valid rows cross linear and layer-norm chunks
  [[3, 8, 1024, 8], [1024, 17, 300, 1, 1024, 512, 2, 999]], // the seed's length, many calls on the pool
] as [Shape4, number[]][]) {
  cpu(`lengths ${lengths.join(',')} of seq ${shape[2]}: the valid rows and every gradient as without lengths, the padding 0`, async () => {
    const { masked, full, rows } = await withLengths(rnam.cpu, shape, lengths, 21 + shape[2]);
    assertBitwiseEqual(rows(masked.out, true), rows(full.out, true), 'out, valid rows');
    assertBitwiseEqual(rows(masked['x.grad'], true), rows(full['x.grad'], true), 'x.grad, valid rows');
    assert.ok(rows(masked.out, false).every((v) => v === 0) && rows(masked['x.grad'], false).every((v) => v === 0), 'the padding is 0');
    for (const name of Object.keys(full).filter((k) => k.endsWith('.grad') && k !== 'x.grad')) {
      // The rows past the lengths added zeros: equal values (a sum of zeros may differ in its sign only).
      full[name].forEach((v, i) => assert.ok(masked[name][i] === v, `${name}[${i}]: ${masked[name][i]} with lengths, ${v} without`));
    }
  });
}

/** Every output of the block's kernels on the CPU backend, with hz (the minGRU kept for backward) or without. */
function kernelsRun(shape: Shape4, lengths: number[] | null, keep: boolean, seed: number): Float32Array[] {
  const [terms, batch, seq, dim] = shape, n = terms * batch * seq * dim, dev = rnam.cpu;
  const gen = new rnam.Generator(seed);
  const made: rnam.DeviceBuffer[] = [];
  const buffer = (values: Float32Array | number) => {
    const b = dev.alloc(typeof values === 'number' ? values : values.length);
    if (typeof values !== 'number') dev.write(b, values);
    made.push(b);
    return b;
  };
  const p = {
    wg: buffer(randomArray(gen, terms * dim * 2 * dim)), lnw: buffer(randomArray(gen, dim)), lnb: buffer(randomArray(gen, dim)),
    w1: buffer(randomArray(gen, terms * dim * dim)), b1: buffer(randomArray(gen, terms * dim)), w2: buffer(randomArray(gen, terms * dim * dim)), b2: buffer(randomArray(gen, terms * dim)),
  };
  const x = buffer(randomArray(gen, n, -2, 2)), dout = buffer(randomArray(gen, n)), h = buffer(n), out = buffer(n);
  const lens = lengths ? buffer(Float32Array.from({ length: terms * batch }, (_, g) => lengths[g % batch])) : null;
  const hz = keep ? buffer(2 * n) : null;
  const common = { lengths: lens, hz, terms, batch, seq, dim, eps: 1e-5 };
  dev.rnam_block_forward({ x, ...p, h, out, ...common });
  const grads = { dx: buffer(n), dwg: buffer(terms * dim * 2 * dim), dlnw: buffer(dim), dlnb: buffer(dim), dw1: buffer(terms * dim * dim), db1: buffer(terms * dim), dw2: buffer(terms * dim * dim), db2: buffer(terms * dim) };
  dev.rnam_block_backward({ x, h, dout, wg: p.wg, lnw: p.lnw, lnb: p.lnb, w1: p.w1, b1: p.b1, w2: p.w2, ...grads, ...common });
  const results = [h, out, ...Object.values(grads)].map((b) => dev.readSync(b).slice());
  for (const b of made) dev.free(b);
  return results;
}

for (const [shape, lengths] of [
  [[2, 6, 9, 8], null], [[1, 7, 5, 5], [5, 2, 1, 4, 3, 5, 1]], [[3, 8, 1024, 8], null], [[1, 4, 3000, 3], [3000, 1200, 5, 2999]],
] as [Shape4, number[] | null][]) {
  cpu(`the minGRU kept for backward (hz) or recomputed there: the same bits (${shape.join('x')}${lengths ? ', lengths' : ''})`, () => {
    const kept = kernelsRun(shape, lengths, true, 41), recomputed = kernelsRun(shape, lengths, false, 41);
    const names = ['h', 'out', 'dx', 'dwg', 'dlnw', 'dlnb', 'dw1', 'db1', 'dw2', 'db2'];
    kept.forEach((r, i) => assertBitwiseEqual(r, recomputed[i], names[i]));
    assert.ok(kept[3].some((v) => v !== 0), 'dwg is not all zero');
  });
}

cpu('a wrong input shape is named (the unfused path reports it)', () => {
  const block = new rnam.RNAMBlock(2, 4);
  assert.throws(() => block.forward(rnam.zeros([2, 3, 5, 3])), /input/);
});

cpu.run();

await forEachBackend('rnamBlock (fused) vs the unfused ops, close', (gpu, device) => {
  for (const shape of [[2, 3, 5, 8], [3, 2, 7, 5], [1, 1, 1, 3], [2, 9, 300, 4]] as Shape4[]) {
    gpu(`terms ${shape[0]}, batch ${shape[1]}, seq ${shape[2]}, dim ${shape[3]}`, async () => {
      const { block, xs, douts } = setup(device, shape, 11 + shape[2]);
      const fused = await run(device, block, xs, douts, shape, true);
      const unfused = await run(device, block, xs, douts, shape, false);
      for (const name of Object.keys(unfused)) assertClose(fused[name], unfused[name], `${shape.join('x')} ${name}`, 1e-4, 1e-4);
    });
  }
  gpu('lengths: the valid rows and every gradient as without lengths, the padding 0', async () => {
    const { masked, full, rows } = await withLengths(device, [2, 6, 7, 5], [2, 7, 4, 1, 6, 3], 31);
    assertClose(rows(masked.out, true), rows(full.out, true), 'out, valid rows', 1e-6, 1e-6);
    assert.ok(rows(masked.out, false).every((v) => v === 0) && rows(masked['x.grad'], false).every((v) => v === 0), 'the padding is 0');
    assertClose(rows(masked['x.grad'], true), rows(full['x.grad'], true), 'x.grad, valid rows', 1e-5, 1e-5);
    for (const name of Object.keys(full).filter((k) => k.endsWith('.grad') && k !== 'x.grad')) assertClose(masked[name], full[name], name, 1e-5, 1e-5);
  });
}, { kinds: ['webgpu'] });
