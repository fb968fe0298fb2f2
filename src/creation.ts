// Making tensors from values.
import { Tensor } from './tensor.js';
import type { Backend } from './backend/backend.js';
import { cpu } from './backend/default-device.js';
import { checkShapeArg, formatShape, numelOf, ShapeError, type Shape } from './shape.js';

export interface TensorOptions {
  device?: Backend;
  requiresGrad?: boolean;
}

/** A tensor from flat row-major values; `shape` defaults to 1-D. */
export function tensor(values: ArrayLike<number>, shape: Shape = [values.length], options: TensorOptions = {}): Tensor {
  checkShapeArg('tensor', shape);
  if (numelOf(shape) !== values.length) {
    throw new ShapeError(`tensor: ${values.length} values do not fill shape ${formatShape(shape)} (${numelOf(shape)} elements)`);
  }
  const data = values instanceof Float32Array ? values : Float32Array.from(values);
  return Tensor.fromArray(data, shape, options.device ?? cpu, options.requiresGrad ?? false);
}

export function full(shape: Shape, value: number, options: TensorOptions = {}): Tensor {
  checkShapeArg('full', shape);
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
    throw new Error(`toDevice: a tensor on ${t.device.kind} cannot be read synchronously; use await toDeviceAsync(t, device) or await t.toAsync(device)`);
  }
  return Tensor.fromArray(t.toArraySync(), t.shape, device, t.requiresGrad);
}

/** toDevice for any source device: reads asynchronously (the way off WebGPU). */
export function toDeviceAsync(t: Tensor, device: Backend): Promise<Tensor> {
  return t.toAsync(device);
}
