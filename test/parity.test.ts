// wasm vs WebGPU parity: every Backend kernel on hundreds of random shapes (odd sizes, 1s, shapes
// large enough for the split reductions), forward and backward, the same inputs on both backends,
// results equal within float32 tolerance. Both minGRU paths (one invocation per sequence, and the
// chunked scan) are forced in turn. Ends with training steps of a FirstOrderRNAM on both backends.
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import * as rnam from '../src/index.js';
import { opCases } from './helpers/op-cases.js';
import type { Backend, DeviceBuffer } from '../src/index.js';
import { webgpuBackend, reportUnavailable } from './helpers/backends.js';
import { Buffers } from './helpers/buffers.js';
import { assertClose, randomArray } from './helpers/util.js';
import { implicitGpuLimits } from '../src/backend/webgpu/plans/implicit.js';

const gpuOrReason = await webgpuBackend();

if (typeof gpuOrReason === 'string') {
  reportUnavailable('parity (wasm vs WebGPU)', gpuOrReason);
} else {
  const gpu = gpuOrReason;
  const cpu = rnam.cpu;
  const test = suite(`parity: wasm vs ${gpu.description}`);
  const covered = new Set<string>();
  const DIMS = [1, 2, 3, 4, 5, 7, 8, 9, 12, 16, 17, 33];
  const pick = <T>(gen: rnam.Generator, xs: readonly T[]): T => xs[gen.int(xs.length)];

  /**
   * Runs `kernel` on both backends with the same inputs and compares every output. `run` gets the
   * device and a Buffers helper and returns the output buffers to compare, by name.
   */
  async function compare(what: string, run: (dev: Backend, bufs: Buffers) => Record<string, DeviceBuffer | null>,
    rtol = 1e-4, atol = 1e-5): Promise<void> {
    const results: Record<string, Float32Array>[] = [];
    for (const dev of [cpu, gpu]) {
      const bufs = new Buffers(dev);
      const outs = run(dev, bufs);
      const read: Record<string, Float32Array> = {};
      for (const [name, b] of Object.entries(outs)) if (b) read[name] = await bufs.read(b);
      results.push(read);
      bufs.freeAll();
    }
    const [want, got] = results;
    for (const name of Object.keys(want)) assertClose(got[name], want[name], `${what} ${name}`, rtol, atol);
  }

  test('linear_forward and linear_backward: 120 shapes, bias and every gradient subset, split-K dw', async () => {
    covered.add('linear_forward').add('linear_backward');
    const gen = new rnam.Generator(101);
    for (let c = 0; c < 120; c++) {
      const big = c % 20 === 19; // rows > 2048: the dw and db reductions split over rows
      const terms = pick(gen, [1, 2, 3, 8]), rows = big ? 2049 + gen.int(3000) : 1 + gen.int(70);
      const inDim = pick(gen, DIMS), outDim = pick(gen, DIMS);
      const x = randomArray(gen, terms * rows * inDim), w = randomArray(gen, terms * inDim * outDim);
      const b = c % 2 ? randomArray(gen, terms * outDim) : null, dy = randomArray(gen, terms * rows * outDim);
      const mask = c % 8;
      const what = `linear terms=${terms} rows=${rows} in=${inDim} out=${outDim}`;
      await compare(what, (dev, bufs) => {
        const y = bufs.output(terms * rows * outDim);
        const xb = bufs.upload(x), wb = bufs.upload(w);
        dev.linear_forward({ x: xb, w: wb, b: b ? bufs.upload(b) : null, y, terms, rows, inDim, outDim });
        const dx = mask & 1 ? null : bufs.output(x.length), dw = mask & 2 ? null : bufs.output(w.length);
        const db = mask & 4 ? null : bufs.output(terms * outDim);
        dev.linear_backward({ x: xb, w: wb, dy: bufs.upload(dy), dx, dw, db, terms, rows, inDim, outDim });
        return { y, dx, dw, db };
      }, 1e-4, big ? 1e-3 : 1e-5);
    }
  });

  for (const mode of ['sequential', 'chunked'] as const) {
    test(`mingru_scan_forward and _backward, ${mode} path: 80 shapes, with and without h0, dh0 and lengths`, async () => {
      covered.add('mingru_scan_forward').add('mingru_scan_backward');
      gpu.mingruScanMode = mode;
      try {
        const gen = new rnam.Generator(mode === 'sequential' ? 102 : 103);
        for (let c = 0; c < 80; c++) {
          const groups = 1 + gen.int(6), seq = pick(gen, [1, 2, 3, 5, 8, 17, 40, 100, 333]), dim = pick(gen, DIMS);
          const hg = randomArray(gen, groups * seq * 2 * dim, -4, 4);
          const h0 = c % 2 ? randomArray(gen, groups * dim) : null, dh = randomArray(gen, groups * seq * dim);
          const wantDh0 = c % 4 < 2;
          const lens = c % 3 === 2 ? Float32Array.from({ length: groups }, () => 1 + gen.int(seq)) : null;
          await compare(`mingru ${mode} groups=${groups} seq=${seq} dim=${dim} h0=${!!h0} lengths=${lens ? [...lens] : '-'}`, (dev, bufs) => {
            const hgB = bufs.upload(hg), h0B = h0 ? bufs.upload(h0) : null, h = bufs.output(groups * seq * dim);
            const lengths = lens ? bufs.upload(lens) : null;
            dev.mingru_scan_forward({ hg: hgB, h0: h0B, h, lengths, groups, seq, dim });
            const dhg = bufs.output(hg.length), dh0 = wantDh0 ? bufs.output(groups * dim) : null;
            dev.mingru_scan_backward({ hg: hgB, h0: h0B, h, dh: bufs.upload(dh), dhg, dh0, lengths, groups, seq, dim });
            return { h, dhg, dh0 };
          }, 1e-4, 1e-5);
        }
      } finally {
        gpu.mingruScanMode = 'auto';
      }
    });
  }

  test('mingru: batch 1 with a long sequence (the chunked scan\'s case) and the auto choice', async () => {
    const gen = new rnam.Generator(104);
    for (const mode of ['auto', 'chunked', 'sequential'] as const) {
      gpu.mingruScanMode = mode;
      try {
        const groups = 1, seq = 4096, dim = 8;
        const hg = randomArray(gen, groups * seq * 2 * dim, -3, 3), dh = randomArray(gen, groups * seq * dim);
        const h0 = randomArray(gen, dim);
        await compare(`mingru ${mode} long sequence`, (dev, bufs) => {
          const hgB = bufs.upload(hg), h0B = bufs.upload(h0), h = bufs.output(seq * dim);
          dev.mingru_scan_forward({ hg: hgB, h0: h0B, h, lengths: null, groups, seq, dim });
          const dhg = bufs.output(hg.length), dh0 = bufs.output(dim);
          dev.mingru_scan_backward({ hg: hgB, h0: h0B, h, dh: bufs.upload(dh), dhg, dh0, lengths: null, groups, seq, dim });
          return { h, dhg, dh0 };
        }, 1e-3, 1e-4);
      } finally {
        gpu.mingruScanMode = 'auto';
      }
    }
  });

  test('layer_norm_forward and _backward: 60 shapes, with and without affine, split dw/db', async () => {
    covered.add('layer_norm_forward').add('layer_norm_backward');
    const gen = new rnam.Generator(105);
    for (let c = 0; c < 60; c++) {
      const rows = c % 15 === 14 ? 2049 + gen.int(2000) : 1 + gen.int(60), dim = pick(gen, DIMS), affine = c % 2 === 0;
      const x = randomArray(gen, rows * dim, -3, 3), w = affine ? randomArray(gen, dim) : null, b = affine ? randomArray(gen, dim) : null;
      const dy = randomArray(gen, rows * dim);
      const mask = c % 4; // with and without dx; with and without dw/db
      await compare(`layer_norm rows=${rows} dim=${dim} affine=${affine}`, (dev, bufs) => {
        const xb = bufs.upload(x), wb = w ? bufs.upload(w) : null, bb = b ? bufs.upload(b) : null;
        const y = bufs.output(x.length), mean = bufs.output(rows), rstd = bufs.output(rows);
        dev.layer_norm_forward({ x: xb, w: wb, b: bb, y, mean, rstd, rows, dim, eps: 1e-5 });
        const dx = mask === 1 && affine ? null : bufs.output(x.length);
        const dw = affine && mask !== 2 ? bufs.output(dim) : null, db = affine && mask !== 3 ? bufs.output(dim) : null;
        dev.layer_norm_backward({ x: xb, w: wb, mean, rstd, dy: bufs.upload(dy), dx, dw, db, rows, dim, eps: 1e-5 });
        return { y, mean, rstd, dx, dw, db };
      }, 1e-4, rows > 2048 ? 1e-3 : 2e-5);
    }
  });

  test('unary_forward and _backward: every op, 8 sizes each', async () => {
    covered.add('unary_forward').add('unary_backward');
    const gen = new rnam.Generator(106);
    for (const [name, op] of Object.entries(rnam.Unary)) {
      for (const n of [1, 3, 4, 9, 33, 256, 257, 5000]) {
        const positive = name === 'log' || name === 'sqrt';
        const x = randomArray(gen, n, positive ? 0.05 : -6, 6), dy = randomArray(gen, n);
        await compare(`unary ${name} n=${n}`, (dev, bufs) => {
          const xb = bufs.upload(x), y = bufs.output(n), dx = bufs.output(n);
          dev.unary_forward({ x: xb, y, n, op });
          dev.unary_backward({ x: xb, y, dy: bufs.upload(dy), dx, n, op });
          return { y, dx };
        }, 1e-5, 1e-6);
      }
    }
  });

  test('binary_forward and _backward (each gradient optional), affine_scalar, fill, add_row_vector', async () => {
    for (const k of ['binary_forward', 'binary_backward', 'affine_scalar', 'fill', 'add_row_vector']) covered.add(k);
    const gen = new rnam.Generator(107);
    for (const [name, op] of Object.entries(rnam.Binary)) {
      for (const n of [1, 4, 7, 33, 1000, 70000]) {
        const a = randomArray(gen, n), b = randomArray(gen, n, 0.5, 2), dy = randomArray(gen, n);
        const mask = n % 3;
        await compare(`binary ${name} n=${n}`, (dev, bufs) => {
          const ab = bufs.upload(a), bb = bufs.upload(b), y = bufs.output(n);
          dev.binary_forward({ a: ab, b: bb, out: y, n, op });
          const da = mask === 1 ? null : bufs.output(n), db = mask === 2 ? null : bufs.output(n);
          dev.binary_backward({ a: ab, b: bb, dy: bufs.upload(dy), da, db, n, op });
          return { y, da, db };
        }, 1e-6, 1e-7);
      }
    }
    for (let c = 0; c < 20; c++) {
      const rows = 1 + gen.int(50), inner = pick(gen, DIMS), n = rows * inner;
      const x = randomArray(gen, n), v = randomArray(gen, inner), scale = (-3 + (3 - -3) * gen.uniform()), shift = (-1 + (1 - -1) * gen.uniform());
      await compare(`affine/fill/add_row_vector ${rows}x${inner}`, (dev, bufs) => {
        const xb = bufs.upload(x), aff = bufs.output(n), filled = bufs.output(n), added = bufs.output(n);
        dev.affine_scalar({ x: xb, out: aff, n, scale, shift });
        dev.fill({ out: filled, n, value: shift });
        dev.add_row_vector({ x: xb, v: bufs.upload(v), y: added, rows, inner });
        return { aff, filled, added };
      }, 1e-6, 1e-7);
    }
  });

  test('copy_rows: 40 slices and concatenations, with broadcast', async () => {
    covered.add('copy_rows');
    const gen = new rnam.Generator(108);
    for (let c = 0; c < 40; c++) {
      const outer = 1 + gen.int(5), inner = pick(gen, DIMS), srcN = c % 5 === 0 ? 0 : 1 + gen.int(9), dstN = 1 + gen.int(9);
      const count = 1 + gen.int(Math.min(srcN || dstN, dstN));
      const srcStart = srcN ? gen.int(srcN - count + 1) : 0, dstStart = gen.int(dstN - count + 1);
      const src = randomArray(gen, (srcN ? outer * srcN : count) * inner), dst = randomArray(gen, outer * dstN * inner);
      await compare(`copy_rows outer=${outer} srcN=${srcN} dstN=${dstN} inner=${inner} count=${count}`, (dev, bufs) => {
        const d = bufs.upload(dst);
        dev.copy_rows({ src: bufs.upload(src), dst: d, outer, srcN, dstN, inner, srcStart, dstStart, count });
        return { d };
      }, 0, 0);
    }
  });

  test('copy_rows_indexed: 30 gathers and scatters, rows in any order, some repeated (gather) or left out', async () => {
    covered.add('copy_rows_indexed');
    const gen = new rnam.Generator(109);
    for (let c = 0; c < 30; c++) {
      const outer = 1 + gen.int(4), inner = pick(gen, DIMS), n = 1 + gen.int(12), scatter = c % 2 === 1;
      // A scatter writes each row once (distinct rows); a gather may read one row twice.
      const rows = scatter ? 1 + gen.int(n) : 1 + gen.int(10);
      const order = gen.shuffle(Array.from({ length: n }, (_, i) => i));
      const index = Float32Array.from({ length: rows }, (_, k) => (scatter ? order[k] : gen.int(n)));
      const src = randomArray(gen, outer * (scatter ? rows : n) * inner), dst = randomArray(gen, outer * (scatter ? n : rows) * inner);
      await compare(`copy_rows_indexed outer=${outer} n=${n} rows=${rows} inner=${inner} scatter=${scatter}`, (dev, bufs) => {
        const d = bufs.upload(dst);
        dev.copy_rows_indexed({ src: bufs.upload(src), dst: d, index: bufs.upload(index), outer, n, rows, inner, scatter });
        return { d };
      }, 0, 0);
    }
  });

  test('sum_all, sum_rows, mse_forward/_backward, sum_squares_accumulate, clip_scale: 40 sizes up to 300k', async () => {
    for (const k of ['sum_all', 'sum_rows', 'mse_forward', 'mse_backward', 'sum_squares_accumulate', 'clip_scale']) covered.add(k);
    const gen = new rnam.Generator(109);
    for (let c = 0; c < 40; c++) {
      const rows = c % 8 === 7 ? 2049 + gen.int(20000) : 1 + gen.int(300), inner = pick(gen, DIMS), n = rows * inner;
      const x = randomArray(gen, n), t = randomArray(gen, n), g = (0.1 + (2 - 0.1) * gen.uniform());
      const mask = c % 3, maxNorm = c % 2 ? 1e9 : 0.5;
      const tol = 1e-5 * Math.sqrt(n);
      await compare(`reductions rows=${rows} inner=${inner}`, (dev, bufs) => {
        const xb = bufs.upload(x), tb = bufs.upload(t);
        const s = bufs.output(1), sr = bufs.output(inner), loss = bufs.output(1);
        dev.sum_all({ x: xb, out: s, n });
        dev.sum_rows({ x: xb, y: sr, rows, inner });
        dev.mse_forward({ a: xb, b: tb, out: loss, n });
        const da = mask === 1 ? null : bufs.output(n), db = mask === 2 ? null : bufs.output(n);
        dev.mse_backward({ a: xb, b: tb, dOut: bufs.upload(Float32Array.of(g)), da, db, n });
        const acc = bufs.upload(Float32Array.of(1.5));
        dev.sum_squares_accumulate({ x: xb, acc, n });
        const clipped = bufs.upload(x);
        dev.clip_scale({ g: clipped, n, sumSq: acc, maxNorm });
        return { s, sr, loss, da, db, acc, clipped };
      }, 1e-4, tol);
    }
  });

  test('sgd_step (momentum, dampening, Nesterov, weight decay) and adam_step (Adam, AdamW): 5 steps each', async () => {
    covered.add('sgd_step').add('adam_step');
    const gen = new rnam.Generator(110);
    for (let c = 0; c < 16; c++) {
      const n = 1 + gen.int(5000), p = randomArray(gen, n), grads = [0, 1, 2, 3, 4].map(() => randomArray(gen, n));
      const nesterov = c % 2 === 1, decoupled = c % 4 >= 2, momentum = c % 8 < 4 ? 0.9 : 0;
      await compare(`optimizers n=${n} nesterov=${nesterov} decoupled=${decoupled}`, (dev, bufs) => {
        const ps = bufs.upload(p), buf = bufs.output(n);
        const pa = bufs.upload(p), m = bufs.upload(new Float32Array(n)), v = bufs.upload(new Float32Array(n));
        grads.forEach((gr, i) => {
          const gb = bufs.upload(gr);
          dev.sgd_step({ p: ps, g: gb, buf, skip: null, n, lr: 0.05, momentum, dampening: nesterov ? 0 : 0.1, weightDecay: 0.01, nesterov: nesterov && momentum > 0, firstStep: i === 0 });
          const step = i + 1;
          dev.adam_step({ p: pa, g: gb, m, v, skip: null, n, lr: 1e-2, beta1: 0.9, beta2: 0.999, eps: 1e-8, weightDecay: 0.01, decoupled, stepSize: 1e-2 / (1 - 0.9 ** step), bc2Sqrt: Math.sqrt(1 - 0.999 ** step) });
        });
        return { ps, pa, m, v };
      }, 1e-4, 1e-6);
    }
  });

  test('flag_nonfinite (the step guard) and guarded steps: NaN and infinities at random places, sizes up to 1M', async () => {
    covered.add('flag_nonfinite');
    const gen = new rnam.Generator(115);
    for (const n of [1, 5, 257, 4099, 1_000_000]) {
      const grads = [0, 1, 2].map(() => randomArray(gen, n));
      if (n > 1) grads[1][gen.int(n)] = [NaN, Infinity, -Infinity][gen.int(3)];
      const p = randomArray(gen, n);
      await compare(`flag_nonfinite n=${n}`, (dev, bufs) => {
        const flag = bufs.upload(Float32Array.of(0)), ps = bufs.upload(p), buf = bufs.output(n);
        grads.forEach((gr, i) => {
          const g = bufs.upload(gr);
          dev.flag_nonfinite({ x: g, flag, n, mark: i + 1 });
          dev.sgd_step({ p: ps, g, buf, skip: flag, n, lr: 0.05, momentum: 0.9, dampening: 0, weightDecay: 0, nesterov: false, firstStep: i === 0 });
        });
        return { flag, ps };
      }, 0, 1e-6);
    }
  });

  test('count_nonfinite: NaN and infinities at random places, sizes up to 1M', async () => {
    covered.add('count_nonfinite');
    const gen = new rnam.Generator(111);
    for (const n of [0, 1, 5, 256, 257, 4099, 100_000, 1_000_000]) {
      const x = randomArray(gen, n);
      let bad = 0;
      for (let i = 0; i < n; i += 1 + gen.int(997)) { x[i] = [NaN, Infinity, -Infinity][gen.int(3)]; bad++; }
      for (const dev of [cpu, gpu]) {
        const bufs = new Buffers(dev);
        const b = n ? bufs.upload(x) : bufs.output(1);
        assert.is(await dev.count_nonfinite({ a: b, n }), bad, `count_nonfinite n=${n} on ${dev.kind}`);
        bufs.freeAll();
      }
    }
  });

  test('recurrent cells (rnn, gru, lstm forward and backward, transpose_2d): random shapes, both layouts, with and without lengths', async () => {
    for (const k of ['transpose_2d', 'rnn_forward', 'rnn_backward', 'gru_forward', 'gru_backward', 'lstm_forward', 'lstm_backward']) covered.add(k);
    const gen = new rnam.Generator(113);
    for (let c = 0; c < 24; c++) {
      const cell = (['rnn', 'rnn_relu', 'gru', 'lstm'] as const)[c % 4];
      const G = cell === 'gru' ? 3 : cell === 'lstm' ? 4 : 1;
      const batch = 1 + gen.int(4), seq = 1 + gen.int(6), H = pick(gen, [1, 3, 4, 5, 8, 17, 70]);
      const batchFirst = c % 3 === 1, withBias = c % 5 !== 2, withStates = c % 2 === 0;
      const rows = batch * seq, GH = G * H;
      const xg = randomArray(gen, rows * GH, -2, 2), w = randomArray(gen, GH * H, -0.5, 0.5), bhh = randomArray(gen, GH);
      const h0 = randomArray(gen, batch * H), c0 = randomArray(gen, batch * H), dout = randomArray(gen, rows * H);
      const dcN = randomArray(gen, batch * H);
      const lens = (c >> 2) % 2 === 1 ? Float32Array.from({ length: batch }, () => 1 + gen.int(seq)) : null;
      await compare(`${cell} batch=${batch} seq=${seq} hidden=${H} batchFirst=${batchFirst} lengths=${lens ? [...lens] : '-'}`, (dev, bufs): Record<string, DeviceBuffer> => {
        const wb = bufs.upload(w), whhT = bufs.output(GH * H), g = bufs.upload(xg), out = bufs.output(rows * H);
        const lengths = lens ? bufs.upload(lens) : null;
        dev.transpose_2d({ src: wb, dst: whhT, rows: GH, cols: H });
        const b = withBias ? bufs.upload(bhh) : null, hb = withStates ? bufs.upload(h0) : null;
        const cb = withStates ? bufs.upload(c0) : null, db = c % 4 === 3 ? null : bufs.upload(dout);
        const dg = bufs.output(rows * GH), dh0 = bufs.output(batch * H);
        if (cell === 'rnn' || cell === 'rnn_relu') {
          dev.rnn_forward({ xg: g, whhT, bhh: b, h0: hb, out, lengths, batch, seq, hidden: H, batchFirst, relu: cell === 'rnn_relu' });
          dev.rnn_backward({ whh: wb, out, dout: db, dg, dh0, lengths, batch, seq, hidden: H, batchFirst, relu: cell === 'rnn_relu' });
          return { whhT, out, dg, dh0 };
        }
        const extra = bufs.output(rows * H);
        if (cell === 'gru') {
          const dgh = bufs.output(rows * GH);
          dev.gru_forward({ xg: g, whhT, bhh: b, h0: hb, out, hn: extra, lengths, batch, seq, hidden: H, batchFirst });
          if (hb) dev.copy_rows({ src: hb, dst: dh0, outer: 1, srcN: 1, dstN: 1, inner: batch * H, srcStart: 0, dstStart: 0, count: 1 });
          else dev.fill({ out: dh0, n: batch * H, value: 0 }); // dh0 enters holding h0
          dev.gru_backward({ whh: wb, gates: g, hn: extra, out, dout: db, dgi: dg, dgh, dh0, lengths, batch, seq, hidden: H, batchFirst });
          return { out, gates: g, hn: extra, dg, dgh, dh0 };
        }
        const dc0 = bufs.output(batch * H);
        dev.lstm_forward({ xg: g, whhT, bhh: b, h0: hb, c0: cb, out, c: extra, lengths, batch, seq, hidden: H, batchFirst });
        if (c % 3) dev.copy_rows({ src: bufs.upload(dcN), dst: dc0, outer: 1, srcN: 1, dstN: 1, inner: batch * H, srcStart: 0, dstStart: 0, count: 1 });
        else dev.fill({ out: dc0, n: batch * H, value: 0 }); // dc0 enters holding dcN
        dev.lstm_backward({ whh: wb, gates: g, c: extra, c0: cb, dout: db, dg, dh0, dc0, lengths, batch, seq, hidden: H, batchFirst });
        return { out, gates: g, c: extra, dg, dh0, dc0 };
      });
    }
  });

  test('implicit_forward, _backward (every gradient subset, projection on and off, rows per workgroup > 1): 30 shapes', async () => {
    covered.add('implicit_forward').add('implicit_backward');
    const gen = new rnam.Generator(114);
    for (let c = 0; c < 30; c++) {
      const wide = c === 7; // more than 128 units: 256 invocations per workgroup
      const batch = 1 + gen.int(5), seq = 1 + gen.int(4), p = pick(gen, [1, 2, 3, 5]);
      const n = wide ? 200 : pick(gen, DIMS), hid = wide ? 3 : pick(gen, [1, 2, 4, 5, 9, 17]), q = p + hid;
      const kappa = c % 3 === 0 ? 0.5 : 0.99, scale = c % 3 === 0 ? 4 : 1;
      const tol = 1e-6, maxIter = c % 10 === 9 ? 3 : 300; // some calls stop at maxIter: same statistics
      const normal = (k: number, div: number) => Float32Array.from(gen.fillNormal(new Float32Array(k)), (v) => (v * scale) / div);
      const x = randomArray(gen, batch * seq * p), dh = randomArray(gen, batch * seq * hid);
      const A = normal(n * n, n), B = normal(n * q, n), C = normal(hid * n, n), D = normal(hid * q, n);
      const mask = c % 6; // which gradients are wanted
      const cap = c % 4 === 3 ? 1 : 1 << 24; // 1: every workgroup runs all its rows in sequence (rows per group = batch)
      const results: Record<string, Float32Array>[] = [];
      for (const dev of [cpu, gpu]) {
        const bufs = new Buffers(dev);
        implicitGpuLimits.partialCap = cap;
        try {
          const xb = bufs.upload(x), ab = bufs.upload(A), bb = bufs.upload(B), cb = bufs.upload(C), db = bufs.upload(D);
          const xs = bufs.output(batch * seq * n), h = bufs.output(batch * seq * hid), fstats = bufs.output(batch * 4);
          dev.implicit_forward({ x: xb, a: ab, b: bb, c: cb, d: db, xs, h, stats: fstats, batch, seq, inDim: p, n, hid, maxIter, tol, kappa });
          const want = (bit: number, k: number) => (mask === bit ? null : bufs.output(k));
          const dx = want(1, x.length), dA = want(2, n * n), dB = want(3, n * q), dC = want(4, hid * n), dD = want(5, hid * q);
          const bstats = bufs.output(batch * 4);
          dev.implicit_backward({ x: xb, a: ab, b: bb, c: cb, d: db, xs, h, dh: bufs.upload(dh), dx, dA, dB, dC, dD, stats: bstats, batch, seq, inDim: p, n, hid, maxIter, tol, kappa });
          const ct = bufs.output(hid * n);
          dev.transpose_2d({ src: cb, dst: ct, rows: hid, cols: n });
          const read: Record<string, Float32Array> = {};
          for (const [name, b] of Object.entries({ xs, h, fstats, dx, dA, dB, dC, dD, bstats, ct })) if (b) read[name] = await bufs.read(b);
          results.push(read);
        } finally {
          implicitGpuLimits.partialCap = 1 << 24;
          bufs.freeAll();
        }
      }
      const [want, got] = results;
      const what = `implicit batch=${batch} seq=${seq} p=${p} n=${n} hid=${hid} kappa=${kappa} maxIter=${maxIter}`;
      assert.equal(Object.keys(got).sort(), Object.keys(want).sort(), `${what}: outputs`);
      // The solves stop at |step| < tol; the two backends may stop one iteration apart.
      for (const name of ['xs', 'h', 'dx', 'dA', 'dB', 'dC', 'dD', 'ct']) {
        if (want[name]) assertClose(got[name], want[name], `${what} ${name}`, 1e-4, name === 'ct' ? 0 : 50 * tol);
      }
      for (const name of ['fstats', 'bstats']) {
        for (let r = 0; r < batch; r++) {
          const [w, g] = [want[name].subarray(4 * r, 4 * r + 4), got[name].subarray(4 * r, 4 * r + 4)];
          const where = `${what} ${name} row ${r}`;
          if (maxIter === 3) {
            assert.is(g[0], w[0], `${where}: unconverged solves`);
            assertClose([g[1]], [w[1]], `${where}: largest residual`, 1e-3, 1e-6);
          } else {
            assert.equal([g[0], g[1]], [0, 0], `${where}: converged`);
          }
          assert.ok(Math.abs(g[2] - w[2]) <= seq && Math.abs(g[3] - w[3]) <= 1, `${where}: iterations ${g[2]}, ${g[3]} vs ${w[2]}, ${w[3]}`);
        }
      }
    }
  });

  test('losses (l1, huber, bce with logits, cross entropy; forward and backward): 40 shapes, every gradient subset, |x| up to 120', async () => {
    for (const k of ['l1_loss_forward', 'l1_loss_backward', 'huber_loss_forward', 'huber_loss_backward', 'bce_logits_forward',
      'bce_logits_backward', 'cross_entropy_forward', 'cross_entropy_backward']) covered.add(k);
    const gen = new rnam.Generator(114);
    for (let c = 0; c < 40; c++) {
      const rows = c % 8 === 7 ? 2049 + gen.int(20000) : 1 + gen.int(300), classes = pick(gen, DIMS), n = rows * classes;
      const scale = c % 4 === 3 ? 120 : 3;
      const x = randomArray(gen, n, -scale, scale), y = randomArray(gen, n, 0, 1), g = 0.1 + (2 - 0.1) * gen.uniform();
      const pw = c % 3 === 0 ? null : randomArray(gen, c % 3 === 1 ? 1 : classes, 0.1, 3);
      const target = Float32Array.from({ length: rows }, (_, i) => (c % 2 && i % 4 === 1 ? -100 : gen.int(classes)));
      const weight = c % 5 < 2 ? randomArray(gen, classes, 0.1, 2) : null;
      const mask = c % 3, delta = [1, 0.3, 2][c % 3];
      await compare(`losses rows=${rows} classes=${classes} scale=${scale}`, (dev, bufs) => {
        const xb = bufs.upload(x), yb = bufs.upload(y), dOut = bufs.upload(Float32Array.of(g)), pwb = pw ? bufs.upload(pw) : null;
        const grad = (skip: number) => (mask === skip ? null : bufs.output(n));
        const l1 = bufs.output(1), huber = bufs.output(1), bce = bufs.output(1), ce = bufs.output(1), stats = bufs.output(3);
        dev.l1_loss_forward({ a: xb, b: yb, out: l1, n });
        const l1da = grad(1), l1db = grad(2);
        dev.l1_loss_backward({ a: xb, b: yb, dOut, da: l1da, db: l1db, n });
        dev.huber_loss_forward({ a: xb, b: yb, out: huber, n, delta });
        const hda = grad(1), hdb = grad(2);
        dev.huber_loss_backward({ a: xb, b: yb, dOut, da: hda, db: hdb, n, delta });
        dev.bce_logits_forward({ x: xb, y: yb, posWeight: pwb, out: bce, n, classes: pw ? pw.length : 1 });
        const bdx = grad(1), bdy = grad(2);
        dev.bce_logits_backward({ x: xb, y: yb, posWeight: pwb, dOut, dx: bdx, dy: bdy, n, classes: pw ? pw.length : 1 });
        const tb = bufs.upload(target), wb = weight ? bufs.upload(weight) : null, dLogits = bufs.output(n);
        dev.cross_entropy_forward({ logits: xb, target: tb, weight: wb, out: ce, stats, rows, classes, ignoreIndex: -100 });
        dev.cross_entropy_backward({ logits: xb, target: tb, weight: wb, stats, dOut, dLogits, rows, classes, ignoreIndex: -100 });
        return { l1, l1da, l1db, huber, hda, hdb, bce, bdx, bdy, ce, stats, dLogits };
      }, 1e-4, 1e-5 * Math.sqrt(n));
    }
  });

  test('rnam_block_forward and _backward: 20 shapes, every gradient subset', async () => {
    covered.add('rnam_block_forward').add('rnam_block_backward');
    const gen = new rnam.Generator(131);
    for (let c = 0; c < 20; c++) {
      const terms = pick(gen, [1, 2, 3]), batch = 1 + gen.int(4), seq = c === 19 ? 1500 : 1 + gen.int(20), dim = pick(gen, [1, 2, 3, 4, 5, 8, 9]);
      const n = terms * batch * seq * dim;
      const x = randomArray(gen, n, -2, 2), dout = randomArray(gen, n);
      const p = { wg: randomArray(gen, terms * dim * 2 * dim), lnw: randomArray(gen, dim), lnb: randomArray(gen, dim), w1: randomArray(gen, terms * dim * dim),
        b1: randomArray(gen, terms * dim), w2: randomArray(gen, terms * dim * dim), b2: randomArray(gen, terms * dim) };
      const mask = c % 4;
      await compare(`rnam block ${terms}x${batch}x${seq}x${dim}`, (dev, bufs) => {
        const u = Object.fromEntries(Object.entries(p).map(([k, v]) => [k, bufs.upload(v)])) as Record<keyof typeof p, DeviceBuffer>;
        const xb = bufs.upload(x), h = bufs.output(n), out = bufs.output(n), hz = c % 2 ? bufs.output(2 * n) : null;
        dev.rnam_block_forward({ x: xb, ...u, h, out, lengths: null, hz, terms, batch, seq, dim, eps: 1e-5 });
        const want = (bit: number, k: number) => (mask & bit ? null : bufs.output(k));
        const dx = want(1, n), dwg = want(2, p.wg.length), dlnw = want(2, dim), dlnb = bufs.output(dim);
        const dw1 = want(1, p.w1.length), db1 = bufs.output(terms * dim), dw2 = bufs.output(p.w2.length), db2 = want(2, terms * dim);
        dev.rnam_block_backward({ x: xb, h, dout: bufs.upload(dout), wg: u.wg, lnw: u.lnw, lnb: u.lnb, w1: u.w1, b1: u.b1, w2: u.w2,
          dx, dwg, dlnw, dlnb, dw1, db1, dw2, db2, lengths: null, hz, terms, batch, seq, dim, eps: 1e-5 });
        return { h, out, dx, dwg, dlnw, dlnb, dw1, db1, dw2, db2 };
      }, 1e-3, 1e-3);
    }
  });

  test('every kernel of the spec has a parity case', () => {
    // Both backends implement every kernel (the compiler enforces Backend); each needs a case here.
    for (const c of opCases()) for (const k of c.kernels ?? []) covered.add(k);
    const missing = rnam.kernelNames.filter((k) => !covered.has(k));
    assert.equal(missing, [], `kernels without a parity case: ${missing.join(', ')}`);
  });

  test('FirstOrderRNAM: 4 AdamW training steps (with grad clipping) end with the same weights on both backends', async () => {
    const terms = 3, batch = 4, seq = 12;
    const gen = new rnam.Generator(112);
    const xs = randomArray(gen, terms * batch * seq), ys = randomArray(gen, batch);
    const finals: Record<string, Float32Array>[] = [];
    const losses: number[][] = [];
    for (const dev of [cpu, gpu]) {
      rnam.manualSeed(7);
      const model = new rnam.FirstOrderRNAM({ terms, hiddenDim: 8, outDim: 1, blocks: 2 }).to(dev);
      const opt = new rnam.AdamW(model.parameters(), { lr: 1e-2 });
      const x = rnam.tensor(xs, [terms, batch, seq, 1], { device: dev });
      const y = rnam.tensor(ys, [batch, 1], { device: dev });
      const seen: number[] = [];
      for (let step = 0; step < 4; step++) {
        const [yHat] = model.forward(x);
        const loss = rnam.mseLoss(yHat.reshape(batch, 1), y);
        loss.backward();
        rnam.clipGradNorm(model.parameters(), 1.0).dispose();
        opt.step();
        opt.zeroGrad();
        seen.push(await loss.item());
        loss.dispose();
        yHat.dispose();
      }
      losses.push(seen);
      const weights: Record<string, Float32Array> = {};
      for (const [name, p] of model.namedParameters()) weights[name] = await p.toArray();
      finals.push(weights);
    }
    assertClose(losses[1], losses[0], 'losses', 1e-4, 1e-6);
    for (const name of Object.keys(finals[0])) assertClose(finals[1][name], finals[0][name], `weight ${name}`, 1e-4, 1e-5);
  });

  test.run();
}
