// Soak: the naive training loop users write (forward, loss, backward, optimizer.step,
// `await loss.item()`, nothing disposed) run for thousands of small steps, with live bytes and the
// backend's reserved memory sampled. Undisposed tensors are freed by the FinalizationRegistry
// backstop, whose callbacks run only between tasks; on wasm, read() turns the event loop once
// while the heap grows (src/backend/wasm/backend.ts), so even this microtask-only loop stays flat.
// Before that, the same loop grew by ~33 KB per step at batch 16, seq 64 (since module forwards
// free their activations themselves, what it leaks is the ~200 B per step of returned tensors
// nobody disposed; without the yield this test fails: 640 KB still live after a collection). The test fits lines to
// the samples of the second half (slopes ~0), then checks that after a collection the loop itself
// frees everything it left (live bytes back to those after the first step).
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import * as rnam from '../src/index.js';
import { forEachBackend } from './helpers/backends.js';

const test = suite('soak: the naive training loop stays flat');

/** Least-squares slope of ys over xs. */
export function slope(xs: number[], ys: number[]): number {
  const n = xs.length, mx = xs.reduce((a, b) => a + b, 0) / n, my = ys.reduce((a, b) => a + b, 0) / n;
  let num = 0, den = 0;
  for (let i = 0; i < n; i++) {
    num += (xs[i] - mx) * (ys[i] - my);
    den += (xs[i] - mx) ** 2;
  }
  return num / den;
}

function memory(dev: rnam.Backend): { live: number; reserved: number } {
  if (dev.kind === 'wasm') {
    const s = (dev as rnam.WasmBackend).memoryStats();
    return { live: s.liveBytes, reserved: s.reservedBytes };
  }
  const s = (dev as rnam.WebGPUBackend).stats();
  return { live: s.liveBytes, reserved: s.liveBytes + s.pooledBytes };
}

// A full collection on demand, so the check below does not wait on V8's schedule (the flag only
// makes gc() callable; the loop itself never calls it).
setFlagsFromString('--expose-gc');
const collect = runInNewContext('gc') as () => void;

export interface SoakResult {
  /** Least-squares slopes over the second half, bytes per step. */
  liveSlope: number;
  /**
   * Growth of the live peaks, bytes per step: the highest live sample of the last quarter of the
   * second half minus that of its first quarter, over the steps between. Live bytes saw-tooth
   * between collections, and one collection inside the window tilts a least-squares slope by
   * megabytes over a thousand steps either way; the peaks only rise when something leaks.
   */
  livePeakGrowth: number;
  reservedSlope: number;
  /** Live bytes after the first step, and after a collection followed by more naive steps. */
  liveAfterFirst: number;
  liveAfterCollect: number;
  ms: number;
}

export async function soak(dev: rnam.Backend, steps: number, batch: number, seq: number): Promise<SoakResult> {
  const started = performance.now();
  rnam.manualSeed(1);
  const terms = 2;
  const model = new rnam.FirstOrderRNAM({ terms, hiddenDim: 4, outDim: 1, blocks: 1 }).to(dev);
  const opt = new rnam.AdamW(model.parameters(), { lr: 1e-3 });
  const gen = new rnam.Generator(2);
  const x = rnam.tensor(gen.fillNormal(new Float32Array(terms * batch * seq)), [terms, batch, seq, 1], { device: dev });
  const y = rnam.tensor(gen.fillNormal(new Float32Array(batch)), [batch, 1], { device: dev });
  const naiveStep = async () => {
    opt.zeroGrad();
    const [yHat] = model.forward(x);
    const loss = rnam.mseLoss(yHat.reshape(batch, 1), y);
    loss.backward();
    opt.step();
    await loss.item(); // nothing disposed
  };
  await naiveStep();
  const liveAfterFirst = memory(dev).live;
  const at: number[] = [], live: number[] = [], reserved: number[] = [];
  const every = Math.max(1, Math.floor(steps / 200));
  for (let step = 1; step < steps; step++) {
    await naiveStep();
    if (step >= steps / 2 && step % every === 0) {
      const m = memory(dev);
      at.push(step);
      live.push(m.live);
      reserved.push(m.reserved);
    }
  }
  // Garbage the loop left is reclaimed by the loop itself: collect, then keep stepping naively.
  collect();
  for (let i = 0; i < 20; i++) await naiveStep();
  const q = Math.max(1, Math.floor(at.length / 4));
  const peak = (from: number, to: number) => Math.max(...live.slice(from, to));
  const livePeakGrowth = (peak(at.length - q, at.length) - peak(0, q)) / Math.max(1, at[at.length - q] - at[0]);
  return { liveSlope: slope(at, live), livePeakGrowth, reservedSlope: slope(at, reserved), liveAfterFirst, liveAfterCollect: memory(dev).live, ms: performance.now() - started };
}

/** Steps, batch, seq per backend: thousands on wasm; WebGPU on SwiftShader is ~100x slower per step. */
const SIZES: Record<string, [number, number, number]> = { wasm: [3000, 16, 64], webgpu: [40, 4, 8] };

await forEachBackend('soak: the naive training loop stays flat', (test, dev) => {
  const [steps, batch, seq] = SIZES[dev.kind];
  test(`${steps} naive steps on ${dev.kind} (batch ${batch}, seq ${seq}): reserved memory flat, every undisposed tensor reclaimed`, async () => {
    const r = await soak(dev, steps, batch, seq);
    const figures = `live ${r.liveSlope.toFixed(1)} B/step (peaks ${r.livePeakGrowth.toFixed(1)} B/step), reserved ${r.reservedSlope.toFixed(1)} B/step over the second half; ` +
      `live ${r.liveAfterFirst} B after step 1, ${r.liveAfterCollect} B after a collection; ${r.ms.toFixed(0)} ms`;
    if (process.env.RNAM_SOAK_REPORT) console.log(`  soak ${dev.kind}: ${figures}`);
    // Live bytes saw-tooth between collections (~200 B/step here); the leak was ~33,000 B/step.
    assert.ok(Math.abs(r.reservedSlope) < 1024, `reserved memory grows: ${figures}`);
    assert.ok(r.livePeakGrowth < 1024, `live memory grows: ${figures}`);
    assert.ok(r.liveAfterCollect <= r.liveAfterFirst + 128 * 1024, `undisposed tensors were not reclaimed: ${figures}`);
  });
});

test('slope() measures a known line', () => {
  assert.ok(Math.abs(slope([0, 1, 2, 3], [5, 7, 9, 11]) - 2) < 1e-12);
  assert.is(slope([0, 1, 2], [4, 4, 4]), 0);
});

test.run();
