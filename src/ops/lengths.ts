// Per-sample lengths (host side, right padding) as the recurrent kernels' optional `lengths`
// buffer: one float32 per group (exact for integers below 2^24, far above any sequence length), so
// no integer buffer type is needed in the kernel spec.
import { Tensor } from '../tensor.js';
import type { Backend } from '../backend/backend.js';
import { checkLengths } from './last-step.js';

/**
 * The lengths as a scratch tensor (repeat * batch): entry r * batch + b = lengths[b], for kernels
 * whose groups are (term, sample) pairs; null when lengths are absent or all equal seq (nothing is
 * padded: the kernels then run their unmasked path, bit for bit as without lengths). Checks them.
 */
export function lengthsTensor(dev: Backend, where: string, lengths: ArrayLike<number> | null | undefined,
  batch: number, seq: number, repeat = 1): Tensor | null {
  if (lengths == null) return null;
  checkLengths(where, lengths, batch, seq);
  if (Array.prototype.every.call(lengths, (n: number) => n === seq)) return null;
  const data = new Float32Array(repeat * batch);
  for (let r = 0; r < repeat; r++) for (let b = 0; b < batch; b++) data[r * batch + b] = lengths[b];
  const t = Tensor.scratch([repeat * batch], dev);
  dev.write(t.buffer, data);
  return t;
}
