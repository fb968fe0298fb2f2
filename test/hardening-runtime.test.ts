// The runtime under abuse: bad RNAM_THREADS values, a disposed backend, kernels that fail on a
// worker, workers that cannot start (a CSP), no cross-origin isolation, out-of-memory inside
// backward(), large blocks that must merge, allocations near the 4 GiB limit, and WebGPU buffers
// whose creation fails.
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { spawnSync } from 'node:child_process';
import { EventEmitter } from 'node:events';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import * as rnam from '../src/index.js';
import { ArgumentError, DeviceError, OutOfMemoryError } from '../src/errors.js';
import { resolveThreads } from '../src/backend/wasm/runtime.js';
import { FreeListAllocator, LARGE, sizeClass } from '../src/backend/wasm/allocator.js';
import { webgpuBackend, reportUnavailable } from './helpers/backends.js';

const test = suite('hardening: runtime');
const root = fileURLToPath(new URL('..', import.meta.url));
const GiB = 2 ** 30;

/** Runs `script` (CommonJS, in the repository root) in a child process with `env`; null on a timeout. */
function child(script: string, env: Record<string, string>, timeout = 30_000) {
  const r = spawnSync(process.execPath, ['-e', script], { cwd: root, encoding: 'utf8', timeout, env: { ...process.env, ...env } });
  return { status: r.status, signal: r.signal, stdout: r.stdout.trim(), stderr: r.stderr };
}

function throwsClass(fn: () => unknown, cls: new (...a: never[]) => Error, pattern: RegExp): void {
  try {
    fn();
  } catch (err) {
    assert.instance(err, cls, `expected ${cls.name}, got ${String(err)}`);
    assert.match((err as Error).message, pattern);
    return;
  }
  assert.unreachable(`no ${cls.name} thrown`);
}

// ---- 1. RNAM_THREADS ------------------------------------------------------------------------

test('RNAM_THREADS: anything but a positive decimal integer is an ArgumentError naming the variable and the value', () => {
  for (const bad of ['abc', '0', '-1', '2.5', '1e1', '0x2', '+2', '2 threads']) {
    throwsClass(() => resolveThreads(undefined, bad, 8), ArgumentError, new RegExp(`RNAM_THREADS .*"${bad.replace(/[.+]/g, '\\$&')}"`));
  }
  assert.equal(resolveThreads(undefined, '3', 8), { threads: 3, reason: null });
  assert.equal(resolveThreads(undefined, undefined, 8), { threads: 8, reason: null });
  throwsClass(() => resolveThreads(2.5, undefined, 8), ArgumentError, /threads option .*2\.5/);
  throwsClass(() => new rnam.WasmBackend({ threads: 0 }), ArgumentError, /threads option .*0/);
});

test('RNAM_THREADS above the core count is capped there and threadsReason says so; the threads option is not capped', () => {
  const capped = resolveThreads(undefined, '64', 2);
  assert.is(capped.threads, 2);
  assert.match(capped.reason!, /RNAM_THREADS=64 is capped at the 2 cores/);
  assert.equal(resolveThreads(64, '1', 2), { threads: 64, reason: null });
});

test('a bad RNAM_THREADS breaks no import: the first use throws the ArgumentError; 64 on this machine runs on its cores', () => {
  const bad = child(`const rnam = require('./dist/rnam.node.js');
    try { rnam.zeros([1]); console.log('no error'); } catch (e) { console.log(e.name + ': ' + e.message); }`, { RNAM_THREADS: 'abc' });
  assert.is(bad.status, 0, bad.stderr);
  assert.match(bad.stdout, /^ArgumentError: .*RNAM_THREADS .*"abc"/);
  const many = child(`const rnam = require('./dist/rnam.node.js'); const os = require('node:os');
    console.log(JSON.stringify({ threads: rnam.cpu.threads, cores: os.availableParallelism(), reason: rnam.cpu.threadsReason }))`, { RNAM_THREADS: '64' });
  assert.is(many.status, 0, many.stderr);
  const r = JSON.parse(many.stdout);
  assert.is(r.threads, Math.min(64, r.cores));
  if (r.cores < 64) assert.match(r.reason, /RNAM_THREADS=64 is capped/);
});

