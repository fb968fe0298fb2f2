// The wasm device runtime: one WebAssembly.Memory shared by all tensors, the allocator over it,
// the module's exports, and the thread pool the parallel kernels run on. It starts lazily and
// without blocking: constructing it does nothing; the first allocation or call instantiates the
// module synchronously and starts the workers in the background; until they are all ready every
// call runs on the calling thread. Results never depend on the thread count (the plans split work
// the same way whatever runs it), so when the workers arrive changes no result.
import type { DeviceBuffer } from '../backend.js';
import type { ParallelKernel, WasmArgs, WasmExportName, WasmKernelExports, WasmResult } from '../../kernels/types.js';
import { parallelKernels, wasmParams } from '../../kernels/types.js';
import { FreeListAllocator } from './allocator.js';
import { ThreadPool, workersUnavailable, type Task } from './thread-pool.js';
import { ArgumentError, DeviceError } from '../../errors.js';
import { wasmBinaryBase64, wasmThreadsBinaryBase64 } from '../wasm-binary.js';

const PAGE = 65536;
const MAX_PAGES = 65536; // 4 GiB, the wasm32 limit
/**
 * Below this much work (about one flop, or one element copied, a unit) a kernel call runs on the
 * calling thread alone: handing part of it to a worker costs more than it saves. A worker that
 * sleeps between calls may take a tenth of a millisecond or more to wake on a virtual machine, and
 * the caller then waits for it; 2^21 units are about a quarter of a millisecond of one thread.
 */
const PARALLEL_MIN_WORK = 1 << 21;
/**
 * Scratch areas of parallel calls start on 128-byte boundaries (a pair of cache lines, which x86
 * fetches together) with SCRATCH_GAP bytes between them, so no two threads write one line, nor a
 * line the other's prefetcher pulls in running past the end of its area. The fused block's forward
 * (areas of 1216 bytes, rewritten every time step) took 169 ms on two threads of an Intel Xeon with
 * the areas packed 16-byte aligned, 155 ms with 64 bytes between them, 131 ms with 192 bytes or more
 * (259 ms on one thread).
 */
const SCRATCH_ALIGN = 128;
const SCRATCH_GAP = 256;
/**
 * Calls per thread for the long kernels whose units share no work (the fused block's and the minGRU
 * scan's sequences): the pool's threads take calls as they finish them, so with several each, a
 * thread slowed down (a shared machine, another process, a slower core) hands part of its share to
 * the others. The classic cells keep one call per thread: a call's batch rows share each step's
 * weight loads, and cutting them finer made small models' steps up to a fifth slower.
 */
export const CALLS_PER_THREAD = 8;

export interface WasmBuffer extends DeviceBuffer {
  readonly ptr: number;
}

/** The address of `buffer` plus `offset` floats, or 0 (absent) for null. */
export const ptr = (buffer: DeviceBuffer | null, offset = 0): number => (buffer === null ? 0 : (buffer as WasmBuffer).ptr + 4 * offset);

/** assembly/hostmath.ts: engine-independent float64 math for the host, no kernels (they move out later). */

export interface WasmRuntimeOptions {
  /**
   * Threads to run kernels on (default: RNAM_THREADS, else the number of cores; RNAM_THREADS is
   * capped at the cores, this option is not). Results do not depend on it.
   */
  threads?: number;
  /** A different single-threaded build of the kernels (the benchmarks load the scalar build this way). */
  binary?: Uint8Array;
  /** The most bytes of linear memory tensors may take (default and at most 4 GiB, the wasm32 limit). */
  memoryLimit?: number;
}

/** The cores of this machine (navigator.hardwareConcurrency, os.availableParallelism), 1 if unknown. */
function coreCount(): number {
  const nav = (globalThis as { navigator?: { hardwareConcurrency?: number } }).navigator;
  if (nav?.hardwareConcurrency) return nav.hardwareConcurrency;
  const os = typeof process !== 'undefined' && typeof process.getBuiltinModule === 'function' ? process.getBuiltinModule('node:os') : null;
  return os ? os.availableParallelism() : 1;
}

/** The thread count asked for (explicitly, by RNAM_THREADS, or the cores), and why it is less if it is. */
export function resolveThreads(option: number | undefined, env: string | undefined, cores: number): { threads: number; reason: string | null } {
  if (option !== undefined) {
    if (!Number.isInteger(option) || option < 1) throw new ArgumentError(`wasm backend: the threads option must be a positive integer, got ${String(option)}`);
    return { threads: option, reason: null };
  }
  if (env !== undefined && env !== '') {
    if (!/^[1-9][0-9]*$/.test(env.trim())) {
      throw new ArgumentError(`wasm backend: the environment variable RNAM_THREADS must be a positive decimal integer (1, 2, ...), got ${JSON.stringify(env)}`);
    }
    const asked = Number(env.trim());
    if (asked > cores) {
      return { threads: cores, reason: `${cores} thread${cores > 1 ? 's' : ''}: RNAM_THREADS=${asked} is capped at the ${cores} cores of this machine (the threads option is not capped)` };
    }
    return { threads: asked, reason: null };
  }
  return { threads: cores, reason: null };
}

