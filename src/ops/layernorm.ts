// Layer normalisation over the last dimension, with optional affine weight and bias of size dim.
import { Tensor } from '../tensor.js';
import { record } from '../autograd.js';
import { formatShape, shapeError, ShapeError } from '../shape.js';
import { checkLayerNormEps, checkSameDevice } from './common.js';

export function layerNorm(x: Tensor, weight: Tensor | null, bias: Tensor | null, eps = 1e-5, where = 'layerNorm'): Tensor {
  checkLayerNormEps(where, eps);
  if (x.ndim < 1) throw shapeError(where, 'input', '(*, dim)', x.shape);
  const dim = x.shape[x.ndim - 1];
  for (const [name, p] of [['weight', weight], ['bias', bias]] as const) {
    if (!p) continue;
    if (p.ndim !== 1) throw shapeError(where, name, '(dim)', p.shape);
    // The parameters fix the normalised size: a mismatch is the input's fault, as in PyTorch.
    if (p.shape[0] !== dim) {
      throw new ShapeError(`${where}: expected input of shape (*, ${p.shape[0]}) to match ${name} of shape ${formatShape(p.shape)}, got input ${formatShape(x.shape)}`);
    }
  }
  checkSameDevice(where, [x, weight, bias]);
  const dev = x.device, rows = x.numel / dim;
  const y = Tensor.empty(x.shape, dev);
  const mean = Tensor.scratch([rows], dev), rstd = Tensor.scratch([rows], dev); // for backward only
  dev.layer_norm_forward({ x: x.buffer, w: weight?.buffer ?? null, b: bias?.buffer ?? null, y: y.buffer, mean: mean.buffer, rstd: rstd.buffer, rows, dim, eps });
  const saved = weight ? [x, mean, rstd, weight] : [x, mean, rstd];
  return record('layerNorm', { inputs: { x, weight, bias }, outputs: { y }, saved, backward: ({ y: g }) => {
    const dx = x.requiresGrad ? Tensor.empty(x.shape, dev) : null;
    const dw = weight?.requiresGrad ? Tensor.empty(weight.shape, dev) : null;
    const db = bias?.requiresGrad ? Tensor.empty(bias.shape, dev) : null;
    dev.layer_norm_backward({ x: x.buffer, w: weight?.buffer ?? null, mean: mean.buffer, rstd: rstd.buffer, dy: g.buffer, dx: dx?.buffer ?? null, dw: dw?.buffer ?? null, db: db?.buffer ?? null, rows, dim, eps });
    return { x: dx, weight: dw, bias: db };
  } }).y;
}
