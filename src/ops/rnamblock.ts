// The fused RNAM block: out = x + ff(x + minGRU(x)) with a minGRU of expansion 1 (hg = x @ wg, no
// bias, then the scan, no h0) and ff = LayerNorm(lnw, lnb, eps), Linear(w1, b1), ReLU, Linear(w2, b2),
// grouped by term. One kernel per direction (see assembly/rnamblock.ts); it saves the minGRU output
// h for backward (plus the inputs) and, when a backward will run, hz, what the backend keeps of the
// minGRU's projection (2 dim floats a row), so the backward need not recompute it. Its results equal
// the unfused ops' bit for bit on the CPU backend.
import { Tensor } from '../tensor.js';
import { isGradEnabled, record } from '../autograd.js';
import { formatShape, sameShape, shapeError } from '../shape.js';
import { checkSameDevice } from './common.js';
import { lengthsTensor } from './lengths.js';

export interface RNAMBlockParams {
  /** to_hidden_and_gate weight (terms, dim, 2 * dim) */
  readonly wg: Tensor;
  /** LayerNorm weight and bias (dim) */
  readonly lnw: Tensor;
  readonly lnb: Tensor;
  /** the two Linear layers: weights (terms, dim, dim), biases (terms, 1, dim) */
  readonly w1: Tensor;
  readonly b1: Tensor;
  readonly w2: Tensor;
  readonly b2: Tensor;
}

/**
 * `lengths` (one per sample, right padding): each sequence runs its valid steps only; the rows past
 * them are 0 in the output and take no gradient (read each sequence's last valid step, as lastStep
 * does, and their gradient is 0 anyway). The valid rows are the same bits as without lengths.
 */
export function rnamBlock(x: Tensor, params: RNAMBlockParams, eps = 1e-5, where = 'rnamBlock', lengths?: ArrayLike<number> | null): Tensor {
  if (x.ndim !== 4 || x.shape[1] < 1 || x.shape[2] < 1 || x.shape[3] < 1) throw shapeError(where, 'input', '(terms, batch >= 1, seq >= 1, dim)', x.shape);
  const [terms, batch, seq, dim] = x.shape;
  const expected: Record<keyof RNAMBlockParams, number[]> = {
    wg: [terms, dim, 2 * dim], lnw: [dim], lnb: [dim], w1: [terms, dim, dim], b1: [terms, 1, dim], w2: [terms, dim, dim], b2: [terms, 1, dim],
  };
  for (const [name, shape] of Object.entries(expected) as [keyof RNAMBlockParams, number[]][]) {
    if (!sameShape(params[name].shape, shape)) throw shapeError(where, name, formatShape(shape), params[name].shape);
  }
  const { wg, lnw, lnb, w1, b1, w2, b2 } = params;
  checkSameDevice(where, [x, wg, lnw, lnb, w1, b1, w2, b2]);
  const dev = x.device;
  const lens = lengthsTensor(dev, where, lengths, batch, seq, terms);
  const h = Tensor.scratch(x.shape, dev);
  const out = Tensor.empty(x.shape, dev);
  const backwardWillRun = isGradEnabled() && [x, wg, lnw, lnb, w1, b1, w2, b2].some((t) => t.requiresGrad);
  const hz = backwardWillRun ? Tensor.scratch([terms, batch, seq, 2 * dim], dev) : null;
  dev.rnam_block_forward({
    x: x.buffer, wg: wg.buffer, lnw: lnw.buffer, lnb: lnb.buffer, w1: w1.buffer, b1: b1.buffer, w2: w2.buffer, b2: b2.buffer,
    h: h.buffer, out: out.buffer, lengths: lens?.buffer ?? null, hz: hz?.buffer ?? null, terms, batch, seq, dim, eps,
  });

  return record('rnamBlock', {
    inputs: { x, wg, lnw, lnb, w1, b1, w2, b2 }, outputs: { out },
    saved: [x, h, wg, lnw, lnb, w1, b1, w2, ...(lens ? [lens] : []), ...(hz ? [hz] : [])],
    backward: ({ out: dout }) => {
      const grad = (t: Tensor) => (t.requiresGrad ? Tensor.empty(t.shape, dev) : null);
      const g = { x: grad(x), wg: grad(wg), lnw: grad(lnw), lnb: grad(lnb), w1: grad(w1), b1: grad(b1), w2: grad(w2), b2: grad(b2) };
      dev.rnam_block_backward({
        x: x.buffer, h: h.buffer, dout: dout.buffer, wg: wg.buffer, lnw: lnw.buffer, lnb: lnb.buffer, w1: w1.buffer, b1: b1.buffer, w2: w2.buffer,
        dx: g.x?.buffer ?? null, dwg: g.wg?.buffer ?? null, dlnw: g.lnw?.buffer ?? null, dlnb: g.lnb?.buffer ?? null,
        dw1: g.w1?.buffer ?? null, db1: g.b1?.buffer ?? null, dw2: g.w2?.buffer ?? null, db2: g.b2?.buffer ?? null,
        lengths: lens?.buffer ?? null, hz: hz?.buffer ?? null, terms, batch, seq, dim, eps,
      });
      return g;
    },
  }).out;
}
