// The kernel cases the backend benchmarks time: every spec kernel on given sizes (the recurrent
// families and the losses through their ops, forward + backward), shared by bench:backends and
// bench:gpu so both time the same calls.
import * as rnam from '../src/index.js';

export type Dev = rnam.Backend;
export interface Case { name: string; setup(dev: Dev): () => unknown }

export function filled(dev: Dev, n: number, seed: number, low = -1, high = 1): rnam.DeviceBuffer {
  const b = dev.alloc(n);
  dev.write(b, new rnam.Generator(seed).fillUniform(new Float32Array(n), low, high));
  return b;
}
export const tensor = (dev: Dev, shape: number[], seed: number, requiresGrad = false, low = -1, high = 1) =>
  rnam.tensor(new rnam.Generator(seed).fillUniform(new Float32Array(shape.reduce((p, q) => p * q, 1)), low, high), shape, { device: dev, requiresGrad });

/** An op or module timed forward + backward from a scalar made of its output (the mean). */
export function opCase(name: string, make: (dev: Dev) => { params: rnam.Tensor[]; run: () => rnam.Tensor }): Case {
  return {
    name, setup: (dev) => {
      const { params, run } = make(dev);
      return () => rnam.tidy(() => {
        for (const p of params) { p.grad?.dispose(); p.grad = null; }
        const out = run();
        (out.numel === 1 ? out : rnam.mean(out)).backward();
      });
    },
  };
}


export interface KernelSizes {
  terms: number;
  batch: number;
  seq: number;
  hid: number;
}

