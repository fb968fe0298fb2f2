// Runs wasm kernel calls on several threads that share one WebAssembly.Memory. Each worker
// instantiates the same module on the shared memory, counts itself in (the ready counter) and waits
// on a control word; the caller writes the call's task list into a shared buffer, wakes them, and
// every thread, the caller included, takes the next task from a shared counter until none is left:
// a thread that runs slower (preempted on a shared machine) takes fewer tasks instead of holding the
// others up. Workers start in the background: the caller reads the ready counter and runs
// everything itself until all of them are in. Tasks are independent (each writes its own outputs
// and scratch), so which thread runs one, and in what order, cannot change any result; determinism
// across thread counts comes from how the plans split work into tasks.

import { DeviceError } from '../errors.js';

/** One kernel call: the kernel's index in `names` and its arguments (pointers and scalars). */
export interface Task {
  kernel: number;
  args: number[];
}

/** The Node and the browser Worker, as far as the pool uses them. */
interface WorkerLike {
  postMessage(message: unknown): void;
  terminate(): unknown;
}

/** Doubles of task space per thread: the list holds `SLOT * threads` (thousands of tasks per call). */
const SLOT = 1 << 15;
/** UTF-16 code units per worker for the message of a kernel that failed there. */
const MESSAGE = 512;
/**
 * Control words: worker w (1 ...) owns [3w] its generation (-1 = stop), [3w + 1] the generation it
 * finished, [3w + 2] its error flag. The caller, thread 0, owns no words: [0] counts ready workers,
 * [1] is the index of the next task to take. The task list: [0] the number of tasks n, [1 + k] where
 * task k's record starts, then the records (kernel, argument count, arguments).
 */
const READY = 0;
const NEXT = 1;

const isNode = typeof process !== 'undefined' && typeof process.versions?.node === 'string';

// The worker's code. It is turned into a string, so it must not use anything from this module.
// In Node it gets worker_threads' parentPort; in a browser null (it uses self).
function workerMain(nodePort: any): void {
  const g = globalThis as any;
  const listen = (fn: (data: any) => void) => (nodePort ? nodePort.once('message', fn) : (g.self.onmessage = (e: any) => fn(e.data)));
  const reply = (m: unknown) => (nodePort ? nodePort.postMessage(m) : g.self.postMessage(m));
  listen(async ({ module, memory, names, control, tasks, messages, index, messageSlot }: any) => {
    const instance: any = await WebAssembly.instantiate(module, { env: { memory } });
    const fns = names.map((n: string) => instance.exports[n]);
    const ctl = new Int32Array(control);
    const buf = new Float64Array(tasks);
    const text = new Uint16Array(messages);
    Atomics.add(ctl, 0, 1);
    reply('ready');
    let gen = 0;
    for (;;) {
      Atomics.wait(ctl, 3 * index, gen);
      gen = Atomics.load(ctl, 3 * index);
      if (gen < 0) return;
      let id = -1;
      try {
        const count = buf[0];
        // control word 1 (NEXT): the next task to take
        for (let k = Atomics.add(ctl, 1, 1); k < count; k = Atomics.add(ctl, 1, 1)) {
          let p = buf[1 + k];
          id = buf[p++];
          const nargs = buf[p++];
          fns[id](...buf.subarray(p, p + nargs)); // spread-ok: one kernel's arguments
        }
      } catch (err: any) {
        // The caller is blocked in Atomics.wait and cannot receive a message: the text goes into shared memory.
        const message = `${names[id] ?? 'a kernel'}: ${err?.name ?? 'Error'}: ${err?.message ?? String(err)}`.slice(0, messageSlot - 1);
        for (let i = 0; i < message.length; i++) text[index * messageSlot + i] = message.charCodeAt(i);
        text[index * messageSlot + message.length] = 0;
        Atomics.store(ctl, 3 * index + 2, 1);
      }
      Atomics.store(ctl, 3 * index + 1, gen);
      Atomics.notify(ctl, 3 * index + 1);
    }
  });
}

type NodeWorker = import('node:worker_threads').Worker;

