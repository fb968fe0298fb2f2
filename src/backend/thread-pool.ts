// Runs wasm kernel calls on several threads that share one WebAssembly.Memory. Each worker
// instantiates the same module on the shared memory and waits on a control word; the caller
// writes each worker's task list into a shared buffer, wakes them, runs its own share, and waits.
// Tasks are independent (each writes its own outputs), so the order they run in cannot change
// any result; determinism across thread counts comes from how the backend splits work into tasks.

/** One kernel call: the kernel's index in `names` and its arguments (pointers and scalars). */
export interface Task {
  kernel: number;
  args: number[];
}

interface WorkerLike {
  postMessage(message: unknown): void;
  terminate(): unknown;
}

/** Doubles of task space per worker: enough for hundreds of tasks per call. */
const SLOT = 1 << 15;

const isNode = typeof process !== 'undefined' && typeof process.versions?.node === 'string';

// The worker's code. It is turned into a string, so it must not use anything from this module.
// In Node it gets worker_threads' parentPort; in a browser null (it uses self).
function workerMain(nodePort: any): void {
  const g = globalThis as any;
  const listen = (fn: (data: any) => void) => (nodePort ? nodePort.once('message', fn) : (g.self.onmessage = (e: any) => fn(e.data)));
  const reply = (m: unknown) => (nodePort ? nodePort.postMessage(m) : g.self.postMessage(m));
  listen(async ({ module, memory, names, control, tasks, index, slot }: any) => {
    const instance: any = await WebAssembly.instantiate(module, { env: { memory } });
    const fns = names.map((n: string) => instance.exports[n]);
    const ctl = new Int32Array(control);
    const buf = new Float64Array(tasks);
    reply('ready');
    let gen = 0;
    for (;;) {
      Atomics.wait(ctl, 3 * index, gen);
      gen = Atomics.load(ctl, 3 * index);
      if (gen < 0) return;
      try {
        let p = index * slot;
        const count = buf[p++];
        for (let k = 0; k < count; k++) {
          const id = buf[p++], nargs = buf[p++];
          fns[id](...buf.subarray(p, p + nargs));
          p += nargs;
        }
      } catch {
        Atomics.store(ctl, 3 * index + 2, 1);
      }
      Atomics.store(ctl, 3 * index + 1, gen);
      Atomics.notify(ctl, 3 * index + 1);
    }
  });
}

async function spawn(source: string): Promise<WorkerLike> {
  if (isNode) {
    const name = 'node:worker_threads'; // a variable, so browser bundlers leave it alone
    const { Worker } = await import(/* @vite-ignore */ name);
    const worker = new Worker(source, { eval: true });
    worker.unref(); // idle workers must not keep Node alive
    return worker;
  }
  const url = URL.createObjectURL(new Blob([source], { type: 'text/javascript' }));
  return new (globalThis as any).Worker(url);
}

export class ThreadPool {
  private generation = 0;

  private constructor(
    /** Threads including the calling one. */
    readonly size: number,
    private readonly workers: WorkerLike[],
    private readonly control: Int32Array,
    private readonly tasks: Float64Array,
    private readonly local: ((...args: number[]) => unknown)[],
  ) {}

  /** Starts `threads - 1` workers on `module` and the shared `memory`. */
  static async create(module: WebAssembly.Module, memory: WebAssembly.Memory, instance: WebAssembly.Instance,
    names: readonly string[], threads: number): Promise<ThreadPool> {
    const control = new Int32Array(new SharedArrayBuffer(4 * 3 * threads));
    const tasks = new Float64Array(new SharedArrayBuffer(8 * SLOT * threads));
    // Bundlers that keep function names wrap them in __name(); give the worker a no-op one.
    const prelude = 'var __name = (f) => f;';
    const source = isNode
      ? `${prelude}(${workerMain.toString()})(require('node:worker_threads').parentPort)`
      : `${prelude}(${workerMain.toString()})(null)`;
    const workers = await Promise.all(Array.from({ length: threads - 1 }, () => spawn(source)));
    await Promise.all(workers.map((w, i) => new Promise<void>((resolve, reject) => {
      const onMessage = (m: any) => ((m?.data ?? m) === 'ready' ? resolve() : reject(new Error(`wasm worker: unexpected message ${m}`)));
      const ev = w as any;
      if (typeof ev.once === 'function') {
        ev.once('message', onMessage);
        ev.once('error', reject);
      } else {
        ev.onmessage = onMessage;
        ev.onerror = (e: any) => reject(new Error(`wasm worker failed to start: ${e.message ?? e}`));
      }
      w.postMessage({ module, memory, names, control: control.buffer, tasks: tasks.buffer, index: i + 1, slot: SLOT });
    })));
    const local = names.map((n) => instance.exports[n] as (...args: number[]) => unknown);
    return new ThreadPool(threads, workers, control, tasks, local);
  }

  /** Runs all tasks, split into contiguous blocks over the threads; returns when all are done. */
  run(list: readonly Task[]): void {
    const n = list.length;
    const threads = Math.min(this.size, n);
    if (threads <= 1) {
      for (const t of list) this.local[t.kernel](...t.args);
      return;
    }
    const gen = ++this.generation;
    const start = (b: number) => Math.floor((b * n) / threads);
    for (let w = 1; w < threads; w++) {
      let p = w * SLOT;
      this.tasks[p++] = start(w + 1) - start(w);
      for (let k = start(w); k < start(w + 1); k++) {
        const t = list[k];
        if (p + 2 + t.args.length > (w + 1) * SLOT) throw new Error('wasm thread pool: too many tasks in one call');
        this.tasks[p++] = t.kernel;
        this.tasks[p++] = t.args.length;
        this.tasks.set(t.args, p);
        p += t.args.length;
      }
      Atomics.store(this.control, 3 * w, gen);
      Atomics.notify(this.control, 3 * w);
    }
    for (let k = 0; k < start(1); k++) this.local[list[k].kernel](...list[k].args);
    for (let w = 1; w < threads; w++) {
      for (;;) {
        const done = Atomics.load(this.control, 3 * w + 1);
        if (done === gen) break;
        // Node's main thread may block; a browser's main thread may not, so it spins.
        if (isNode) Atomics.wait(this.control, 3 * w + 1, done, 1000);
      }
      if (Atomics.exchange(this.control, 3 * w + 2, 0) !== 0) throw new Error(`wasm thread pool: a kernel failed on worker ${w}`);
    }
  }

  terminate(): void {
    for (let w = 1; w < this.size; w++) {
      Atomics.store(this.control, 3 * w, -1);
      Atomics.notify(this.control, 3 * w);
    }
    for (const w of this.workers) w.terminate();
  }
}
