// The fused minGRU recurrence: from the to_hidden_and_gate output hg (terms, batch, seq, 2*dim),
// hidden half first and gate half second, and an optional h0 (terms, batch, 1, dim), to the hidden
// sequence h (terms, batch, seq, dim). One kernel per direction; the backward kernel recomputes the
// gates from hg and reads h_{t-1} from the saved output.
// Optional lengths (one per batch entry, right padding): steps past a sequence's length are the
// identity map (a_t = 1, b_t = 0), so h there repeats the state at the last valid step, that is
// what a sequence gets alone, and no gradient reaches the padded inputs.
import { Tensor } from '../tensor.js';
import { record } from '../autograd.js';
import { formatShape, shapeError } from '../shape.js';
import { checkSameDevice } from './common.js';
import { lengthsTensor } from './lengths.js';

export function mingruScan(hg: Tensor, h0: Tensor | null = null, where = 'mingruScan', lengths?: ArrayLike<number> | null): Tensor {
  if (hg.ndim !== 4 || hg.shape[3] % 2 !== 0) {
    throw shapeError(where, 'hidden-and-gate input', '(terms, batch, seq, 2 * dim)', hg.shape);
  }
  const [terms, batch, seq, twoDim] = hg.shape;
  const dim = twoDim / 2;
  if (h0 && (h0.ndim !== 4 || h0.shape[0] !== terms || h0.shape[1] !== batch || h0.shape[2] !== 1 || h0.shape[3] !== dim)) {
    throw shapeError(where, 'prevHidden', formatShape([terms, batch, 1, dim]), h0.shape);
  }
  checkSameDevice(where, [hg, h0]);
  const dev = hg.device;
  const groups = terms * batch;
  const lens = lengthsTensor(dev, where, lengths, batch, seq, terms);
  const lensB = lens?.buffer ?? null;
  const h = Tensor.empty([terms, batch, seq, dim], dev);
  dev.mingru_scan_forward({ hg: hg.buffer, h0: h0 ? h0.buffer : null, h: h.buffer, lengths: lensB, groups, seq, dim });

  const saved = [...(h0 ? [hg, h0, h] : [hg, h]), ...(lens ? [lens] : [])];
  return record('mingruScan', { inputs: { hg, h0 }, outputs: { h }, saved, backward: ({ h: dh }) => {
    const dhg = Tensor.empty(hg.shape, dev);
    const dh0 = h0?.requiresGrad ? Tensor.empty(h0.shape, dev) : null;
    dev.mingru_scan_backward({ hg: hg.buffer, h0: h0 ? h0.buffer : null, h: h.buffer, dh: dh.buffer, dhg: dhg.buffer, dh0: dh0?.buffer ?? null, lengths: lensB, groups, seq, dim });
    return { hg: dhg, h0: dh0 };
  } }).h;
}

/**
 * The whole minGRU recurrence from its input: hg = x @ weight (no bias), then the scan. hg (twice
 * the hidden width) is kept for backward when one will run (as the fused RNAM block keeps it),
 * which saves the backward a matmul for the layer's largest activation in memory.
 */
export function mingruLayer(x: Tensor, weight: Tensor, h0: Tensor | null = null, where = 'mingruLayer', lengths?: ArrayLike<number> | null): Tensor {
  if (weight.ndim !== 3 || weight.shape[2] % 2 !== 0) throw shapeError(where, 'weight', '(terms, dim, 2 * hidden)', weight.shape);
  const [terms, dim, twoHidden] = weight.shape;
  const hidden = twoHidden / 2;
  if (x.ndim !== 4 || x.shape[0] !== terms || x.shape[3] !== dim) {
    throw shapeError(where, 'input', `(${terms}, batch, seq, ${dim})`, x.shape);
  }
  const [, batch, seq] = x.shape;
  if (h0 && (h0.ndim !== 4 || h0.shape[0] !== terms || h0.shape[1] !== batch || h0.shape[2] !== 1 || h0.shape[3] !== hidden)) {
    throw shapeError(where, 'prevHidden', formatShape([terms, batch, 1, hidden]), h0.shape);
  }
  checkSameDevice(where, [x, weight, h0]);
  const dev = x.device, groups = terms * batch, rows = batch * seq;
  const lens = lengthsTensor(dev, where, lengths, batch, seq, terms);
  const lensB = lens?.buffer ?? null;
  const hg = Tensor.scratch([terms, batch, seq, twoHidden], dev);
  dev.linear_forward({ x: x.buffer, w: weight.buffer, b: null, y: hg.buffer, terms, rows, inDim: dim, outDim: twoHidden });
  const h = Tensor.empty([terms, batch, seq, hidden], dev);
  dev.mingru_scan_forward({ hg: hg.buffer, h0: h0 ? h0.buffer : null, h: h.buffer, lengths: lensB, groups, seq, dim: hidden });

  // hg is scratch: record() frees it at once when no backward will read it.
  const saved = [...(h0 ? [x, weight, h0, h, hg] : [x, weight, h, hg]), ...(lens ? [lens] : [])];
  return record('mingruLayer', { inputs: { x, weight, h0 }, outputs: { h }, saved, backward: ({ h: dh }) => {
    const dhg = Tensor.scratch(hg.shape, dev);
    const dh0 = h0?.requiresGrad ? Tensor.empty(h0.shape, dev) : null;
    dev.mingru_scan_backward({ hg: hg.buffer, h0: h0 ? h0.buffer : null, h: h.buffer, dh: dh.buffer, dhg: dhg.buffer, dh0: dh0?.buffer ?? null, lengths: lensB, groups, seq, dim: hidden });
    const dx = x.requiresGrad ? Tensor.empty(x.shape, dev) : null;
    const dw = weight.requiresGrad ? Tensor.empty(weight.shape, dev) : null;
    dev.linear_backward({ x: x.buffer, w: weight.buffer, dy: dhg.buffer, dx: dx?.buffer ?? null, dw: dw?.buffer ?? null, db: null, terms, rows, inDim: dim, outDim: twoHidden });
    dhg._free();
    return { x: dx, weight: dw, h0: dh0 };
  } }).h;
}
