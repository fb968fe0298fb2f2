// Every kernel against its float64 reference, on many random shapes (1s, odd sizes, sizes that are
// not multiples of 4, so SIMD tails run), on every available backend.
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { Generator } from '../src/index.js';
import { forEachBackend } from './helpers/backends.js';
import { Buffers } from './helpers/buffers.js';
import { linearRef, linearBackwardRef, mingruRef, mingruBackwardRef, layerNormRef, unaryRef, binaryRef, adamRef } from './helpers/reference.js';
import { randomArray, assertClose, assertBitwiseEqual } from './helpers/util.js';

const DIMS = [1, 2, 3, 4, 5, 7, 8, 9, 12, 16, 17];
const pick = <T>(gen: Generator, xs: readonly T[]): T => xs[gen.int(xs.length)];

await forEachBackend('kernels', async (test, dev) => {

  test('linear_forward matches the float64 reference (80 shapes, with and without bias)', async () => {
    const gen = new Generator(11);
    const bufs = new Buffers(dev);
    for (let c = 0; c < 80; c++) {
      const terms = pick(gen, [1, 2, 3, 8]), rows = 1 + gen.int(40), inDim = pick(gen, DIMS), outDim = pick(gen, DIMS);
      const withBias = c % 2 === 0;
      const x = randomArray(gen, terms * rows * inDim), w = randomArray(gen, terms * inDim * outDim);
      const b = withBias ? randomArray(gen, terms * outDim) : null;
      const y = bufs.output(terms * rows * outDim);
      dev.linear_forward({ x: bufs.upload(x), w: bufs.upload(w), b: b ? bufs.upload(b) : null, y, terms, rows, inDim, outDim });
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
      dev.linear_backward({ x: bufs.upload(x), w: bufs.upload(w), dy: bufs.upload(dy), dx, dw, db, terms, rows, inDim, outDim });
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
      dev.mingru_scan_forward({ hg: hgB, h0: h0B, h, lengths: null, groups, seq, dim });
      assertClose(await bufs.read(h), mingruRef(hg, h0, groups, seq, dim), `${what} forward`, 1e-5, 1e-6);
      const dhg = bufs.output(hg.length), dh0 = h0 ? bufs.output(h0.length) : null;
      dev.mingru_scan_backward({ hg: hgB, h0: h0B, h, dh: bufs.upload(dhArr), dhg, dh0, lengths: null, groups, seq, dim });
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
    dev.mingru_scan_forward({ hg: bufs.upload(hg), h0: null, h, lengths: null, groups: 1, seq, dim });
    const out = await bufs.read(h);
    assert.ok(out.every(Number.isFinite), `non-finite output ${out}`);
    assertClose(out, mingruRef(hg, null, 1, seq, dim), 'extreme forward', 1e-5, 1e-6);
    bufs.freeAll();
  });

  test('layer_norm_forward and _backward match the float64 reference, with and without affine', async () => {
    const gen = new Generator(15);
    const bufs = new Buffers(dev);
    for (let c = 0; c < 40; c++) {
      const rows = 1 + gen.int(50), dim = pick(gen, DIMS), affine = c % 2 === 0;
      const x = randomArray(gen, rows * dim, -3, 3), w = affine ? randomArray(gen, dim) : null, b = affine ? randomArray(gen, dim) : null;
      const dy = randomArray(gen, rows * dim);
      const what = `layer_norm rows=${rows} dim=${dim} affine=${affine}`;
      const want = layerNormRef(x, w, b, rows, dim, 1e-5);
      const xb = bufs.upload(x), wb = w ? bufs.upload(w) : null, bb = b ? bufs.upload(b) : null;
      const y = bufs.output(x.length), mean = bufs.output(rows), rstd = bufs.output(rows);
      dev.layer_norm_forward({ x: xb, w: wb, b: bb, y, mean, rstd, rows, dim, eps: 1e-5 });
      assertClose(await bufs.read(y), want.y, `${what} y`, 1e-4, 1e-5);
      // gradients by central differences of the float64 reference
      const objective = (xs: ArrayLike<number>, ws: ArrayLike<number> | null, bs: ArrayLike<number> | null) =>
        layerNormRef(xs, ws, bs, rows, dim, 1e-5).y.reduce((s, v, i) => s + v * dy[i], 0);
      const numeric = (at: Float32Array, f: (v: Float64Array) => number) => Float64Array.from(at, (_, i) => {
        const v = Float64Array.from(at), h = 1e-6;
        v[i] += h; const up = f(v); v[i] -= 2 * h;
        return (up - f(v)) / (2 * h);
      });
      const dx = bufs.output(x.length), dw = affine ? bufs.output(dim) : null, db = affine ? bufs.output(dim) : null;
      dev.layer_norm_backward({ x: xb, w: wb, mean, rstd, dy: bufs.upload(dy), dx, dw, db, rows, dim, eps: 1e-5 });
      assertClose(await bufs.read(dx), numeric(x, (v) => objective(v, w, b)), `${what} dx`, 1e-3, 1e-4);
      if (dw) assertClose(await bufs.read(dw), numeric(w!, (v) => objective(x, v, b)), `${what} dw`, 1e-3, 1e-4);
      if (db) assertClose(await bufs.read(db), numeric(b!, (v) => objective(x, w, v)), `${what} db`, 1e-3, 1e-4);
      bufs.freeAll();
    }
  });

  test('unary_forward and _backward: every op against float64', async () => {
    const gen = new Generator(16);
    const bufs = new Buffers(dev);
    for (const [op, [f, df]] of unaryRef.entries()) {
      for (const n of [1, 3, 4, 9, 33]) {
        const positive = op === 4 || op === 6; // log, sqrt
        const x = randomArray(gen, n, positive ? 0.1 : -4, 4), dy = randomArray(gen, n);
        const xb = bufs.upload(x), y = bufs.output(n), dx = bufs.output(n);
        dev.unary_forward({ x: xb, y, n, op });
        dev.unary_backward({ x: xb, y, dy: bufs.upload(dy), dx, n, op });
        assertClose(await bufs.read(y), Array.from(x, f), `unary op ${op} n=${n} forward`, 1e-5, 1e-6);
        assertClose(await bufs.read(dx), Array.from(x, (v, i) => df(v) * dy[i]), `unary op ${op} n=${n} backward`, 1e-4, 1e-5);
      }
    }
    bufs.freeAll();
  });

  test('binary_forward and _backward, affine_scalar: every op against float64', async () => {
    const gen = new Generator(17);
    const bufs = new Buffers(dev);
    for (const [op, [f, dfa, dfb]] of binaryRef.entries()) {
      for (const n of [1, 4, 7, 33]) {
        const a = randomArray(gen, n), b = randomArray(gen, n, 0.5, 2), dy = randomArray(gen, n);
        const ab = bufs.upload(a), bb = bufs.upload(b), y = bufs.output(n), da = bufs.output(n), db = bufs.output(n);
        dev.binary_forward({ a: ab, b: bb, out: y, n, op });
        dev.binary_backward({ a: ab, b: bb, dy: bufs.upload(dy), da, db, n, op });
        assertClose(await bufs.read(y), Array.from(a, (v, i) => f(v, b[i])), `binary op ${op} forward`, 1e-6, 1e-7);
        assertClose(await bufs.read(da), Array.from(a, (v, i) => dfa(v, b[i]) * dy[i]), `binary op ${op} da`, 1e-5, 1e-6);
        assertClose(await bufs.read(db), Array.from(a, (v, i) => dfb(v, b[i]) * dy[i]), `binary op ${op} db`, 1e-5, 1e-6);
      }
    }
    const x = randomArray(gen, 13), out = bufs.output(13);
    dev.affine_scalar({ x: bufs.upload(x), out, n: 13, scale: -1.5, shift: 0.25 });
    assertClose(await bufs.read(out), Array.from(x, (v) => v * -1.5 + 0.25), 'affine_scalar', 1e-6, 1e-7);
    bufs.freeAll();
  });

  test('sum_all, sum_rows, add_row_vector, mse, sum_squares_accumulate and clip_scale', async () => {
    const gen = new Generator(18);
    const bufs = new Buffers(dev);
    for (const [rows, inner] of [[1, 1], [3, 5], [7, 8], [33, 3]]) {
      const x = randomArray(gen, rows * inner), v = randomArray(gen, inner), t = randomArray(gen, rows * inner);
      const xb = bufs.upload(x), s = bufs.output(1), sr = bufs.output(inner), y = bufs.output(rows * inner);
      dev.sum_all({ x: xb, out: s, n: x.length });
      assertClose(await bufs.read(s), [x.reduce((a, b) => a + b, 0)], `sum_all ${rows}x${inner}`, 1e-5, 1e-6);
      dev.sum_rows({ x: xb, y: sr, rows, inner });
      assertClose(await bufs.read(sr), Array.from(v, (_, i) => { let a = 0; for (let r = 0; r < rows; r++) a += x[r * inner + i]; return a; }), 'sum_rows', 1e-5, 1e-6);
      dev.add_row_vector({ x: xb, v: bufs.upload(v), y, rows, inner });
      assertClose(await bufs.read(y), Array.from(x, (xv, i) => xv + v[i % inner]), 'add_row_vector', 1e-6, 1e-7);
      const loss = bufs.output(1), g = bufs.upload(Float32Array.of(0.5)), da = bufs.output(x.length), db = bufs.output(x.length);
      const tb = bufs.upload(t);
      dev.mse_forward({ a: xb, b: tb, out: loss, n: x.length });
      assertClose(await bufs.read(loss), [x.reduce((a, xv, i) => a + (xv - t[i]) ** 2, 0) / x.length], 'mse_forward', 1e-5, 1e-7);
      dev.mse_backward({ a: xb, b: tb, dOut: g, da, db, n: x.length });
      assertClose(await bufs.read(da), Array.from(x, (xv, i) => (2 * (xv - t[i]) * 0.5) / x.length), 'mse_backward da', 1e-5, 1e-7);
      assertClose(await bufs.read(db), Array.from(x, (xv, i) => (-2 * (xv - t[i]) * 0.5) / x.length), 'mse_backward db', 1e-5, 1e-7);
      const acc = bufs.upload(Float32Array.of(1));
      dev.sum_squares_accumulate({ x: xb, acc, n: x.length });
      const sq = 1 + x.reduce((a, xv) => a + xv * xv, 0);
      assertClose(await bufs.read(acc), [sq], 'sum_squares_accumulate', 1e-5, 1e-7);
      const clipped = bufs.upload(x);
      dev.clip_scale({ g: clipped, n: x.length, sumSq: acc, maxNorm: 0.5 });
      const coef = Math.min(1, 0.5 / (Math.sqrt(sq) + 1e-6));
      assertClose(await bufs.read(clipped), Array.from(x, (xv) => xv * coef), 'clip_scale', 1e-5, 1e-7);
    }
    bufs.freeAll();
  });

  test('flag_nonfinite keeps the first mark; sgd_step and adam_step with a set skip flag leave every bit', async () => {
    const gen = new Generator(23);
    const bufs = new Buffers(dev);
    for (const n of [1, 7, 300, 70000]) {
      const flag = bufs.upload(Float32Array.of(0));
      const clean = randomArray(gen, n), bad = randomArray(gen, n), worse = randomArray(gen, n);
      bad[gen.int(n)] = NaN;
      worse[gen.int(n)] = -Infinity;
      dev.flag_nonfinite({ x: bufs.upload(clean), flag, n, mark: 1 });
      assert.equal(Array.from(await bufs.read(flag)), [0], `flag_nonfinite n=${n}: finite values leave the flag at 0`);
      dev.flag_nonfinite({ x: bufs.upload(bad), flag, n, mark: 2 });
      dev.flag_nonfinite({ x: bufs.upload(worse), flag, n, mark: 3 });
      assert.equal(Array.from(await bufs.read(flag)), [2], `flag_nonfinite n=${n}: the first mark stays`);
      const infOnly = bufs.upload(Float32Array.of(0));
      dev.flag_nonfinite({ x: bufs.upload(worse), flag: infOnly, n, mark: 5 });
      assert.equal(Array.from(await bufs.read(infOnly)), [5], `flag_nonfinite n=${n}: an infinity is flagged`);
      const p = randomArray(gen, n), ps = bufs.upload(p), pa = bufs.upload(p), buf = bufs.upload(p);
      const m = bufs.upload(p), v = bufs.upload(Float32Array.from(p, Math.abs)), g = bufs.upload(bad);
      dev.sgd_step({ p: ps, g, buf, skip: flag, n, lr: 0.1, momentum: 0.9, dampening: 0, weightDecay: 0.01, nesterov: true, firstStep: false });
      dev.adam_step({ p: pa, g, m, v, skip: flag, n, lr: 0.1, beta1: 0.9, beta2: 0.999, eps: 1e-8, weightDecay: 0.01, decoupled: true, stepSize: 0.1, bc2Sqrt: 0.5 });
      for (const [name, b, want] of [['sgd p', ps, p], ['sgd buf', buf, p], ['adam p', pa, p], ['adam m', m, p], ['adam v', v, Float32Array.from(p, Math.abs)]] as const) {
        assertBitwiseEqual(await bufs.read(b), want, `${name} n=${n} with the skip flag set`);
      }
      const zero = bufs.upload(Float32Array.of(0));
      dev.sgd_step({ p: ps, g: bufs.upload(clean), buf, skip: zero, n, lr: 0.1, momentum: 0, dampening: 0, weightDecay: 0, nesterov: false, firstStep: false });
      assertClose(await bufs.read(ps), Array.from(p, (pv, i) => pv - 0.1 * clean[i]), `sgd n=${n} with the skip flag at 0 steps`, 1e-6, 1e-7);
    }
    bufs.freeAll();
  });

  test('adam_step (Adam and AdamW, several steps) and sgd_step (momentum, Nesterov) against float64', async () => {
    const gen = new Generator(19);
    const bufs = new Buffers(dev);
    for (const decoupled of [false, true]) {
      const n = 37, o = { lr: 1e-2, beta1: 0.9, beta2: 0.999, eps: 1e-8, weightDecay: decoupled ? 1e-2 : 1e-3, decoupled };
      let p: ArrayLike<number> = randomArray(gen, n), m: ArrayLike<number> = new Float64Array(n), v: ArrayLike<number> = new Float64Array(n);
      const pb = bufs.upload(Float32Array.from(p)), mb = bufs.upload(new Float32Array(n)), vb = bufs.upload(new Float32Array(n));
      for (let step = 1; step <= 5; step++) {
        const g = randomArray(gen, n);
        ({ p, m, v } = adamRef(p, g, m, v, step, o));
        dev.adam_step({ p: pb, g: bufs.upload(g), m: mb, v: vb, skip: null, n, lr: o.lr, beta1: o.beta1, beta2: o.beta2, eps: o.eps, weightDecay: o.weightDecay, decoupled, stepSize: o.lr / (1 - o.beta1 ** step), bc2Sqrt: Math.sqrt(1 - o.beta2 ** step) });
      }
      assertClose(await bufs.read(pb), p, `adam decoupled=${decoupled} params`, 1e-5, 1e-6);
      assertClose(await bufs.read(mb), m, `adam decoupled=${decoupled} m`, 1e-5, 1e-6);
      assertClose(await bufs.read(vb), v, `adam decoupled=${decoupled} v`, 1e-5, 1e-7);
    }
    for (const nesterov of [false, true]) {
      const n = 9, lr = 0.1, mom = 0.9, damp = nesterov ? 0 : 0.1, wd = 0.01;
      const p = Float64Array.from(randomArray(gen, n)), buf = new Float64Array(n);
      const pb = bufs.upload(Float32Array.from(p)), bb = bufs.output(n);
      for (let step = 1; step <= 3; step++) {
        const g = randomArray(gen, n);
        for (let i = 0; i < n; i++) {
          const d = g[i] + wd * p[i];
          buf[i] = step === 1 ? d : mom * buf[i] + (1 - damp) * d;
          p[i] -= lr * (nesterov ? d + mom * buf[i] : buf[i]);
        }
        dev.sgd_step({ p: pb, g: bufs.upload(g), buf: bb, skip: null, n, lr, momentum: mom, dampening: damp, weightDecay: wd, nesterov, firstStep: step === 1 });
      }
      assertClose(await bufs.read(pb), p, `sgd nesterov=${nesterov}`, 1e-5, 1e-6);
    }
    bufs.freeAll();
  });

  test('fill, binary add, copy_rows (with broadcast), copy_rows_indexed and count_nonfinite', async () => {
    const gen = new Generator(14);
    const bufs = new Buffers(dev);
    for (const n of [1, 3, 4, 7, 33]) {
      const out = bufs.output(n);
      dev.fill({ out, n, value: 2.5 });
      assert.ok((await bufs.read(out)).every((v) => v === 2.5), `fill n=${n}`);
      const a = randomArray(gen, n), b = randomArray(gen, n);
      const sum = bufs.output(n);
      dev.binary_forward({ a: bufs.upload(a), b: bufs.upload(b), out: sum, n, op: 0 });
      assert.equal([...(await bufs.read(sum))], [...a].map((v, i) => Math.fround(v + b[i])), `add n=${n}`);
    }
    // copy_rows: rows 1..2 of each (outer=2, n=4, inner=3) block into rows 0..1 of (2, 3, 3).
    const src = Float32Array.from({ length: 24 }, (_, i) => i);
    const dst = bufs.upload(new Float32Array(18).fill(-1));
    dev.copy_rows({ src: bufs.upload(src), dst, outer: 2, srcN: 4, dstN: 3, inner: 3, srcStart: 1, dstStart: 0, count: 2 });
    assert.equal([...(await bufs.read(dst))], [3, 4, 5, 6, 7, 8, -1, -1, -1, 15, 16, 17, 18, 19, 20, -1, -1, -1]);
    const row = bufs.upload(Float32Array.of(1, 2)), rep = bufs.output(6);
    dev.copy_rows({ src: row, dst: rep, outer: 3, srcN: 0, dstN: 1, inner: 2, srcStart: 0, dstStart: 0, count: 1 });
    assert.equal([...(await bufs.read(rep))], [1, 2, 1, 2, 1, 2], 'copy_rows broadcast');
    // copy_rows_indexed: rows 3, 0, 2 of each (outer=2, n=4, inner=3) block, then scattered into rows 1, 3, 0 of a (2, 4, 3) buffer.
    const gathered = bufs.output(18);
    dev.copy_rows_indexed({ src: bufs.upload(src), dst: gathered, index: bufs.upload(Float32Array.of(3, 0, 2)), outer: 2, n: 4, rows: 3, inner: 3, scatter: false });
    assert.equal([...(await bufs.read(gathered))], [9, 10, 11, 0, 1, 2, 6, 7, 8, 21, 22, 23, 12, 13, 14, 18, 19, 20], 'copy_rows_indexed gather');
    const scattered = bufs.upload(new Float32Array(24).fill(-1));
    dev.copy_rows_indexed({ src: gathered, dst: scattered, index: bufs.upload(Float32Array.of(1, 3, 0)), outer: 2, n: 4, rows: 3, inner: 3, scatter: true });
    assert.equal([...(await bufs.read(scattered))], [6, 7, 8, 9, 10, 11, -1, -1, -1, 0, 1, 2, 18, 19, 20, 21, 22, 23, -1, -1, -1, 12, 13, 14], 'copy_rows_indexed scatter, other rows kept');
    const bad = bufs.upload(Float32Array.from([1, NaN, 2, Infinity, -Infinity, 0]));
    assert.is(await dev.count_nonfinite({ a: bad, n: 6 }), 3);
    bufs.freeAll();
  });

});
