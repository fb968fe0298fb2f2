// The kernels of the classic recurrent cells (Elman RNN, GRU, LSTM): see assembly/rnn.ts for the
// equations and layouts. Each call runs one layer's whole time loop (forward) or its whole BPTT
// (backward). The input projection x W_ih^T + b_ih and the weight gradients are the grouped linear
// kernels' work; these kernels do the recurrence. Rows are (time step, batch row) pairs laid out
// time-major (seq, batch, *) or, with batchFirst, (batch, seq, *).
import type { DeviceBuffer } from './backend.js';

/** The kernel names, as exported by the wasm module and named by the WGSL entry points. */
export const RECURRENT_KERNEL_NAMES = [
  'rnn_forward', 'rnn_backward', 'gru_forward', 'gru_backward', 'lstm_forward', 'lstm_backward', 'transpose_2d',
] as const;

/** The wasm exports of these kernels: buffers as pointers (0 = absent), booleans as 0/1. */
export type RecurrentWasmExports = Record<(typeof RECURRENT_KERNEL_NAMES)[number], (...args: number[]) => void>;

export interface RecurrentKernels {
  /** dst (cols, rows) = src (rows, cols) transposed. */
  transpose_2d(src: DeviceBuffer, dst: DeviceBuffer, rows: number, cols: number): void;

  /**
   * Elman RNN: out_t = act(xg_t + W_hh out_{t-1} + b_hh), act = relu if `relu` else tanh.
   * xg (rows, H) the input projection (read only); whhT (H, H) = W_hh^T; bhh (H) or null; h0
   * (batch, H) or null (zeros); out (rows, H).
   */
  rnn_forward(xg: DeviceBuffer, whhT: DeviceBuffer, bhh: DeviceBuffer | null, h0: DeviceBuffer | null, out: DeviceBuffer,
    batch: number, seq: number, hidden: number, batchFirst: boolean, relu: boolean): void;
  /**
   * BPTT: from out and dout (rows, H; null = zero) writes dg (rows, H), the gradient of the
   * pre-activations (= of xg and of W_hh h_{t-1} + b_hh), and dh0 (batch, H). whh (H, H) = W_hh.
   */
  rnn_backward(whh: DeviceBuffer, out: DeviceBuffer, dout: DeviceBuffer | null, dg: DeviceBuffer, dh0: DeviceBuffer,
    batch: number, seq: number, hidden: number, batchFirst: boolean, relu: boolean): void;

  /**
   * GRU (r, z, n): xg (rows, 3H) is overwritten with the activations r, z, n; hn (rows, H) receives
   * W_hn h_{t-1} + b_hn; whhT (H, 3H); bhh (3H) or null; h0 (batch, H) or null; out (rows, H).
   */
  gru_forward(xg: DeviceBuffer, whhT: DeviceBuffer, bhh: DeviceBuffer | null, h0: DeviceBuffer | null, out: DeviceBuffer,
    hn: DeviceBuffer, batch: number, seq: number, hidden: number, batchFirst: boolean): void;
  /**
   * BPTT from the saved (r, z, n) and hn: writes dgi (rows, 3H), the gradient of xg, dgh (rows, 3H),
   * the gradient of W_hh h_{t-1} + b_hh, and dh0 (batch, H). whh (3H, H) = W_hh.
   */
  gru_backward(whh: DeviceBuffer, gates: DeviceBuffer, hn: DeviceBuffer, h0: DeviceBuffer | null, out: DeviceBuffer,
    dout: DeviceBuffer | null, dgi: DeviceBuffer, dgh: DeviceBuffer, dh0: DeviceBuffer,
    batch: number, seq: number, hidden: number, batchFirst: boolean): void;

  /**
   * LSTM (i, f, g, o): xg (rows, 4H) is overwritten with the activations; c (rows, H) receives the
   * cell states; whhT (H, 4H); bhh (4H) or null; h0, c0 (batch, H) or null; out (rows, H).
   */
  lstm_forward(xg: DeviceBuffer, whhT: DeviceBuffer, bhh: DeviceBuffer | null, h0: DeviceBuffer | null,
    c0: DeviceBuffer | null, out: DeviceBuffer, c: DeviceBuffer, batch: number, seq: number, hidden: number,
    batchFirst: boolean): void;
  /**
   * BPTT from the saved activations and cell states, dout (rows, H) and dcN (batch, H), either null
   * for zero: writes dg (rows, 4H), the gradient of the pre-activations, dh0 and dc0 (batch, H).
   */
  lstm_backward(whh: DeviceBuffer, gates: DeviceBuffer, c: DeviceBuffer, c0: DeviceBuffer | null,
    dout: DeviceBuffer | null, dcN: DeviceBuffer | null, dg: DeviceBuffer, dh0: DeviceBuffer, dc0: DeviceBuffer,
    batch: number, seq: number, hidden: number, batchFirst: boolean): void;
}

/** Whether a backend implements the recurrent kernels (every Backend does; a third-party one may not). */
export function hasRecurrentKernels(backend: object): boolean {
  return typeof (backend as Partial<RecurrentKernels>).gru_forward === 'function';
}
