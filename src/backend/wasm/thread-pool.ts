// Runs wasm kernel calls on several threads that share one WebAssembly.Memory. Each worker
// instantiates the same module on the shared memory, counts itself in (the ready counter) and waits
// on a control word; the caller writes the call's task list into a shared buffer, wakes them, and
// every thread, the caller included, takes the next task from a shared counter until none is left:
// a thread that runs slower (preempted on a shared machine) takes fewer tasks instead of holding the
// others up. Workers start in the background: the caller reads the ready counter and runs
// everything itself until all of them are in. Tasks are independent (each writes its own outputs
// and scratch), so which thread runs one, and in what order, cannot change any result; determinism
// across thread counts comes from how the plans split work into tasks.
//
// A worker that dies after the pool started (terminated, out of memory, an uncaught error) loses the
// backend: the call waiting for it and every later one throw a DeviceError. The pool does not restart:
// the tasks the dead worker had taken may have written part of their outputs, so no tensor of the
// backend can be trusted any more (as WebGPU's device loss). The caller blocks in Atomics.wait and
// cannot receive the worker's 'exit' event, so in Node a watcher thread holds one end of a
// MessageChannel per worker: a dying worker's end closes, the watcher's 'close' event sets the
// control word DEAD and wakes the caller. In a browser the worker's error event sets it (between calls).

import { DeviceError } from '../../errors.js';

/** One kernel call: the kernel's index in `names` and its arguments (pointers and scalars). */
export interface Task {
  kernel: number;
  args: number[];
}

/** The Node and the browser Worker, as far as the pool uses them. */
interface WorkerLike {
  postMessage(message: unknown, transfer?: never[]): void;
  terminate(): unknown;
}

/** Doubles of task space per thread: a call with more tasks than fit runs as several batches. */
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
/** 0 while every worker lives, else the index of the first worker that died (set by the watcher or an event). */
const DEAD = 2;
/** The caller's longest sleep between checks of DEAD while it waits for a worker (ms). */
const WAIT_SLICE = 100;

const isNode = typeof process !== 'undefined' && typeof process.versions?.node === 'string';

