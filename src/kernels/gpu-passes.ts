// The WebGPU passes: every WGSL entry point the kernel spec names (each kernel's own entry point
// unless `gpuMain: false`, and every name in `gpuPasses`), with its file, its uniform struct and its
// storage bindings. This table is the one source of those declarations:
// - scripts/embed-wgsl.mjs generates the `struct` and `@group(0) @binding(N) var` declarations of
//   kernels/<file>.wgsl from it (binding 0 the uniform, storage bindings from 1 in the order below)
//   and fails the build when a file and the table disagree;
// - the WebGPU runtime packs uniforms by the field order and types below, and builds bind group
//   layouts from the binding modes; plans dispatch a pass with named uniforms and named bindings,
//   typed from this table, so a missing or misspelt field or binding is a type error.
//
// Passes of one file that share WGSL helpers share their uniform (same struct, variable and fields)
// and those bindings (same variable at the same position): declared once in the generated code.
import type { Family, KernelName } from './spec.js';
import type { kernelSpec } from './spec.js';
import type { DeviceBuffer } from './types.js';

export type UniformType = 'u32' | 'i32' | 'f32';
/** A storage binding: read-only, read-write, or a read-write array<atomic<u32>> (a counter). */
export type BindingMode = 'read' | 'read_write' | 'atomic';

export interface UniformSpec {
  /** The WGSL struct name and the name of its `var<uniform>`. */
  readonly struct: string;
  readonly name: string;
  /** The struct's fields in declaration order; each is 4 bytes, so field i sits at byte 4 i. */
  readonly fields: Readonly<Record<string, UniformType>>;
}

export interface GpuPassSpec {
  readonly file: Family;
  readonly uniform: UniformSpec;
  /** Storage bindings in binding order (1, 2, ...): WGSL variable name -> mode. */
  readonly bindings: Readonly<Record<string, BindingMode>>;
}

type Spec = typeof kernelSpec;
/** Kernels whose own entry point is in this table: not `gpuMain: false`, not elementwise (derived.ts derives those). */
type MainPass = { [K in KernelName]: Spec[K] extends { gpuMain: false } | { elementwise: true } ? never : K }[KernelName];
type PrivatePass = { [K in KernelName]: Spec[K] extends { gpuPasses: readonly (infer P extends string)[] } ? P : never }[KernelName];
/** Every WGSL entry point the spec names. */
export type GpuPassName = MainPass | PrivatePass;

// ---- uniforms and binding sets shared by several passes -----------------------------------------

const matParams = {
  struct: 'MatParams', name: 'mp',
  fields: {
    m: 'u32', n: 'u32', k: 'u32', batch: 'u32', a_batch: 'u32', a_rs: 'u32', a_ks: 'u32',
    b_batch: 'u32', b_ks: 'u32', b_cs: 'u32', has_bias: 'u32', m_tiles: 'u32', splits: 'u32', k_chunk: 'u32',
  },
} as const;
/** out = A @ B (+ bias); linear_backward_dw_reduce reads its partials as A. */
const matBindings = { m_a: 'read', m_b: 'read', m_bias: 'read', m_out: 'read_write' } as const;

const scanParams = {
  struct: 'ScanParams', name: 'sp',
  fields: {
    groups: 'u32', seq: 'u32', dim: 'u32', has_h0: 'u32', has_dh0: 'u32', chunks: 'u32', chunk_len: 'u32', count: 'u32', has_len: 'u32',
  },
} as const;
/** f_len / b_len: the optional lengths (groups) of the spec rows. */
const scanForward = { f_hg: 'read', f_h0: 'read', f_h: 'read_write', f_scratch: 'read_write', f_len: 'read' } as const;
const scanBackward = {
  b_hg: 'read', b_h0: 'read', b_h: 'read', b_dh: 'read', b_dhg: 'read_write', b_dh0: 'read_write', b_scratch: 'read_write', b_len: 'read',
} as const;