function decodeBase64(text: string): Uint8Array<ArrayBuffer> {
  const raw = atob(text);
  const bytes = new Uint8Array(raw.length);
  for (let i = 0; i < raw.length; i++) bytes[i] = raw.charCodeAt(i);
  return bytes;
}

/** What exists once the module is instantiated. */
interface Live {
  readonly memory: WebAssembly.Memory;
  readonly exports: WasmKernelExports;
  readonly allocator: FreeListAllocator;
  readonly pool: ThreadPool | null;
}

/** [start, end) of part i when n items are cut into `parts` near-equal contiguous parts. */
export function part(n: number, parts: number, i: number): [number, number] {
  return [Math.floor((i * n) / parts), Math.floor(((i + 1) * n) / parts)];
}

export class WasmRuntime {
  private resolved: { threads: number; reason: string | null } | null = null;
  private readonly options: WasmRuntimeOptions;
  private readonly limit: number;
  private live: Live | null = null;
  private poolFailure: Error | null = null;
  private disposed = false;
  /** Whether the heap grew since the last read() yielded to the event loop (see backend.ts). */
  grewSinceYield = false;
  /** Each export's parameter names in the module's order, for turning named arguments into calls. */
  private readonly order = new Map<WasmExportName, string[]>();

  /** Checks the options now; RNAM_THREADS is read on first use, so a bad value never breaks an import. */
  constructor(options: WasmRuntimeOptions = {}) {
    this.options = options;
    if (options.threads !== undefined && !options.binary) this.resolve();
    const limit = options.memoryLimit ?? MAX_PAGES * PAGE;
    if (!(limit > 0) || limit > MAX_PAGES * PAGE) throw new ArgumentError(`wasm backend: memoryLimit must be in (0, 4 GiB], got ${String(limit)}`);
    this.limit = limit;
  }

  private resolve(): { threads: number; reason: string | null } {
    if (this.resolved) return this.resolved;
    if (this.options.binary) return (this.resolved = { threads: 1, reason: null });
    const env = typeof process !== 'undefined' ? process.env?.RNAM_THREADS : undefined;
    const asked = resolveThreads(this.options.threads, env, coreCount());
    const unavailable = asked.threads > 1 ? workersUnavailable() : null;
    return (this.resolved = unavailable ? { threads: 1, reason: `1 thread: ${unavailable}` } : asked);
  }

  /** Threads the kernels run on (1 when threads are unavailable or the workers failed to start). */
  get threads(): number {
    return this.poolFailure ? 1 : this.resolve().threads;
  }

  /** Why the backend runs on fewer threads than asked for, if it does. */
  get threadsReason(): string | null {
    return this.resolve().reason;
  }

  /** The instantiated module, instantiating it (synchronously) and starting the workers on first use. */
  private get state(): Live {
    if (this.disposed) throw new DeviceError('wasm backend: used after dispose(); its memory and workers are gone (create a new WasmBackend)');
    if (this.live?.pool?.lost) throw this.live.pool.lostError();
    return this.live ??= this.instantiate();
  }

  private instantiate(): Live {
    const threads = this.resolve().threads;
    const shared = threads > 1;
    const binary = this.options.binary ?? decodeBase64(shared ? wasmThreadsBinaryBase64 : wasmBinaryBase64);
    const memory = new WebAssembly.Memory({ initial: 16, maximum: MAX_PAGES, shared });
    const module = new WebAssembly.Module(binary as Uint8Array<ArrayBuffer>);
    const instance = new WebAssembly.Instance(module, { env: { memory } });
    const exports = instance.exports as unknown as WasmKernelExports;
    const allocator = new FreeListAllocator(exports.heap_base(), (end) => {
      this.grewSinceYield = true;
      const have = memory.buffer.byteLength;
      if (end <= have) return true;
      try {
        memory.grow(Math.ceil((end - have) / PAGE));
        return true;
      } catch {
        return false; // the engine or the system has no more memory to give
      }
    }, this.limit);
    let pool: ThreadPool | null = null;
    if (shared) {
      try {
        pool = ThreadPool.start(module, memory, instance, parallelKernels, threads);
        const started = pool;
        started.started.catch((err: Error) => this.failed(err, started)); // then the caller goes on alone
      } catch (err) {
        this.failed(err as Error, null);
      }
    }
    return { memory, exports, allocator, pool };
  }

  private failed(err: Error, pool: ThreadPool | null): void {
    if (this.poolFailure) return;
    this.poolFailure = err;
    pool?.terminate(); // the workers that did start are of no use without the others
    const browser = typeof process === 'undefined' || typeof process.versions?.node !== 'string';
    const csp = browser ? '; a Content-Security-Policy whose worker-src does not allow blob: blocks them' : '';
    this.resolved = { threads: 1, reason: `1 thread: the workers did not start (${err.message || String(err)}${csp})` };
  }

  /** Instantiates the module and waits until the workers are ready (rejects if they fail). */
  async ready(): Promise<void> {
    const { pool } = this.state;
    if (this.poolFailure) throw this.poolFailure;
    if (!pool) return;
    await pool.whenReady();
  }

