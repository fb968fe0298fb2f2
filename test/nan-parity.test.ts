// NaN and infinity parity, wasm vs WebGPU: every kernel of the spec runs on both backends with the
// same inputs, one input at a time holding a few NaN (or +Inf and -Inf) values, and every output
// must have its NaN, +Inf and -Inf at the same places on both, finite values agreeing within
// float32 tolerance. The wasm kernels define the semantics (IEEE arithmetic, f32.min/max that
// propagate NaN); WGSL may swallow NaN in min/max/clamp/select, which kernels/common.wgsl's
// helpers guard against. Ends with a check that every kernel of the spec has a case here.
// RNAM_NAN_SEED=<n> places the poisoned values elsewhere (the suite's seed is 4242).
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import * as rnam from '../src/index.js';
import type { Backend, DeviceBuffer } from '../src/index.js';
import { webgpuBackend, reportUnavailable } from './helpers/backends.js';
import { Buffers } from './helpers/buffers.js';
import { randomArray } from './helpers/util.js';

type Bufs = Record<string, DeviceBuffer>;
interface NanCase {
  what: string;
  kernels: string[];
  inputs: Record<string, Float32Array>;
  /** Inputs that are indices or counts, never poisoned. */
  exact?: string[];
  /** Large cases (slow on a CPU-emulated GPU): these inputs only, each once, NaN and infinities in turn. */
  only?: string[];
  run: (dev: Backend, bufs: Buffers, inp: Bufs) => Record<string, DeviceBuffer | null> | Promise<Record<string, DeviceBuffer | null>>;
}

function classify(v: number): string {
  return Number.isNaN(v) ? 'NaN' : v === Infinity ? '+Inf' : v === -Infinity ? '-Inf' : 'finite';
}

/** The first difference between two outputs: a class mismatch, or finite values too far apart. */
export function firstMismatch(got: Float32Array, want: Float32Array, rtol = 2e-3, atol = 1e-4): string | null {
  if (got.length !== want.length) return `length ${got.length} vs ${want.length}`;
  for (let i = 0; i < got.length; i++) {
    const [cg, cw] = [classify(got[i]), classify(want[i])];
    if (cg !== cw) return `element ${i}: ${got[i]} on WebGPU, ${want[i]} on wasm`;
    if (cg === 'finite' && Math.abs(got[i] - want[i]) > atol + rtol * Math.abs(want[i])) {
      return `element ${i}: ${got[i]} on WebGPU, ${want[i]} on wasm (finite values apart)`;
    }
  }
  return null;
}

const gpuOrReason = await webgpuBackend();

