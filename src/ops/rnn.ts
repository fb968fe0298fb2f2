// One layer (one direction) of an Elman RNN, a GRU or an LSTM with PyTorch's equations, as one
// differentiable op. Forward: the input projection of all steps with the grouped linear kernel
// (x W_ih^T + b_ih, terms = 1), then the whole time loop in one fused recurrent kernel. Backward:
// the whole BPTT in one fused kernel, then the weight gradients of both projections as the linear
// kernel's fixed-chunk reductions over rows (deterministic for any thread count).
//
// Memory kept for backward, per layer, rows = seq * batch, G = gates (1, 3, 4), H = hidden:
//   Elman: the output (rows, H) only;
//   GRU:   the gate activations r, z, n (rows, 3H) and W_hn h + b_hn (rows, H), besides the output;
//   LSTM:  the gate activations i, f, g, o (rows, 4H) and the cell states (rows, H), besides the output;
// plus the input x and W_ih^T. Backward allocates for its duration dG (rows, G*H) (GRU: twice),
// h_{t-1} (rows, H) and the transposed weight gradients.
import { Tensor } from '../tensor.js';
import { record } from '../autograd.js';
import { formatShape, shapeError } from '../shape.js';
import { checkSameDevice } from './common.js';
import type { Backend } from '../backend/backend.js';

export type RecurrentCell = 'rnn_tanh' | 'rnn_relu' | 'gru' | 'lstm';

export const GATES: Record<RecurrentCell, number> = { rnn_tanh: 1, rnn_relu: 1, gru: 3, lstm: 4 };

export interface RecurrentLayerInput {
  cell: RecurrentCell;
  /** (seq, batch, inputSize), or (batch, seq, inputSize) with batchFirst. */
  x: Tensor;
  /** (G * hidden, inputSize), (G * hidden, hidden), (G * hidden), (G * hidden): PyTorch's layouts. */
  weightIh: Tensor;
  weightHh: Tensor;
  biasIh?: Tensor | null;
  biasHh?: Tensor | null;
  /** Initial hidden (and LSTM cell) state (1, batch, hidden); null = zeros. */
  h0?: Tensor | null;
  c0?: Tensor | null;
  batchFirst?: boolean;
  /** The layer, for error messages. */
  where?: string;
}

export interface RecurrentLayerOutput {
  /** Every step's hidden state, in the input's layout: (seq, batch, hidden) or (batch, seq, hidden). */
  output: Tensor;
  /** The LSTM's last cell state (1, batch, hidden); null for the other cells. */
  cN: Tensor | null;
}

