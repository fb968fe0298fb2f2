// Runs jobs on worker threads of this process, each job whole on one worker (src/jobs/job-worker.ts
// calls runJob there). The wasm backend of each worker runs its kernels on cores / workers threads
// (RNAM_THREADS in the worker's environment, which the backend reads on first use), so workers x
// kernel threads never exceed the cores; results do not depend on either count. From source (tsx)
// the worker loads job-worker.ts, from the package dist/job-worker.js next to the bundle.
import { ArgumentError, RnamError, describeValue } from '../errors.js';
import * as errors from '../errors.js';
import { DataError } from '../data/errors.js';
import type { JobExecutor } from './executor.js';

type NodeWorker = import('node:worker_threads').Worker;

function builtin<T>(id: string): T {
  const getBuiltin = typeof process !== 'undefined' ? (process as { getBuiltinModule?: (id: string) => unknown }).getBuiltinModule : undefined;
  if (typeof getBuiltin !== 'function') throw new RnamError('local workers need Node (>= 20.16)');
  return getBuiltin(id) as T;
}

/** The cores this process may use (os.availableParallelism). */
export function availableCores(): number {
  return builtin<typeof import('node:os')>('node:os').availableParallelism();
}

/** Kernel threads per worker: the cores shared out, at least one each. */
export function kernelThreadsPer(workers: number, cores = availableCores()): number {
  return Math.max(1, Math.floor(cores / workers));
}

export function checkWorkers(where: string, workers: unknown): number {
  if (!Number.isInteger(workers) || (workers as number) < 1) throw new ArgumentError(`${where}: workers must be an integer >= 1, got ${describeValue(workers)}`);
  return workers as number;
}

/** An error thrown in a worker, rebuilt here as the same class (RnamError's family) with its fields. */
function rebuild(e: { name: string; message: string; stack?: string; fields: Record<string, unknown> }): Error {
  const classes: Record<string, unknown> = { ...errors, DataError };
  const Cls = classes[e.name];
  const err = new Error(e.message);
  if (typeof Cls === 'function' && (Cls.prototype instanceof Error)) Object.setPrototypeOf(err, Cls.prototype);
  Object.assign(err, e.fields, { name: e.name });
  err.stack = `${e.name}: ${e.message}\n    (in a job worker)\n${e.stack?.split('\n').slice(1).join('\n') ?? ''}`;
  return err;
}

interface Pending {
  kind: string;
  payload: unknown;
  resolve: (value: unknown) => void;
  reject: (err: Error) => void;
}

export class LocalPool implements JobExecutor {
  readonly workers: number;
  readonly kernelThreads: number;
  private readonly idle: NodeWorker[] = [];
  private readonly all: NodeWorker[] = [];
  private readonly queue: Pending[] = [];
  private readonly busy = new Map<NodeWorker, Pending>();
  private closed = false;

  /** `workers` threads (default: the cores), each with its share of the cores for its kernels. */
  constructor(options: { workers?: number } = {}) {
    this.workers = checkWorkers('LocalPool', options.workers ?? availableCores());
    this.kernelThreads = kernelThreadsPer(this.workers);
  }

  /** Runs one job on the next free worker; resolves with runJob's result (plain JSON). */
  run(kind: string, payload: unknown): Promise<unknown> {
    if (this.closed) return Promise.reject(new RnamError('LocalPool: closed'));
    return new Promise((resolve, reject) => {
      this.queue.push({ kind, payload, resolve, reject });
      this.dispatch();
    });
  }

  /** Stops every worker; jobs still queued or running are rejected. */
  async close(): Promise<void> {
    this.closed = true;
    for (const p of this.queue.splice(0)) p.reject(new RnamError('LocalPool: closed before the job ran'));
    await Promise.all(this.all.map((w) => w.terminate()));
  }

  private spawn(): NodeWorker {
    const { Worker } = builtin<typeof import('node:worker_threads')>('node:worker_threads');
    const env = { ...process.env, RNAM_THREADS: String(this.kernelThreads) };
    // From source the worker registers tsx itself (a worker does not inherit the --import hooks).
    const worker = import.meta.url.endsWith('.ts')
      ? new Worker(`import(${JSON.stringify(import.meta.resolve('tsx/esm/api'))}).then((m) => { m.register(); return import(${JSON.stringify(new URL('./job-worker.ts', import.meta.url).href)}); })`, { eval: true, env })
      : new Worker(new URL('./job-worker.js', import.meta.url), { env });
    worker.on('message', (m: { value?: unknown; error?: Parameters<typeof rebuild>[0] }) => {
      const p = this.busy.get(worker)!;
      this.busy.delete(worker);
      this.idle.push(worker);
      if (m.error) p.reject(rebuild(m.error));
      else p.resolve(m.value);
      this.dispatch();
    });
    const lost = (why: string) => {
      const p = this.busy.get(worker);
      this.busy.delete(worker);
      this.all.splice(this.all.indexOf(worker), 1);
      const i = this.idle.indexOf(worker);
      if (i >= 0) this.idle.splice(i, 1);
      if (p && !this.closed) p.reject(new RnamError(`a job worker stopped during a '${p.kind}' job: ${why}`));
      if (!this.closed) this.dispatch();
    };
    worker.on('error', (err) => lost(err.message));
    worker.on('exit', (code) => lost(`exit code ${code}`));
    this.all.push(worker);
    return worker;
  }

  private dispatch(): void {
    while (this.queue.length && !this.closed) {
      const worker = this.idle.pop() ?? (this.all.length < this.workers ? this.spawn() : undefined);
      if (!worker) return;
      const p = this.queue.shift()!;
      this.busy.set(worker, p);
      worker.postMessage({ kind: p.kind, payload: p.payload });
    }
  }
}
