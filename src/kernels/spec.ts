// The kernel spec: the one place that states each kernel's contract. Everything else is derived
// from it or checked against it:
// - the Backend methods (src/backend/backend.ts): one per kernel, named arguments typed from the
//   buffers and scalars below, so a backend missing a kernel, or an op passing a wrong argument,
//   is a type error;
// - the wasm exports (src/backend/wasm/): their parameter lists (buffers as pointers, then the
//   scalars, unless `wasm` gives the list), which scripts/check-kernels.mjs compares with the
//   compiled module's export signatures at build time, and the thread-pool kernel list (`parallel`);
// - the WebGPU passes (src/kernels/gpu-passes.ts): each kernel's entry point of the same name and
//   its private passes (`gpuPasses`), whose uniform structs and bindings are generated into the
//   WGSL at build time and packed by name at run time.
//
// Buffer modes: 'r' read, 'w' written, 'rw' read and written (in-out; the row's comment says what
// it holds on entry); a trailing '?' means the argument may be null (absent). Scalars are 'u32',
// 'i32', 'f32' or 'bool' (0/1 in wasm and WGSL). Key order is the parameter order.

export type BufferMode = 'r' | 'r?' | 'w' | 'w?' | 'rw';
export type ScalarType = 'u32' | 'i32' | 'f32' | 'bool';
/** A wasm export parameter: a pointer into linear memory (0 = absent), or a number of that type. */
export type WasmParam = 'ptr' | 'i32' | 'f32' | 'f64';

export type Family = 'linear' | 'mingru' | 'layernorm' | 'unary' | 'elementwise' | 'reduce' | 'optim' | 'rnn' | 'implicit' | 'loss' | 'rnamblock';

export interface KernelSpec {
  /** assembly/<family>.ts, kernels/<family>.wgsl, src/backend/{wasm,webgpu}/plans/<family>.ts */
  readonly family: Family;
  readonly buffers: Readonly<Record<string, BufferMode>>;
  readonly scalars: Readonly<Record<string, ScalarType>>;
  /** The wasm plan cuts calls into tasks that run on the thread pool. */
  readonly parallel?: boolean;
  /** The wasm export's parameters when they are not the buffers (as pointers) then the scalars. */
  readonly wasm?: Readonly<Record<string, WasmParam>>;
  /** What the kernel returns: nothing (default), or a count (a Promise<number> on every backend). */
  readonly returns?: 'count';
  /** WebGPU: whether an entry point named like the kernel exists (default true). */
  readonly gpuMain?: boolean;
  /** WebGPU: the private passes (entry points) the kernel's plan dispatches besides its own. */
  readonly gpuPasses?: readonly string[];
  /**
   * Every buffer holds `n` elements (a u32 scalar named n) and each element is computed on its own:
   * the plans and the WGSL pass are then derived from this row (src/kernels/derived.ts), and only
   * the AssemblyScript and WGSL bodies are written by hand.
   */
  readonly elementwise?: true;
  /**
   * The values of the row's `op` scalar: op code i selects ops[i]. scripts/embed-wgsl.mjs declares
   * them in the family's WGSL as constants named like the op in capitals (`RELU`), and
   * scripts/check-kernels.mjs checks that assembly/<family>.ts declares the same constants.
   */
  readonly ops?: readonly string[];
}

/** The unary kernels' ops, in op-code order (src/backend/opcodes.ts gives them by name). */
export const unaryOps = ['relu', 'sigmoid', 'tanh', 'exp', 'log', 'square', 'sqrt', 'abs', 'neg'] as const;
/** The binary kernels' ops, in op-code order. */
export const binaryOps = ['add', 'sub', 'mul', 'div'] as const;

const recurrentWasm = { b0: 'i32', nb: 'i32', seq: 'i32', hidden: 'i32', strideT: 'i32', strideB: 'i32' } as const;

