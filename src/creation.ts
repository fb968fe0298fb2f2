// Making tensors from values.
import { Tensor } from './tensor.js';
import type { Backend } from './backend/backend.js';
import { cpu } from './backend/default-device.js';
import { checkShapeArg, formatShape, numelOf, sameShape, ShapeError, type Shape } from './shape.js';
import { ArgumentError, DeviceError, describeValue } from './errors.js';

export interface TensorOptions {
  device?: Backend;
  requiresGrad?: boolean;
}

/** Values for tensor(): a number, flat values, or nested arrays of numbers (one level per dimension). */
export type NestedValues = number | ArrayLike<number> | readonly NestedValues[];

/** Options must be an object of known keys: a misspelt `{ requiresgrad }` or a typed-array shape is not silently ignored. */
function checkTensorOptions(where: string, options: unknown): TensorOptions {
  if (options === null || typeof options !== 'object' || Array.isArray(options) || ArrayBuffer.isView(options)) {
    throw new ArgumentError(`${where}: options must be an object { device?, requiresGrad? }, got ${describeValue(options)}`);
  }
  for (const key of Object.keys(options)) {
    if (key !== 'device' && key !== 'requiresGrad') throw new ArgumentError(`${where}: unknown option ${key} (known: device, requiresGrad)`);
  }
  const { requiresGrad } = options as TensorOptions;
  if (requiresGrad !== undefined && typeof requiresGrad !== 'boolean') {
    throw new ArgumentError(`${where}: requiresGrad must be a boolean, got ${describeValue(requiresGrad)}`);
  }
  return options as TensorOptions;
}

/** The shape of nested arrays (torch.tensor's rule): every level rectangular, numbers at the bottom. */
function inferShape(values: NestedValues): number[] {
  const shape: number[] = [];
  let level: unknown = values;
  while (Array.isArray(level)) {
    shape.push(level.length);
    if (level.length === 0) break;
    level = level[0];
  }
  return shape;
}

/** The values of `nested` in row-major order, checked against `shape` (ragged nesting, non-numbers). */
function flatten(nested: NestedValues, shape: readonly number[]): Float32Array {
  const out = new Float32Array(numelOf(shape));
  let at = 0;
  const visit = (v: unknown, depth: number, path: string) => {
    if (depth === shape.length) {
      if (Array.isArray(v)) {
        throw new ShapeError(`tensor: ragged nesting: values${path} is an array, but values${'[0]'.repeat(depth)} is a number (inferred shape ${formatShape(shape)})`);
      }
      if (typeof v !== 'number') throw new ArgumentError(`tensor: values${path} is ${describeValue(v)}, not a number`);
      out[at++] = v;
      return;
    }
    if (!Array.isArray(v) || v.length !== shape[depth]) {
      const got = Array.isArray(v) ? `has ${v.length} entries` : `is ${describeValue(v)}`;
      throw new ShapeError(`tensor: ragged nesting: values${path} ${got}, but values${'[0]'.repeat(depth)} has ${shape[depth]} entries (inferred shape ${formatShape(shape)})`);
    }
    v.forEach((x, i) => visit(x, depth + 1, `${path}[${i}]`));
  };
  visit(nested, 0, '');
  return out;
}

/** Flat values as float32, each checked to be a number (a string would otherwise become NaN). */
function flatValues(values: ArrayLike<number>): Float32Array {
  if (values instanceof Float32Array) return values;
  if (ArrayBuffer.isView(values)) return Float32Array.from(values as ArrayLike<number>);
  const out = new Float32Array(values.length);
  for (let i = 0; i < values.length; i++) {
    const v: unknown = values[i];
    if (typeof v !== 'number') throw new ArgumentError(`tensor: values[${i}] is ${describeValue(v)}, not a number`);
    out[i] = v;
  }
  return out;
}

/**
 * A tensor from values, like torch.tensor: a number (shape ()), nested arrays (the shape is
 * inferred; ragged nesting is an error), or flat row-major values with an optional `shape`
 * (default 1-D). The options may come second: tensor([[1, 2]], { device }).
 */
export function tensor(values: NestedValues, shapeOrOptions?: Shape | TensorOptions, options: TensorOptions = {}): Tensor {
  let shape: Shape | undefined;
  if (Array.isArray(shapeOrOptions)) shape = shapeOrOptions;
  else if (shapeOrOptions !== undefined) options = shapeOrOptions as TensorOptions;
  checkTensorOptions('tensor', options);
  let data: Float32Array;
  if (typeof values === 'number') {
    data = Float32Array.of(values);
    shape ??= [];
  } else if (Array.isArray(values) && values.some((v) => Array.isArray(v))) {
    const inferred = inferShape(values);
    data = flatten(values, inferred);
    if (shape && !sameShape(shape, inferred)) {
      // An explicit shape over nested values reshapes them (same number of elements).
      checkShapeArg('tensor', shape);
      if (numelOf(shape) !== data.length) {
        throw new ShapeError(`tensor: nested values of shape ${formatShape(inferred)} do not fill shape ${formatShape(shape)} (${numelOf(shape)} elements)`);
      }
    }
    shape ??= inferred;
  } else if (values !== null && typeof values === 'object' && typeof (values as ArrayLike<number>).length === 'number') {
    data = flatValues(values as ArrayLike<number>);
    shape ??= [data.length];
  } else {
    throw new ArgumentError(`tensor: values must be a number, an array or a typed array, got ${describeValue(values)}`);
  }
  checkShapeArg('tensor', shape);
  if (numelOf(shape) !== data.length) {
    throw new ShapeError(`tensor: ${data.length} values do not fill shape ${formatShape(shape)} (${numelOf(shape)} elements)`);
  }
  return Tensor.fromArray(data, shape, options.device ?? cpu, options.requiresGrad ?? false);
}

export function full(shape: Shape, value: number, options: TensorOptions = {}): Tensor {
  checkShapeArg('full', shape);
  checkTensorOptions('full', options);
  if (typeof value !== 'number') throw new ArgumentError(`full: the fill value must be a number, got ${describeValue(value)}`);
  const device = options.device ?? cpu;
  const t = Tensor.empty(shape, device);
  device.fill({ out: t.buffer, n: t.numel, value });
  t.requiresGrad = options.requiresGrad ?? false;
  return t;
}

export const zeros = (shape: Shape, options?: TensorOptions): Tensor => full(shape, 0, options);
export const ones = (shape: Shape, options?: TensorOptions): Tensor => full(shape, 1, options);

/** The same values on another device (a copy; the same tensor if it is already there). */
export function toDevice(t: Tensor, device: Backend): Tensor {
  if (t.device === device) return t;
  if (!t.device.syncRead) {
    throw new DeviceError(`toDevice: a tensor on ${t.device.kind} cannot be read synchronously; use await toDeviceAsync(t, device) or await t.toAsync(device)`);
  }
  return Tensor.fromArray(t.toArraySync(), t.shape, device, t.requiresGrad);
}

/** toDevice for any source device: reads asynchronously (the way off WebGPU). */
export function toDeviceAsync(t: Tensor, device: Backend): Promise<Tensor> {
  return t.toAsync(device);
}
