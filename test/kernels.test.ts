// Every kernel against its float64 reference, on many random shapes (1s, odd sizes, sizes that are
// not multiples of 4, so SIMD tails run), on every available backend.
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { Generator } from '../src/index.js';
import { availableBackends } from './helpers/backends.js';
import { Buffers } from './helpers/buffers.js';
import { linearRef, linearBackwardRef, mingruRef, mingruBackwardRef } from './helpers/reference.js';
import { randomArray, assertClose } from './helpers/util.js';

const DIMS = [1, 2, 3, 4, 5, 7, 8, 9, 12, 16, 17];
const pick = <T>(gen: Generator, xs: readonly T[]): T => xs[gen.int(xs.length)];

for (const dev of await availableBackends()) {
  const test = suite(`kernels on ${dev.description}`);

  test('linear_forward matches the float64 reference (80 shapes, with and without bias)', async () => {
    const gen = new Generator(11);
    const bufs = new Buffers(dev);
    for (let c = 0; c < 80; c++) {
      const terms = pick(gen, [1, 2, 3, 8]), rows = 1 + gen.int(40), inDim = pick(gen, DIMS), outDim = pick(gen, DIMS);
      const withBias = c % 2 === 0;
      const x = randomArray(gen, terms * rows * inDim), w = randomArray(gen, terms * inDim * outDim);
      const b = withBias ? randomArray(gen, terms * outDim) : null;
      const y = bufs.output(terms * rows * outDim);
      dev.linear_forward(bufs.upload(x), bufs.upload(w), b ? bufs.upload(b) : null, y, terms, rows, inDim, outDim);
      assertClose(await bufs.read(y), linearRef(x, w, b, terms, rows, inDim, outDim),
        `linear_forward terms=${terms} rows=${rows} in=${inDim} out=${outDim} bias=${withBias}`, 1e-5, 1e-6);
      bufs.freeAll();
    }
  });

  test('linear_backward matches the float64 reference, each output optional', async () => {
    const gen = new Generator(12);
    const bufs = new Buffers(dev);
    for (let c = 0; c < 80; c++) {
      const terms = pick(gen, [1, 2, 3, 8]), rows = 1 + gen.int(40), inDim = pick(gen, DIMS), outDim = pick(gen, DIMS);
      const x = randomArray(gen, terms * rows * inDim), w = randomArray(gen, terms * inDim * outDim);
      const dy = randomArray(gen, terms * rows * outDim);
      const want = linearBackwardRef(x, w, dy, terms, rows, inDim, outDim);
      const mask = c % 8; // every subset of {dx, dw, db} appears
      const dx = mask & 1 ? null : bufs.output(x.length);
      const dw = mask & 2 ? null : bufs.output(w.length);
      const db = mask & 4 ? null : bufs.output(terms * outDim);
      dev.linear_backward(bufs.upload(x), bufs.upload(w), bufs.upload(dy), dx, dw, db, terms, rows, inDim, outDim);
      const what = `linear_backward terms=${terms} rows=${rows} in=${inDim} out=${outDim}`;
      if (dx) assertClose(await bufs.read(dx), want.dx, `${what} dx`, 1e-5, 1e-5);
      if (dw) assertClose(await bufs.read(dw), want.dw, `${what} dw`, 1e-5, 1e-5);
      if (db) assertClose(await bufs.read(db), want.db, `${what} db`, 1e-5, 1e-5);
      bufs.freeAll();
    }
  });

  test('mingru_scan_forward and _backward match the float64 reference, with and without h0', async () => {
    const gen = new Generator(13);
    const bufs = new Buffers(dev);
    for (let c = 0; c < 80; c++) {
      const groups = 1 + gen.int(6), seq = pick(gen, [1, 2, 3, 5, 8, 17, 40]), dim = pick(gen, DIMS);
      const hg = randomArray(gen, groups * seq * 2 * dim, -3, 3);
      const h0 = c % 2 ? randomArray(gen, groups * dim, -1, 1) : null;
      const dhArr = randomArray(gen, groups * seq * dim);
      const what = `mingru groups=${groups} seq=${seq} dim=${dim} h0=${h0 !== null}`;
      const hgB = bufs.upload(hg), h0B = h0 ? bufs.upload(h0) : null;
      const h = bufs.output(groups * seq * dim);
      dev.mingru_scan_forward(hgB, h0B, h, groups, seq, dim);
      assertClose(await bufs.read(h), mingruRef(hg, h0, groups, seq, dim), `${what} forward`, 1e-5, 1e-6);
      const dhg = bufs.output(hg.length), dh0 = h0 ? bufs.output(h0.length) : null;
      dev.mingru_scan_backward(hgB, h0B, h, bufs.upload(dhArr), dhg, dh0, groups, seq, dim);
      const want = mingruBackwardRef(hg, h0, dhArr, groups, seq, dim);
      assertClose(await bufs.read(dhg), want.dhg, `${what} dhg`, 1e-4, 1e-5);
      if (dh0) assertClose(await bufs.read(dh0), want.dh0, `${what} dh0`, 1e-4, 1e-5);
      bufs.freeAll();
    }
  });

  test('mingru kernels stay finite and exact at extreme pre-activations', async () => {
    const bufs = new Buffers(dev);
    const dim = 5, seq = 4;
    const hg = Float32Array.from([-200, -90, -20, 0, 30, 200, 90, -0.5, 20, -200,
      1e-8, -1e-8, 88, -88, 50, -50, 3, -3, 100, -100,
      0, 0, 0, 0, 0, 1, 2, 3, 4, 5,
      -1, -2, -3, -4, -5, 60, -60, 70, -70, 0]);
    const h = bufs.output(seq * dim);
    dev.mingru_scan_forward(bufs.upload(hg), null, h, 1, seq, dim);
    const out = await bufs.read(h);
    assert.ok(out.every(Number.isFinite), `non-finite output ${out}`);
    assertClose(out, mingruRef(hg, null, 1, seq, dim), 'extreme forward', 1e-5, 1e-6);
    bufs.freeAll();
  });

  test('fill, add, copy_rows and count_nonfinite', async () => {
    const gen = new Generator(14);
    const bufs = new Buffers(dev);
    for (const n of [1, 3, 4, 7, 33]) {
      const out = bufs.output(n);
      dev.fill(out, n, 2.5);
      assert.ok((await bufs.read(out)).every((v) => v === 2.5), `fill n=${n}`);
      const a = randomArray(gen, n), b = randomArray(gen, n);
      const sum = bufs.output(n);
      dev.add(bufs.upload(a), bufs.upload(b), sum, n);
      assert.equal([...(await bufs.read(sum))], [...a].map((v, i) => Math.fround(v + b[i])), `add n=${n}`);
    }
    // copy_rows: rows 1..2 of each (outer=2, n=4, inner=3) block into rows 0..1 of (2, 3, 3).
    const src = Float32Array.from({ length: 24 }, (_, i) => i);
    const dst = bufs.upload(new Float32Array(18).fill(-1));
    dev.copy_rows(bufs.upload(src), dst, 2, 4, 3, 3, 1, 0, 2);
    assert.equal([...(await bufs.read(dst))], [3, 4, 5, 6, 7, 8, -1, -1, -1, 15, 16, 17, 18, 19, 20, -1, -1, -1]);
    const bad = bufs.upload(Float32Array.from([1, NaN, 2, Infinity, -Infinity, 0]));
    assert.is(await dev.count_nonfinite(bad, 6), 3);
    bufs.freeAll();
  });

  test.run();
}
