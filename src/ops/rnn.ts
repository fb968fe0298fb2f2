// One layer (one direction) of an Elman RNN, a GRU or an LSTM with PyTorch's equations, as one
// differentiable op. Forward: the input projection of all steps with the grouped linear kernel
// (x W_ih^T + b_ih, terms = 1), then the whole time loop in one fused recurrent kernel. Backward:
// the whole BPTT in one fused kernel, then the weight gradients of both projections as the linear
// kernel's fixed-chunk reductions over rows (deterministic for any thread count). One generic layer;
// what differs between the cells (gates, kernels, saved buffers, the LSTM's cell state) is each one's
// entry in ops/rnn-cells.ts.
//
// Memory kept for backward, per layer, rows = seq * batch, G = gates (1, 3, 4), H = hidden:
//   Elman: the output (rows, H) only;
//   GRU:   the gate activations r, z, n (rows, 3H) and W_hn h + b_hn (rows, H), besides the output;
//   LSTM:  the gate activations i, f, g, o (rows, 4H) and the cell states (rows, H), besides the output;
// plus the input x and W_ih^T. Backward allocates for its duration dG (rows, G*H) (GRU: twice),
// h_{t-1} (rows, H) and the transposed weight gradients.
//
// Optional lengths (one per batch entry, right padding; PyTorch's packed sequences): steps past a
// sequence's length keep its state, output zeros and get no gradient, so a sequence's output, hN
// and cN do not depend on the padding of its batch. The LSTM's cell-state buffer carries c there,
// so cN is still its last step; hN is the output at each sequence's last valid step (nn/rnn.ts).
import { Tensor } from '../tensor.js';
import { record } from '../autograd.js';
import { formatShape, shapeError } from '../shape.js';
import { checkSameDevice } from './common.js';
import type { Backend } from '../backend/backend.js';
import { recurrentCells, type RecurrentCell, type RecurrentDims } from './rnn-cells.js';
import { lengthsTensor } from './lengths.js';

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
  /** Valid steps per batch entry (integers in [1, seq], right padding); absent = every step. */
  lengths?: ArrayLike<number> | null;
  /** The layer, for error messages. */
  where?: string;
}

export interface RecurrentLayerOutput {
  /** Every step's hidden state, in the input's layout: (seq, batch, hidden) or (batch, seq, hidden). */
  output: Tensor;
  /** The LSTM's last cell state (1, batch, hidden); null for the other cells. */
  cN: Tensor | null;
}