  /**
   * Stops the workers and lets go of the linear memory. Any later use throws a DeviceError; free()
   * of a tensor that outlived the backend (dispose(), the garbage-collection backstop) does nothing.
   */
  dispose(): void {
    this.disposed = true;
    this.live?.pool?.terminate();
    this.live = null;
  }

  get exports(): WasmKernelExports {
    return this.state.exports;
  }

  alloc(numel: number): WasmBuffer {
    return { numel, ptr: this.state.allocator.alloc(Math.max(1, numel) * 4) };
  }

  /**
   * Scratch for `calls` parallel calls of `floats` floats each, in one buffer: call i's area starts at
   * the address at(i), apart from the others (see SCRATCH_GAP). Free `buffer` after the calls.
   */
  scratch(calls: number, floats: number): { buffer: WasmBuffer; calls: number; at: (i: number) => number } {
    const stride = Math.ceil((floats * 4) / SCRATCH_ALIGN) * SCRATCH_ALIGN + SCRATCH_GAP;
    const buffer = this.alloc((calls * stride + SCRATCH_ALIGN) / 4);
    const base = Math.ceil(buffer.ptr / SCRATCH_ALIGN) * SCRATCH_ALIGN;
    return { buffer, calls, at: (i) => base + i * stride };
  }

  free(buffer: DeviceBuffer): void {
    if (this.disposed || this.live?.pool?.lost) return;
    this.state.allocator.free(ptr(buffer));
  }

  /** The buffer's floats in linear memory (valid until the memory grows). */
  view(buffer: DeviceBuffer): Float32Array {
    return new Float32Array(this.state.memory.buffer, ptr(buffer), buffer.numel);
  }

  /** Bytes handed out to live tensors right now, and the linear memory reserved so far. */
  memoryStats(): { liveBytes: number; reservedBytes: number } {
    if (this.disposed) return { liveBytes: 0, reservedBytes: 0 };
    const { allocator } = this.live ?? this.state;
    return { liveBytes: allocator.liveBytes, reservedBytes: allocator.reservedBytes };
  }

  /** The positional arguments of export `name` from its named ones, in the spec's order. */
  private positional<K extends WasmExportName>(name: K, args: WasmArgs<K>): number[] {
    let names = this.order.get(name);
    if (!names) this.order.set(name, (names = wasmParams(name).map(([param]) => param)));
    return names.map((param) => (args as Record<string, number>)[param]);
  }

  /** Calls export `name` on this thread. */
  call<K extends WasmExportName>(name: K, args: WasmArgs<K>): WasmResult<K> {
    const fn = this.state.exports[name] as (...args: number[]) => WasmResult<K>;
    return fn(...this.positional(name, args)); // spread-ok: one kernel's arguments
  }

  /** Runs calls of a parallel kernel: on the pool once it is ready and `work` (all calls together) is worth it, else here. */
  run<K extends ParallelKernel>(kernel: K, calls: readonly WasmArgs<K>[], work = Infinity): void {
    const { pool } = this.state;
    if (!pool?.ready || calls.length === 1 || work < PARALLEL_MIN_WORK) {
      for (const args of calls) this.call(kernel, args);
      return;
    }
    const id = parallelKernels.indexOf(kernel);
    pool.run(calls.map((args): Task => ({ kernel: id, args: this.positional(kernel, args) })));
  }

  /**
   * How many parts to cut `work` elements of parallel work over `units` units into: `perThread` per
   * thread (more than one lets a thread that runs faster take over part of a slower one's share).
   */
  parts(work: number, units: number, perThread = 1): number {
    const { pool } = this.state;
    if (!pool?.ready || work < PARALLEL_MIN_WORK) return 1;
    return Math.max(1, Math.min(pool.size * perThread, units));
  }

  /**
   * Calls over `units` independent units (groups, rows, elements) of `size` elements of work each,
   * cut into contiguous parts: make(first unit, number of units) gives one call's arguments.
   */
  split<K extends ParallelKernel>(units: number, size: number, make: (first: number, count: number) => WasmArgs<K>, perThread = 1): WasmArgs<K>[] {
    const parts = this.parts(units * size, units, perThread);
    const calls: WasmArgs<K>[] = [];
    for (let i = 0; i < parts; i++) {
      const [u0, u1] = part(units, parts, i);
      if (u1 > u0) calls.push(make(u0, u1 - u0));
    }
    return calls.length ? calls : [make(0, units)];
  }

  /**
   * `count` calls over the units between `cuts` (ascending starts, then the end), each a contiguous
   * run of whole units: make(first, number of items, call index) gives one call's arguments.
   */
  splitAt<K extends ParallelKernel>(cuts: readonly number[], count: number,
    make: (first: number, items: number, index: number) => WasmArgs<K>): WasmArgs<K>[] {
    const units = cuts.length - 1;
    return Array.from({ length: count }, (_, i) => {
      const [u0, u1] = part(units, count, i);
      return make(cuts[u0], cuts[u1] - cuts[u0], i);
    });
  }
}