// The worker's code. It is turned into a string, so it must not use anything from this module.
// In Node it gets worker_threads' parentPort; in a browser null (it uses self).
function workerMain(nodePort: any): void {
  const g = globalThis as any;
  const listen = (fn: (data: any) => void) => (nodePort ? nodePort.once('message', fn) : (g.self.onmessage = (e: any) => fn(e.data)));
  const reply = (m: unknown) => (nodePort ? nodePort.postMessage(m) : g.self.postMessage(m));
  listen(async ({ module, memory, names, control, tasks, messages, index, messageSlot, life }: any) => {
    // Held until the thread ends: its closing tells the watcher this worker is gone.
    g.rnamWorkerLife = life;
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

// The watcher (Node only): marks DEAD and wakes every waiter when a worker's end of its channel closes.
function watcherMain(nodePort: any): void {
  nodePort.once('message', ({ control, ports }: any) => {
    const ctl = new Int32Array(control);
    ports.forEach((port: any, i: number) => {
      port.on('message', () => {});
      port.on('close', () => {
        Atomics.compareExchange(ctl, 2, 0, i + 1); // control word 2: DEAD
        for (let w = 1; w <= ports.length; w++) Atomics.notify(ctl, 3 * w + 1);
      });
    });
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
    w.once('exit', (code) => failed(new Error(`wasm worker exited with code ${code} before it was ready`)));
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
  /** Why a worker died, when an event said so (the watcher only knows that it did). */
  private deathReason: string | null = null;
  private watcher: WorkerLike | null = null;
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
    workers.forEach((w, i) => this.watchEvents(w, i + 1));
  }

  /** Marks the pool dead on the worker's error or exit event (these arrive only between calls). */
  private watchEvents(worker: WorkerLike, index: number): void {
    const died = (reason: string) => {
      if (this.terminated) return;
      const first = Atomics.compareExchange(this.control, DEAD, 0, index);
      if (first === 0 || first === index) this.deathReason ??= reason;
    };
    if (isNode) {
      const w = worker as NodeWorker;
      if (typeof w.on !== 'function') return;
      w.on('error', (err: Error) => died(`${err.name}: ${err.message}`));
      w.on('exit', (code: number) => died(`it exited with code ${code}`));
    } else {
      (worker as Worker).addEventListener?.('error', (e: ErrorEvent) => died(e.message || 'an error event'));
    }
  }

  /** Starts the watcher thread (Node): one MessageChannel per worker, the workers get the other ends. */
  private static watch(control: Int32Array, workers: number): { watcher: WorkerLike | null; lives: unknown[] } {
    if (!isNode) return { watcher: null, lives: [] };
    try {
      const { MessageChannel } = process.getBuiltinModule('node:worker_threads');
      const channels = Array.from({ length: workers }, () => new MessageChannel());
      const watcher = spawn(`var __name = (f) => f;(${watcherMain.toString()})(require('node:worker_threads').parentPort)`);
      (watcher as NodeWorker).on?.('error', () => {}); // without a watcher the pool still works, only mid-call deaths go unseen
      const ports = channels.map((c) => c.port1);
      watcher.postMessage({ control: control.buffer, ports }, ports as never[]);
      return { watcher, lives: channels.map((c) => c.port2) };
    } catch {
      return { watcher: null, lives: [] };
    }
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
    const { watcher, lives } = ThreadPool.watch(control, workers.length);
    workers.forEach((w, i) => {
      const life = lives[i];
      w.postMessage({
        module, memory, names, control: control.buffer, tasks: tasks.buffer, messages: messages.buffer, index: i + 1, messageSlot: MESSAGE, life,
      }, life ? [life as never] : undefined);
    });
    const local = names.map((n) => instance.exports[n] as (...args: number[]) => unknown);
    const pool = new ThreadPool(threads, workers, control, tasks, messages, names, local);
    pool.watcher = watcher;
    return pool;
  }

  /** Whether a worker has died (only meaningful once the pool was ready: before, start() failed instead). */
  get dead(): boolean {
    return !this.terminated && Atomics.load(this.control, DEAD) !== 0;
  }

  /** Whether a worker died after the pool was ready (before, the start failed and the caller went on alone). */
  get lost(): boolean {
    return this.dead && Atomics.load(this.control, READY) === this.workers.length;
  }

  /** The DeviceError of a pool that lost a worker. */
  lostError(): DeviceError {
    const w = Atomics.load(this.control, DEAD);
    return new DeviceError(`wasm backend lost: worker ${w} died (${this.deathReason ?? 'its thread ended'}); ` +
      'the outputs of the call it was in are undefined, so this backend runs no more kernels: create a new WasmBackend');
  }

  /** Whether every worker has started (read from the shared ready counter, no waiting). */
  get ready(): boolean {
    if (this.terminated || this.dead) return false;
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

  /**
   * Runs all tasks, each thread taking the next one until none is left; returns when all are done.
   * More tasks than the shared list holds run as consecutive batches (tasks are independent, so
   * the batches change no result). Throws a DeviceError if a worker died, now or before.
   */
  run(list: readonly Task[]): void {
    // Stopped workers never answer: waiting for them would hang for ever.
    if (this.terminated) throw new DeviceError('wasm thread pool: used after terminate() (the backend was disposed)');
    if (this.dead) throw this.lostError();
    const threads = this.ready ? Math.min(this.size, list.length) : 1;
    if (threads <= 1) {
      for (const t of list) this.local[t.kernel](...t.args); // spread-ok: one kernel's arguments
      return;
    }
    for (let start = 0; start < list.length;) {
      const end = this.batchEnd(list, start);
      this.runBatch(list, start, end, Math.min(threads, end - start));
      start = end;
    }
  }

  /** The end of the longest batch from `start` whose records fit the shared list. */
  private batchEnd(list: readonly Task[], start: number): number {
    let need = 1, end = start;
    while (end < list.length) {
      const more = 4 + list[end].args.length; // its start index, kernel, argument count, arguments
      if (need + more > this.tasks.length) break;
      need += more;
      end++;
    }
    if (end === start) throw new DeviceError(`wasm thread pool: a task of ${list[start].args.length} arguments does not fit the task list`);
    return end;
  }

  private runBatch(list: readonly Task[], start: number, end: number, threads: number): void {
    const n = end - start;
    this.writeTasks(list, start, end);
    Atomics.store(this.control, NEXT, 0);
    const gen = ++this.generation;
    for (let w = 1; w < threads; w++) {
      Atomics.store(this.control, 3 * w, gen);
      Atomics.notify(this.control, 3 * w);
    }
    // The caller's share; after a failure here it takes no more tasks, and still waits for the workers, so none is left running.
    let failure: Error | null = null;
    for (let k = Atomics.add(this.control, NEXT, 1); k < n; k = Atomics.add(this.control, NEXT, 1)) {
      const t = list[start + k];
      try {
        this.local[t.kernel](...t.args); // spread-ok: one kernel's arguments
      } catch (err) {
        failure = new DeviceError(`wasm kernel ${this.names[t.kernel]} failed on the calling thread: ${(err as Error).name}: ${(err as Error).message}`);
        break;
      }
    }
    for (let w = 1; w < threads; w++) {
      for (;;) {
        const done = Atomics.load(this.control, 3 * w + 1);
        if (done === gen) break;
        if (this.dead) throw this.lose();
        // Node's main thread may block; a browser's main thread may not, so it spins.
        if (isNode) Atomics.wait(this.control, 3 * w + 1, done, WAIT_SLICE);
      }
      if (Atomics.exchange(this.control, 3 * w + 2, 0) !== 0) failure ??= new DeviceError(`wasm kernel ${this.messageOf(w)} (on worker ${w})`);
    }
    // A worker that finished its share and then died still loses the backend: say so now.
    if (this.dead) throw this.lose();
    if (failure) throw failure;
  }

  /** Stops the other workers (they may still be running tasks of the lost call) and gives the error. */
  private lose(): DeviceError {
    const err = this.lostError();
    for (const w of this.workers) w.terminate();
    this.watcher?.terminate();
    this.watcher = null;
    return err;
  }

  /** Tasks [start, end) into the shared buffer: the count, each record's start, the records. */
  private writeTasks(list: readonly Task[], start: number, end: number): void {
    const n = end - start;
    let p = 1 + n;
    this.tasks[0] = n;
    for (let k = 0; k < n; k++) {
      const t = list[start + k];
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
    this.watcher?.terminate();
    this.watcher = null;
  }
}
