// The recurrent cells as a table: what each one needs of the generic layer in ops/rnn.ts (its gates,
// what it saves, its state beyond h) and its fused forward and backward kernel calls.
import type { Backend, DeviceBuffer } from '../backend/backend.js';

export type RecurrentCell = 'rnn_tanh' | 'rnn_relu' | 'gru' | 'lstm';

/** The sizes every recurrent kernel takes. */
export interface RecurrentDims {
  batch: number;
  seq: number;
  hidden: number;
  batchFirst: boolean;
}

/** rows = seq * batch; G = gates; buffers absent where the layer has none. */
export interface CellForward {
  dev: Backend;
  dims: RecurrentDims;
  /** The input projection x W_ih^T + b_ih (rows, G * hidden); GRU and LSTM leave their gate activations in it. */
  gates: DeviceBuffer;
  whhT: DeviceBuffer;
  bhh: DeviceBuffer | null;
  h0: DeviceBuffer | null;
  c0: DeviceBuffer | null;
  out: DeviceBuffer;
  /** The per-step buffer (rows, hidden) of a cell that saves its gates; null otherwise. */
  step: DeviceBuffer | null;
  /** Each batch row's valid steps (float32 integers); null = all (see the kernel spec). */
  lengths: DeviceBuffer | null;
}

export interface CellBackward {
  dev: Backend;
  dims: RecurrentDims;
  whh: DeviceBuffer;
  /** The saved gate activations and per-step buffer (null for a cell that saves neither). */
  gates: DeviceBuffer | null;
  step: DeviceBuffer | null;
  out: DeviceBuffer;
  /** The gradient of every output step; null = zeros. */
  dout: DeviceBuffer | null;
  h0: DeviceBuffer | null;
  c0: DeviceBuffer | null;
  /** The gradient of the last cell state; null = zeros. */
  dcN: DeviceBuffer | null;
  /** Written: the gate gradients of the input side and of the recurrent side (one buffer unless separateRecurrentGrad). */
  dgi: DeviceBuffer;
  dgh: DeviceBuffer;
  /** Written: the gradients of h0 and (with a cell state) c0. */
  dh0: DeviceBuffer;
  dc0: DeviceBuffer | null;
  lengths: DeviceBuffer | null;
}

export interface RecurrentCellSpec {
  /** Gate blocks in the weights, in PyTorch's order. */
  readonly gates: number;
  /**
   * Whether backward reads the gate activations and a per-step buffer (rows, hidden) the forward
   * writes beside the output (GRU: W_hn h + b_hn; LSTM: the cell states). Elman's reads only the output.
   */
  readonly savesGates: boolean;
  /** A cell state besides h (the LSTM's): c0 comes in, and cN, the per-step buffer's last step, goes out. */
  readonly cellState: boolean;
  /** The recurrent side's gate gradient differs from the input side's (GRU: r scales W_hn h + b_hn). */
  readonly separateRecurrentGrad: boolean;
  forward(a: CellForward): void;
  backward(a: CellBackward): void;
}

/** dst = src, or zeros where there is no src: how the in-out state gradients enter (see the kernel spec). */
function prefill(dev: Backend, src: DeviceBuffer | null, dst: DeviceBuffer, n: number): void {
  if (src) dev.copy_rows({ src, dst, outer: 1, srcN: 1, dstN: 1, inner: n, srcStart: 0, dstStart: 0, count: 1 });
  else dev.fill({ out: dst, n, value: 0 });
}

const elman = (relu: boolean): RecurrentCellSpec => ({
  gates: 1, savesGates: false, cellState: false, separateRecurrentGrad: false,
  forward: (a) => a.dev.rnn_forward({ xg: a.gates, whhT: a.whhT, bhh: a.bhh, h0: a.h0, out: a.out, lengths: a.lengths, ...a.dims, relu }),
  backward: (a) => a.dev.rnn_backward({ whh: a.whh, out: a.out, dout: a.dout, dg: a.dgi, dh0: a.dh0, lengths: a.lengths, ...a.dims, relu }),
});

export const recurrentCells: Readonly<Record<RecurrentCell, RecurrentCellSpec>> = {
  rnn_tanh: elman(false),
  rnn_relu: elman(true),
  gru: {
    gates: 3, savesGates: true, cellState: false, separateRecurrentGrad: true,
    forward: (a) => a.dev.gru_forward({ xg: a.gates, whhT: a.whhT, bhh: a.bhh, h0: a.h0, out: a.out, hn: a.step!, lengths: a.lengths, ...a.dims }),
    backward: (a) => {
      prefill(a.dev, a.h0, a.dh0, a.dims.batch * a.dims.hidden); // dh0 enters holding h0
      a.dev.gru_backward({ whh: a.whh, gates: a.gates!, hn: a.step!, out: a.out, dout: a.dout, dgi: a.dgi, dgh: a.dgh, dh0: a.dh0, lengths: a.lengths, ...a.dims });
    },
  },
  lstm: {
    gates: 4, savesGates: true, cellState: true, separateRecurrentGrad: false,
    forward: (a) => a.dev.lstm_forward({ xg: a.gates, whhT: a.whhT, bhh: a.bhh, h0: a.h0, c0: a.c0, out: a.out, c: a.step!, lengths: a.lengths, ...a.dims }),
    backward: (a) => {
      prefill(a.dev, a.dcN, a.dc0!, a.dims.batch * a.dims.hidden); // dc0 enters holding dcN
      a.dev.lstm_backward({ whh: a.whh, gates: a.gates!, c: a.step!, c0: a.c0, dout: a.dout, dg: a.dgi, dh0: a.dh0, dc0: a.dc0!, lengths: a.lengths, ...a.dims });
    },
  },
};