const lnParams = {
  struct: 'LnParams', name: 'lp',
  fields: {
    rows: 'u32', dim: 'u32', has_w: 'u32', has_b: 'u32', eps: 'f32', has_dx: 'u32', has_dw: 'u32', has_db: 'u32',
    splits: 'u32', chunk: 'u32',
  },
} as const;
const lnDwDb = { ld_xhat: 'read', ld_dy: 'read', ld_dw: 'read_write', ld_db: 'read_write', ld_partial: 'read_write' } as const;

/** kind: 0 x, 1 x^2, 2 (a - b)^2; the result is sum / divisor (+ out[0] when accumulate). */
const scalarParams = {
  struct: 'ScalarParams', name: 'rp',
  fields: { n: 'u32', parts: 'u32', kind: 'u32', accumulate: 'u32', divisor: 'f32' },
} as const;
const scalarBindings = { r_a: 'read', r_b: 'read', r_out: 'read_write', r_partial: 'read_write' } as const;
const colParams = { struct: 'ColParams', name: 'sr', fields: { outer: 'u32', rows: 'u32', inner: 'u32', splits: 'u32', chunk: 'u32' } } as const;
const colBindings = { sr_x: 'read', sr_y: 'read_write', sr_partial: 'read_write' } as const;

/** Rows are row(t, b) = t * stride_t + b * stride_b. */
const recParams = {
  struct: 'RecParams', name: 'rp',
  fields: {
    batch: 'u32', seq: 'u32', hidden: 'u32', stride_t: 'u32', stride_b: 'u32', relu: 'u32', has_bias: 'u32',
    has_h0: 'u32', has_c0: 'u32', has_dout: 'u32', has_len: 'u32',
  },
} as const;
/** f_extra: hn (GRU) or c (LSTM); unused by the Elman cell. f_len: the optional lengths (batch). */
const recForward = {
  f_xg: 'read_write', f_whhT: 'read', f_bhh: 'read', f_h0: 'read', f_c0: 'read', f_out: 'read_write', f_extra: 'read_write', f_len: 'read',
} as const;

const impParams = {
  struct: 'ImpParams', name: 'ip',
  fields: {
    rows: 'u32', seq: 'u32', p: 'u32', n: 'u32', hid: 'u32', max_iter: 'u32', tol: 'f32', kappa: 'f32',
    rpg: 'u32', groups: 'u32', has_dx: 'u32', has_da: 'u32', has_db: 'u32', has_dc: 'u32', has_dd: 'u32', total: 'u32',
  },
} as const;
const impPrepare = { p_a: 'read', p_b: 'read', p_c: 'read', p_d: 'read', p_ws: 'read_write' } as const;

/**
 * The losses: n items (elements; rows for cross entropy), kind 0 L1, 1 Huber, 2 BCE with logits,
 * 3 cross entropy; classes: posWeight's length (BCE) or the logits' last dim (cross entropy);
 * has_w: posWeight / weight present.
 */
const lossParams = {
  struct: 'LossParams', name: 'lp',
  fields: {
    n: 'u32', parts: 'u32', kind: 'u32', classes: 'u32', delta: 'f32', ignore_index: 'i32', has_w: 'u32', has_da: 'u32', has_db: 'u32',
  },
} as const;
/** a: input / logits, b: target, w: posWeight / class weights, stats: cross entropy's (3). */
const lossForward = { l_a: 'read', l_b: 'read', l_w: 'read', l_out: 'read_write', l_stats: 'read_write', l_partial: 'read_write' } as const;
const lossBackward = {
  lb_a: 'read', lb_b: 'read', lb_w: 'read', lb_stats: 'read', lb_dout: 'read', lb_da: 'read_write', lb_db: 'read_write',
} as const;
const rnamParams = { struct: 'RnamParams', name: 'rb', fields: { rows: 'u32', dim: 'u32', terms: 'u32', rows_per_term: 'u32', eps: 'f32' } } as const;

