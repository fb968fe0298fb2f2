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

/** Both tensors must have one shape: the message names the op and both shapes. */
function checkPair(where: string, inputName: string, input: Tensor, target: Tensor): void {
  if (!sameShape(input.shape, target.shape)) {
    throw new ShapeError(`${where}: ${inputName} ${formatShape(input.shape)} and target ${formatShape(target.shape)} differ`);
  }
  checkSameDevice(where, [input, target]);
}

function noGradAllowed(where: string, name: string, t: Tensor | null | undefined, why: string): void {
  if (t?.requiresGrad) throw new Error(`${where}: ${name} requires grad, but its gradient is not implemented (${why}); pass ${name}.detach()`);
}

/** Mean absolute error over all elements (PyTorch's L1Loss, reduction 'mean'), a scalar. */
export function l1Loss(input: Tensor, target: Tensor): Tensor {
  checkPair('l1Loss', 'input', input, target);
  const dev = input.device, n = input.numel;
  const y = Tensor.empty([], dev);
  dev.l1_loss_forward({ a: input.buffer, b: target.buffer, out: y.buffer, n });
  return record('l1Loss', { inputs: { input, target }, outputs: { y }, saved: [input, target], backward: ({ y: g }) => {
    const da = input.requiresGrad ? Tensor.empty(input.shape, dev) : null;
    const db = target.requiresGrad ? Tensor.empty(target.shape, dev) : null;
    dev.l1_loss_backward({ a: input.buffer, b: target.buffer, dOut: g.buffer, da: da?.buffer ?? null, db: db?.buffer ?? null, n });
    return { input: da, target: db };
  } }).y;
}

export interface HuberLossOptions {
  /** Where the loss turns from quadratic to linear (> 0); default 1. */
  readonly delta?: number;
}

/**
 * PyTorch's HuberLoss (reduction 'mean'), a scalar: per element 0.5 d^2 where |d| < delta, else
 * delta (|d| - delta / 2), with d = input - target.
 */
export function huberLoss(input: Tensor, target: Tensor, { delta = 1 }: HuberLossOptions = {}): Tensor {
  if (!(delta > 0) || !Number.isFinite(delta)) throw new RangeError(`huberLoss: delta must be a positive finite number, got ${delta}`);
  checkPair('huberLoss', 'input', input, target);
  const dev = input.device, n = input.numel;
  const y = Tensor.empty([], dev);
  dev.huber_loss_forward({ a: input.buffer, b: target.buffer, out: y.buffer, n, delta });
  return record('huberLoss', { inputs: { input, target }, outputs: { y }, saved: [input, target], backward: ({ y: g }) => {
    const da = input.requiresGrad ? Tensor.empty(input.shape, dev) : null;
    const db = target.requiresGrad ? Tensor.empty(target.shape, dev) : null;
    dev.huber_loss_backward({ a: input.buffer, b: target.buffer, dOut: g.buffer, da: da?.buffer ?? null, db: db?.buffer ?? null, n, delta });
    return { input: da, target: db };
  } }).y;
}

export interface BceWithLogitsOptions {
  /**
   * The weight of positive examples: one number, or a tensor of shape (C) broadcast over the
   * logits' last dim (C its size, or 1). Not differentiated.
   */
  readonly posWeight?: Tensor | number;
}

/**
 * PyTorch's BCEWithLogitsLoss (reduction 'mean'), a scalar: per element
 * (1 - y) x + (1 + (posWeight - 1) y) softplus(-x), which is max(x, 0) - x y + log1p(exp(-|x|))
 * without posWeight; finite for any finite logit. Gradients for the logits and the target.
 */
export function bceWithLogitsLoss(logits: Tensor, target: Tensor, { posWeight }: BceWithLogitsOptions = {}): Tensor {
  const where = 'bceWithLogitsLoss';
  checkPair(where, 'logits', logits, target);
  const dev = logits.device, n = logits.numel;
  const last = logits.ndim ? logits.shape[logits.ndim - 1] : 1;
  let pw: Tensor | null = null;
  if (typeof posWeight === 'number') {
    if (Number.isNaN(posWeight)) throw new RangeError(`${where}: posWeight is NaN`);
    pw = Tensor.scratch([1], dev);
    dev.write(pw.buffer, Float32Array.of(posWeight));
  } else if (posWeight) {
    if (posWeight.ndim !== 1 || (posWeight.shape[0] !== last && posWeight.shape[0] !== 1)) {
      throw new ShapeError(`${where}: posWeight ${formatShape(posWeight.shape)} does not broadcast over logits ${formatShape(logits.shape)} (expected (${last}) or (1))`);
    }
    checkSameDevice(where, [logits, posWeight]);
    noGradAllowed(where, 'posWeight', posWeight, 'PyTorch does not differentiate it either');
    pw = posWeight;
  }
  const classes = pw ? pw.numel : 1;
  const y = Tensor.empty([], dev);
  dev.bce_logits_forward({ x: logits.buffer, y: target.buffer, posWeight: pw?.buffer ?? null, out: y.buffer, n, classes });
  const saved = pw ? [logits, target, pw] : [logits, target];
  return record(where, { inputs: { logits, target }, outputs: { y }, saved, backward: ({ y: g }) => {
    const dx = logits.requiresGrad ? Tensor.empty(logits.shape, dev) : null;
    const dy = target.requiresGrad ? Tensor.empty(target.shape, dev) : null;
    dev.bce_logits_backward({
      x: logits.buffer, y: target.buffer, posWeight: pw?.buffer ?? null, dOut: g.buffer, dx: dx?.buffer ?? null, dy: dy?.buffer ?? null, n, classes,
    });
    return { logits: dx, target: dy };
  } }).y;
}

