// Reductions and broadcasts: sum/mean of everything, sum over the first axis, and adding a vector
// over the trailing dimensions.
import { Tensor } from '../tensor.js';
import { record } from '../autograd.js';
import { formatShape, sameShape, ShapeError } from '../shape.js';
import { checkSameDevice } from './common.js';
import { affine } from './elementwise.js';

/** Every row of (rows, inner) set to `src` (inner values): the backward of a sum over rows. */
function broadcastRows(src: Tensor, shape: readonly number[], rows: number): Tensor {
  const out = Tensor.empty(shape, src.device);
  src.device.copy_rows({ src: src.buffer, dst: out.buffer, outer: rows, srcN: 0, dstN: 1, inner: src.numel, srcStart: 0, dstStart: 0, count: 1 });
  return out;
}

/** The sum of all elements, a scalar (shape []). */
export function sum(x: Tensor): Tensor {
  const y = Tensor.empty([], x.device);
  x.device.sum_all({ x: x.buffer, out: y.buffer, n: x.numel });
  return record('sum', { inputs: { x }, outputs: { y }, saved: [], backward: ({ y: g }) => ({ x: broadcastRows(g, x.shape, x.numel) }) }).y;
}

/** The mean of all elements, a scalar (shape []). */
export function mean(x: Tensor): Tensor {
  return affine(sum(x), 1 / x.numel);
}

/** Sum over the first axis: (d0, ...rest) -> (...rest). */
export function sumFirstAxis(x: Tensor): Tensor {
  if (x.ndim < 1) throw new ShapeError('sumFirstAxis: needs at least one dimension');
  const rows = x.shape[0], rest = x.shape.slice(1);
  const y = Tensor.empty(rest, x.device);
  x.device.sum_rows({ x: x.buffer, y: y.buffer, rows, inner: y.numel });
  return record('sumFirstAxis', { inputs: { x }, outputs: { y }, saved: [], backward: ({ y: g }) => ({ x: broadcastRows(g, x.shape, rows) }) }).y;
}

/** x + v, with v broadcast over x's leading dimensions (v's shape = x's trailing shape). */
export function addBroadcast(x: Tensor, v: Tensor, where = 'addBroadcast'): Tensor {
  if (v.ndim > x.ndim || !sameShape(x.shape.slice(x.ndim - v.ndim), v.shape)) {
    throw new ShapeError(`${where}: cannot broadcast ${formatShape(v.shape)} over ${formatShape(x.shape)}`);
  }
  checkSameDevice(where, [x, v]);
  const dev = x.device, rows = x.numel / v.numel;
  const y = Tensor.empty(x.shape, dev);
  dev.add_row_vector({ x: x.buffer, v: v.buffer, y: y.buffer, rows, inner: v.numel });
  return record(where, { inputs: { x, v }, outputs: { y }, saved: [], backward: ({ y: g }) => {
    const dv = v.requiresGrad ? Tensor.empty(v.shape, dev) : null;
    if (dv) dev.sum_rows({ x: g.buffer, y: dv.buffer, rows, inner: v.numel });
    return { x: g, v: dv };
  } }).y;
}