/** One recurrent layer over a whole sequence (see the file comment). */
export function recurrentLayer(args: RecurrentLayerInput): RecurrentLayerOutput {
  const { cell, x, weightIh, weightHh } = args;
  const biasIh = args.biasIh ?? null, biasHh = args.biasHh ?? null, h0 = args.h0 ?? null;
  const c0 = cell === 'lstm' ? args.c0 ?? null : null;
  const batchFirst = args.batchFirst ?? false;
  const where = args.where ?? cell;
  const G = GATES[cell];
  if (weightHh.ndim !== 2 || weightHh.shape[0] % G !== 0 || weightHh.shape[1] * G !== weightHh.shape[0]) {
    throw shapeError(where, 'weight_hh', `(${G} * hidden, hidden)`, weightHh.shape);
  }
  const H = weightHh.shape[1], GH = G * H;
  if (weightIh.ndim !== 2 || weightIh.shape[0] !== GH) throw shapeError(where, 'weight_ih', `(${GH}, inputSize)`, weightIh.shape);
  const inSize = weightIh.shape[1];
  for (const [name, b] of [['bias_ih', biasIh], ['bias_hh', biasHh]] as const) {
    if (b && (b.ndim !== 1 || b.shape[0] !== GH)) throw shapeError(where, name, `(${GH})`, b.shape);
  }
  if (x.ndim !== 3 || x.shape[2] !== inSize || x.shape[0] < 1 || x.shape[1] < 1) {
    throw shapeError(where, 'input', batchFirst ? `(batch, seq, ${inSize})` : `(seq, batch, ${inSize})`, x.shape);
  }
  const [seq, batch] = batchFirst ? [x.shape[1], x.shape[0]] : [x.shape[0], x.shape[1]];
  for (const [name, s] of [['h0', h0], ['c0', c0]] as const) {
    if (s && (s.ndim !== 3 || s.shape[0] !== 1 || s.shape[1] !== batch || s.shape[2] !== H)) {
      throw shapeError(where, name, formatShape([1, batch, H]), s.shape);
    }
  }
  checkSameDevice(where, [x, weightIh, weightHh, biasIh, biasHh, h0, c0]);
  const dev = x.device;
  const rows = seq * batch;
  const buf = (t: Tensor | null) => t?.buffer ?? null;

  // Forward: the projection into the gate buffer, then the recurrence.
  const wihT = Tensor.scratch([inSize, GH], dev);
  const whhT = Tensor.empty([H, GH], dev);
  dev.transpose_2d({ src: weightIh.buffer, dst: wihT.buffer, rows: GH, cols: inSize });
  dev.transpose_2d({ src: weightHh.buffer, dst: whhT.buffer, rows: GH, cols: H });
  const gates = Tensor.scratch([rows, GH], dev);
  dev.linear_forward({ x: x.buffer, w: wihT.buffer, b: buf(biasIh), y: gates.buffer, terms: 1, rows, inDim: inSize, outDim: GH });
  const outShape = batchFirst ? [batch, seq, H] : [seq, batch, H];
  const output = Tensor.empty(outShape, dev);
  let extra: Tensor | null = null; // GRU: W_hn h + b_hn; LSTM: cell states
  if (cell === 'rnn_tanh' || cell === 'rnn_relu') {
    dev.rnn_forward({ xg: gates.buffer, whhT: whhT.buffer, bhh: buf(biasHh), h0: buf(h0), out: output.buffer, batch, seq, hidden: H, batchFirst, relu: cell === 'rnn_relu' });
  } else if (cell === 'gru') {
    extra = Tensor.scratch([rows, H], dev);
    dev.gru_forward({ xg: gates.buffer, whhT: whhT.buffer, bhh: buf(biasHh), h0: buf(h0), out: output.buffer, hn: extra.buffer, batch, seq, hidden: H, batchFirst });
  } else {
    extra = Tensor.scratch([rows, H], dev);
    dev.lstm_forward({ xg: gates.buffer, whhT: whhT.buffer, bhh: buf(biasHh), h0: buf(h0), c0: buf(c0), out: output.buffer, c: extra.buffer, batch, seq, hidden: H, batchFirst });
  }
  whhT.dispose();
  if (cell === 'rnn_tanh' || cell === 'rnn_relu') gates.dispose(); // Elman backward needs only the output

  const inputs = { x, weightIh, weightHh, biasIh, biasHh, h0, c0 };
  const saved = [x, wihT, weightHh, output, ...(h0 ? [h0] : []), ...(c0 ? [c0] : []),
    ...(cell === 'gru' || cell === 'lstm' ? [gates, extra!] : [])];

  // The BPTT from the gradient of every output step (null = zero) and, for the LSTM, of cN.
  const backward = (dOut: Tensor | null, dcN: Tensor | null) => {
    const dgi = Tensor.empty([rows, GH], dev);
    const dgh = cell === 'gru' ? Tensor.empty([rows, GH], dev) : dgi;
    const dh0 = Tensor.empty([1, batch, H], dev);
    const dc0 = cell === 'lstm' ? Tensor.empty([1, batch, H], dev) : null;
    if (cell === 'rnn_tanh' || cell === 'rnn_relu') {
      dev.rnn_backward({ whh: weightHh.buffer, out: output.buffer, dout: buf(dOut), dg: dgi.buffer, dh0: dh0.buffer, batch, seq, hidden: H, batchFirst, relu: cell === 'rnn_relu' });
    } else if (cell === 'gru') {
      // dh0 enters holding h0 (zeros when there is none): see the kernel spec.
      if (h0) dev.copy_rows({ src: h0.buffer, dst: dh0.buffer, outer: 1, srcN: 1, dstN: 1, inner: batch * H, srcStart: 0, dstStart: 0, count: 1 });
      else dev.fill({ out: dh0.buffer, n: dh0.numel, value: 0 });
      dev.gru_backward({ whh: weightHh.buffer, gates: gates.buffer, hn: extra!.buffer, out: output.buffer, dout: buf(dOut), dgi: dgi.buffer, dgh: dgh.buffer, dh0: dh0.buffer, batch, seq, hidden: H, batchFirst });
    } else {
      // dc0 enters holding dcN (zeros when there is none): see the kernel spec.
      if (dcN) dev.copy_rows({ src: dcN.buffer, dst: dc0!.buffer, outer: 1, srcN: 1, dstN: 1, inner: batch * H, srcStart: 0, dstStart: 0, count: 1 });
      else dev.fill({ out: dc0!.buffer, n: dc0!.numel, value: 0 });
      dev.lstm_backward({ whh: weightHh.buffer, gates: gates.buffer, c: extra!.buffer, c0: buf(c0), dout: buf(dOut), dg: dgi.buffer, dh0: dh0.buffer, dc0: dc0!.buffer, batch, seq, hidden: H, batchFirst });
    }
    // Input side: dx = dG W_ih, dW_ih^T = x^T dG, db_ih = sum of dG.
    const dx = x.requiresGrad ? Tensor.empty(x.shape, dev) : null;
    const dwihT = weightIh.requiresGrad ? Tensor.empty([inSize, GH], dev) : null;
    const dbih = biasIh?.requiresGrad ? Tensor.empty([GH], dev) : null;
    if (dx || dwihT || dbih) {
      dev.linear_backward({ x: x.buffer, w: wihT.buffer, dy: dgi.buffer, dx: buf(dx), dw: buf(dwihT), db: buf(dbih), terms: 1, rows, inDim: inSize, outDim: GH });
    }
    // Recurrent side: dW_hh^T = h_{t-1}^T dG_h, db_hh = sum of dG_h, with h_{t-1} gathered from h0 and the output.
    const dwhhT = weightHh.requiresGrad ? Tensor.empty([H, GH], dev) : null;
    const dbhh = biasHh?.requiresGrad ? Tensor.empty([GH], dev) : null;
    if (dwhhT || dbhh) {
      const hPrev = Tensor.empty(outShape, dev);
      if (!h0) dev.fill({ out: hPrev.buffer, n: hPrev.numel, value: 0 });
      if (batchFirst) {
        if (h0) dev.copy_rows({ src: h0.buffer, dst: hPrev.buffer, outer: batch, srcN: 1, dstN: seq, inner: H, srcStart: 0, dstStart: 0, count: 1 });
        dev.copy_rows({ src: output.buffer, dst: hPrev.buffer, outer: batch, srcN: seq, dstN: seq, inner: H, srcStart: 0, dstStart: 1, count: seq - 1 });
      } else {
        if (h0) dev.copy_rows({ src: h0.buffer, dst: hPrev.buffer, outer: 1, srcN: batch, dstN: rows, inner: H, srcStart: 0, dstStart: 0, count: batch });
        dev.copy_rows({ src: output.buffer, dst: hPrev.buffer, outer: 1, srcN: rows, dstN: rows, inner: H, srcStart: 0, dstStart: batch, count: rows - batch });
      }
      // dx is not wanted here, so the weight argument is not read.
      dev.linear_backward({ x: hPrev.buffer, w: weightHh.buffer, dy: dgh.buffer, dx: null, dw: buf(dwhhT), db: buf(dbhh), terms: 1, rows, inDim: H, outDim: GH });
      hPrev.dispose();
    }
    if (dgh !== dgi) dgh.dispose();
    dgi.dispose();
    const dwih = dwihT ? transposeBack(dev, dwihT, inSize, GH) : null;
    const dwhh = dwhhT ? transposeBack(dev, dwhhT, H, GH) : null;
    return { x: dx, weightIh: dwih, weightHh: dwhh, biasIh: dbih, biasHh: dbhh, h0: dh0, c0: dc0 };
  };

  if (cell !== 'lstm') {
    return { output: record(cell, { inputs, outputs: { output }, saved, backward: ({ output: dOut }) => backward(dOut, null) }).output, cN: null };
  }
  // The LSTM's two outputs, the output sequence and cN, are one node: one BPTT for both gradients.
  const cN = Tensor.empty([1, batch, H], dev);
  if (batchFirst) dev.copy_rows({ src: extra!.buffer, dst: cN.buffer, outer: batch, srcN: seq, dstN: 1, inner: H, srcStart: seq - 1, dstStart: 0, count: 1 });
  else dev.copy_rows({ src: extra!.buffer, dst: cN.buffer, outer: 1, srcN: rows, dstN: batch, inner: H, srcStart: rows - batch, dstStart: 0, count: batch });
  return record('lstm', { inputs, outputs: { output, cN }, saved, backward: ({ output: dOut, cN: dcN }) => backward(dOut, dcN) });
}

/** (rows, cols) from a (cols, rows) gradient, freeing the latter. */
function transposeBack(dev: Backend, t: Tensor, rows: number, cols: number): Tensor {
  const out = Tensor.empty([cols, rows], dev);
  dev.transpose_2d({ src: t.buffer, dst: out.buffer, rows, cols });
  t.dispose();
  return out;
}
