// What only the WebGPU backend has: batching into one submit, write ordering against recorded
// work, pooled-buffer reuse, in-place (aliased) kernels, 2-D dispatch of large problems, error
// reporting, device loss, the dispatcher's choices and moving tensors and modules between devices;
// and, without a device, that the embedded WGSL defines exactly the passes of src/kernels/gpu-passes.ts and those derived.ts derives.
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import * as rnam from '../src/index.js';
import { webgpuBackend, reportUnavailable } from './helpers/backends.js';
import { randomArray, assertClose } from './helpers/util.js';
import { wgslSources } from '../src/backend/wgsl-sources.js';
import { allGpuPasses } from '../src/kernels/derived.js';

// Needs no device: the embedded WGSL against the pass table (the build checks each file as well).
const sources = suite('WGSL sources and the pass table');
sources('every @compute entry point of the embedded WGSL is a pass of the table, in its file, and every pass has one', () => {
  const found = Object.entries(wgslSources).flatMap(([file, code]) =>
    [...code.replace(/\/\/[^\n]*/g, '').matchAll(/@compute\b[\s\S]*?\bfn\s+(\w+)\s*\(/g)].map((m) => `${file}: ${m[1]}`));
  const listed = Object.entries(allGpuPasses).map(([pass, p]) => `${p.file}: ${pass}`);
  assert.equal(found.sort(), listed.sort());
});
sources.run();

const gpuOrReason = await webgpuBackend();

if (typeof gpuOrReason === 'string') {
  reportUnavailable('webgpu backend', gpuOrReason);
} else {
  const gpu = gpuOrReason;
  const test = suite(`webgpu backend on ${gpu.description}`);
  const upload = (values: ArrayLike<number>) => {
    const b = gpu.alloc(values.length);
    gpu.write(b, Float32Array.from(values));
    return b;
  };

  test('kernel calls only record: a whole forward and backward is one submit when read once', async () => {
    rnam.manualSeed(3);
    const emb = new rnam.Linear(2, 1, 4).to(gpu), gru = new rnam.MinGRU(2, 4).to(gpu);
    const x = rnam.tensor(randomArray(new rnam.Generator(1), 2 * 3 * 5), [2, 3, 5, 1], { device: gpu, requiresGrad: true });
    await gpu.sync();
    gpu.resetStats();
    const [out] = gru.forward(emb.forward(x));
    const loss = rnam.mean(out);
    loss.backward();
    const before = gpu.stats();
    assert.is(before.submits, 0, 'nothing is submitted before a read');
    assert.ok(before.dispatches > 5, `dispatches recorded: ${before.dispatches}`);
    await x.grad!.toArray();
    assert.is(gpu.stats().submits, 1, 'one submit for the whole step');
  });

  test('a write after recorded work does not overtake it (pooled buffer reuse included)', async () => {
    const a = upload([1, 2, 3, 4]);
    const y1 = gpu.alloc(4), y2 = gpu.alloc(4);
    gpu.unary_forward({ x: a, y: y1, n: 4, op: rnam.Unary.square });     // recorded, reads a = 1..4
    gpu.write(a, Float32Array.of(10, 20, 30, 40));      // must land after the dispatch above
    gpu.unary_forward({ x: a, y: y2, n: 4, op: rnam.Unary.square });
    assert.equal([...await gpu.read(y1)], [1, 4, 9, 16]);
    assert.equal([...await gpu.read(y2)], [100, 400, 900, 1600]);
    // free a buffer a recorded dispatch still reads, reuse it from the pool at once, overwrite it
    const src = upload([5, 6, 7]);
    const out = gpu.alloc(3);
    gpu.affine_scalar({ x: src, out, n: 3, scale: 2, shift: 0 });
    gpu.free(src);
    const reused = gpu.alloc(3);
    gpu.write(reused, Float32Array.of(-1, -1, -1));
    assert.equal([...await gpu.read(out)], [10, 12, 14]);
    assert.equal([...await gpu.read(reused)], [-1, -1, -1]);
    for (const b of [a, y1, y2, out, reused]) gpu.free(b);
  });

  test('in-place kernels (an output aliasing an input) give the out-of-place result', async () => {
    const a = upload([1, 2, 3]), b = upload([10, 20, 30]);
    gpu.binary_forward({ a, b, out: a, n: 3, op: rnam.Binary.add });
    gpu.affine_scalar({ x: b, out: b, n: 3, scale: 0.5, shift: 1 });
    assert.equal([...await gpu.read(a)], [11, 22, 33]);
    assert.equal([...await gpu.read(b)], [6, 11, 16]);
    const t = rnam.tensor([1, 2], [2], { device: gpu, requiresGrad: true });
    rnam.add(rnam.mul(t, t), t).backward(rnam.ones([2], { device: gpu })); // gradient accumulation in place
    assert.equal([...await t.grad!.toArray()], [3, 5]);
    gpu.free(a);
    gpu.free(b);
  });

  test('problems beyond 65535 workgroups run as a 2-D grid; large reductions split', async () => {
    const n = 65535 * 256 + 1000;
    const big = gpu.alloc(n);
    gpu.fill({ out: big, n, value: 0.25 });
    const s = gpu.alloc(1);
    gpu.sum_all({ x: big, out: s, n });
    const values = await gpu.read(big);
    assert.is(values[0], 0.25);
    assert.is(values[n - 1], 0.25);
    assertClose(await gpu.read(s), [n * 0.25], 'sum of 16.8M values', 1e-5, 0);
    gpu.free(big);
    gpu.free(s);
  });

  test('readSync says to read asynchronously; tensors and modules move back with toAsync', async () => {
    const t = rnam.tensor([1, 2, 3], [3], { device: gpu });
    assert.throws(() => t.toArraySync(), /cannot be read synchronously.*toArray/);
    assert.throws(() => rnam.toDevice(t, rnam.cpu), /toAsync/);
    const back = await t.toAsync(rnam.cpu);
    assert.is(back.device, rnam.cpu);
    assert.equal([...back.toArraySync()], [1, 2, 3]);
    rnam.manualSeed(5);
    const lin = new rnam.Linear(2, 3, 4);
    const want = lin.stateDict()['weight'].toArraySync();
    lin.to(gpu);
    assert.is(lin.parameters()[0].device, gpu);
    await lin.toAsync(rnam.cpu);
    assert.is(lin.parameters()[0].device, rnam.cpu);
    assert.equal([...lin.stateDict()['weight'].toArraySync()], [...want]);
  });

  test('a validation error surfaces as an exception naming the kernels of the batch', async () => {
    const out = gpu.alloc(4);
    // an entry point that does not exist (below the typed dispatch, which only takes the table's passes):
    // pipeline creation fails validation
    const rt = (gpu as unknown as { rt: { record: (...a: unknown[]) => void } }).rt;
    rt.record('elementwise', 'no_such_entry', [1, 1, 1], 'w', () => {}, [out], 256);
    let message = '';
    try {
      await gpu.read(out);
    } catch (err) {
      message = (err as Error).message;
    }
    assert.match(message, /WebGPU validation error in a batch running \[no_such_entry\]/);
    gpu.free(out);
    // the backend keeps working afterwards
    const ok = upload([2]);
    gpu.unary_forward({ x: ok, y: ok, n: 1, op: rnam.Unary.square });
    assert.equal([...await gpu.read(ok)], [4]);
  });

  test('device loss: every later call throws a clear error', async () => {
    const { create } = await import('webgpu');
    const other = await rnam.WebGPUBackend.create({ gpu: create([]) });
    const b = other.alloc(2);
    other.destroy();
    await new Promise((r) => setTimeout(r, 50));
    assert.ok(other.lost);
    assert.throws(() => other.fill({ out: b, n: 2, value: 1 }), /WebGPU device lost/);
  });

  test("the dispatcher: 'webgpu' is this backend, 'auto' passes over a CPU emulation and says why", async () => {
    const d = await rnam.device('webgpu');
    assert.is(d, gpu as unknown);
    assert.match(d.reason, /^webgpu: asked for by name/);
    const auto = await rnam.device('auto');
    if (gpu.cpuEmulation) {
      assert.is(auto.kind, 'wasm');
      assert.match(auto.reason, /CPU emulation/);
      assert.match(rnam.deviceReason(), /CPU emulation/);
      const forced = await rnam.device('auto', { allowCpuEmulation: true });
      assert.is(forced.kind, 'webgpu');
    } else {
      assert.is(auto.kind, 'webgpu');
    }
    assert.is((await rnam.device('wasm')).kind, 'wasm');
  });

  test('stats count dispatches and submits; the pool reuses buffers', async () => {
    await gpu.sync();
    gpu.resetStats();
    const a = gpu.alloc(1000);
    gpu.free(a);
    const created = gpu.stats().buffersCreated;
    const b = gpu.alloc(1000);
    assert.is(gpu.stats().buffersCreated, created, 'the second allocation of a size comes from the pool');
    gpu.fill({ out: b, n: 1000, value: 1 });
    await gpu.read(b);
    const s = gpu.stats();
    assert.is(s.dispatches, 1);
    assert.is(s.submits, 1);
    gpu.free(b);
  });

  test.run();
}
