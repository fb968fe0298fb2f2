// Losses.
import { Tensor } from '../tensor.js';
import { record } from '../autograd.js';
import { formatShape, sameShape, ShapeError } from '../shape.js';
import { checkSameDevice } from './common.js';

/** Mean squared error over all elements (PyTorch's MSELoss with reduction 'mean'), a scalar. */
export function mseLoss(input: Tensor, target: Tensor): Tensor {
  if (!sameShape(input.shape, target.shape)) {
    throw new ShapeError(`mseLoss: input ${formatShape(input.shape)} and target ${formatShape(target.shape)} differ`);
  }
  checkSameDevice('mseLoss', [input, target]);
  const dev = input.device, n = input.numel;
  const y = Tensor.empty([], dev);
  dev.mse_forward({ a: input.buffer, b: target.buffer, out: y.buffer, n });
  return record('mseLoss', { inputs: { input, target }, outputs: { y }, saved: [input, target], backward: ({ y: g }) => {
    const da = input.requiresGrad ? Tensor.empty(input.shape, dev) : null;
    const db = target.requiresGrad ? Tensor.empty(target.shape, dev) : null;
    dev.mse_backward({ a: input.buffer, b: target.buffer, dOut: g.buffer, da: da?.buffer ?? null, db: db?.buffer ?? null, n });
    return { input: da, target: db };
  } }).y;
}