/** Why workers cannot be started here, or null when they can (SharedArrayBuffer, a Worker). */
export function workersUnavailable(): string | null {
  const g = globalThis as { SharedArrayBuffer?: unknown; crossOriginIsolated?: boolean; Worker?: unknown };
  if (typeof g.SharedArrayBuffer !== 'function') {
    return isNode ? 'SharedArrayBuffer is not available'
      : 'SharedArrayBuffer is not available (a browser gives it to cross-origin isolated pages: serve the page with the headers ' +
        'Cross-Origin-Opener-Policy: same-origin and Cross-Origin-Embedder-Policy: require-corp)';
  }
  const headers = 'serve the page with the headers Cross-Origin-Opener-Policy: same-origin and Cross-Origin-Embedder-Policy: require-corp';
  if (g.crossOriginIsolated === false) return `the page is not cross-origin isolated, so it has no shared memory for threads (${headers})`;
  if (isNode) {
    if (typeof process.getBuiltinModule !== 'function') return `this Node (${process.version}) has no process.getBuiltinModule (Node >= 20.16 has)`;
  } else if (typeof g.Worker !== 'function') {
    return 'this environment has no Worker';
  }
  return null;
}

/** Starts a worker on `source`, synchronously; in Node it does not keep the process alive. */
function spawn(source: string): WorkerLike {
  if (isNode) {
    const { Worker } = process.getBuiltinModule('node:worker_threads');
    const worker = new Worker(source, { eval: true });
    worker.unref();
    return worker;
  }
  const url = URL.createObjectURL(new Blob([source], { type: 'text/javascript' }));
  return new (globalThis as any).Worker(url);
}

/** Calls `ready` on the worker's first 'ready' message, `failed` if it fails to start. */
function onStarted(worker: WorkerLike, ready: () => void, failed: (err: Error) => void): void {
  const onMessage = (m: unknown) => (m === 'ready' ? ready() : failed(new Error(`wasm worker: unexpected message ${String(m)}`)));
  if (isNode) {
    const w = worker as NodeWorker;
    w.once('message', onMessage);
    w.once('error', failed);
  } else {
    const w = worker as Worker;
    w.onmessage = (e) => onMessage(e.data);
    // A Content-Security-Policy that blocks blob: workers shows up here, often with no message.
    w.onerror = (e) => failed(new DeviceError(`wasm worker failed to start: ${e.message || 'the worker script was refused (blocked by a Content-Security-Policy?)'}`));
  }
}

export class ThreadPool {
  private generation = 0;
  private allReady = false;
  private terminated = false;
  /** Resolves when every worker is ready, or rejects with the first worker's failure. */
  readonly started: Promise<void>;

  private constructor(
    /** Threads including the calling one. */
    readonly size: number,
    private readonly workers: WorkerLike[],
    private readonly control: Int32Array,
    private readonly tasks: Float64Array,
    private readonly messages: Uint16Array,
    private readonly names: readonly string[],
    private readonly local: ((...args: number[]) => unknown)[],
  ) {
    this.started = new Promise<void>((resolve, reject) => {
      let left = workers.length;
      for (const w of workers) onStarted(w, () => --left === 0 && resolve(), reject);
    });
  }

  /**
   * Starts `threads - 1` workers on `module` and the shared `memory`, without waiting for them:
   * `run` uses them once they are all ready. `instance` runs the caller's share.
   */
  static start(module: WebAssembly.Module, memory: WebAssembly.Memory, instance: WebAssembly.Instance,
    names: readonly string[], threads: number): ThreadPool {
    const control = new Int32Array(new SharedArrayBuffer(4 * 3 * threads));
    const tasks = new Float64Array(new SharedArrayBuffer(8 * SLOT * threads));
    const messages = new Uint16Array(new SharedArrayBuffer(2 * MESSAGE * threads));
    // Bundlers that keep function names wrap them in __name(); give the worker a no-op one.
    const prelude = 'var __name = (f) => f;';
    const source = isNode
      ? `${prelude}(${workerMain.toString()})(require('node:worker_threads').parentPort)`
      : `${prelude}(${workerMain.toString()})(null)`;
    const workers = Array.from({ length: threads - 1 }, () => spawn(source));
    workers.forEach((w, i) => w.postMessage({
      module, memory, names, control: control.buffer, tasks: tasks.buffer, messages: messages.buffer, index: i + 1, messageSlot: MESSAGE,
    }));
    const local = names.map((n) => instance.exports[n] as (...args: number[]) => unknown);
    return new ThreadPool(threads, workers, control, tasks, messages, names, local);
  }