/** One recurrent layer over a whole sequence (see the file comment); the cell's specifics come from its table entry. */
export function recurrentLayer(args: RecurrentLayerInput): RecurrentLayerOutput {
  const { cell, x, weightIh, weightHh } = args;
  const spec = recurrentCells[cell];
  const biasIh = args.biasIh ?? null, biasHh = args.biasHh ?? null, h0 = args.h0 ?? null;
  const c0 = spec.cellState ? args.c0 ?? null : null;
  const batchFirst = args.batchFirst ?? false;
  const where = args.where ?? cell;
  const G = spec.gates;
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
  const dims = { batch, seq, hidden: H, batchFirst };
  const buf = (t: Tensor | null) => t?.buffer ?? null;
  const lens = lengthsTensor(dev, where, args.lengths, batch, seq);
  const lengths = buf(lens);

  // Forward: the projection into the gate buffer, then the recurrence.
  const wihT = Tensor.scratch([inSize, GH], dev);
  const whhT = Tensor.empty([H, GH], dev);
  dev.transpose_2d({ src: weightIh.buffer, dst: wihT.buffer, rows: GH, cols: inSize });
  dev.transpose_2d({ src: weightHh.buffer, dst: whhT.buffer, rows: GH, cols: H });
  const gates = Tensor.scratch([rows, GH], dev);
  dev.linear_forward({ x: x.buffer, w: wihT.buffer, b: buf(biasIh), y: gates.buffer, terms: 1, rows, inDim: inSize, outDim: GH });
  const outShape = batchFirst ? [batch, seq, H] : [seq, batch, H];
  const output = Tensor.empty(outShape, dev);
  const step = spec.savesGates ? Tensor.scratch([rows, H], dev) : null;
  spec.forward({ dev, dims, gates: gates.buffer, whhT: whhT.buffer, bhh: buf(biasHh), h0: buf(h0), c0: buf(c0), out: output.buffer, step: buf(step), lengths });
  whhT.dispose();
  if (!spec.savesGates) gates.dispose();

  const inputs = { x, weightIh, weightHh, biasIh, biasHh, h0, c0 };
  const saved = [x, wihT, weightHh, output, ...(h0 ? [h0] : []), ...(c0 ? [c0] : []), ...(step ? [gates, step] : []), ...(lens ? [lens] : [])];

  // The BPTT from the gradient of every output step (null = zero) and, with a cell state, of cN.
  const backward = (dOut: Tensor | null, dcN: Tensor | null) => {
    const dgi = Tensor.empty([rows, GH], dev);
    const dgh = spec.separateRecurrentGrad ? Tensor.empty([rows, GH], dev) : dgi;
    const dh0 = Tensor.empty([1, batch, H], dev);
    const dc0 = spec.cellState ? Tensor.empty([1, batch, H], dev) : null;
    spec.backward({
      dev, dims, whh: weightHh.buffer, gates: step ? gates.buffer : null, step: buf(step), out: output.buffer, dout: buf(dOut),
      h0: buf(h0), c0: buf(c0), dcN: buf(dcN), dgi: dgi.buffer, dgh: dgh.buffer, dh0: dh0.buffer, dc0: buf(dc0), lengths,
    });
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
      const hPrev = previousHidden(dev, output, h0, dims);
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

  if (!spec.cellState) {
    return { output: record(cell, { inputs, outputs: { output }, saved, backward: ({ output: dOut }) => backward(dOut, null) }).output, cN: null };
  }
  // The output sequence and cN are the outputs of one node: one BPTT for both gradients.
  const cN = lastStep(dev, step!, dims);
  return record(cell, { inputs, outputs: { output, cN }, saved, backward: ({ output: dOut, cN: dcN }) => backward(dOut, dcN) });
}

/** h_{t-1} for every step t (the output's layout): h0 (zeros without one), then the output but its last step. */
function previousHidden(dev: Backend, output: Tensor, h0: Tensor | null, { batch, seq, hidden: H, batchFirst }: RecurrentDims): Tensor {
  const rows = seq * batch;
  const hPrev = Tensor.empty(output.shape, dev);
  if (!h0) dev.fill({ out: hPrev.buffer, n: hPrev.numel, value: 0 });
  if (batchFirst) {
    if (h0) dev.copy_rows({ src: h0.buffer, dst: hPrev.buffer, outer: batch, srcN: 1, dstN: seq, inner: H, srcStart: 0, dstStart: 0, count: 1 });
    dev.copy_rows({ src: output.buffer, dst: hPrev.buffer, outer: batch, srcN: seq, dstN: seq, inner: H, srcStart: 0, dstStart: 1, count: seq - 1 });
  } else {
    if (h0) dev.copy_rows({ src: h0.buffer, dst: hPrev.buffer, outer: 1, srcN: batch, dstN: rows, inner: H, srcStart: 0, dstStart: 0, count: batch });
    dev.copy_rows({ src: output.buffer, dst: hPrev.buffer, outer: 1, srcN: rows, dstN: rows, inner: H, srcStart: 0, dstStart: batch, count: rows - batch });
  }
  return hPrev;
}

/** The last step (1, batch, hidden) of a per-step buffer in the output's layout. */
function lastStep(dev: Backend, perStep: Tensor, { batch, seq, hidden: H, batchFirst }: RecurrentDims): Tensor {
  const rows = seq * batch;
  const last = Tensor.empty([1, batch, H], dev);
  if (batchFirst) dev.copy_rows({ src: perStep.buffer, dst: last.buffer, outer: batch, srcN: seq, dstN: 1, inner: H, srcStart: seq - 1, dstStart: 0, count: 1 });
  else dev.copy_rows({ src: perStep.buffer, dst: last.buffer, outer: 1, srcN: rows, dstN: batch, inner: H, srcStart: rows - batch, dstStart: 0, count: batch });
  return last;
}

/** (rows, cols) from a (cols, rows) gradient, freeing the latter. */
function transposeBack(dev: Backend, t: Tensor, rows: number, cols: number): Tensor {
  const out = Tensor.empty([cols, rows], dev);
  dev.transpose_2d({ src: t.buffer, dst: out.buffer, rows, cols });
  t.dispose();
  return out;
}