// ---- 2. the thread pool ---------------------------------------------------------------------

const BIG = 1 << 22; // elements: above the work at which kernels go to the pool (2^21)

test('after dispose() a kernel large enough for the pool throws a DeviceError instead of hanging', () => {
  const r = child(`const rnam = require('./dist/rnam.node.js');
    rnam.WasmBackend.create({ threads: 2 }).then((dev) => {
      const a = dev.alloc(${BIG}), b = dev.alloc(${BIG});
      dev.dispose();
      try { dev.unary_forward({ x: a, y: b, n: ${BIG}, op: rnam.Unary.tanh }); console.log('ran'); }
      catch (e) { console.log(e.name + ': ' + e.message); }
      dev.free(a); // a tensor outliving its backend (the GC backstop) frees quietly
      console.log(JSON.stringify(dev.memoryStats()));
    });`, {}, 20_000);
  assert.is(r.signal, null, 'the kernel hung after dispose()');
  assert.is(r.status, 0, r.stderr);
  const [first, second] = r.stdout.split('\n');
  assert.match(first, /^DeviceError: .*after dispose\(\)/);
  assert.equal(JSON.parse(second), { liveBytes: 0, reservedBytes: 0 });
});

test('a kernel that fails on a worker reports the kernel and its exception; the pool works on afterwards', async () => {
  const dev = await rnam.WasmBackend.create({ threads: 2 });
  try {
    const y = dev.alloc(BIG);
    // The first of the call's two tasks lies in memory, the second past its end: a trap there only.
    // Threads take tasks as they come free, so the second is the worker's unless the calling thread
    // gets to it first (a worker slow to wake): try until the worker has failed once, and check
    // every report, wherever the trap was.
    const memory = (dev as unknown as { rt: { state: { memory: WebAssembly.Memory } } }).rt.state.memory;
    const places: string[] = [];
    for (let attempt = 0; attempt < 50 && !places.includes('worker'); attempt++) {
      const x = { numel: BIG, ptr: memory.buffer.byteLength - 4 * (BIG / 2) }; // the end as it is now
      let failure: unknown = null;
      try {
        dev.unary_forward({ x, y, n: BIG, op: rnam.Unary.tanh });
      } catch (err) {
        failure = err;
      }
      assert.instance(failure, DeviceError, `expected a DeviceError, got ${String(failure)}`);
      const message = (failure as Error).message;
      assert.match(message, /unary_forward failed( on the calling thread)?: RuntimeError: memory access out of bounds( \(on worker 1\))?$/);
      places.push(message.endsWith('(on worker 1)') ? 'worker' : 'caller');
      const ok = rnam.tensor(new Float32Array(BIG).fill(0.5), [BIG], { device: dev });
      const result = rnam.tanh(ok);
      const out = result.toArraySync();
      assert.is(out[BIG - 1], out[0]);
      assert.ok(Math.abs(out[0] - Math.tanh(0.5)) < 1e-6);
      ok.dispose();
      result.dispose();
    }
    assert.ok(places.includes('worker'), `the trap was never on the worker in ${places.length} tries: ${places.join(', ')}`);
  } finally {
    dev.dispose();
  }
});

/** Runs `fn` with node:worker_threads' Worker replaced (the pool takes it from process.getBuiltinModule). */
async function withWorker(fake: unknown, fn: () => Promise<void>): Promise<void> {
  const wt = createRequire(import.meta.url)('node:worker_threads') as { Worker: unknown };
  assert.is(process.getBuiltinModule('node:worker_threads'), wt);
  const real = wt.Worker;
  wt.Worker = fake;
  try {
    await fn();
  } finally {
    wt.Worker = real;
  }
}

/** A Worker that a Content-Security-Policy refused: it fails asynchronously with an error event. */
class RefusedWorker extends EventEmitter {
  constructor() {
    super();
    setTimeout(() => this.emit('error', new Error("Refused to create a worker from 'blob:...' (worker-src 'self')")), 5);
  }
  postMessage(): void {}
  terminate(): void {}
  ref(): void {}
  unref(): void {}
}

class ThrowingWorker {
  constructor() {
    throw new Error('SecurityError: the worker script was blocked');
  }
}