export const kernelSpec = {
  // ---- grouped linear: y[t] = x[t] @ w[t] (+ b[t]); x (terms, rows, inDim), w (terms, inDim, outDim)
  linear_forward: {
    family: 'linear', parallel: true,
    buffers: { x: 'r', w: 'r', b: 'r?', y: 'w' },
    scalars: { terms: 'u32', rows: 'u32', inDim: 'u32', outDim: 'u32' },
  },
  linear_backward: {
    family: 'linear', parallel: true, gpuMain: false,
    gpuPasses: ['linear_backward_dx', 'linear_backward_dw', 'linear_backward_dw_reduce'],
    buffers: { x: 'r', w: 'r', dy: 'r', dx: 'w?', dw: 'w?', db: 'w?' },
    scalars: { terms: 'u32', rows: 'u32', inDim: 'u32', outDim: 'u32' },
  },

  // ---- the fused minGRU recurrence: hg (groups, seq, 2*dim), h0 (groups, dim), h (groups, seq, dim);
  // lengths (groups): each group's valid steps as float32 integers (null: all seq), padded steps carry the state
  mingru_scan_forward: {
    family: 'mingru', parallel: true,
    gpuPasses: ['mingru_scan_forward_chunk', 'mingru_scan_forward_carry', 'mingru_scan_forward_apply'],
    buffers: { hg: 'r', h0: 'r?', h: 'w', lengths: 'r?' },
    scalars: { groups: 'u32', seq: 'u32', dim: 'u32' },
  },
  mingru_scan_backward: {
    family: 'mingru', parallel: true,
    gpuPasses: ['mingru_scan_backward_chunk', 'mingru_scan_backward_carry', 'mingru_scan_backward_apply'],
    buffers: { hg: 'r', h0: 'r?', h: 'r', dh: 'r', dhg: 'w', dh0: 'w?', lengths: 'r?' },
    scalars: { groups: 'u32', seq: 'u32', dim: 'u32' },
  },

  // ---- layer norm over the last dim of (rows, dim); mean and rstd (rows) saved for backward
  layer_norm_forward: {
    family: 'layernorm', parallel: true,
    buffers: { x: 'r', w: 'r?', b: 'r?', y: 'w', mean: 'w', rstd: 'w' },
    scalars: { rows: 'u32', dim: 'u32', eps: 'f32' },
  },
  layer_norm_backward: {
    family: 'layernorm', parallel: true,
    gpuPasses: ['layer_norm_backward_dwdb', 'layer_norm_backward_reduce'],
    buffers: { x: 'r', w: 'r?', mean: 'r', rstd: 'r', dy: 'r', dx: 'w?', dw: 'w?', db: 'w?' },
    scalars: { rows: 'u32', dim: 'u32', eps: 'f32' },
  },

  // ---- elementwise; `op` selects one of the row's ops
  unary_forward: {
    family: 'unary', parallel: true, elementwise: true, ops: unaryOps,
    buffers: { x: 'r', y: 'w' },
    scalars: { n: 'u32', op: 'u32' },
  },
  unary_backward: {
    family: 'unary', parallel: true, elementwise: true, ops: unaryOps,
    buffers: { x: 'r', y: 'r', dy: 'r', dx: 'w' },
    scalars: { n: 'u32', op: 'u32' },
  },
  /** PyTorch's Softplus: y = log(1 + exp(beta x)) / beta, or x where beta x > threshold. */
  softplus_forward: {
    family: 'unary', parallel: true, elementwise: true,
    buffers: { x: 'r', y: 'w' },
    scalars: { n: 'u32', beta: 'f32', threshold: 'f32' },
  },
  /** dx = dy * sigmoid(beta x), or dy where beta x > threshold. */
  softplus_backward: {
    family: 'unary', parallel: true, elementwise: true,
    buffers: { x: 'r', dy: 'r', dx: 'w' },
    scalars: { n: 'u32', beta: 'f32', threshold: 'f32' },
  },
  binary_forward: {
    family: 'elementwise', parallel: true, elementwise: true, ops: binaryOps,
    buffers: { a: 'r', b: 'r', out: 'w' },
    scalars: { n: 'u32', op: 'u32' },
  },
  binary_backward: {
    family: 'elementwise', parallel: true, elementwise: true, ops: binaryOps,
    buffers: { a: 'r', b: 'r', dy: 'r', da: 'w?', db: 'w?' },
    scalars: { n: 'u32', op: 'u32' },
  },
  /** out = x * scale + shift */
  affine_scalar: {
    family: 'elementwise', parallel: true, elementwise: true,
    buffers: { x: 'r', out: 'w' },
    scalars: { n: 'u32', scale: 'f32', shift: 'f32' },
  },
  fill: {
    family: 'elementwise', parallel: true, elementwise: true,
    buffers: { out: 'w' },
    scalars: { n: 'u32', value: 'f32' },
  },
  /** Row-block copy between (outer, srcN, inner) and (outer, dstN, inner); srcN = 0 broadcasts. */
  copy_rows: {
    family: 'elementwise', parallel: true,
    buffers: { src: 'r', dst: 'w' },
    scalars: { outer: 'u32', srcN: 'u32', dstN: 'u32', inner: 'u32', srcStart: 'u32', dstStart: 'u32', count: 'u32' },
  },
  /**
   * Indexed row copies between (outer, rows, inner) and (outer, n, inner): gather (scatter false)
   * dst[o, k, :] = src[o, index[k], :]; scatter (true) dst[o, index[k], :] = src[o, k, :], dst's
   * other rows left as they hold on entry. index (rows): row numbers in [0, n) as float32 integers;
   * a row number outside [0, n) (or NaN) copies nothing.
   */
  copy_rows_indexed: {
    family: 'elementwise',
    buffers: { src: 'r', dst: 'rw', index: 'r' },
    scalars: { outer: 'u32', n: 'u32', rows: 'u32', inner: 'u32', scatter: 'bool' },
  },
  /** dst (cols, rows) = src (rows, cols) transposed. */
  transpose_2d: {
    family: 'elementwise',
    buffers: { src: 'r', dst: 'w' },
    scalars: { rows: 'u32', cols: 'u32' },
  },
  /** How many NaN or infinite values `a` holds. */
  count_nonfinite: {
    family: 'elementwise', returns: 'count',
    buffers: { a: 'r' },
    scalars: { n: 'u32' },
  },

  // ---- reductions and the MSE loss; scalar results go to out[0]
  sum_all: {
    family: 'reduce', gpuPasses: ['reduce_final'],
    buffers: { x: 'r', out: 'w' },
    scalars: { n: 'u32' },
  },
  /** y (inner) = sum over rows of x (rows, inner), in row order. */
  sum_rows: {
    family: 'reduce', gpuPasses: ['sum_rows_reduce'],
    buffers: { x: 'r', y: 'w' },
    scalars: { rows: 'u32', inner: 'u32' },
  },
  add_row_vector: {
    family: 'reduce',
    buffers: { x: 'r', v: 'r', y: 'w' },
    scalars: { rows: 'u32', inner: 'u32' },
  },
  mse_forward: {
    family: 'reduce', gpuPasses: ['reduce_final'],
    buffers: { a: 'r', b: 'r', out: 'w' },
    scalars: { n: 'u32' },
  },
  mse_backward: {
    family: 'reduce',
    buffers: { a: 'r', b: 'r', dOut: 'r', da: 'w?', db: 'w?' },
    scalars: { n: 'u32' },
  },
  /** acc[0] += sum of x^2 */
  sum_squares_accumulate: {
    family: 'reduce', gpuPasses: ['reduce_final'],
    buffers: { x: 'r', acc: 'rw' },
    scalars: { n: 'u32' },
  },

  // ---- optimizers (PyTorch semantics): parameters and state updated in place. skip (1): when
  // given and skip[0] != 0 (flag_nonfinite found a non-finite gradient), nothing is written.
  sgd_step: {
    family: 'optim',
    buffers: { p: 'rw', g: 'r', buf: 'rw', skip: 'r?' },
    scalars: { n: 'u32', lr: 'f32', momentum: 'f32', dampening: 'f32', weightDecay: 'f32', nesterov: 'bool', firstStep: 'bool' },
  },
  adam_step: {
    family: 'optim',
    buffers: { p: 'rw', g: 'r', m: 'rw', v: 'rw', skip: 'r?' },
    scalars: {
      n: 'u32', lr: 'f32', beta1: 'f32', beta2: 'f32', eps: 'f32', weightDecay: 'f32', decoupled: 'bool',
      stepSize: 'f32', bc2Sqrt: 'f32',
    },
  },
  /** flag[0] = mark (> 0, exact in float32) when flag[0] is 0 and x holds a NaN or an infinity: the step guard. */
  flag_nonfinite: {
    family: 'optim',
    buffers: { x: 'r', flag: 'rw' },
    scalars: { n: 'u32', mark: 'f32' },
  },
  /** g *= maxNorm / (sqrt(sumSq[0]) + 1e-6) when that is below 1. */
  clip_scale: {
    family: 'optim',
    buffers: { g: 'rw', sumSq: 'r' },
    scalars: { n: 'u32', maxNorm: 'f32' },
  },

  // ---- classic recurrent cells, one layer's whole time loop per call (see assembly/rnn.ts).
  // Rows are (step, batch row) pairs, (seq, batch) or with batchFirst (batch, seq). The wasm exports
  // take a range of batch rows [b0, b0 + nb) and the row strides of one step and one batch row.
  // lengths (batch), optional: each batch row's valid steps as float32 integers (right padding):
  // padded steps keep the state, output 0 and get no gradient (PyTorch's packed sequences).
  /** Elman: out_t = act(xg_t + W_hh out_{t-1} + b_hh); whhT (H, H) = W_hh^T. */
  rnn_forward: {
    family: 'rnn', parallel: true,
    buffers: { xg: 'r', whhT: 'r', bhh: 'r?', h0: 'r?', out: 'w', lengths: 'r?' },
    scalars: { batch: 'u32', seq: 'u32', hidden: 'u32', batchFirst: 'bool', relu: 'bool' },
    wasm: { xg: 'ptr', whhT: 'ptr', bhh: 'ptr', h0: 'ptr', out: 'ptr', lengths: 'ptr', ...recurrentWasm, relu: 'i32' },
  },
  /** BPTT: dg (rows, H) the pre-activation gradient, dh0 (batch, H); whh (H, H) = W_hh. */
  rnn_backward: {
    family: 'rnn', parallel: true,
    buffers: { whh: 'r', out: 'r', dout: 'r?', dg: 'w', dh0: 'w', lengths: 'r?' },
    scalars: { batch: 'u32', seq: 'u32', hidden: 'u32', batchFirst: 'bool', relu: 'bool' },
    wasm: { whh: 'ptr', out: 'ptr', dout: 'ptr', dg: 'ptr', dh0: 'ptr', lengths: 'ptr', ...recurrentWasm, relu: 'i32' },
  },
  /** GRU (r, z, n): xg (rows, 3H) is overwritten with the activations; hn (rows, H) = W_hn h + b_hn. */
  gru_forward: {
    family: 'rnn', parallel: true,
    buffers: { xg: 'rw', whhT: 'r', bhh: 'r?', h0: 'r?', out: 'w', hn: 'w', lengths: 'r?' },
    scalars: { batch: 'u32', seq: 'u32', hidden: 'u32', batchFirst: 'bool' },
    wasm: { xg: 'ptr', whhT: 'ptr', bhh: 'ptr', h0: 'ptr', out: 'ptr', hn: 'ptr', lengths: 'ptr', ...recurrentWasm },
  },
  /** BPTT: dgi, dgh (rows, 3H); dh0 (batch, H) enters holding h0 (zeros when there is none). */
  gru_backward: {
    family: 'rnn', parallel: true,
    buffers: { whh: 'r', gates: 'r', hn: 'r', out: 'r', dout: 'r?', dgi: 'w', dgh: 'w', dh0: 'rw', lengths: 'r?' },
    scalars: { batch: 'u32', seq: 'u32', hidden: 'u32', batchFirst: 'bool' },
    wasm: { whh: 'ptr', gates: 'ptr', hn: 'ptr', out: 'ptr', dout: 'ptr', dgi: 'ptr', dgh: 'ptr', dh0: 'ptr', lengths: 'ptr', ...recurrentWasm },
  },
  /** LSTM (i, f, g, o): xg (rows, 4H) is overwritten with the activations; c (rows, H) the cell states. */
  lstm_forward: {
    family: 'rnn', parallel: true,
    buffers: { xg: 'rw', whhT: 'r', bhh: 'r?', h0: 'r?', c0: 'r?', out: 'w', c: 'w', lengths: 'r?' },
    scalars: { batch: 'u32', seq: 'u32', hidden: 'u32', batchFirst: 'bool' },
    wasm: { xg: 'ptr', whhT: 'ptr', bhh: 'ptr', h0: 'ptr', c0: 'ptr', out: 'ptr', c: 'ptr', lengths: 'ptr', ...recurrentWasm },
  },
  /** BPTT: dg (rows, 4H), dh0 (batch, H); dc0 (batch, H) enters holding dcN (zeros when there is none). */
  lstm_backward: {
    family: 'rnn', parallel: true,
    buffers: { whh: 'r', gates: 'r', c: 'r', c0: 'r?', dout: 'r?', dg: 'w', dh0: 'w', dc0: 'rw', lengths: 'r?' },
    scalars: { batch: 'u32', seq: 'u32', hidden: 'u32', batchFirst: 'bool' },
    wasm: { whh: 'ptr', gates: 'ptr', c: 'ptr', c0: 'ptr', dout: 'ptr', dg: 'ptr', dh0: 'ptr', dc0: 'ptr', lengths: 'ptr', ...recurrentWasm },
  },

  // ---- the implicit RNN (see assembly/implicit.ts): x (batch, seq, inDim); A (n, n), B (n, inDim + hid),
  // C (hid, n), D (hid, inDim + hid) raw (A is projected onto ||A||_inf <= kappa inside); stats (batch, 4).
  // The wasm exports take the prepared workspace `ws` (implicit_prepare) and a scratch area instead.
  implicit_forward: {
    family: 'implicit', parallel: true,
    gpuPasses: ['implicit_prepare_norm', 'implicit_prepare'],
    buffers: { x: 'r', a: 'r', b: 'r', c: 'r', d: 'r', xs: 'w', h: 'w', stats: 'w' },
    scalars: { batch: 'u32', seq: 'u32', inDim: 'u32', n: 'u32', hid: 'u32', maxIter: 'u32', tol: 'f32', kappa: 'f32' },
    wasm: {
      x: 'ptr', ws: 'ptr', xs: 'ptr', h: 'ptr', stats: 'ptr', scratch: 'ptr',
      rows: 'i32', seq: 'i32', inDim: 'i32', n: 'i32', hid: 'i32', maxIter: 'i32', tol: 'f32',
    },
  },
  implicit_backward: {
    family: 'implicit', parallel: true,
    gpuPasses: ['implicit_prepare_norm', 'implicit_prepare', 'implicit_backward_reduce'],
    buffers: {
      x: 'r', a: 'r', b: 'r', c: 'r', d: 'r', xs: 'r', h: 'r', dh: 'r',
      dx: 'w?', dA: 'w?', dB: 'w?', dC: 'w?', dD: 'w?', stats: 'w',
    },
    scalars: { batch: 'u32', seq: 'u32', inDim: 'u32', n: 'u32', hid: 'u32', maxIter: 'u32', tol: 'f32', kappa: 'f32' },
    wasm: {
      x: 'ptr', ws: 'ptr', b: 'ptr', c: 'ptr', d: 'ptr', xs: 'ptr', h: 'ptr', dh: 'ptr',
      dx: 'ptr', dA: 'ptr', dB: 'ptr', dC: 'ptr', dD: 'ptr', stats: 'ptr', scratch: 'ptr',
      rows: 'i32', seq: 'i32', inDim: 'i32', n: 'i32', hid: 'i32', maxIter: 'i32', tol: 'f32',
    },
  },
  // ---- losses (PyTorch semantics, reduction 'mean'; see assembly/loss.ts): each forward reduces to
  // out[0] (one pass of partial sums, then loss_final, on WebGPU); each backward is elementwise and
  // reads dOut[0]; every gradient output is optional (null: not computed) except dLogits.
  l1_loss_forward: {
    family: 'loss', gpuPasses: ['loss_final'],
    buffers: { a: 'r', b: 'r', out: 'w' },
    scalars: { n: 'u32' },
  },
  l1_loss_backward: {
    family: 'loss',
    buffers: { a: 'r', b: 'r', dOut: 'r', da: 'w?', db: 'w?' },
    scalars: { n: 'u32' },
  },
  huber_loss_forward: {
    family: 'loss', gpuPasses: ['loss_final'],
    buffers: { a: 'r', b: 'r', out: 'w' },
    scalars: { n: 'u32', delta: 'f32' },
  },
  huber_loss_backward: {
    family: 'loss',
    buffers: { a: 'r', b: 'r', dOut: 'r', da: 'w?', db: 'w?' },
    scalars: { n: 'u32', delta: 'f32' },
  },
  /** x logits, y targets; posWeight (classes) broadcast over the last dim, or absent. */
  bce_logits_forward: {
    family: 'loss', gpuPasses: ['loss_final'],
    buffers: { x: 'r', y: 'r', posWeight: 'r?', out: 'w' },
    scalars: { n: 'u32', classes: 'u32' },
  },
  bce_logits_backward: {
    family: 'loss',
    buffers: { x: 'r', y: 'r', posWeight: 'r?', dOut: 'r', dx: 'w?', dy: 'w?' },
    scalars: { n: 'u32', classes: 'u32' },
  },
  /**
   * logits (rows, classes), target (rows) class indices as floats, weight (classes) or absent;
   * stats (3) = [sum of the counted rows' weights, invalid targets, first invalid row or -1].
   */
  cross_entropy_forward: {
    family: 'loss', gpuPasses: ['loss_final'],
    buffers: { logits: 'r', target: 'r', weight: 'r?', out: 'w', stats: 'w' },
    scalars: { rows: 'u32', classes: 'u32', ignoreIndex: 'i32' },
  },
  cross_entropy_backward: {
    family: 'loss',
    buffers: { logits: 'r', target: 'r', weight: 'r?', stats: 'r', dOut: 'r', dLogits: 'w' },
    scalars: { rows: 'u32', classes: 'u32', ignoreIndex: 'i32' },
  },

  // ---- the fused RNAM block (see assembly/rnamblock.ts): out = x + ff(x + minGRU(x)), expansion 1,
  // ff = LayerNorm, Linear, ReLU, Linear. x, h, out, dout, dx (terms, batch, seq, dim); wg (terms,
  // dim, 2 dim); w1, w2 (terms, dim, dim); b1, b2 (terms, 1, dim); lnw, lnb (dim). h, the minGRU
  // output, is saved for backward, which recomputes everything else row by row. The wasm exports
  // take a range of (term, batch) groups, row scratch, and (backward) parameter-gradient chunk slots.
  // lengths (terms * batch), optional: each group's valid steps as float32 integers (right padding);
  // rows past them are not computed: out, h and dx hold 0 there, and they add nothing to the
  // parameter gradients (with dout 0 there, as a model reading each sequence's last valid step gives).
  // hz (terms, batch, seq, 2 dim), optional: what the forward keeps of the minGRU for the backward
  // (in a layout of the backend's own), which then skips recomputing it; the results are the same.
  rnam_block_forward: {
    family: 'rnamblock', parallel: true,
    gpuPasses: ['rnam_block_ff_forward', 'rnam_block_mask'], gpuMain: false,
    buffers: { x: 'r', wg: 'r', lnw: 'r', lnb: 'r', w1: 'r', b1: 'r', w2: 'r', b2: 'r', h: 'w', out: 'w', lengths: 'r?', hz: 'w?' },
    scalars: { terms: 'u32', batch: 'u32', seq: 'u32', dim: 'u32', eps: 'f32' },
    wasm: {
      x: 'ptr', wg: 'ptr', lnw: 'ptr', lnb: 'ptr', w1: 'ptr', b1: 'ptr', w2: 'ptr', b2: 'ptr', h: 'ptr', out: 'ptr', lengths: 'ptr', hz: 'ptr', scratch: 'ptr',
      g0: 'i32', groups: 'i32', batch: 'i32', seq: 'i32', dim: 'i32', eps: 'f32',
    },
  },
  rnam_block_backward: {
    family: 'rnamblock', parallel: true,
    gpuPasses: ['rnam_block_ff_backward', 'rnam_block_ff_backward_ln', 'rnam_block_mask'], gpuMain: false,
    buffers: {
      x: 'r', h: 'r', dout: 'r', wg: 'r', lnw: 'r', lnb: 'r', w1: 'r', b1: 'r', w2: 'r',
      dx: 'w?', dwg: 'w?', dlnw: 'w?', dlnb: 'w?', dw1: 'w?', db1: 'w?', dw2: 'w?', db2: 'w?', lengths: 'r?', hz: 'r?',
    },
    scalars: { terms: 'u32', batch: 'u32', seq: 'u32', dim: 'u32', eps: 'f32' },
    wasm: {
      x: 'ptr', h: 'ptr', dout: 'ptr', wg: 'ptr', lnw: 'ptr', lnb: 'ptr', w1: 'ptr', b1: 'ptr', w2: 'ptr',
      dx: 'ptr', dwg: 'ptr', dlnw: 'ptr', dlnb: 'ptr', dw1: 'ptr', db1: 'ptr', dw2: 'ptr', db2: 'ptr', lengths: 'ptr', hz: 'ptr', scratch: 'ptr',
      g0: 'i32', groups: 'i32', batch: 'i32', seq: 'i32', dim: 'i32', chunkRows: 'i32', linChunks: 'i32', eps: 'f32',
    },
  },
} as const satisfies Record<string, KernelSpec>;

/** wasm exports that are no Backend kernel: the plans' private helpers. */
export const wasmInternalSpec = {
  /** First byte past the module's static data: the allocator starts there. */
  heap_base: { params: {}, returns: 'i32' },
  /** The projected A, its transpose and the transposes of B, C, D into ws (q = inDim + hid). */
  implicit_prepare: {
    params: { a: 'ptr', b: 'ptr', c: 'ptr', d: 'ptr', ws: 'ptr', n: 'i32', q: 'i32', hid: 'i32', kappa: 'f32' },
    returns: null,
  },
} as const satisfies Record<string, { params: Readonly<Record<string, WasmParam>>; returns: WasmParam | null }>;

export type KernelName = keyof typeof kernelSpec;
export const kernelNames = Object.keys(kernelSpec) as KernelName[];