export interface CrossEntropyOptions {
  /** Per-class weights, shape (C); the mean is then weighted: sum w[t] nll / sum w[t]. Not differentiated. */
  readonly weight?: Tensor;
  /** Rows whose target equals this are left out of the loss and the mean; default -100 (PyTorch's). */
  readonly ignoreIndex?: number;
}

/**
 * PyTorch's CrossEntropyLoss with class indices (reduction 'mean'), a scalar: the mean over rows
 * of logsumexp(x_i) - x_i[t_i] (log-softmax fused, max-subtracted). logits (N, C) (or (C) with a
 * 0-d target), target (N) class indices stored as floats. The target takes no gradient.
 *
 * Targets are checked by the kernel: one that is not an integer in [0, C) (nor ignoreIndex) makes
 * the loss and the gradients NaN, and on devices that read synchronously (wasm) this throws a
 * RangeError naming the first such row; on WebGPU the NaN loss is the signal.
 */
export function crossEntropyLoss(logits: Tensor, target: Tensor, { weight, ignoreIndex = -100 }: CrossEntropyOptions = {}): Tensor {
  const where = 'crossEntropyLoss';
  const batched = logits.ndim === 2;
  if (!batched && logits.ndim !== 1) throw new ShapeError(`${where}: logits must be (N, C) or (C), got ${formatShape(logits.shape)}`);
  const rows = batched ? logits.shape[0] : 1, classes = logits.shape[logits.ndim - 1];
  if (!sameShape(target.shape, batched ? [rows] : [])) {
    throw new ShapeError(`${where}: logits ${formatShape(logits.shape)} need target ${batched ? `(${rows})` : '()'} of class indices, got target ${formatShape(target.shape)}`);
  }
  if (classes < 1) throw new ShapeError(`${where}: logits ${formatShape(logits.shape)} have no classes`);
  if (weight && (weight.ndim !== 1 || weight.shape[0] !== classes)) {
    throw new ShapeError(`${where}: weight ${formatShape(weight.shape)} must be (${classes}), one per class of logits ${formatShape(logits.shape)}`);
  }
  if (!Number.isInteger(ignoreIndex) || ignoreIndex < -(2 ** 31) || ignoreIndex >= 2 ** 31) throw new RangeError(`${where}: ignoreIndex must be a 32-bit integer, got ${ignoreIndex}`);
  checkSameDevice(where, [logits, target, weight]);
  noGradAllowed(where, 'target', target, 'class indices are not differentiable');
  noGradAllowed(where, 'weight', weight, 'PyTorch does not differentiate it either');
  const dev = logits.device;
  const y = Tensor.empty([], dev);
  const stats = Tensor.scratch([3], dev); // [weight sum, invalid targets, first invalid row]
  const args = { logits: logits.buffer, target: target.buffer, weight: weight?.buffer ?? null, rows, classes, ignoreIndex };
  dev.cross_entropy_forward({ ...args, out: y.buffer, stats: stats.buffer });
  if (dev.syncRead) {
    const [, invalid, first] = dev.readSync(stats.buffer);
    if (invalid > 0) {
      const value = dev.readSync(target.buffer)[first];
      y.dispose();
      stats.dispose();
      throw new RangeError(`${where}: target[${first}] = ${value} is not a class index in [0, ${classes}) nor ignoreIndex ${ignoreIndex}` +
        `${invalid > 1 ? ` (${invalid} invalid targets)` : ''}`);
    }
  }
  return record(where, { inputs: { logits }, outputs: { y }, saved: [logits, target, stats, ...(weight ? [weight] : [])], backward: ({ y: g }) => {
    const dLogits = Tensor.empty(logits.shape, dev);
    dev.cross_entropy_backward({ ...args, stats: stats.buffer, dOut: g.buffer, dLogits: dLogits.buffer });
    return { logits: dLogits };
  } }).y;
}
