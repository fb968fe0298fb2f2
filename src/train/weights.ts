// In-memory copies of a model's parameters on their own devices (exact copies: restoring them gives
// the same bits), for early stopping's restoreBestWeights.
import { Tensor } from '../tensor.js';
import { untracked } from '../memory.js';
import type { Module } from '../nn/module.js';

function copyInto(src: Tensor, dst: Tensor): void {
  src.device.copy_rows({ src: src.buffer, dst: dst.buffer, outer: 1, srcN: 1, dstN: 1, inner: src.numel, srcStart: 0, dstStart: 0, count: 1 });
}

export class WeightSnapshot {
  private readonly copies: Record<string, Tensor>;

  constructor(private readonly model: Module) {
    this.copies = untracked(() => Object.fromEntries(model.namedParameters().map(([name, p]) => {
      const t = Tensor.empty(p.shape, p.device);
      copyInto(p, t);
      return [name, t];
    })));
  }

  /** Takes the model's current parameters (into the same buffers). */
  update(): void {
    for (const [name, p] of this.model.namedParameters()) copyInto(p, this.copies[name]);
  }

  restore(): void {
    this.model.loadStateDict(this.copies);
  }

  dispose(): void {
    for (const t of Object.values(this.copies)) t.dispose();
  }
}
