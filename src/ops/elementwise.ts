// Elementwise ops (same shapes; no broadcasting yet).
import { Tensor } from '../tensor.js';
import { record } from '../autograd.js';
import { formatShape, sameShape, ShapeError } from '../shape.js';
import { checkSameDevice } from './common.js';

export function add(a: Tensor, b: Tensor): Tensor {
  if (!sameShape(a.shape, b.shape)) throw new ShapeError(`add: shapes ${formatShape(a.shape)} and ${formatShape(b.shape)} differ`);
  checkSameDevice('add', [a, b]);
  const y = Tensor.empty(a.shape, a.device);
  a.device.add(a.buffer, b.buffer, y.buffer, y.numel);
  return record(y, 'add', [a, b], [], (g) => [g, g]);
}
