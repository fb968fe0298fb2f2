// The Backend interface: one method per kernel. The method name is also the AssemblyScript export
// and the WGSL entry point, so a kernel missing on one backend is a compile error, not a surprise.

import type { RecurrentKernels } from './recurrent.js';

/** A device allocation holding `numel` float32 values. Each backend adds its own handle. */
export interface DeviceBuffer {
  readonly numel: number;
}

export type BackendKind = 'wasm' | 'webgpu';

export interface Backend extends RecurrentKernels {
  readonly kind: BackendKind;
  /** A human-readable description, e.g. "wasm (SIMD128, 1 thread)". */
  readonly description: string;
  /** Whether readSync works (wasm) or only the asynchronous read (WebGPU). */
  readonly syncRead: boolean;

  alloc(numel: number): DeviceBuffer;
  free(buffer: DeviceBuffer): void;
  write(buffer: DeviceBuffer, data: Float32Array): void;
  read(buffer: DeviceBuffer): Promise<Float32Array>;
  /** Synchronous read where the device allows it (wasm); throws where it does not. */
  readSync(buffer: DeviceBuffer): Float32Array;

  // Grouped linear: see assembly/linear.ts for layouts.
  linear_forward(x: DeviceBuffer, w: DeviceBuffer, b: DeviceBuffer | null, y: DeviceBuffer,
    terms: number, rows: number, inDim: number, outDim: number): void;
  linear_backward(x: DeviceBuffer, w: DeviceBuffer, dy: DeviceBuffer, dx: DeviceBuffer | null,
    dw: DeviceBuffer | null, db: DeviceBuffer | null, terms: number, rows: number, inDim: number, outDim: number): void;

  // The fused minGRU recurrence: see assembly/mingru.ts.
  mingru_scan_forward(hg: DeviceBuffer, h0: DeviceBuffer | null, h: DeviceBuffer,
    groups: number, seq: number, dim: number): void;
  mingru_scan_backward(hg: DeviceBuffer, h0: DeviceBuffer | null, h: DeviceBuffer, dh: DeviceBuffer,
    dhg: DeviceBuffer, dh0: DeviceBuffer | null, groups: number, seq: number, dim: number): void;

  // Layer norm over the last dim of (rows, dim); mean and rstd (rows) are saved for backward.
  layer_norm_forward(x: DeviceBuffer, w: DeviceBuffer | null, b: DeviceBuffer | null, y: DeviceBuffer,
    mean: DeviceBuffer, rstd: DeviceBuffer, rows: number, dim: number, eps: number): void;
  layer_norm_backward(x: DeviceBuffer, w: DeviceBuffer | null, mean: DeviceBuffer, rstd: DeviceBuffer, dy: DeviceBuffer,
    dx: DeviceBuffer | null, dw: DeviceBuffer | null, db: DeviceBuffer | null, rows: number, dim: number, eps: number): void;

  // Elementwise: op codes in opcodes.ts.
  unary_forward(x: DeviceBuffer, y: DeviceBuffer, n: number, op: number): void;
  unary_backward(x: DeviceBuffer, y: DeviceBuffer, dy: DeviceBuffer, dx: DeviceBuffer, n: number, op: number): void;
  binary_forward(a: DeviceBuffer, b: DeviceBuffer, out: DeviceBuffer, n: number, op: number): void;
  binary_backward(a: DeviceBuffer, b: DeviceBuffer, dy: DeviceBuffer, da: DeviceBuffer | null, db: DeviceBuffer | null,
    n: number, op: number): void;
  /** out = x * scale + shift */
  affine_scalar(x: DeviceBuffer, out: DeviceBuffer, n: number, scale: number, shift: number): void;
  fill(out: DeviceBuffer, n: number, value: number): void;
  /** Row-block copy of (outer, n, inner) tensors; srcN = 0 broadcasts. See assembly/elementwise.ts. */
  copy_rows(src: DeviceBuffer, dst: DeviceBuffer, outer: number, srcN: number, dstN: number,
    inner: number, srcStart: number, dstStart: number, count: number): void;

  // Reductions and losses: see assembly/reduce.ts. Scalars are written to out[0].
  sum_all(x: DeviceBuffer, out: DeviceBuffer, n: number): void;
  sum_rows(x: DeviceBuffer, y: DeviceBuffer, rows: number, inner: number): void;
  add_row_vector(x: DeviceBuffer, v: DeviceBuffer, y: DeviceBuffer, rows: number, inner: number): void;
  mse_forward(a: DeviceBuffer, b: DeviceBuffer, out: DeviceBuffer, n: number): void;
  mse_backward(a: DeviceBuffer, b: DeviceBuffer, dOut: DeviceBuffer, da: DeviceBuffer | null, db: DeviceBuffer | null, n: number): void;
  sum_squares_accumulate(x: DeviceBuffer, acc: DeviceBuffer, n: number): void;

  // Optimizers: see assembly/optim.ts.
  sgd_step(p: DeviceBuffer, g: DeviceBuffer, buf: DeviceBuffer, n: number, lr: number, momentum: number,
    dampening: number, weightDecay: number, nesterov: boolean, firstStep: boolean): void;
  adam_step(p: DeviceBuffer, g: DeviceBuffer, m: DeviceBuffer, v: DeviceBuffer, n: number, lr: number, beta1: number,
    beta2: number, eps: number, weightDecay: number, decoupled: boolean, stepSize: number, bc2Sqrt: number): void;
  clip_scale(g: DeviceBuffer, n: number, sumSq: DeviceBuffer, maxNorm: number): void;

  /** How many NaN or infinite values `a` holds. */
  count_nonfinite(a: DeviceBuffer, n: number): Promise<number>;
}

// The implicit RNN's kernels (implicit-kernels.ts): every backend implements them, so they are part
// of Backend (declaration merging keeps them in their own file).
import type { ImplicitKernels } from './implicit-kernels.js';

export interface Backend extends ImplicitKernels {}
