// A wasm worker that dies after the pool started loses the backend: the call waiting for it and every
// later call throw a DeviceError within a second or so, never hang. The workers are really
// terminated: mid-call (from the calling thread's own share of the call) and between calls.
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import * as rnam from '../src/index.js';
import { DeviceError } from '../src/errors.js';
import { parallelKernels } from '../src/kernels/types.js';

const test = suite('worker death');
/** Far above the watcher's ~10 ms and the caller's 100 ms wait slices, far below a hang. */
const BOUND_MS = 2000;

interface PoolInternals {
  workers: { terminate(): unknown }[];
  local: ((...args: number[]) => unknown)[];
  dead: boolean;
}
const poolOf = (dev: rnam.WasmBackend): PoolInternals =>
  (dev as unknown as { rt: { live: { pool: PoolInternals } } }).rt.live.pool;

/** Runs fn, expecting a DeviceError saying the backend is lost, within BOUND_MS. */
function lostWithin(what: string, fn: () => unknown): void {
  const t0 = performance.now();
  let failure: unknown = null;
  try {
    fn();
  } catch (err) {
    failure = err;
  }
  const ms = performance.now() - t0;
  assert.instance(failure, DeviceError, `${what}: expected a DeviceError, got ${String(failure)}`);
  assert.match((failure as Error).message, /wasm backend lost: worker 1 died/, what);
  assert.ok(ms < BOUND_MS, `${what}: the error took ${ms.toFixed(0)} ms`);
}

/** A linear layer big enough to run on both threads for a while (two tasks of ~2^27 multiply-adds each). */
function bigLinear(dev: rnam.WasmBackend) {
  const [rows, inDim, outDim] = [4096, 256, 256];
  const x = dev.alloc(rows * inDim), w = dev.alloc(inDim * outDim), y = dev.alloc(rows * outDim);
  dev.fill({ out: x, n: rows * inDim, value: 0.5 });
  dev.fill({ out: w, n: inDim * outDim, value: 0.25 });
  return () => dev.linear_forward({ x, w, b: null, y, terms: 1, rows, inDim, outDim });
}

test('a worker terminated in the middle of a call: that call and every later one throw a DeviceError, none hangs', async () => {
  const dev = await rnam.WasmBackend.create({ threads: 2 });
  try {
    const run = bigLinear(dev);
    run(); // the pool works
    const pool = poolOf(dev);
    const id = parallelKernels.indexOf('linear_forward');
    const real = pool.local[id];
    // The calling thread's first task of the call terminates the worker, which is running the other task.
    pool.local[id] = (...args) => {
      pool.local[id] = real;
      pool.workers[0].terminate();
      return real(...args);
    };
    lostWithin('the call the worker died in', run);
    lostWithin('a later parallel call', run);
    lostWithin('a later call of a kernel that runs on the calling thread', () => dev.sum_all({ x: dev.alloc(4), out: dev.alloc(1), n: 4 }));
    lostWithin('a later allocation', () => dev.alloc(16));
    await new Promise((resolve) => setTimeout(resolve, 50)); // the exit event arrives
    lostWithin('a call after the exit event', run);
  } finally {
    dev.dispose();
  }
});

test('a worker terminated between calls: the next call throws a DeviceError at once, without the event loop turning', async () => {
  const dev = await rnam.WasmBackend.create({ threads: 2 });
  try {
    const run = bigLinear(dev);
    run();
    poolOf(dev).workers[0].terminate();
    lostWithin('the next call', run);
    lostWithin('the one after', run);
  } finally {
    dev.dispose();
  }
});

test('dispose() after a lost worker, and frees of its tensors, do not throw', async () => {
  const dev = await rnam.WasmBackend.create({ threads: 2 });
  const t = rnam.tensor(new Float32Array(8).fill(1), [8], { device: dev });
  const run = bigLinear(dev);
  poolOf(dev).workers[0].terminate();
  lostWithin('the next call', run);
  t.dispose();
  dev.dispose();
  assert.throws(() => dev.alloc(4), /after dispose\(\)/);
});

test.run();
