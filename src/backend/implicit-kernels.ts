// The implicit RNN's kernels (see assembly/implicit.ts for the equations and layouts): a separate
// interface that each backend implements in one block (wasm.ts; webgpu.ts via webgpu-implicit.ts),
// merged into Backend in backend.ts.
import type { DeviceBuffer } from './backend.js';

/** Floats per batch row of the convergence statistics the implicit kernels write. */
export const IMPLICIT_STAT_WIDTH = 4;

export interface ImplicitKernels {
  /**
   * Forward over a whole sequence: x (batch, seq, p); A (n, n), B (n, p + hid), C (hid, n),
   * D (hid, p + hid) are the raw parameters (A is projected onto ||A||_inf <= kappa inside);
   * writes xs (batch, seq, n) the solved X of every step, h (batch, seq, hid), and stats (batch, 4):
   * [solves that did not converge, the largest final residual among them, total iterations,
   * most iterations of one solve].
   */
  implicit_forward(x: DeviceBuffer, a: DeviceBuffer, b: DeviceBuffer, c: DeviceBuffer, d: DeviceBuffer,
    xs: DeviceBuffer, h: DeviceBuffer, stats: DeviceBuffer, batch: number, seq: number, inDim: number,
    n: number, hid: number, maxIter: number, tol: number, kappa: number): void;

  /**
   * Backward by implicit differentiation from dh (batch, seq, hid), the gradient of every h_t:
   * writes dx (batch, seq, p) and dA, dB, dC, dD (summed over batch and time; dA is the gradient
   * with respect to the projected A, passed straight through to A), each skipped when null, and
   * stats (batch, 4) for the adjoint solves.
   */
  implicit_backward(x: DeviceBuffer, a: DeviceBuffer, b: DeviceBuffer, c: DeviceBuffer, d: DeviceBuffer,
    xs: DeviceBuffer, h: DeviceBuffer, dh: DeviceBuffer, dx: DeviceBuffer | null, dA: DeviceBuffer | null,
    dB: DeviceBuffer | null, dC: DeviceBuffer | null, dD: DeviceBuffer | null, stats: DeviceBuffer,
    batch: number, seq: number, inDim: number, n: number, hid: number, maxIter: number, tol: number, kappa: number): void;

  /** dst (cols, rows) = src (rows, cols)^T (the output layer's PyTorch-layout weight). */
  implicit_transpose(src: DeviceBuffer, dst: DeviceBuffer, rows: number, cols: number): void;
}

/** Whether a backend implements the implicit kernels (every Backend does; a third-party one may not). */
export function hasImplicitKernels(backend: object): boolean {
  return typeof (backend as Partial<ImplicitKernels>).implicit_forward === 'function';
}
