// Grouped linear: y[t] = x[t] @ w[t] (+ b[t]) for each term t; any dims between the first (terms)
// and the last (inDim) are flattened into rows.
import { Tensor } from '../tensor.js';
import { record } from '../autograd.js';
import { formatShape, ShapeError, shapeError } from '../shape.js';
import { checkSameDevice } from './common.js';

export function linear(x: Tensor, weight: Tensor, bias: Tensor | null = null, where = 'linear'): Tensor {
  if (weight.ndim !== 3) throw shapeError(where, 'weight', '(terms, inDim, outDim)', weight.shape);
  const [terms, inDim, outDim] = weight.shape;
  if (x.ndim < 3 || x.shape[0] !== terms || x.shape[x.ndim - 1] !== inDim) {
    throw shapeError(where, 'input', `(${terms}, *, ${inDim}) with at least 3 dimensions`, x.shape);
  }
  if (bias && (bias.ndim !== 3 || bias.shape[0] !== terms || bias.shape[1] !== 1 || bias.shape[2] !== outDim)) {
    throw shapeError(where, 'bias', formatShape([terms, 1, outDim]), bias.shape);
  }
  checkSameDevice(where, [x, weight, bias]);
  const dev = x.device;
  const rows = x.numel / (terms * inDim);
  if (!Number.isInteger(rows)) throw new ShapeError(`${where}: input ${formatShape(x.shape)} does not split into rows`);
  const y = Tensor.empty([...x.shape.slice(0, -1), outDim], dev);
  dev.linear_forward({ x: x.buffer, w: weight.buffer, b: bias ? bias.buffer : null, y: y.buffer, terms, rows, inDim, outDim });

  return record('linear', { inputs: { x, weight, bias }, outputs: { y }, saved: [x, weight], backward: ({ y: dy }) => {
    const dx = x.requiresGrad ? Tensor.empty(x.shape, dev) : null;
    const dw = weight.requiresGrad ? Tensor.empty(weight.shape, dev) : null;
    const db = bias?.requiresGrad ? Tensor.empty(bias.shape, dev) : null;
    dev.linear_backward({ x: x.buffer, w: weight.buffer, dy: dy.buffer, dx: dx?.buffer ?? null, dw: dw?.buffer ?? null, db: db?.buffer ?? null, terms, rows, inDim, outDim });
    return { x: dx, weight: dw, bias: db };
  } }).y;
}
