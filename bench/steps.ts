// The timed units the benchmarks share: one training step and one forward pass of a model, and a
// median over repeated calls.
import * as rnam from '../src/index.js';
import { median } from './peer-common.js';

export { median };

/** One optimizer step on the loss that `loss()` builds, all inside tidy, the loss read back. */
export function trainingStep(opt: rnam.Optimizer, loss: () => rnam.Tensor): () => Promise<void> {
  return async () => {
    const l = rnam.tidy(() => {
      opt.zeroGrad();
      const v = loss();
      v.backward();
      opt.step();
      return v;
    });
    await l.item();
    l.dispose();
  };
}

/** One forward pass without gradients, the output read back. */
export function forwardPass(predict: () => rnam.Tensor): () => Promise<void> {
  return async () => {
    const out = rnam.noGrad(() => rnam.tidy(predict));
    await out.toArray();
    out.dispose();
  };
}

/** Median milliseconds of `n` calls after one warm-up call (first-touch allocations). */
export async function timeMs(fn: () => Promise<void>, n: number): Promise<number> {
  await fn();
  const times: number[] = [];
  for (let i = 0; i < n; i++) {
    const t = performance.now();
    await fn();
    times.push(performance.now() - t);
  }
  return median(times);
}