  /** Whether every worker has started (read from the shared ready counter, no waiting). */
  get ready(): boolean {
    if (this.terminated) return false;
    if (!this.allReady) this.allReady = Atomics.load(this.control, READY) === this.workers.length;
    return this.allReady;
  }

  /** Waits until every worker is ready; in Node the workers keep the process alive meanwhile. */
  async whenReady(): Promise<void> {
    const nodeWorkers = isNode ? (this.workers as NodeWorker[]) : [];
    nodeWorkers.forEach((w) => w.ref());
    try {
      await this.started;
    } finally {
      nodeWorkers.forEach((w) => w.unref());
    }
  }

  /** Runs all tasks, each thread taking the next one until none is left; returns when all are done. */
  run(list: readonly Task[]): void {
    // Stopped workers never answer: waiting for them would hang for ever.
    if (this.terminated) throw new DeviceError('wasm thread pool: used after terminate() (the backend was disposed)');
    const n = list.length;
    const threads = this.ready ? Math.min(this.size, n) : 1;
    if (threads <= 1) {
      for (const t of list) this.local[t.kernel](...t.args); // spread-ok: one kernel's arguments
      return;
    }
    this.writeTasks(list);
    Atomics.store(this.control, NEXT, 0);
    const gen = ++this.generation;
    for (let w = 1; w < threads; w++) {
      Atomics.store(this.control, 3 * w, gen);
      Atomics.notify(this.control, 3 * w);
    }
    // The caller's share; after a failure here it takes no more tasks, and still waits for the workers, so none is left running.
    let failure: Error | null = null;
    for (let k = Atomics.add(this.control, NEXT, 1); k < n; k = Atomics.add(this.control, NEXT, 1)) {
      try {
        this.local[list[k].kernel](...list[k].args); // spread-ok: one kernel's arguments
      } catch (err) {
        failure = new DeviceError(`wasm kernel ${this.names[list[k].kernel]} failed on the calling thread: ${(err as Error).name}: ${(err as Error).message}`);
        break;
      }
    }
    for (let w = 1; w < threads; w++) {
      for (;;) {
        const done = Atomics.load(this.control, 3 * w + 1);
        if (done === gen) break;
        // Node's main thread may block; a browser's main thread may not, so it spins.
        if (isNode) Atomics.wait(this.control, 3 * w + 1, done, 1000);
      }
      if (Atomics.exchange(this.control, 3 * w + 2, 0) !== 0) failure ??= new DeviceError(`wasm kernel ${this.messageOf(w)} (on worker ${w})`);
    }
    if (failure) throw failure;
  }

  /** The task list into the shared buffer: the count, each record's start, the records. */
  private writeTasks(list: readonly Task[]): void {
    const n = list.length;
    let p = 1 + n;
    const need = list.reduce((sum, t) => sum + 3 + t.args.length, 1);
    if (need > this.tasks.length) throw new Error(`wasm thread pool: too many tasks in one call (${n} tasks, ${need} doubles, room for ${this.tasks.length})`);
    this.tasks[0] = n;
    for (let k = 0; k < n; k++) {
      const t = list[k];
      this.tasks[1 + k] = p;
      this.tasks[p++] = t.kernel;
      this.tasks[p++] = t.args.length;
      this.tasks.set(t.args, p);
      p += t.args.length;
    }
  }

  /** What worker w wrote about its failure: "kernel: ErrorName: message". */
  private messageOf(w: number): string {
    const codes: number[] = [];
    for (let i = w * MESSAGE; i < (w + 1) * MESSAGE && this.messages[i] !== 0; i++) codes.push(this.messages[i]);
    const text = String.fromCharCode(...codes); // spread-ok: at most MESSAGE (512) codes
    const colon = text.indexOf(': ');
    return colon < 0 ? `failed: ${text}` : `${text.slice(0, colon)} failed: ${text.slice(colon + 2)}`;
  }

  terminate(): void {
    if (this.terminated) return;
    this.terminated = true;
    for (let w = 1; w < this.size; w++) {
      Atomics.store(this.control, 3 * w, -1);
      Atomics.notify(this.control, 3 * w);
    }
    for (const w of this.workers) w.terminate();
  }
}
