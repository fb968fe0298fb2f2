import type { Tensor } from '../tensor.js';
import { ArgumentError, deviceMismatch } from '../errors.js';

/** All tensors of one op must live on one device (a DeviceError naming both otherwise). */
export function checkSameDevice(where: string, tensors: readonly (Tensor | null | undefined)[]): void {
  const first = tensors.find((t) => t)!;
  for (const t of tensors) {
    if (t && t.device !== first.device) throw deviceMismatch(where, first.device, t.device);
  }
}

/** LayerNorm's eps is added to the variance under a square root: a finite number > 0 (op and module). */
export function checkLayerNormEps(where: string, eps: number): void {
  if (typeof eps !== 'number' || !(eps > 0) || !Number.isFinite(eps)) {
    throw new ArgumentError(`${where}: eps must be a finite number > 0, got ${String(eps)}`);
  }
}
