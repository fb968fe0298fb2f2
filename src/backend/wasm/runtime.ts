// The wasm device runtime: one WebAssembly.Memory shared by all tensors, the allocator over it,
// the module's exports, and the thread pool the parallel kernels run on. It starts lazily and
// without blocking: constructing it does nothing; the first allocation or call instantiates the
// module synchronously and starts the workers in the background; until they are all ready every
// call runs on the calling thread. Results never depend on the thread count (the plans split work
// the same way whatever runs it), so when the workers arrive changes no result.
import type { DeviceBuffer } from '../backend.js';
import type { ParallelKernel, WasmArgs, WasmExportName, WasmKernelExports, WasmResult } from '../../kernels/types.js';
import { parallelKernels, wasmParams } from '../../kernels/types.js';
import { FreeListAllocator } from '../allocator.js';
import { ThreadPool, workersUnavailable, type Task } from '../thread-pool.js';
import { wasmBinaryBase64, wasmThreadsBinaryBase64 } from '../wasm-binary.js';

const PAGE = 65536;
const MAX_PAGES = 65536; // 4 GiB, the wasm32 limit
/** Below this many elements of work a kernel runs on the calling thread alone. */
const PARALLEL_MIN_ELEMENTS = 1 << 15;

export interface WasmBuffer extends DeviceBuffer {
  readonly ptr: number;
}

/** The address of `buffer` plus `offset` floats, or 0 (absent) for null. */
export const ptr = (buffer: DeviceBuffer | null, offset = 0): number => (buffer === null ? 0 : (buffer as WasmBuffer).ptr + 4 * offset);

/** assembly/hostmath.ts: engine-independent float64 math for the host, no kernels (they move out later). */

export interface WasmRuntimeOptions {
  /** Threads to run kernels on (default: RNAM_THREADS, else the number of cores). Results do not depend on it. */
  threads?: number;
  /** A different single-threaded build of the kernels (the benchmarks load the scalar build this way). */
  binary?: Uint8Array;
}