for (const [what, fake] of [['fail with an error event', RefusedWorker], ['throw when constructed', ThrowingWorker]] as const) {
  test(`workers that ${what}: one thread, a threadsReason that says so, kernels still right and never hanging`, async () => {
    const reference = new rnam.WasmBackend({ threads: 1 });
    const values = new Float32Array(BIG).map((_, i) => Math.sin(i));
    const expected = rnam.tanh(rnam.tensor(values, [BIG], { device: reference })).toArraySync();
    await withWorker(fake, async () => {
      const dev = new rnam.WasmBackend({ threads: 2 });
      const early = rnam.tanh(rnam.tensor(values, [BIG], { device: dev })).toArraySync(); // starts the pool
      await dev.ready().then(() => assert.unreachable('ready() resolved with failing workers'), (err: Error) => assert.match(err.message, /blocked|Refused/));
      assert.is(dev.threads, 1);
      assert.match(dev.threadsReason!, /^1 thread: the workers did not start \(.*(blocked|Refused)/);
      assert.match(dev.description, /1 thread\)/);
      const late = rnam.tanh(rnam.tensor(values, [BIG], { device: dev })).toArraySync();
      assert.equal([...early], [...expected]);
      assert.equal([...late], [...expected]);
      dev.dispose();
    });
    reference.dispose();
  });
}

test('without cross-origin isolation threadsReason names the COOP and COEP headers', () => {
  const g = globalThis as { crossOriginIsolated?: boolean };
  g.crossOriginIsolated = false;
  try {
    const dev = new rnam.WasmBackend({ threads: 2 });
    assert.is(dev.threads, 1);
    assert.match(dev.threadsReason!, /Cross-Origin-Opener-Policy: same-origin/);
    assert.match(dev.threadsReason!, /Cross-Origin-Embedder-Policy: require-corp/);
  } finally {
    delete g.crossOriginIsolated;
  }
});

// ---- 3. memory ------------------------------------------------------------------------------

test('out of memory inside backward(): the graph and the gradients in flight are released, a typed error says how much', () => {
  const n = 1 << 18; // 1 MiB per tensor
  const dev = new rnam.WasmBackend({ threads: 1, memoryLimit: 9 * 2 ** 20 });
  const x = rnam.tensor(new Float32Array(n).fill(0.1), [n], { device: dev, requiresGrad: true });
  const before = dev.memoryStats().liveBytes;
  // Six saved activations of 1 MiB each fit; backward needs two more gradient buffers and fails.
  const loss = rnam.tidy(() => {
    let h = x;
    for (let i = 0; i < 6; i++) h = rnam.tanh(h);
    return rnam.sum(h);
  });
  assert.ok(dev.memoryStats().liveBytes > before + 6 * 2 ** 20, 'the forward should hold its activations');
  throwsClass(() => loss.backward(), OutOfMemoryError, /out of memory: asked for 1\.0 MB .* live in \d+ tensors.* the limit is 9\.4 MB/);
  // What is left: x, the loss, and a gradient x got, if any.
  assert.ok(dev.memoryStats().liveBytes <= before + 16 + 2 ** 20, `left ${dev.memoryStats().liveBytes - before} bytes live after the failed backward`);
  assert.throws(() => loss.backward(), /already released/);
  dev.dispose();
});

test('allocator: freed large blocks merge, so three freed 1 GiB tensors serve one 1.5 GB tensor; addresses are deterministic', () => {
  const run = () => {
    let end = 0;
    const a = new FreeListAllocator(1024, (e) => ((end = Math.max(end, e)), true), 4 * GiB);
    const blocks = [a.alloc(GiB), a.alloc(GiB), a.alloc(GiB)];
    blocks.forEach((p) => a.free(p));
    assert.is(a.liveBytes, 0);
    const big = a.alloc(1.5e9);
    const small = a.alloc(100);
    return { blocks, big, small, end, reserved: a.reservedBytes };
  };
  const r = run();
  assert.is(r.big, r.blocks[0], 'the 1.5 GB tensor reuses the merged space');
  assert.ok(r.end <= 1024 + 3 * GiB, `grew to ${r.end}`);
  assert.equal(run(), r);
});

