import type { Tensor } from '../tensor.js';

/** All tensors of one op must live on one device. */
export function checkSameDevice(where: string, tensors: readonly (Tensor | null | undefined)[]): void {
  const first = tensors.find((t) => t)!;
  for (const t of tensors) {
    if (t && t.device !== first.device) {
      throw new Error(`${where}: tensors are on different devices (${first.device.description} and ${t.device.description}); move them with .to(device)`);
    }
  }
}