// ---- the table ------------------------------------------------------------------------------------

export const gpuPasses = {
  // linear.wgsl
  linear_forward: { file: 'linear', uniform: matParams, bindings: matBindings },
  linear_backward_dx: { file: 'linear', uniform: matParams, bindings: matBindings },
  linear_backward_dw: { file: 'linear', uniform: matParams, bindings: matBindings },
  linear_backward_dw_reduce: { file: 'linear', uniform: matParams, bindings: matBindings },

  // mingru.wgsl
  mingru_scan_forward: { file: 'mingru', uniform: scanParams, bindings: scanForward },
  mingru_scan_forward_chunk: { file: 'mingru', uniform: scanParams, bindings: scanForward },
  mingru_scan_forward_carry: { file: 'mingru', uniform: scanParams, bindings: scanForward },
  mingru_scan_forward_apply: { file: 'mingru', uniform: scanParams, bindings: scanForward },
  mingru_scan_backward: { file: 'mingru', uniform: scanParams, bindings: scanBackward },
  mingru_scan_backward_chunk: { file: 'mingru', uniform: scanParams, bindings: scanBackward },
  mingru_scan_backward_carry: { file: 'mingru', uniform: scanParams, bindings: scanBackward },
  mingru_scan_backward_apply: { file: 'mingru', uniform: scanParams, bindings: scanBackward },

  // layernorm.wgsl: x and w are bindings 1 and 2 of both the forward and the backward (row_stats reads x)
  layer_norm_forward: {
    file: 'layernorm', uniform: lnParams,
    bindings: { ln_x: 'read', ln_w: 'read', lf_b: 'read', lf_y: 'read_write', lf_mean: 'read_write', lf_rstd: 'read_write' },
  },
  layer_norm_backward: {
    file: 'layernorm', uniform: lnParams,
    bindings: { ln_x: 'read', ln_w: 'read', lb_dy: 'read', lb_dx: 'read_write', lb_xhat: 'read_write' },
  },
  layer_norm_backward_dwdb: { file: 'layernorm', uniform: lnParams, bindings: lnDwDb },
  layer_norm_backward_reduce: { file: 'layernorm', uniform: lnParams, bindings: lnDwDb },

  // elementwise.wgsl (its elementwise kernels' passes are derived: src/kernels/derived.ts)
  copy_rows: {
    file: 'elementwise',
    uniform: {
      struct: 'CopyParams', name: 'cp',
      fields: { outer: 'u32', src_n: 'u32', dst_n: 'u32', inner: 'u32', src_start: 'u32', dst_start: 'u32', count: 'u32', total: 'u32' },
    },
    bindings: { c_src: 'read', c_dst: 'read_write' },
  },
  copy_rows_indexed: {
    file: 'elementwise',
    uniform: { struct: 'IndexedCopyParams', name: 'ip', fields: { outer: 'u32', n: 'u32', rows: 'u32', inner: 'u32', scatter: 'u32', total: 'u32' } },
    bindings: { i_src: 'read', i_dst: 'read_write', i_index: 'read' },
  },
  transpose_2d: {
    file: 'elementwise', uniform: { struct: 'TransposeParams', name: 'tp', fields: { rows: 'u32', cols: 'u32' } },
    bindings: { t_src: 'read', t_dst: 'read_write' },
  },
  count_nonfinite: {
    file: 'elementwise', uniform: { struct: 'CountParams', name: 'np', fields: { n: 'u32', stride: 'u32' } },
    bindings: { n_a: 'read', n_counter: 'atomic' },
  },

  // reduce.wgsl
  sum_all: { file: 'reduce', uniform: scalarParams, bindings: scalarBindings },
  mse_forward: { file: 'reduce', uniform: scalarParams, bindings: scalarBindings },
  sum_squares_accumulate: { file: 'reduce', uniform: scalarParams, bindings: scalarBindings },
  reduce_final: { file: 'reduce', uniform: scalarParams, bindings: scalarBindings },
  sum_rows: { file: 'reduce', uniform: colParams, bindings: colBindings },
  sum_rows_reduce: { file: 'reduce', uniform: colParams, bindings: colBindings },
  add_row_vector: {
    file: 'reduce', uniform: { struct: 'RowVecParams', name: 'av', fields: { n: 'u32', inner: 'u32' } },
    bindings: { av_x: 'read', av_v: 'read', av_y: 'read_write' },
  },
  mse_backward: {
    file: 'reduce', uniform: { struct: 'MseParams', name: 'mb', fields: { n: 'u32', has_a: 'u32', has_b: 'u32' } },
    bindings: { mb_a: 'read', mb_b: 'read', mb_dout: 'read', mb_da: 'read_write', mb_db: 'read_write' },
  },

  // optim.wgsl
  sgd_step: {
    file: 'optim',
    uniform: {
      struct: 'SgdParams', name: 'sp',
      fields: { n: 'u32', nesterov: 'u32', first_step: 'u32', lr: 'f32', momentum: 'f32', dampening: 'f32', weight_decay: 'f32', has_skip: 'u32' },
    },
    bindings: { s_p: 'read_write', s_g: 'read', s_buf: 'read_write', s_skip: 'read' },
  },
  adam_step: {
    file: 'optim',
    uniform: {
      struct: 'AdamParams', name: 'ap',
      fields: {
        n: 'u32', decoupled: 'u32', lr: 'f32', beta1: 'f32', beta2: 'f32', eps: 'f32', weight_decay: 'f32', step_size: 'f32', bc2_sqrt: 'f32',
        has_skip: 'u32',
      },
    },
    bindings: { a_p: 'read_write', a_g: 'read', a_m: 'read_write', a_v: 'read_write', a_skip: 'read' },
  },
  flag_nonfinite: {
    file: 'optim', uniform: { struct: 'FlagParams', name: 'fp', fields: { n: 'u32', mark: 'f32' } },
    bindings: { f_x: 'read', f_flag: 'read_write' },
  },
  clip_scale: {
    file: 'optim', uniform: { struct: 'ClipParams', name: 'kp', fields: { n: 'u32', max_norm: 'f32' } },
    bindings: { k_g: 'read_write', k_sum_sq: 'read' },
  },

  // rnn.wgsl
  rnn_forward: { file: 'rnn', uniform: recParams, bindings: recForward },
  gru_forward: { file: 'rnn', uniform: recParams, bindings: recForward },
  lstm_forward: { file: 'rnn', uniform: recParams, bindings: recForward },
  // gru_backward and lstm_backward are at WebGPU's default limit of 8 storage buffers per stage, so
  // their optional lengths travel after the batch * hidden floats of g_dh0 / l_dh0 (the plans pack them).
  rnn_backward: {
    file: 'rnn', uniform: recParams,
    bindings: { r_whh: 'read', r_out: 'read', r_dout: 'read', r_dg: 'read_write', r_dh0: 'read_write', r_len: 'read' },
  },
  gru_backward: {
    file: 'rnn', uniform: recParams,
    bindings: {
      g_whh: 'read', g_gates: 'read', g_hn: 'read', g_out: 'read', g_dout: 'read',
      g_dgi: 'read_write', g_dgh: 'read_write', g_dh0: 'read_write',
    },
  },
  lstm_backward: {
    file: 'rnn', uniform: recParams,
    bindings: {
      l_whh: 'read', l_gates: 'read', l_c: 'read', l_c0: 'read', l_dout: 'read',
      l_dg: 'read_write', l_dh0: 'read_write', l_dc0: 'read_write',
    },
  },

  // implicit.wgsl
  implicit_prepare_norm: { file: 'implicit', uniform: impParams, bindings: impPrepare },
  implicit_prepare: { file: 'implicit', uniform: impParams, bindings: impPrepare },
  implicit_forward: {
    file: 'implicit', uniform: impParams,
    bindings: { f_x: 'read', f_ws: 'read', f_xs: 'read_write', f_h: 'read_write', f_stats: 'read_write' },
  },
  implicit_backward: {
    file: 'implicit', uniform: impParams,
    bindings: {
      b_x: 'read', b_ws: 'read', b_xs: 'read', b_h: 'read', b_dh: 'read',
      b_dx: 'read_write', b_part: 'read_write', b_stats: 'read_write',
    },
  },
  implicit_backward_reduce: {
    file: 'implicit', uniform: impParams,
    bindings: { s_part: 'read', s_da: 'read_write', s_db: 'read_write', s_dc: 'read_write', s_dd: 'read_write' },
  },

  // loss.wgsl: every forward pass reduces per-item losses (elements, or rows for cross entropy) to
  // partials [sum, weight sum, invalid targets, NaN items, first invalid row] that loss_final sums
  l1_loss_forward: { file: 'loss', uniform: lossParams, bindings: lossForward },
  huber_loss_forward: { file: 'loss', uniform: lossParams, bindings: lossForward },
  bce_logits_forward: { file: 'loss', uniform: lossParams, bindings: lossForward },
  cross_entropy_forward: { file: 'loss', uniform: lossParams, bindings: lossForward },
  loss_final: { file: 'loss', uniform: lossParams, bindings: lossForward },
  l1_loss_backward: { file: 'loss', uniform: lossParams, bindings: lossBackward },
  huber_loss_backward: { file: 'loss', uniform: lossParams, bindings: lossBackward },
  bce_logits_backward: { file: 'loss', uniform: lossParams, bindings: lossBackward },
  cross_entropy_backward: { file: 'loss', uniform: lossParams, bindings: lossBackward },
  // rnamblock.wgsl: the feed-forward half of the fused RNAM block, one invocation per row; ff_p is
  // the packed lnw | lnb | w1 | b1 | w2 | b2 (see src/backend/webgpu/plans/rnamblock.ts)
  // rows past a sequence's length set to 0 (x (groups, seq, dim), lengths (groups) as float32 integers)
  rnam_block_mask: {
    file: 'rnamblock', uniform: { struct: 'MaskParams', name: 'mp', fields: { n: 'u32', seq: 'u32', dim: 'u32' } },
    bindings: { m_lengths: 'read', m_x: 'read_write' },
  },
  rnam_block_ff_forward: {
    file: 'rnamblock', uniform: rnamParams,
    bindings: { ff_x: 'read', ff_h: 'read', ff_p: 'read', ff_tmp: 'read_write', ff_out: 'read_write' },
  },
  rnam_block_ff_backward: {
    file: 'rnamblock', uniform: rnamParams,
    bindings: {
      ff_x: 'read', ff_h: 'read', ff_p: 'read', fb_dout: 'read', fb_y1: 'read_write', fb_r: 'read_write', fb_da1: 'read_write', fb_du: 'read_write',
    },
  },
  rnam_block_ff_backward_ln: {
    file: 'rnamblock', uniform: rnamParams,
    bindings: { ff_x: 'read', ff_h: 'read', ff_p: 'read', fl_da1: 'read', fl_dy1: 'read_write', fl_dyxhat: 'read_write' },
  },
} as const satisfies { readonly [P in GpuPassName]: GpuPassSpec };

type Passes = typeof gpuPasses;

/** The named uniform fields of pass P (bool flags as 0 / 1). */
export type PassUniforms<P extends GpuPassName> = { readonly [F in keyof Passes[P]['uniform']['fields']]: number };
/** The named storage bindings of pass P; null binds a placeholder (the uniform says it is absent). */
export type PassBindings<P extends GpuPassName> = { readonly [V in keyof Passes[P]['bindings']]: DeviceBuffer | null };