/** Every kernel of the spec on (terms, batch, seq, hidden). */
export function kernelCases(size: KernelSizes): Case[] {
  const T = size.terms, B = size.batch, S = size.seq, H = size.hid, ROWS = B * S, N = T * ROWS * H;
  const lin = `[${T},${ROWS},${H}]x[${T},${H},${2 * H}]`;
  return [
    { name: `linear_forward ${lin}+b`, setup: (d) => {
      const x = filled(d, N, 1), w = filled(d, T * H * 2 * H, 2), b = filled(d, T * 2 * H, 3), y = d.alloc(2 * N);
      return () => d.linear_forward({ x, w, b, y, terms: T, rows: ROWS, inDim: H, outDim: 2 * H });
    } },
    { name: `linear_backward ${lin} (dx, dw, db)`, setup: (d) => {
      const x = filled(d, N, 1), w = filled(d, T * H * 2 * H, 2), dy = filled(d, 2 * N, 4), dx = d.alloc(N), dw = d.alloc(T * H * 2 * H), db = d.alloc(T * 2 * H);
      return () => d.linear_backward({ x, w, dy, dx, dw, db, terms: T, rows: ROWS, inDim: H, outDim: 2 * H });
    } },
    { name: `mingru_scan_forward [${T},${B},${S},${H}]`, setup: (d) => {
      const hg = filled(d, 2 * N, 5, -3, 3), h = d.alloc(N);
      return () => d.mingru_scan_forward({ hg, h0: null, h, lengths: null, groups: T * B, seq: S, dim: H });
    } },
    { name: `mingru_scan_backward [${T},${B},${S},${H}]`, setup: (d) => {
      const hg = filled(d, 2 * N, 5, -3, 3), h = d.alloc(N), dh = filled(d, N, 6), dhg = d.alloc(2 * N);
      d.mingru_scan_forward({ hg, h0: null, h, lengths: null, groups: T * B, seq: S, dim: H });
      return () => d.mingru_scan_backward({ hg, h0: null, h, dh, dhg, dh0: null, lengths: null, groups: T * B, seq: S, dim: H });
    } },
    { name: `rnam_block_forward [${T},${B},${S},${H}] (the fused block)`, setup: (d) => {
      const k = { ...blockBuffers(d), lengths: null, hz: d.alloc(2 * N), terms: T, batch: B, seq: S, dim: H, eps: 1e-5 };
      return () => d.rnam_block_forward(k);
    } },
    { name: `rnam_block_backward [${T},${B},${S},${H}] (dx and every parameter gradient)`, setup: (d) => {
      const k = { ...blockBuffers(d), lengths: null, hz: d.alloc(2 * N), terms: T, batch: B, seq: S, dim: H, eps: 1e-5 };
      d.rnam_block_forward(k);
      return () => d.rnam_block_backward(k);
    } },
    { name: `layer_norm_forward [${T * ROWS},${H}]`, setup: (d) => {
      const x = filled(d, N, 7), w = filled(d, H, 8), b = filled(d, H, 9), y = d.alloc(N), m = d.alloc(T * ROWS), r = d.alloc(T * ROWS);
      return () => d.layer_norm_forward({ x, w, b, y, mean: m, rstd: r, rows: T * ROWS, dim: H, eps: 1e-5 });
    } },
    { name: `layer_norm_backward [${T * ROWS},${H}] (dx, dw, db)`, setup: (d) => {
      const x = filled(d, N, 7), w = filled(d, H, 8), b = filled(d, H, 9), y = d.alloc(N), m = d.alloc(T * ROWS), r = d.alloc(T * ROWS);
      d.layer_norm_forward({ x, w, b, y, mean: m, rstd: r, rows: T * ROWS, dim: H, eps: 1e-5 });
      const dy = filled(d, N, 10), dx = d.alloc(N), dw = d.alloc(H), db = d.alloc(H);
      return () => d.layer_norm_backward({ x, w, mean: m, rstd: r, dy, dx, dw, db, rows: T * ROWS, dim: H, eps: 1e-5 });
    } },
    { name: `unary_forward sigmoid [${N}]`, setup: (d) => { const x = filled(d, N, 11), y = d.alloc(N); return () => d.unary_forward({ x, y, n: N, op: rnam.Unary.sigmoid }); } },
    { name: `unary_backward sigmoid [${N}]`, setup: (d) => {
      const x = filled(d, N, 11), y = d.alloc(N), dy = filled(d, N, 12), dx = d.alloc(N);
      d.unary_forward({ x, y, n: N, op: rnam.Unary.sigmoid });
      return () => d.unary_backward({ x, y, dy, dx, n: N, op: rnam.Unary.sigmoid });
    } },
    { name: `softplus_forward [${N}]`, setup: (d) => { const x = filled(d, N, 11, -4, 4), y = d.alloc(N); return () => d.softplus_forward({ x, y, n: N, beta: 2, threshold: 3 }); } },
    { name: `softplus_backward [${N}]`, setup: (d) => {
      const x = filled(d, N, 11, -4, 4), dy = filled(d, N, 12), dx = d.alloc(N);
      return () => d.softplus_backward({ x, dy, dx, n: N, beta: 2, threshold: 3 });
    } },
    { name: `binary_forward mul [${N}]`, setup: (d) => { const p = filled(d, N, 13), q = filled(d, N, 14), y = d.alloc(N); return () => d.binary_forward({ a: p, b: q, out: y, n: N, op: rnam.Binary.mul }); } },
    { name: `binary_backward mul [${N}]`, setup: (d) => {
      const p = filled(d, N, 13), q = filled(d, N, 14), dy = filled(d, N, 15), da = d.alloc(N), db = d.alloc(N);
      return () => d.binary_backward({ a: p, b: q, dy, da, db, n: N, op: rnam.Binary.mul });
    } },
    { name: `affine_scalar [${N}]`, setup: (d) => { const x = filled(d, N, 16), y = d.alloc(N); return () => d.affine_scalar({ x, out: y, n: N, scale: 2, shift: 1 }); } },
    { name: `fill [${N}]`, setup: (d) => { const y = d.alloc(N); return () => d.fill({ out: y, n: N, value: 0.5 }); } },
    { name: `copy_rows [${T * B},${S},${H}] last step`, setup: (d) => {
      const x = filled(d, N, 17), y = d.alloc(T * B * H);
      return () => d.copy_rows({ src: x, dst: y, outer: T * B, srcN: S, dstN: 1, inner: H, srcStart: S - 1, dstStart: 0, count: 1 });
    } },
    { name: `transpose_2d [${T * ROWS},${H}]`, setup: (d) => { const x = filled(d, N, 17), y = d.alloc(N); return () => d.transpose_2d({ src: x, dst: y, rows: T * ROWS, cols: H }); } },
    { name: `count_nonfinite [${N}] (read back)`, setup: (d) => { const x = filled(d, N, 18); return () => d.count_nonfinite({ a: x, n: N }); } },
    { name: `sum_all [${N}]`, setup: (d) => { const x = filled(d, N, 18), s = d.alloc(1); return () => d.sum_all({ x, out: s, n: N }); } },
    { name: `sum_rows [${T * ROWS},${H}]`, setup: (d) => { const x = filled(d, N, 19), s = d.alloc(H); return () => d.sum_rows({ x, y: s, rows: T * ROWS, inner: H }); } },
    { name: `add_row_vector [${T * ROWS},${H}]`, setup: (d) => {
      const x = filled(d, N, 20), v = filled(d, H, 21), y = d.alloc(N);
      return () => d.add_row_vector({ x, v, y, rows: T * ROWS, inner: H });
    } },
    { name: `mse_forward [${N}]`, setup: (d) => { const p = filled(d, N, 22), q = filled(d, N, 23), s = d.alloc(1); return () => d.mse_forward({ a: p, b: q, out: s, n: N }); } },
    { name: `mse_backward [${N}]`, setup: (d) => {
      const p = filled(d, N, 22), q = filled(d, N, 23), g = filled(d, 1, 24), da = d.alloc(N);
      return () => d.mse_backward({ a: p, b: q, dOut: g, da, db: null, n: N });
    } },
    { name: `sum_squares_accumulate [${N}]`, setup: (d) => { const x = filled(d, N, 25), s = d.alloc(1); d.fill({ out: s, n: 1, value: 0 }); return () => d.sum_squares_accumulate({ x, acc: s, n: N }); } },
    { name: `flag_nonfinite [${N}]`, setup: (d) => { const x = filled(d, N, 25), f = d.alloc(1); d.fill({ out: f, n: 1, value: 0 }); return () => d.flag_nonfinite({ x, flag: f, n: N, mark: 1 }); } },
    { name: `clip_scale [${N}]`, setup: (d) => { const g = filled(d, N, 30), s = filled(d, 1, 31, 100, 101); return () => d.clip_scale({ g, n: N, sumSq: s, maxNorm: 1 }); } },
    { name: `sgd_step momentum [${N}]`, setup: (d) => {
      const p = filled(d, N, 26), g = filled(d, N, 27), b = d.alloc(N); d.fill({ out: b, n: N, value: 0 });
      return () => d.sgd_step({ p, g, buf: b, skip: null, n: N, lr: 1e-3, momentum: 0.9, dampening: 0, weightDecay: 0, nesterov: false, firstStep: false });
    } },
    { name: `adam_step AdamW [${N}]`, setup: (d) => {
      const p = filled(d, N, 28), g = filled(d, N, 29), m = d.alloc(N), v = d.alloc(N); d.fill({ out: m, n: N, value: 0 }); d.fill({ out: v, n: N, value: 0 });
      return () => d.adam_step({ p, g, m, v, skip: null, n: N, lr: 1e-3, beta1: 0.9, beta2: 0.999, eps: 1e-8, weightDecay: 0.01, decoupled: true, stepSize: 1e-3, bc2Sqrt: 0.5 });
    } },
    // Through their ops, forward + backward (the losses also run the reduction and fill kernels).
    opCase(`op l1Loss [${N}] (l1_loss_forward, l1_loss_backward)`, (d) => { const x = tensor(d, [N], 32, true), y = tensor(d, [N], 33); return { params: [x], run: () => rnam.l1Loss(x, y) }; }),
    opCase(`op huberLoss [${N}] (huber_loss_forward, huber_loss_backward)`, (d) => { const x = tensor(d, [N], 32, true), y = tensor(d, [N], 33); return { params: [x], run: () => rnam.huberLoss(x, y, { delta: 0.5 }) }; }),
    opCase(`op bceWithLogitsLoss [${N / 8},8] (bce_logits_forward, bce_logits_backward)`, (d) => {
      const x = tensor(d, [N / 8, 8], 34, true), y = tensor(d, [N / 8, 8], 35, false, 0, 1);
      return { params: [x], run: () => rnam.bceWithLogitsLoss(x, y) };
    }),
    opCase(`op crossEntropyLoss [${N / 8},8] (cross_entropy_forward, cross_entropy_backward)`, (d) => {
      const x = tensor(d, [N / 8, 8], 36, true);
      const labels = rnam.tensor(Float32Array.from({ length: N / 8 }, (_, i) => i % 8), [N / 8], { device: d });
      return { params: [x], run: () => rnam.crossEntropyLoss(x, labels) };
    }),
    ...(['SimpleRNN', 'GRU', 'LSTM'] as const).map((kind) => opCase(`${kind}(hidden ${H}) on [${B},${S},${H}], forward + backward (${kind === 'SimpleRNN' ? 'rnn' : kind.toLowerCase()}_forward, _backward, linear)`, (d) => {
      rnam.manualSeed(1);
      const opts = { inputSize: H, hiddenSize: H, batchFirst: true };
      const m = (kind === 'SimpleRNN' ? new rnam.SimpleRNN(opts) : kind === 'GRU' ? new rnam.GRU(opts) : new rnam.LSTM(opts)).to(d);
      const x = tensor(d, [B, S, H], 37);
      return { params: m.parameters(), run: () => m.forward(x)[0] };
    })),
    opCase(`ImplicitRNN(n 16, h 8) on [${Math.max(1, B / 4)},${Math.min(S, 64)},${H}], forward + backward (implicit_forward, implicit_backward)`, (d) => {
      rnam.manualSeed(1);
      const m = new rnam.ImplicitRNN({ inputDim: H, outputDim: 2, implicitHiddenDim: 16, hiddenDim: 8, maxIter: 50 }).to(d);
      const x = tensor(d, [Math.max(1, B / 4), Math.min(S, 64), H], 38);
      return { params: m.parameters(), run: () => m.forward(x) };
    }),
  ];

  function blockBuffers(d: Dev) {
    return {
      x: filled(d, N, 40), wg: filled(d, T * H * 2 * H, 41, -0.5, 0.5), lnw: filled(d, H, 42), lnb: filled(d, H, 43),
      w1: filled(d, T * H * H, 44, -0.5, 0.5), b1: filled(d, T * H, 45), w2: filled(d, T * H * H, 46, -0.5, 0.5), b2: filled(d, T * H, 47),
      h: d.alloc(N), out: d.alloc(N), dout: filled(d, N, 48, -0.01, 0.01), dx: d.alloc(N), dwg: d.alloc(T * H * 2 * H), dlnw: d.alloc(H), dlnb: d.alloc(H),
      dw1: d.alloc(T * H * H), db1: d.alloc(T * H), dw2: d.alloc(T * H * H), db2: d.alloc(T * H),
    };
  }
}