if (typeof gpuOrReason === 'string') {
  reportUnavailable('NaN/Inf parity (wasm vs WebGPU)', gpuOrReason);
} else {
  const gpu = gpuOrReason;
  const cpu = rnam.cpu;
  const test = suite(`NaN/Inf parity: wasm vs ${gpu.description}`);
  const covered = new Set<string>();
  const gen = new rnam.Generator(Number(process.env.RNAM_NAN_SEED ?? 4242));
  const rand = (n: number, low = -1, high = 1) => randomArray(gen, n, low, high);

  /** A copy of `x` with a few values replaced: NaN, or +Inf and -Inf in turn. */
  function poison(x: Float32Array, kind: 'nan' | 'inf'): Float32Array {
    const y = x.slice();
    const k = Math.max(1, Math.min(4, Math.floor(x.length / 40)));
    for (let j = 0; j < k; j++) {
      const i = gen.int(x.length);
      y[i] = kind === 'nan' ? NaN : j % 2 ? -Infinity : Infinity;
    }
    return y;
  }

  async function runOn(dev: Backend, c: NanCase, inputs: Record<string, Float32Array>): Promise<Record<string, Float32Array>> {
    const bufs = new Buffers(dev);
    try {
      const inp: Bufs = {};
      for (const [name, v] of Object.entries(inputs)) inp[name] = bufs.upload(v);
      const outs = await c.run(dev, bufs, inp);
      const read: Record<string, Float32Array> = {};
      for (const [name, b] of Object.entries(outs)) if (b) read[name] = await bufs.read(b);
      return read;
    } finally {
      bufs.freeAll();
    }
  }

  /** Runs the case once per poisoned input and kind; returns every mismatch found. */
  async function check(c: NanCase, failures: string[]): Promise<void> {
    for (const [t, target] of Object.keys(c.inputs).entries()) {
      if (c.exact?.includes(target) || (c.only && !c.only.includes(target))) continue;
      for (const kind of c.only ? [(['nan', 'inf'] as const)[t % 2]] : (['nan', 'inf'] as const)) {
        const inputs = { ...c.inputs, [target]: poison(c.inputs[target], kind) };
        const want = await runOn(cpu, c, inputs), got = await runOn(gpu, c, inputs);
        for (const name of Object.keys(want)) {
          const m = firstMismatch(got[name], want[name]);
          if (m) failures.push(`${c.what}, ${kind} in ${target}: output ${name} ${m}`);
        }
      }
    }
  }

  function cases(): NanCase[] {
    const list: NanCase[] = [];
    // ---- linear (split-K dw at rows > 2048)
    for (const rows of [7, 2100]) {
      const terms = 2, inDim = 5, outDim = 3;
      list.push({
        what: `linear rows=${rows}`, kernels: ['linear_forward', 'linear_backward'], only: rows > 2048 ? ['x', 'w'] : undefined,
        inputs: { x: rand(terms * rows * inDim), w: rand(terms * inDim * outDim), b: rand(terms * outDim), dy: rand(terms * rows * outDim) },
        run: (dev, bufs, i) => {
          const y = bufs.output(terms * rows * outDim), dx = bufs.output(terms * rows * inDim);
          const dw = bufs.output(terms * inDim * outDim), db = bufs.output(terms * outDim);
          dev.linear_forward({ x: i.x, w: i.w, b: i.b, y, terms, rows, inDim, outDim });
          dev.linear_backward({ x: i.x, w: i.w, dy: i.dy, dx, dw, db, terms, rows, inDim, outDim });
          return { y, dx, dw, db };
        },
      });
    }
    // ---- minGRU, both WebGPU paths
    for (const mode of ['sequential', 'chunked'] as const) {
      const groups = 2, seq = mode === 'chunked' ? 600 : 9, dim = 3;
      list.push({
        what: `mingru ${mode}`, kernels: ['mingru_scan_forward', 'mingru_scan_backward'], only: mode === 'chunked' ? ['hg', 'h0'] : undefined,
        inputs: { hg: rand(groups * seq * 2 * dim, -3, 3), h0: rand(groups * dim), dh: rand(groups * seq * dim) },
        run: (dev, bufs, i) => {
          if (dev === gpu) gpu.mingruScanMode = mode;
          try {
            const h = bufs.output(groups * seq * dim), dhg = bufs.output(groups * seq * 2 * dim), dh0 = bufs.output(groups * dim);
            dev.mingru_scan_forward({ lengths: null, hg: i.hg, h0: i.h0, h, groups, seq, dim });
            dev.mingru_scan_backward({ lengths: null, hg: i.hg, h0: i.h0, h, dh: i.dh, dhg, dh0, groups, seq, dim });
            return { h, dhg, dh0 };
          } finally {
            gpu.mingruScanMode = 'auto';
          }
        },
      });
    }
    // ---- layer norm (split dw/db at rows > 2048)
    for (const rows of [5, 2100]) {
      const dim = 7;
      list.push({
        what: `layer_norm rows=${rows}`, kernels: ['layer_norm_forward', 'layer_norm_backward'], only: rows > 2048 ? ['x', 'w'] : undefined,
        inputs: { x: rand(rows * dim, -3, 3), w: rand(dim), b: rand(dim), dy: rand(rows * dim) },
        run: (dev, bufs, i) => {
          const y = bufs.output(rows * dim), mean = bufs.output(rows), rstd = bufs.output(rows);
          dev.layer_norm_forward({ x: i.x, w: i.w, b: i.b, y, mean, rstd, rows, dim, eps: 1e-5 });
          const dx = bufs.output(rows * dim), dw = bufs.output(dim), db = bufs.output(dim);
          dev.layer_norm_backward({ x: i.x, w: i.w, mean, rstd, dy: i.dy, dx, dw, db, rows, dim, eps: 1e-5 });
          return { y, mean, rstd, dx, dw, db };
        },
      });
    }
    // ---- unary ops, softplus
    for (const [name, op] of Object.entries(rnam.Unary)) {
      const n = 67, positive = name === 'log' || name === 'sqrt';
      list.push({
        what: `unary ${name}`, kernels: ['unary_forward', 'unary_backward'],
        inputs: { x: rand(n, positive ? 0.05 : -6, 6), dy: rand(n) },
        run: (dev, bufs, i) => {
          const y = bufs.output(n), dx = bufs.output(n);
          dev.unary_forward({ x: i.x, y, n, op });
          dev.unary_backward({ x: i.x, y, dy: i.dy, dx, n, op });
          return { y, dx };
        },
      });
    }
    {
      const n = 67;
      list.push({
        what: 'softplus', kernels: ['softplus_forward', 'softplus_backward'],
        inputs: { x: rand(n, -30, 30), dy: rand(n) },
        run: (dev, bufs, i) => {
          const y = bufs.output(n), dx = bufs.output(n);
          dev.softplus_forward({ x: i.x, y, n, beta: 1.5, threshold: 20 });
          dev.softplus_backward({ x: i.x, dy: i.dy, dx, n, beta: 1.5, threshold: 20 });
          return { y, dx };
        },
      });
    }
    // ---- elementwise
    for (const [name, op] of Object.entries(rnam.Binary)) {
      const n = 67;
      list.push({
        what: `binary ${name}`, kernels: ['binary_forward', 'binary_backward'],
        inputs: { a: rand(n), b: rand(n, 0.5, 2), dy: rand(n) },
        run: (dev, bufs, i) => {
          const out = bufs.output(n), da = bufs.output(n), db = bufs.output(n);
          dev.binary_forward({ a: i.a, b: i.b, out, n, op });
          dev.binary_backward({ a: i.a, b: i.b, dy: i.dy, da, db, n, op });
          return { out, da, db };
        },
      });
    }
    {
      const rows = 6, inner = 5, n = rows * inner;
      list.push({
        what: 'affine_scalar, add_row_vector, copy_rows, transpose_2d, fill',
        kernels: ['affine_scalar', 'add_row_vector', 'copy_rows', 'transpose_2d', 'fill'],
        inputs: { x: rand(n), v: rand(inner), dst: rand(2 * n) },
        run: (dev, bufs, i) => {
          const aff = bufs.output(n), added = bufs.output(n), t = bufs.output(n), filled = bufs.output(n);
          dev.affine_scalar({ x: i.x, out: aff, n, scale: -1.5, shift: 0.25 });
          dev.add_row_vector({ x: i.x, v: i.v, y: added, rows, inner });
          dev.copy_rows({ src: i.x, dst: i.dst, outer: 2, srcN: 3, dstN: 6, inner, srcStart: 1, dstStart: 2, count: 2 });
          dev.transpose_2d({ src: i.x, dst: t, rows, cols: inner });
          dev.fill({ out: filled, n, value: NaN });
          return { aff, added, dst: i.dst, t, filled };
        },
      });
      list.push({
        what: 'copy_rows_indexed (gather and scatter)', kernels: ['copy_rows_indexed'],
        inputs: { x: rand(n), dst: rand(2 * n), index: Float32Array.of(5, 0, 3) },
        run: (dev, bufs, i) => {
          // (2, 3, inner) gathered from rows 5, 0, 3 of (2, 6, inner); then scattered back into dst, viewed as (2, 6, inner).
          const gathered = bufs.output(2 * 3 * inner);
          dev.copy_rows_indexed({ src: i.x, dst: gathered, index: i.index, outer: 1, n: rows, rows: 3, inner, scatter: false });
          dev.copy_rows_indexed({ src: i.x, dst: i.dst, index: i.index, outer: 2, n: rows, rows: 3, inner, scatter: true });
          return { gathered, dst: i.dst };
        },
      });
      list.push({
        what: 'fill with infinities', kernels: ['fill'], inputs: {},
        run: (dev, bufs) => {
          const a = bufs.output(n), b = bufs.output(n);
          dev.fill({ out: a, n, value: Infinity });
          dev.fill({ out: b, n, value: -Infinity });
          return { a, b };
        },
      });
    }
    {
      const n = 300;
      list.push({
        what: 'count_nonfinite', kernels: ['count_nonfinite'], inputs: { a: rand(n) },
        run: async (dev, bufs, i) => {
          const count = await dev.count_nonfinite({ a: i.a, n });
          return { count: bufs.upload(Float32Array.of(count)) };
        },
      });
    }
    // ---- reductions, MSE, gradient clipping
    for (const rows of [9, 3000]) {
      const inner = 5, n = rows * inner;
      list.push({
        what: `reductions rows=${rows}`,
        kernels: ['sum_all', 'sum_rows', 'mse_forward', 'mse_backward', 'sum_squares_accumulate', 'clip_scale'],
        inputs: { x: rand(n), t: rand(n), dOut: Float32Array.of(0.7), acc: Float32Array.of(1.5) }, only: rows > 2048 ? ['x', 't'] : undefined,
        run: (dev, bufs, i) => {
          const s = bufs.output(1), sr = bufs.output(inner), loss = bufs.output(1), da = bufs.output(n), db = bufs.output(n);
          dev.sum_all({ x: i.x, out: s, n });
          dev.sum_rows({ x: i.x, y: sr, rows, inner });
          dev.mse_forward({ a: i.x, b: i.t, out: loss, n });
          dev.mse_backward({ a: i.x, b: i.t, dOut: i.dOut, da, db, n });
          dev.sum_squares_accumulate({ x: i.x, acc: i.acc, n });
          const clipped = bufs.output(n), tight = bufs.output(n);
          dev.copy_rows({ src: i.t, dst: clipped, outer: 1, srcN: 1, dstN: 1, inner: n, srcStart: 0, dstStart: 0, count: 1 });
          dev.copy_rows({ src: i.t, dst: tight, outer: 1, srcN: 1, dstN: 1, inner: n, srcStart: 0, dstStart: 0, count: 1 });
          dev.clip_scale({ g: clipped, n, sumSq: i.acc, maxNorm: 1e9 });
          dev.clip_scale({ g: tight, n, sumSq: i.acc, maxNorm: 0.5 });
          return { s, sr, loss, da, db, acc: i.acc, clipped, tight };
        },
      });
    }
    // ---- optimizers: two steps each
    {
      const n = 61;
      list.push({
        what: 'sgd_step, adam_step, flag_nonfinite', kernels: ['sgd_step', 'adam_step', 'flag_nonfinite'],
        inputs: { p: rand(n), g1: rand(n), g2: rand(n) },
        run: (dev, bufs, i) => {
          const outs: Record<string, DeviceBuffer> = {};
          // unguarded, then guarded (flag_nonfinite over each gradient first; a flagged step is skipped)
          for (const guarded of [false, true]) {
            const skip = guarded ? bufs.upload(Float32Array.of(0)) : null;
            const flagged = (g: DeviceBuffer, s: number) => skip && dev.flag_nonfinite({ x: g, flag: skip, n, mark: s + 1 });
            for (const [k, nesterov, momentum] of [[0, false, 0], [1, false, 0.9], [2, true, 0.9]] as const) {
              const p = bufs.output(n), buf = bufs.output(n);
              dev.copy_rows({ src: i.p, dst: p, outer: 1, srcN: 1, dstN: 1, inner: n, srcStart: 0, dstStart: 0, count: 1 });
              [i.g1, i.g2].forEach((g, s) => {
                flagged(g, s);
                dev.sgd_step({ p, g, buf, skip, n, lr: 0.05, momentum, dampening: nesterov ? 0 : 0.1, weightDecay: 0.01, nesterov, firstStep: s === 0 });
              });
              outs[`sgd${k} guarded=${guarded}`] = p;
              if (momentum) outs[`buf${k} guarded=${guarded}`] = buf;
            }
            for (const decoupled of [false, true]) {
              const p = bufs.output(n), m = bufs.upload(new Float32Array(n)), v = bufs.upload(new Float32Array(n));
              dev.copy_rows({ src: i.p, dst: p, outer: 1, srcN: 1, dstN: 1, inner: n, srcStart: 0, dstStart: 0, count: 1 });
              [i.g1, i.g2].forEach((g, s) => {
                flagged(g, s);
                dev.adam_step({ p, g, m, v, skip, n, lr: 1e-2, beta1: 0.9, beta2: 0.999, eps: 1e-8, weightDecay: 0.01, decoupled, stepSize: 1e-2 / (1 - 0.9 ** (s + 1)), bc2Sqrt: Math.sqrt(1 - 0.999 ** (s + 1)) });
              });
              Object.assign(outs, { [`adam${decoupled} guarded=${guarded}`]: p, [`m${decoupled} guarded=${guarded}`]: m, [`v${decoupled} guarded=${guarded}`]: v });
            }
            if (skip) outs.flag = skip;
          }
          return outs;
        },
      });
    }
    // ---- classic recurrent cells
    for (const cell of ['rnn', 'rnn_relu', 'gru', 'lstm'] as const) {
      for (const batchFirst of [false, true]) {
        const G = cell === 'gru' ? 3 : cell === 'lstm' ? 4 : 1, batch = 3, seq = 4, H = 5, rows = batch * seq, GH = G * H;
        list.push({
          what: `${cell} batchFirst=${batchFirst}`, only: batchFirst ? ['xg', 'w'] : undefined, kernels: ['transpose_2d', `${cell.slice(0, 4).replace('_', '')}_forward`, `${cell.slice(0, 4).replace('_', '')}_backward`],
          inputs: { xg: rand(rows * GH, -2, 2), w: rand(GH * H, -0.5, 0.5), bhh: rand(GH), h0: rand(batch * H), c0: rand(batch * H), dout: rand(rows * H), dcN: rand(batch * H) },
          run: (dev, bufs, i): Record<string, DeviceBuffer> => {
            const whhT = bufs.output(GH * H), out = bufs.output(rows * H), dg = bufs.output(rows * GH), dh0 = bufs.output(batch * H);
            dev.transpose_2d({ src: i.w, dst: whhT, rows: GH, cols: H });
            const relu = cell === 'rnn_relu';
            if (cell === 'rnn' || cell === 'rnn_relu') {
              dev.rnn_forward({ lengths: null, xg: i.xg, whhT, bhh: i.bhh, h0: i.h0, out, batch, seq, hidden: H, batchFirst, relu });
              dev.rnn_backward({ lengths: null, whh: i.w, out, dout: i.dout, dg, dh0, batch, seq, hidden: H, batchFirst, relu });
              return { whhT, out, dg, dh0 };
            }
            const extra = bufs.output(rows * H);
            if (cell === 'gru') {
              const dgh = bufs.output(rows * GH);
              dev.gru_forward({ lengths: null, xg: i.xg, whhT, bhh: i.bhh, h0: i.h0, out, hn: extra, batch, seq, hidden: H, batchFirst });
              dev.copy_rows({ src: i.h0, dst: dh0, outer: 1, srcN: 1, dstN: 1, inner: batch * H, srcStart: 0, dstStart: 0, count: 1 });
              dev.gru_backward({ lengths: null, whh: i.w, gates: i.xg, hn: extra, out, dout: i.dout, dgi: dg, dgh, dh0, batch, seq, hidden: H, batchFirst });
              return { out, gates: i.xg, hn: extra, dg, dgh, dh0 };
            }
            dev.lstm_forward({ lengths: null, xg: i.xg, whhT, bhh: i.bhh, h0: i.h0, c0: i.c0, out, c: extra, batch, seq, hidden: H, batchFirst });
            dev.lstm_backward({ lengths: null, whh: i.w, gates: i.xg, c: extra, c0: i.c0, dout: i.dout, dg, dh0, dc0: i.dcN, batch, seq, hidden: H, batchFirst });
            return { out, gates: i.xg, c: extra, dg, dh0, dc0: i.dcN };
          },
        });
      }
    }
    // ---- the implicit RNN
    {
      const batch = 3, seq = 2, p = 2, n = 5, hid = 3, q = p + hid;
      const normal = (k: number) => Float32Array.from(gen.fillNormal(new Float32Array(k)), (v) => v / n);
      list.push({
        what: 'implicit', kernels: ['implicit_forward', 'implicit_backward'], only: ['x', 'a', 'b', 'c', 'd', 'dh'],
        inputs: { x: rand(batch * seq * p), a: normal(n * n), b: normal(n * q), c: normal(hid * n), d: normal(hid * q), dh: rand(batch * seq * hid) },
        run: (dev, bufs, i) => {
          const xs = bufs.output(batch * seq * n), h = bufs.output(batch * seq * hid), fstats = bufs.output(batch * 4);
          const common = { batch, seq, inDim: p, n, hid, maxIter: 20, tol: 1e-6, kappa: 0.95 };
          dev.implicit_forward({ x: i.x, a: i.a, b: i.b, c: i.c, d: i.d, xs, h, stats: fstats, ...common });
          const dx = bufs.output(batch * seq * p), dA = bufs.output(n * n), dB = bufs.output(n * q), dC = bufs.output(hid * n), dD = bufs.output(hid * q);
          const bstats = bufs.output(batch * 4);
          dev.implicit_backward({ x: i.x, a: i.a, b: i.b, c: i.c, d: i.d, xs, h, dh: i.dh, dx, dA, dB, dC, dD, stats: bstats, ...common });
          return { xs, h, dx, dA, dB, dC, dD };
        },
      });
    }
    // ---- losses
    for (const rows of [9, 2100]) {
      const classes = 4, n = rows * classes;
      list.push({
        what: `losses rows=${rows}`,
        kernels: ['l1_loss_forward', 'l1_loss_backward', 'huber_loss_forward', 'huber_loss_backward', 'bce_logits_forward', 'bce_logits_backward', 'cross_entropy_forward', 'cross_entropy_backward'],
        inputs: {
          x: rand(n, -5, 5), y: rand(n, 0, 1), dOut: Float32Array.of(0.8), pw: rand(classes, 0.1, 3), weight: rand(classes, 0.1, 2),
          target: Float32Array.from({ length: rows }, (_, r) => (r % 4 === 1 ? -100 : gen.int(classes))),
        },
        exact: ['target'], only: rows > 2048 ? ['x', 'y'] : undefined,
        run: (dev, bufs, i) => {
          const l1 = bufs.output(1), huber = bufs.output(1), bce = bufs.output(1), ce = bufs.output(1), stats = bufs.output(3);
          const g = () => bufs.output(n);
          const [l1da, l1db, hda, hdb, bdx, bdy, dLogits] = [g(), g(), g(), g(), g(), g(), g()];
          dev.l1_loss_forward({ a: i.x, b: i.y, out: l1, n });
          dev.l1_loss_backward({ a: i.x, b: i.y, dOut: i.dOut, da: l1da, db: l1db, n });
          dev.huber_loss_forward({ a: i.x, b: i.y, out: huber, n, delta: 0.7 });
          dev.huber_loss_backward({ a: i.x, b: i.y, dOut: i.dOut, da: hda, db: hdb, n, delta: 0.7 });
          dev.bce_logits_forward({ x: i.x, y: i.y, posWeight: i.pw, out: bce, n, classes });
          dev.bce_logits_backward({ x: i.x, y: i.y, posWeight: i.pw, dOut: i.dOut, dx: bdx, dy: bdy, n, classes });
          dev.cross_entropy_forward({ logits: i.x, target: i.target, weight: i.weight, out: ce, stats, rows, classes, ignoreIndex: -100 });
          dev.cross_entropy_backward({ logits: i.x, target: i.target, weight: i.weight, stats, dOut: i.dOut, dLogits, rows, classes, ignoreIndex: -100 });
          return { l1, l1da, l1db, huber, hda, hdb, bce, bdx, bdy, ce, stats, dLogits };
        },
      });
    }
    // ---- the fused RNAM block
    {
      const terms = 2, batch = 5, seq = 5, dim = 3, n = terms * batch * seq * dim; // a quad and a sequence on the row path per term
      list.push({
        what: 'rnam_block', kernels: ['rnam_block_forward', 'rnam_block_backward'],
        inputs: {
          x: rand(n, -2, 2), dout: rand(n), wg: rand(terms * dim * 2 * dim), lnw: rand(dim), lnb: rand(dim),
          w1: rand(terms * dim * dim), b1: rand(terms * dim), w2: rand(terms * dim * dim), b2: rand(terms * dim),
        },
        run: (dev, bufs, i) => {
          const h = bufs.output(n), out = bufs.output(n), hz = bufs.output(2 * n);
          dev.rnam_block_forward({ x: i.x, wg: i.wg, lnw: i.lnw, lnb: i.lnb, w1: i.w1, b1: i.b1, w2: i.w2, b2: i.b2, h, out, lengths: null, hz, terms, batch, seq, dim, eps: 1e-5 });
          const dx = bufs.output(n), dwg = bufs.output(terms * dim * 2 * dim), dlnw = bufs.output(dim), dlnb = bufs.output(dim);
          const dw1 = bufs.output(terms * dim * dim), db1 = bufs.output(terms * dim), dw2 = bufs.output(terms * dim * dim), db2 = bufs.output(terms * dim);
          dev.rnam_block_backward({ x: i.x, h, dout: i.dout, wg: i.wg, lnw: i.lnw, lnb: i.lnb, w1: i.w1, b1: i.b1, w2: i.w2,
            dx, dwg, dlnw, dlnb, dw1, db1, dw2, db2, lengths: null, hz, terms, batch, seq, dim, eps: 1e-5 });
          return { h, out, dx, dwg, dlnw, dlnb, dw1, db1, dw2, db2 };
        },
      });
    }
    return list;
  }

  const all = cases();
  for (const c of all) for (const k of c.kernels) covered.add(k);
  const families = [...new Set(all.map((c) => c.what.split(' ')[0].replace(/,$/, '')))];
  for (const family of families) {
    test(`${family}: NaN, +Inf and -Inf in each input give the same outputs on both backends`, async () => {
      const failures: string[] = [];
      for (const c of all.filter((k) => k.what.split(' ')[0].replace(/,$/, '') === family)) await check(c, failures);

      assert.equal(failures, [], `${failures.length} mismatches:\n${failures.slice(0, 12).join('\n')}`);
    });
  }

  test('models: a NaN or infinite input gives the same NaN/Inf outputs on both backends (SequenceModel cells, FirstOrderRNAM)', async () => {
    const failures: string[] = [];
    const batch = 3, seq = 5;
    const makers: [string, () => rnam.Module & { forward: (x: rnam.Tensor) => unknown }, number[]][] = [
      ...(['rnn', 'gru', 'lstm', 'mingru'] as const).map((cell) => [cell, () => new rnam.SequenceModel({ cell, inputSize: 2, hiddenSize: 4, outDim: 1 }), [batch, seq, 2]] as [string, () => rnam.SequenceModel, number[]]),
      ['FirstOrderRNAM', () => new rnam.FirstOrderRNAM({ terms: 2, hiddenDim: 4, outDim: 1, blocks: 1 }), [2, batch, seq, 1]],
    ];
    for (const [name, make, shape] of makers) {
      const clean = rand(shape.reduce((a, b) => a * b, 1));
      for (const value of [NaN, Infinity, -Infinity]) {
        const x = clean.slice();
        x[gen.int(x.length)] = value;
        const outs: Float32Array[][] = [];
        for (const dev of [cpu, gpu]) {
          rnam.manualSeed(3);
          const model = make().to(dev);
          const out = model.forward(rnam.tensor(x, shape, { device: dev }));
          outs.push(await Promise.all((Array.isArray(out) ? out : [out]).map((t: rnam.Tensor) => t.toArray())));
        }
        outs[0].forEach((want, k) => {
          const m = firstMismatch(outs[1][k], want);
          if (m) failures.push(`${name}, ${value} in the input: output ${k} ${m}`);
        });
        if (Number.isNaN(value)) assert.ok(outs[0][0].some(Number.isNaN), `${name}: a NaN input reaches the output on wasm`);
      }
    }
    assert.equal(failures, [], failures.join('\n'));
  });

  test('every kernel of the spec has a NaN/Inf parity case', () => {
    const missing = rnam.kernelNames.filter((k) => !covered.has(k));
    assert.equal(missing, [], `kernels without a NaN/Inf case: ${missing.join(', ')}`);
  });

  test('firstMismatch tells NaN, infinities and finite values apart', () => {
    assert.is(firstMismatch(Float32Array.of(NaN, 1), Float32Array.of(NaN, 1)), null);
    assert.ok(firstMismatch(Float32Array.of(1), Float32Array.of(NaN)));
    assert.ok(firstMismatch(Float32Array.of(Infinity), Float32Array.of(-Infinity)));
    assert.ok(firstMismatch(Float32Array.of(3.4e38), Float32Array.of(Infinity)));
    assert.ok(firstMismatch(Float32Array.of(1.1), Float32Array.of(1)));
  });

  test.run();
}
