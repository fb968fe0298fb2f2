// The machine's floor as wasm sees it: the SIMD128 multiply-add peak (register-blocked kernels,
// f32x4.mul + f32x4.add, no relaxed SIMD) and the streaming memory bandwidth, on 1 thread and on N
// threads at once (worker_threads, each with its own module instance and arrays, started together
// at a barrier). The kernels are bench/floor/kernels.as, compiled here with the asc API (cached in
// the OS temp dir by content hash).
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Worker } from 'node:worker_threads';

const here = path.dirname(new URL(import.meta.url).pathname);

/** The floor kernels' wasm, compiled from kernels.as (SIMD on, -O3) unless a cached copy exists. */
export async function floorBinary(): Promise<Uint8Array> {
  const source = readFileSync(path.join(here, 'kernels.as'), 'utf8');
  const key = createHash('sha256').update(source).digest('hex').slice(0, 16);
  const dir = path.join(os.tmpdir(), 'rnam-floor');
  const file = path.join(dir, `floor-${key}.wasm`);
  if (existsSync(file)) return readFileSync(file);
  const asc = (await import('assemblyscript/asc')).default;
  const out = await asc.compileString({ 'floor.ts': source }, {
    optimizeLevel: 3, shrinkLevel: 0, runtime: 'stub', noAssert: true, enable: ['simd'], disable: ['relaxed-simd'],
  } as Parameters<typeof asc.compileString>[1]);
  if (out.error || !out.binary) throw new Error(`floor kernels: asc failed: ${out.error?.message}\n${out.stderr.toString()}`);
  mkdirSync(dir, { recursive: true });
  writeFileSync(file, out.binary);
  return out.binary;
}

export type FloorTask =
  | { kind: 'madd'; fn: 'madd12' | 'madd8' | 'maddSplit'; iters: number; reps: number }
  | { kind: 'copy' | 'scale' | 'sum'; floats: number; reps: number };

/** Per round: each thread's seconds. Threads start each round together. */
export async function runOnThreads(binary: Uint8Array, threads: number, task: FloorTask): Promise<number[][]> {
  const barrier = new SharedArrayBuffer(8);
  const gate = new Int32Array(barrier);
  const workers = Array.from({ length: threads }, () => new Worker(new URL('./worker.mjs', import.meta.url), { workerData: { binary, barrier } }));
  const results = workers.map((w) => new Promise<number[]>((resolve, reject) => {
    w.once('message', (m: { seconds: number[] }) => resolve(m.seconds));
    w.once('error', reject);
  }));
  workers.forEach((w) => w.postMessage(task));
  // Release round r once every thread has arrived at it (the workers' first arrival follows their warm-up).
  for (let r = 0; r < task.reps; r++) {
    for (;;) {
      const arrived = Atomics.load(gate, 0);
      if (arrived >= threads * (r + 1)) break;
      Atomics.wait(gate, 0, arrived, 50);
    }
    Atomics.store(gate, 1, r + 1);
    Atomics.notify(gate, 1);
  }
  const perThread = await Promise.all(results);
  await Promise.all(workers.map((w) => w.terminate()));
  return Array.from({ length: task.reps }, (_, r) => perThread.map((s) => s[r]));
}

export interface Rate { best: number; median: number }

function rates(rounds: number[][], workPerThread: number): Rate {
  const rs = rounds.map((secs) => (workPerThread * secs.length) / Math.max(...secs)).sort((a, b) => a - b);
  return { best: rs[rs.length - 1], median: rs[Math.floor(rs.length / 2)] };
}

const FLOPS_PER_ITER = { madd12: 96, madd8: 64, maddSplit: 48 } as const;

export interface Floor {
  threads: number;
  /** GFLOP/s (mul and add each one flop), the best kernel's. */
  peak1: Rate; peakAll: Rate; peakKernel: string;
  /** GB/s: copy and scale count the bytes read plus the bytes written; sum the bytes read. */
  copy1: Rate; copyAll: Rate; scale1: Rate; scaleAll: Rate; read1: Rate; readAll: Rate;
  arrayMiB: number;
}

/** Measures the floor. `quick` uses fewer rounds and smaller arrays (still far larger than the caches). */
export async function measureFloor(opts: { threads: number; quick?: boolean; log?: (s: string) => void }): Promise<Floor> {
  const binary = await floorBinary();
  const log = opts.log ?? (() => {});
  const reps = opts.quick ? 7 : 15;
  const iters = opts.quick ? 1_000_000 : 2_000_000;
  const floats = (opts.quick ? 32 : 64) << 20; // 128 or 256 MiB per array
  const peak = async (threads: number) => {
    let best: { rate: Rate; fn: string } | null = null;
    for (const fn of ['madd12', 'madd8', 'maddSplit'] as const) {
      const rate = rates(await runOnThreads(binary, threads, { kind: 'madd', fn, iters, reps }), (iters * FLOPS_PER_ITER[fn]) / 1e9);
      log(`  multiply-add ${fn}, ${threads} thread(s): best ${rate.best.toFixed(1)}, median ${rate.median.toFixed(1)} GFLOP/s`);
      if (!best || rate.best > best.rate.best) best = { rate, fn };
    }
    return best!;
  };
  const stream = async (threads: number, kind: 'copy' | 'scale' | 'sum') => {
    const bytes = (kind === 'sum' ? 1 : 2) * floats * 4;
    const rate = rates(await runOnThreads(binary, threads, { kind, floats, reps: Math.max(3, reps - 4) }), bytes / 1e9);
    log(`  ${kind}, ${threads} thread(s): best ${rate.best.toFixed(1)}, median ${rate.median.toFixed(1)} GB/s`);
    return rate;
  };
  const p1 = await peak(1), pN = await peak(opts.threads);
  return {
    threads: opts.threads, peak1: p1.rate, peakAll: pN.rate, peakKernel: pN.fn,
    copy1: await stream(1, 'copy'), copyAll: await stream(opts.threads, 'copy'),
    scale1: await stream(1, 'scale'), scaleAll: await stream(opts.threads, 'scale'),
    read1: await stream(1, 'sum'), readAll: await stream(opts.threads, 'sum'),
    arrayMiB: (floats * 4) / 2 ** 20,
  };
}
