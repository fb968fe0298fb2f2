// One measuring thread of bench/floor.bench.ts: instantiates the floor kernels, waits at the start
// barrier with the other threads, runs its task `reps` times and posts the seconds of each run.
import { parentPort, workerData } from 'node:worker_threads';

const { binary, barrier } = workerData;
const { instance } = await WebAssembly.instantiate(binary, { env: { abort() { throw new Error('abort'); } } });
const k = instance.exports;
const gate = new Int32Array(barrier);

parentPort.on('message', (task) => {
  let bytes = 0, src = 0, dst = 0;
  if (task.kind !== 'madd') {
    // Two arrays of task.floats floats after the first 64 KiB; grown once, filled (touched) once.
    bytes = task.floats * 4;
    const need = 65536 + 2 * bytes + 65536;
    const have = k.memory.buffer.byteLength;
    if (have < need) k.memory.grow(Math.ceil((need - have) / 65536));
    src = 65536;
    dst = src + bytes;
    const f = new Float32Array(k.memory.buffer, src, task.floats * 2);
    for (let i = 0; i < f.length; i += 1024) f.fill(1 + (i % 7) / 8, i, i + 1024);
  }
  const run = () => {
    if (task.kind === 'madd') return k[task.fn](task.iters, 0.5, 0.999, 0.001);
    if (task.kind === 'copy') return k.copy(src, dst, task.floats);
    if (task.kind === 'scale') return k.scale(src, dst, task.floats, 0.999);
    return k.sum(src, task.floats);
  };
  // Warm-up: the first calls run on V8's baseline compiler (Liftoff) until the optimised code is ready.
  for (let w = 0; w < 3; w++) run();
  const seconds = [];
  let sink = 0;
  for (let r = 0; r < task.reps; r++) {
    // Barrier: count in, then wait until the main thread releases this round.
    Atomics.add(gate, 0, 1);
    Atomics.notify(gate, 0);
    while (Atomics.load(gate, 1) <= r) Atomics.wait(gate, 1, r);
    const t = performance.now();
    sink += run() ?? 0;
    seconds.push((performance.now() - t) / 1000);
  }
  parentPort.postMessage({ seconds, sink });
});