/** The default thread count, found synchronously: RNAM_THREADS, else the cores. */
function defaultThreads(): number {
  const env = typeof process !== 'undefined' ? process.env?.RNAM_THREADS : undefined;
  if (env) return Number(env);
  const nav = (globalThis as { navigator?: { hardwareConcurrency?: number } }).navigator;
  if (nav?.hardwareConcurrency) return nav.hardwareConcurrency;
  const os = typeof process !== 'undefined' && typeof process.getBuiltinModule === 'function' ? process.getBuiltinModule('node:os') : null;
  return os ? os.availableParallelism() : 1;
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
  /** Threads the kernels run on once the workers are ready (1 when threads are unavailable). */
  readonly threads: number;
  private reason: string | null;
  private readonly binary: Uint8Array | undefined;
  private live: Live | null = null;
  private poolFailure: Error | null = null;
  private disposed = false;
  /** Each export's parameter names in the module's order, for turning named arguments into calls. */
  private readonly order = new Map<WasmExportName, string[]>();

  constructor(options: WasmRuntimeOptions = {}) {
    let threads = options.binary ? 1 : options.threads ?? defaultThreads();
    if (!Number.isInteger(threads) || threads < 1) throw new Error(`wasm backend: threads must be a positive integer, got ${threads}`);
    const unavailable = threads > 1 ? workersUnavailable() : null;
    if (unavailable) threads = 1;
    this.threads = threads;
    this.reason = unavailable ? `1 thread: ${unavailable}` : null;
    this.binary = options.binary;
  }

  /** Why the backend runs on fewer threads than asked for, if it does. */
  get threadsReason(): string | null {
    return this.reason;
  }

  /** The instantiated module, instantiating it (synchronously) and starting the workers on first use. */
  private get state(): Live {
    return this.live ??= this.instantiate();
  }

  private instantiate(): Live {
    const shared = this.threads > 1;
    const binary = this.binary ?? decodeBase64(shared ? wasmThreadsBinaryBase64 : wasmBinaryBase64);
    const memory = new WebAssembly.Memory({ initial: 16, maximum: MAX_PAGES, shared });
    const module = new WebAssembly.Module(binary as Uint8Array<ArrayBuffer>);
    const instance = new WebAssembly.Instance(module, { env: { memory } });
    const exports = instance.exports as unknown as WasmKernelExports;
    const allocator = new FreeListAllocator(exports.heap_base(), (end) => {
      const have = memory.buffer.byteLength;
      if (end <= have) return;
      const pages = Math.ceil((end - have) / PAGE);
      if (have / PAGE + pages > MAX_PAGES) throw new Error(`wasm backend: out of memory (asked for ${end} bytes, the limit is 4 GiB)`);
      memory.grow(pages);
    });
    let pool: ThreadPool | null = null;
    if (shared && !this.disposed) {
      try {
        pool = ThreadPool.start(module, memory, instance, parallelKernels, this.threads);
        pool.started.catch((err: Error) => this.failed(err)); // then the caller goes on alone
      } catch (err) {
        this.failed(err as Error);
      }
    }
    return { memory, exports, allocator, pool };
  }

  private failed(err: Error): void {
    this.poolFailure = err;
    this.reason = `1 thread: the workers did not start (${err.message})`;
  }

  /** Instantiates the module and waits until the workers are ready (rejects if they fail). */
  async ready(): Promise<void> {
    const { pool } = this.state;
    if (this.poolFailure) throw this.poolFailure;
    if (!pool) return;
    await pool.whenReady();
  }

  /** Stops the workers (the runtime must not be used afterwards). */
  dispose(): void {
    this.disposed = true;
    this.live?.pool?.terminate();
  }

  get exports(): WasmKernelExports {
    return this.state.exports;
  }

  alloc(numel: number): WasmBuffer {
    return { numel, ptr: this.state.allocator.alloc(Math.max(1, numel) * 4) };
  }

  free(buffer: DeviceBuffer): void {
    this.state.allocator.free(ptr(buffer));
  }

  /** The buffer's floats in linear memory (valid until the memory grows). */
  view(buffer: DeviceBuffer): Float32Array {
    return new Float32Array(this.state.memory.buffer, ptr(buffer), buffer.numel);
  }

  /** Bytes handed out to live tensors right now, and the linear memory reserved so far. */
  memoryStats(): { liveBytes: number; reservedBytes: number } {
    const { allocator } = this.state;
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
    return fn(...this.positional(name, args));
  }

  /** Runs calls of a parallel kernel: on the pool once it is ready, else here. */
  run<K extends ParallelKernel>(kernel: K, calls: readonly WasmArgs<K>[]): void {
    const { pool } = this.state;
    if (!pool?.ready || calls.length === 1) {
      for (const args of calls) this.call(kernel, args);
      return;
    }
    const id = parallelKernels.indexOf(kernel);
    pool.run(calls.map((args): Task => ({ kernel: id, args: this.positional(kernel, args) })));
  }

  /** How many parts to cut `work` elements of parallel work over `units` units into. */
  parts(work: number, units: number): number {
    if (!this.state.pool?.ready || work < PARALLEL_MIN_ELEMENTS) return 1;
    return Math.max(1, Math.min(this.threads, units));
  }

  /**
   * Calls over `units` independent units (groups, rows, elements) of `size` elements of work each,
   * cut into contiguous parts: make(first unit, number of units) gives one call's arguments.
   */
  split<K extends ParallelKernel>(units: number, size: number, make: (first: number, count: number) => WasmArgs<K>): WasmArgs<K>[] {
    const parts = this.parts(units * size, units);
    const calls: WasmArgs<K>[] = [];
    for (let i = 0; i < parts; i++) {
      const [u0, u1] = part(units, parts, i);
      if (u1 > u0) calls.push(make(u0, u1 - u0));
    }
    return calls.length ? calls : [make(0, units)];
  }
}