test('allocator: large requests are only aligned (4.0e9 bytes fits under 4 GiB); small ones keep their classes', () => {
  assert.is(sizeClass(4e9), 4e9);
  assert.is(sizeClass(LARGE + 1), LARGE + 16);
  assert.is(sizeClass(300), 320);
  const a = new FreeListAllocator(1024, () => true, 4 * GiB);
  assert.ok(a.alloc(4e9) > 0);
});

test('allocator: a split large block, its neighbours freed in any order, merges back into one', () => {
  const a = new FreeListAllocator(0, () => true, 64 * LARGE);
  const p = [0, 1, 2, 3].map(() => a.alloc(4 * LARGE));
  a.alloc(LARGE); // keeps the four off the top
  for (const i of [2, 0, 3, 1]) a.free(p[i]);
  assert.is(a.alloc(16 * LARGE), p[0]);
});

test('allocator: out of memory says what was asked for, what is live and the limit', () => {
  const a = new FreeListAllocator(0, () => true, 10e6);
  a.alloc(4e6);
  throwsClass(() => a.alloc(8e6), OutOfMemoryError, /asked for 8\.0 MB .*4\.0 MB live in 1 tensors.*the limit is 10\.0 MB/);
});

test('the wasm backend: three freed 1 GiB buffers then a 1.5 GB one, then 4.0e9 bytes in one buffer (nothing touched)', () => {
  const dev = new rnam.WasmBackend({ threads: 1 });
  try {
    const blocks = [0, 1, 2].map(() => dev.alloc(GiB / 4));
    blocks.forEach((b) => dev.free(b));
    const big = dev.alloc(1.5e9 / 4);
    assert.is(dev.memoryStats().liveBytes, 1.5e9);
    dev.free(big);
    const huge = dev.alloc(1e9);
    assert.is(dev.memoryStats().liveBytes, 4e9);
    dev.free(huge);
    throwsClass(() => dev.alloc(1.1e9), OutOfMemoryError, /asked for 4\.40 GB .*0 bytes live in 0 tensors.*the limit is 4\.29 GB/);
  } finally {
    dev.dispose();
  }
});

test.run();

// ---- 3d. WebGPU buffers whose creation fails ------------------------------------------------

const gpu = await webgpuBackend();
if (typeof gpu === 'string') {
  reportUnavailable('hardening: WebGPU buffer creation', gpu);
} else {
  const g = suite('hardening: WebGPU buffer creation');
  g('a tensor over maxBufferSize is an OutOfMemoryError and stats do not count it', async () => {
    await gpu.sync();
    const before = gpu.stats();
    const limit = (gpu as unknown as { rt: { device: GPUDevice } }).rt.device.limits.maxBufferSize;
    throwsClass(() => gpu.alloc(Math.ceil(limit / 4) + 64), OutOfMemoryError, /maxBufferSize/);
    assert.equal(gpu.stats(), before);
  });
  g('a createBuffer that fails validation is not counted once its error is known, and the next read reports it', async () => {
    await gpu.sync();
    const before = gpu.stats();
    const device = (gpu as unknown as { rt: { device: GPUDevice } }).rt.device;
    const real = device.createBuffer.bind(device);
    // MAP_READ with STORAGE is invalid: the buffer comes back as an error object, as a failed allocation does.
    device.createBuffer = (d: GPUBufferDescriptor) => real({ ...d, usage: d.usage | 0x1 });
    let b: rnam.DeviceBuffer;
    try {
      b = gpu.alloc(1 << 20); // a size no earlier test left in the pool
    } finally {
      device.createBuffer = real;
    }
    let message = '';
    await gpu.sync().catch((err: Error) => (message = err.message));
    assert.match(message, /creating a 4194304-byte buffer failed/);
    assert.equal(gpu.stats(), before, 'stats count the failed buffer');
    gpu.free(b);
    assert.equal(gpu.stats(), before, 'freeing the failed buffer changed the stats');
    const t = rnam.tensor(new Float32Array(1 << 20).fill(2), [1 << 20], { device: gpu });
    assert.is((await t.toArray())[5], 2);
    t.dispose();
  });
  g.run();
}
