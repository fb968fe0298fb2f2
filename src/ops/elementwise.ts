// Elementwise ops: binary ones on equal shapes, unary ones, and scalar affine maps.
import { Tensor } from '../tensor.js';
import { record } from '../autograd.js';
import { formatShape, sameShape, ShapeError } from '../shape.js';
import { Binary, Unary, type BinaryOp, type UnaryOp } from '../backend/opcodes.js';
import { checkSameDevice } from './common.js';

function binary(op: BinaryOp, a: Tensor, b: Tensor): Tensor {
  if (!sameShape(a.shape, b.shape)) throw new ShapeError(`${op}: shapes ${formatShape(a.shape)} and ${formatShape(b.shape)} differ`);
  checkSameDevice(op, [a, b]);
  const dev = a.device;
  const y = Tensor.empty(a.shape, dev);
  dev.binary_forward({ a: a.buffer, b: b.buffer, out: y.buffer, n: y.numel, op: Binary[op] });
  if (op === 'add') return record(op, { inputs: { a, b }, outputs: { y }, saved: [], backward: ({ y: g }) => ({ a: g, b: g }) }).y;
  return record(op, { inputs: { a, b }, outputs: { y }, saved: [a, b], backward: ({ y: g }) => {
    const da = a.requiresGrad ? Tensor.empty(a.shape, dev) : null;
    const db = b.requiresGrad ? Tensor.empty(b.shape, dev) : null;
    dev.binary_backward({ a: a.buffer, b: b.buffer, dy: g.buffer, da: da?.buffer ?? null, db: db?.buffer ?? null, n: y.numel, op: Binary[op] });
    return { a: da, b: db };
  } }).y;
}

export const add = (a: Tensor, b: Tensor): Tensor => binary('add', a, b);
export const sub = (a: Tensor, b: Tensor): Tensor => binary('sub', a, b);
export const mul = (a: Tensor, b: Tensor): Tensor => binary('mul', a, b);
export const div = (a: Tensor, b: Tensor): Tensor => binary('div', a, b);

// Backward of these ops needs only the output (relu: y > 0 iff x > 0); of the others only the input.
const BACKWARD_FROM_OUTPUT: ReadonlySet<UnaryOp> = new Set(['relu', 'sigmoid', 'tanh', 'exp', 'sqrt']);

function unary(op: UnaryOp, x: Tensor): Tensor {
  const dev = x.device;
  const y = Tensor.empty(x.shape, dev);
  dev.unary_forward({ x: x.buffer, y: y.buffer, n: y.numel, op: Unary[op] });
  // Save one tensor and hand it to the kernel as both x and y, so the other can be freed.
  const keep = BACKWARD_FROM_OUTPUT.has(op) ? y : x;
  return record(op, { inputs: { x }, outputs: { y }, saved: [keep], backward: ({ y: g }) => {
    const dx = Tensor.empty(x.shape, dev);
    dev.unary_backward({ x: keep.buffer, y: keep.buffer, dy: g.buffer, dx: dx.buffer, n: y.numel, op: Unary[op] });
    return { x: dx };
  } }).y;
}

export const relu = (x: Tensor): Tensor => unary('relu', x);
export const sigmoid = (x: Tensor): Tensor => unary('sigmoid', x);
export const tanh = (x: Tensor): Tensor => unary('tanh', x);
export const exp = (x: Tensor): Tensor => unary('exp', x);
export const log = (x: Tensor): Tensor => unary('log', x);
export const square = (x: Tensor): Tensor => unary('square', x);
export const sqrt = (x: Tensor): Tensor => unary('sqrt', x);
export const abs = (x: Tensor): Tensor => unary('abs', x);
export const neg = (x: Tensor): Tensor => unary('neg', x);

/** x * scale + shift, for scalars scale and shift. */
export function affine(x: Tensor, scale: number, shift = 0): Tensor {
  const dev = x.device;
  const y = Tensor.empty(x.shape, dev);
  dev.affine_scalar({ x: x.buffer, out: y.buffer, n: y.numel, scale, shift });
  return record('affine', { inputs: { x }, outputs: { y }, saved: [], backward: ({ y: g }) => {
    const dx = Tensor.empty(x.shape, dev);
    dev.affine_scalar({ x: g.buffer, out: dx.buffer, n: dx.numel, scale, shift: 0 });
    return { x: dx };
  } }).y;
}

export const mulScalar = (x: Tensor, s: number): Tensor => affine(x, s, 0);
export const addScalar = (x: Tensor, s: number): Tensor => affine(x, 1, s);

export interface SoftplusOptions {
  /** Default 1. */
  beta?: number;
  /** Above beta * x > threshold the op is the identity, as in PyTorch (default 20). */
  threshold?: number;
}

/** PyTorch's softplus: log(1 + exp(beta x)) / beta, or x where beta x > threshold. */
export function softplus(x: Tensor, options: SoftplusOptions = {}): Tensor {
  const { beta = 1, threshold = 20 } = options;
  if (!Number.isFinite(beta) || beta === 0) throw new RangeError(`softplus: beta must be a finite non-zero number, got ${beta}`);
  if (Number.isNaN(threshold)) throw new RangeError('softplus: threshold is NaN');
  const dev = x.device, n = x.numel;
  const y = Tensor.empty(x.shape, dev);
  dev.softplus_forward({ x: x.buffer, y: y.buffer, n, beta, threshold });
  return record('softplus', { inputs: { x }, outputs: { y }, saved: [x], backward: ({ y: dy }) => {
    const dx = Tensor.empty(x.shape, dev);
    dev.softplus_backward({ x: x.buffer, dy: dy.buffer, dx: dx.buffer, n, beta, threshold });
    return { x: dx };
  } }).y;
}
