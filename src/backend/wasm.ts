// The CPU backend: AssemblyScript kernels compiled to SIMD128 WebAssembly, one WebAssembly.Memory
// shared by all tensors, and a TypeScript-side allocator. Every kernel call is synchronous.
import type { Backend, DeviceBuffer } from './backend.js';
import type { KernelArgs } from '../kernels/types.js';
import { FreeListAllocator } from './allocator.js';
import { wasmBinaryBase64, wasmThreadsBinaryBase64 } from './wasm-binary.js';
import { ThreadPool, type Task } from './thread-pool.js';
import { parallelKernels } from '../kernels/types.js';

const PAGE = 65536;
const MAX_PAGES = 65536; // 4 GiB, the wasm32 limit

interface WasmBuffer extends DeviceBuffer {
  readonly ptr: number;
}

/** The wasm exports: every Backend kernel with buffers passed as pointers (0 = absent). */
type Ptr = number;
interface Kernels extends Record<'rnn_forward' | 'rnn_backward' | 'gru_forward' | 'gru_backward' | 'lstm_forward' | 'lstm_backward' | 'transpose_2d', (...args: number[]) => void> {
  heap_base(): number;
  linear_forward(x: Ptr, w: Ptr, b: Ptr, y: Ptr, terms: number, rows: number, inDim: number, outDim: number): void;
  linear_backward(x: Ptr, w: Ptr, dy: Ptr, dx: Ptr, dw: Ptr, db: Ptr, terms: number, rows: number, inDim: number, outDim: number): void;
  mingru_scan_forward(hg: Ptr, h0: Ptr, h: Ptr, groups: number, seq: number, dim: number): void;
  mingru_scan_backward(hg: Ptr, h0: Ptr, h: Ptr, dh: Ptr, dhg: Ptr, dh0: Ptr, groups: number, seq: number, dim: number): void;
  layer_norm_forward(x: Ptr, w: Ptr, b: Ptr, y: Ptr, mean: Ptr, rstd: Ptr, rows: number, dim: number, eps: number): void;
  layer_norm_backward(x: Ptr, w: Ptr, mean: Ptr, rstd: Ptr, dy: Ptr, dx: Ptr, dw: Ptr, db: Ptr, rows: number, dim: number, eps: number): void;
  unary_forward(x: Ptr, y: Ptr, n: number, op: number): void;
  unary_backward(x: Ptr, y: Ptr, dy: Ptr, dx: Ptr, n: number, op: number): void;
  binary_forward(a: Ptr, b: Ptr, out: Ptr, n: number, op: number): void;
  binary_backward(a: Ptr, b: Ptr, dy: Ptr, da: Ptr, db: Ptr, n: number, op: number): void;
  affine_scalar(x: Ptr, out: Ptr, n: number, scale: number, shift: number): void;
  fill(out: Ptr, n: number, value: number): void;
  copy_rows(src: Ptr, dst: Ptr, outer: number, srcN: number, dstN: number, inner: number, srcStart: number, dstStart: number, count: number): void;
  sum_all(x: Ptr, out: Ptr, n: number): void;
  sum_rows(x: Ptr, y: Ptr, rows: number, inner: number): void;
  add_row_vector(x: Ptr, v: Ptr, y: Ptr, rows: number, inner: number): void;
  mse_forward(a: Ptr, b: Ptr, out: Ptr, n: number): void;
  mse_backward(a: Ptr, b: Ptr, dOut: Ptr, da: Ptr, db: Ptr, n: number): void;
  sum_squares_accumulate(x: Ptr, acc: Ptr, n: number): void;
  sgd_step(p: Ptr, g: Ptr, buf: Ptr, n: number, lr: number, momentum: number, dampening: number, weightDecay: number, nesterov: number, firstStep: number): void;
  adam_step(p: Ptr, g: Ptr, m: Ptr, v: Ptr, n: number, lr: number, beta1: number, beta2: number, eps: number, weightDecay: number, decoupled: number, stepSize: number, bc2Sqrt: number): void;
  clip_scale(g: Ptr, sumSq: Ptr, n: number, maxNorm: number): void;
  count_nonfinite(a: Ptr, n: number): number;
  math_sin(x: number): number;
  math_cos(x: number): number;
}

function decodeBase64(text: string): Uint8Array {
  const raw = atob(text);
  const bytes = new Uint8Array(raw.length);
  for (let i = 0; i < raw.length; i++) bytes[i] = raw.charCodeAt(i);
  return bytes;
}

const ptr = (b: DeviceBuffer | null): number => (b === null ? 0 : (b as WasmBuffer).ptr);

export interface WasmBackendOptions {
  /** Threads to run kernels on (default: the number of cores). Results do not depend on it. */
  threads?: number;
  /** A different single-threaded build of the kernels (the benchmarks load the scalar build this way). */
  binary?: Uint8Array;
  /** Shown in `description`. */
  label?: string;
}

/** Rows per partial sum in reductions over rows: fixed, so results do not depend on the thread count. */
export const REDUCTION_CHUNK_ROWS = 4096;
/** Below this many elements of work a kernel runs on the calling thread alone. */
const PARALLEL_MIN_ELEMENTS = 1 << 15;

const KERNEL_NAMES: readonly string[] = parallelKernels;
type ParallelKernel = (typeof parallelKernels)[number];

async function defaultThreads(): Promise<number> {
  const env = (globalThis as { process?: { env?: Record<string, string | undefined> } }).process?.env?.RNAM_THREADS;
  if (env) return Number(env);
  const nav = (globalThis as { navigator?: { hardwareConcurrency?: number } }).navigator;
  if (nav?.hardwareConcurrency) return nav.hardwareConcurrency;
  try {
    const name = 'node:os'; // a variable, so browser bundlers leave it alone
    const os = await import(/* @vite-ignore */ name);
    return os.availableParallelism?.() ?? os.cpus().length;
  } catch {
    return 1;
  }
}

/** Why threads cannot be used here, or null when they can. */
function threadsUnavailable(): string | null {
  const g = globalThis as { SharedArrayBuffer?: unknown; crossOriginIsolated?: boolean; process?: unknown };
  if (typeof g.SharedArrayBuffer !== 'function') return 'SharedArrayBuffer is not available';
  if (g.crossOriginIsolated === false) return 'the page is not cross-origin isolated (serve it with COOP/COEP headers)';
  return null;
}

/** [start, end) of part i when n items are cut into `parts` near-equal contiguous parts. */
function part(n: number, parts: number, i: number): [number, number] {
  return [Math.floor((i * n) / parts), Math.floor(((i + 1) * n) / parts)];
}

export class WasmBackend implements Backend {
  readonly kind = 'wasm' as const;
  readonly syncRead = true;
  readonly description: string;
  private readonly allocator: FreeListAllocator;

  /** Threads kernels run on (1 when threads are unavailable: see threadsReason). */
  readonly threads: number;
  /** Why the backend runs on fewer threads than asked for, if it does. */
  readonly threadsReason: string | null;

  private constructor(private readonly memory: WebAssembly.Memory, private readonly k: Kernels, label: string,
    private readonly pool: ThreadPool | null, threadsReason: string | null) {
    this.threads = pool?.size ?? 1;
    this.threadsReason = threadsReason;
    this.description = label;
    this.allocator = new FreeListAllocator(k.heap_base(), (end) => {
      const have = memory.buffer.byteLength;
      if (end <= have) return;
      const pages = Math.ceil((end - have) / PAGE);
      if (have / PAGE + pages > MAX_PAGES) {
        throw new Error(`wasm backend: out of memory (asked for ${end} bytes, the limit is 4 GiB)`);
      }
      memory.grow(pages);
    });
  }

  static async create(options: WasmBackendOptions = {}): Promise<WasmBackend> {
    let threads = options.binary ? 1 : options.threads ?? (await defaultThreads());
    if (!Number.isInteger(threads) || threads < 1) throw new Error(`wasm backend: threads must be a positive integer, got ${threads}`);
    const unavailable = threads > 1 ? threadsUnavailable() : null;
    if (unavailable) threads = 1;
    const shared = threads > 1;
    const binary = options.binary ?? decodeBase64(shared ? wasmThreadsBinaryBase64 : wasmBinaryBase64);
    const memory = new WebAssembly.Memory({ initial: 16, maximum: MAX_PAGES, shared });
    const module = await WebAssembly.compile(binary as Uint8Array<ArrayBuffer>);
    const instance = await WebAssembly.instantiate(module, { env: { memory } });
    const pool = shared ? await ThreadPool.create(module, memory, instance, KERNEL_NAMES, threads) : null;
    const label = options.label ?? `wasm (SIMD128, ${threads} thread${threads > 1 ? 's' : ''})`;
    return new WasmBackend(memory, instance.exports as unknown as Kernels, label, pool,
      unavailable ? `1 thread: ${unavailable}` : null);
  }

  /** Stops the worker threads (the backend must not be used afterwards). */
  dispose(): void {
    this.pool?.terminate();
  }

  /** Runs kernel calls (argument lists) on the pool, or here when there is no pool. */
  private run(kernel: ParallelKernel, calls: number[][]): void {
    if (!this.pool || calls.length === 1) {
      const fn = this.k[kernel] as (...args: number[]) => unknown;
      for (const args of calls) fn(...args);
      return;
    }
    const id = KERNEL_NAMES.indexOf(kernel);
    this.pool.run(calls.map((args): Task => ({ kernel: id, args })));
  }

  /**
   * Calls over `units` independent units (groups, rows, elements) of `size` elements each, cut into
   * contiguous parts: make(first unit, number of units) gives one call's arguments.
   */
  private groupCalls(units: number, size: number, make: (first: number, count: number) => number[]): number[][] {
    const parts = this.parts(units * size, units);
    const calls: number[][] = [];
    for (let i = 0; i < parts; i++) {
      const [u0, u1] = part(units, parts, i);
      if (u1 > u0) calls.push(make(u0, u1 - u0));
    }
    return calls.length ? calls : [make(0, units)];
  }

  /** How many parts to cut `work` elements of embarrassingly parallel work into. */
  private parts(work: number, units: number): number {
    if (!this.pool || work < PARALLEL_MIN_ELEMENTS) return 1;
    return Math.max(1, Math.min(this.threads, units));
  }

  /** Bytes handed out to live tensors right now, and the linear memory reserved so far. */
  memoryStats(): { liveBytes: number; reservedBytes: number } {
    return { liveBytes: this.allocator.liveBytes, reservedBytes: this.allocator.reservedBytes };
  }

  alloc(numel: number): DeviceBuffer {
    const buffer: WasmBuffer = { numel, ptr: this.allocator.alloc(Math.max(1, numel) * 4) };
    return buffer;
  }

  free(buffer: DeviceBuffer): void {
    this.allocator.free(ptr(buffer));
  }

  private view(buffer: DeviceBuffer): Float32Array {
    return new Float32Array(this.memory.buffer, ptr(buffer), buffer.numel);
  }

  write(buffer: DeviceBuffer, data: Float32Array): void {
    this.view(buffer).set(data);
  }

  readSync(buffer: DeviceBuffer): Float32Array {
    return this.view(buffer).slice();
  }

  async read(buffer: DeviceBuffer): Promise<Float32Array> {
    return this.readSync(buffer);
  }

  linear_forward({ x, w, b, y, terms, rows, inDim, outDim }: KernelArgs<'linear_forward'>): void {
    // Per term, rows cut into parts: every output element is computed the same way in any split.
    const perTerm = Math.ceil(this.parts(terms * rows * outDim, terms * rows) / terms);
    const calls: number[][] = [];
    for (let t = 0; t < terms; t++) {
      for (let i = 0; i < perTerm; i++) {
        const [r0, r1] = part(rows, perTerm, i);
        if (r1 === r0) continue;
        calls.push([ptr(x) + 4 * (t * rows + r0) * inDim, ptr(w) + 4 * t * inDim * outDim, b ? ptr(b) + 4 * t * outDim : 0,
          ptr(y) + 4 * (t * rows + r0) * outDim, 1, r1 - r0, inDim, outDim]);
      }
    }
    this.run('linear_forward', calls);
  }

  linear_backward({ x, w, dy, dx, dw, db, terms, rows, inDim, outDim }: KernelArgs<'linear_backward'>): void {
    // Rows in fixed chunks of REDUCTION_CHUNK_ROWS: dx is written in place, dw and db per chunk,
    // then the chunks' partials are summed in chunk order (sum_rows), whatever the thread count.
    const chunks = Math.ceil(rows / REDUCTION_CHUNK_ROWS);
    const wSize = inDim * outDim;
    const partialW = dw && chunks > 1 ? this.alloc(terms * chunks * wSize) : null;
    const partialB = db && chunks > 1 ? this.alloc(terms * chunks * outDim) : null;
    const calls: number[][] = [];
    for (let t = 0; t < terms; t++) {
      for (let c = 0; c < chunks; c++) {
        const r0 = c * REDUCTION_CHUNK_ROWS, r1 = Math.min(rows, r0 + REDUCTION_CHUNK_ROWS);
        calls.push([ptr(x) + 4 * (t * rows + r0) * inDim, ptr(w) + 4 * t * wSize, ptr(dy) + 4 * (t * rows + r0) * outDim,
          dx ? ptr(dx) + 4 * (t * rows + r0) * inDim : 0,
          partialW ? ptr(partialW) + 4 * (t * chunks + c) * wSize : dw ? ptr(dw) + 4 * t * wSize : 0,
          partialB ? ptr(partialB) + 4 * (t * chunks + c) * outDim : db ? ptr(db) + 4 * t * outDim : 0,
          1, r1 - r0, inDim, outDim]);
      }
    }
    this.run('linear_backward', calls);
    for (let t = 0; t < terms; t++) {
      if (partialW) this.k.sum_rows(ptr(partialW) + 4 * t * chunks * wSize, ptr(dw) + 4 * t * wSize, chunks, wSize);
      if (partialB) this.k.sum_rows(ptr(partialB) + 4 * t * chunks * outDim, ptr(db) + 4 * t * outDim, chunks, outDim);
    }
    if (partialW) this.free(partialW);
    if (partialB) this.free(partialB);
  }

  mingru_scan_forward({ hg, h0, h, groups, seq, dim }: KernelArgs<'mingru_scan_forward'>): void {
    this.run('mingru_scan_forward', this.groupCalls(groups, seq * dim, (g0, n) => [
      ptr(hg) + 4 * g0 * seq * 2 * dim, h0 ? ptr(h0) + 4 * g0 * dim : 0, ptr(h) + 4 * g0 * seq * dim, n, seq, dim]));
  }

  mingru_scan_backward({ hg, h0, h, dh, dhg, dh0, groups, seq, dim }: KernelArgs<'mingru_scan_backward'>): void {
    this.run('mingru_scan_backward', this.groupCalls(groups, seq * dim, (g0, n) => [
      ptr(hg) + 4 * g0 * seq * 2 * dim, h0 ? ptr(h0) + 4 * g0 * dim : 0, ptr(h) + 4 * g0 * seq * dim,
      ptr(dh) + 4 * g0 * seq * dim, ptr(dhg) + 4 * g0 * seq * 2 * dim, dh0 ? ptr(dh0) + 4 * g0 * dim : 0, n, seq, dim]));
  }

  layer_norm_forward({ x, w, b, y, mean, rstd, rows, dim, eps }: KernelArgs<'layer_norm_forward'>): void {
    this.run('layer_norm_forward', this.groupCalls(rows, dim, (r0, n) => [
      ptr(x) + 4 * r0 * dim, ptr(w), ptr(b), ptr(y) + 4 * r0 * dim, ptr(mean) + 4 * r0, ptr(rstd) + 4 * r0, n, dim, eps]));
  }

  layer_norm_backward({ x, w, mean, rstd, dy, dx, dw, db, rows, dim, eps }: KernelArgs<'layer_norm_backward'>): void {
    // As linear_backward: fixed row chunks, dx in place, dw and db as ordered sums of chunk partials.
    const chunks = Math.ceil(rows / REDUCTION_CHUNK_ROWS);
    const partial = (dw || db) && chunks > 1 ? this.alloc(2 * chunks * dim) : null; // [dw chunks | db chunks]
    const calls: number[][] = [];
    for (let c = 0; c < chunks; c++) {
      const r0 = c * REDUCTION_CHUNK_ROWS, r1 = Math.min(rows, r0 + REDUCTION_CHUNK_ROWS);
      calls.push([ptr(x) + 4 * r0 * dim, ptr(w), ptr(mean) + 4 * r0, ptr(rstd) + 4 * r0, ptr(dy) + 4 * r0 * dim,
        dx ? ptr(dx) + 4 * r0 * dim : 0,
        dw ? (partial ? ptr(partial) + 4 * c * dim : ptr(dw)) : 0,
        db ? (partial ? ptr(partial) + 4 * (chunks + c) * dim : ptr(db)) : 0, r1 - r0, dim, eps]);
    }
    this.run('layer_norm_backward', calls);
    if (partial) {
      if (dw) this.k.sum_rows(ptr(partial), ptr(dw), chunks, dim);
      if (db) this.k.sum_rows(ptr(partial) + 4 * chunks * dim, ptr(db), chunks, dim);
      this.free(partial);
    }
  }

  unary_forward({ x, y, n, op }: KernelArgs<'unary_forward'>): void {
    this.run('unary_forward', this.groupCalls(n, 1, (i0, m) => [ptr(x) + 4 * i0, ptr(y) + 4 * i0, m, op]));
  }

  unary_backward({ x, y, dy, dx, n, op }: KernelArgs<'unary_backward'>): void {
    this.run('unary_backward', this.groupCalls(n, 1, (i0, m) => [ptr(x) + 4 * i0, ptr(y) + 4 * i0, ptr(dy) + 4 * i0, ptr(dx) + 4 * i0, m, op]));
  }

  binary_forward({ a, b, out, n, op }: KernelArgs<'binary_forward'>): void {
    this.run('binary_forward', this.groupCalls(n, 1, (i0, m) => [ptr(a) + 4 * i0, ptr(b) + 4 * i0, ptr(out) + 4 * i0, m, op]));
  }

  binary_backward({ a, b, dy, da, db, n, op }: KernelArgs<'binary_backward'>): void {
    this.run('binary_backward', this.groupCalls(n, 1, (i0, m) => [ptr(a) + 4 * i0, ptr(b) + 4 * i0, ptr(dy) + 4 * i0,
      da ? ptr(da) + 4 * i0 : 0, db ? ptr(db) + 4 * i0 : 0, m, op]));
  }

  affine_scalar({ x, out, n, scale, shift }: KernelArgs<'affine_scalar'>): void {
    this.run('affine_scalar', this.groupCalls(n, 1, (i0, m) => [ptr(x) + 4 * i0, ptr(out) + 4 * i0, m, scale, shift]));
  }

  fill({ out, n, value }: KernelArgs<'fill'>): void {
    this.run('fill', this.groupCalls(n, 1, (i0, m) => [ptr(out) + 4 * i0, m, value]));
  }

  copy_rows({ src, dst, outer, srcN, dstN, inner, srcStart, dstStart, count }: KernelArgs<'copy_rows'>): void {
    // Cut over the outer index: src (outer, srcN, inner) and dst (outer, dstN, inner) advance together.
    this.run('copy_rows', this.groupCalls(outer, count * inner, (o0, m) => [
      ptr(src) + 4 * o0 * srcN * inner, ptr(dst) + 4 * o0 * dstN * inner, m, srcN, dstN, inner, srcStart, dstStart, count]));
  }

  sum_all({ x, out, n }: KernelArgs<'sum_all'>): void {
    this.k.sum_all(ptr(x), ptr(out), n);
  }

  sum_rows({ x, y, rows, inner }: KernelArgs<'sum_rows'>): void {
    this.k.sum_rows(ptr(x), ptr(y), rows, inner);
  }

  add_row_vector({ x, v, y, rows, inner }: KernelArgs<'add_row_vector'>): void {
    this.k.add_row_vector(ptr(x), ptr(v), ptr(y), rows, inner);
  }

  mse_forward({ a, b, out, n }: KernelArgs<'mse_forward'>): void {
    this.k.mse_forward(ptr(a), ptr(b), ptr(out), n);
  }

  mse_backward({ a, b, dOut, da, db, n }: KernelArgs<'mse_backward'>): void {
    this.k.mse_backward(ptr(a), ptr(b), ptr(dOut), ptr(da), ptr(db), n);
  }

  sum_squares_accumulate({ x, acc, n }: KernelArgs<'sum_squares_accumulate'>): void {
    this.k.sum_squares_accumulate(ptr(x), ptr(acc), n);
  }

  sgd_step({ p, g, buf, n, lr, momentum, dampening, weightDecay, nesterov, firstStep }: KernelArgs<'sgd_step'>): void {
    this.k.sgd_step(ptr(p), ptr(g), ptr(buf), n, lr, momentum, dampening, weightDecay, +nesterov, +firstStep);
  }

  adam_step({ p, g, m, v, n, lr, beta1, beta2, eps, weightDecay, decoupled, stepSize, bc2Sqrt }: KernelArgs<'adam_step'>): void {
    this.k.adam_step(ptr(p), ptr(g), ptr(m), ptr(v), n, lr, beta1, beta2, eps, weightDecay, +decoupled, stepSize, bc2Sqrt);
  }

  clip_scale({ g, n, sumSq, maxNorm }: KernelArgs<'clip_scale'>): void {
    this.k.clip_scale(ptr(g), ptr(sumSq), n, maxNorm);
  }

  async count_nonfinite({ a, n }: KernelArgs<'count_nonfinite'>): Promise<number> {
    return this.k.count_nonfinite(ptr(a), n);
  }

  countNonfiniteSync(a: DeviceBuffer, n: number): number {
    return this.k.count_nonfinite(ptr(a), n);
  }

  /** Engine-independent float64 sin and cos (for data generation). */
  sin(x: number): number {
    return this.k.math_sin(x);
  }

  cos(x: number): number {
    return this.k.math_cos(x);
  }

  // ---- Recurrent cells: Elman RNN, GRU, LSTM (assembly/rnn.ts; the RecurrentKernels interface) ----
  // Each batch row's time loop is independent of the others: the batch is cut into parts like the
  // other kernels, and every row is computed the same way in any split.

  /** (strideT, strideB) in rows of a (seq, batch) or, batch-first, (batch, seq) row layout. */
  private static rowStrides(batch: number, seq: number, batchFirst: boolean): [number, number] {
    return batchFirst ? [1, seq] : [batch, 1];
  }

  transpose_2d({ src, dst, rows, cols }: KernelArgs<'transpose_2d'>): void {
    this.k.transpose_2d(ptr(src), ptr(dst), rows, cols);
  }

  rnn_forward({ xg, whhT, bhh, h0, out, batch, seq, hidden, batchFirst, relu }: KernelArgs<'rnn_forward'>): void {
    const [sT, sB] = WasmBackend.rowStrides(batch, seq, batchFirst);
    this.run('rnn_forward', this.groupCalls(batch, seq * hidden * hidden, (b0, n) => [
      ptr(xg), ptr(whhT), ptr(bhh), ptr(h0), ptr(out), b0, n, seq, hidden, sT, sB, +relu]));
  }

  rnn_backward({ whh, out, dout, dg, dh0, batch, seq, hidden, batchFirst, relu }: KernelArgs<'rnn_backward'>): void {
    const [sT, sB] = WasmBackend.rowStrides(batch, seq, batchFirst);
    this.run('rnn_backward', this.groupCalls(batch, seq * hidden * hidden, (b0, n) => [
      ptr(whh), ptr(out), ptr(dout), ptr(dg), ptr(dh0), b0, n, seq, hidden, sT, sB, +relu]));
  }

  gru_forward({ xg, whhT, bhh, h0, out, hn, batch, seq, hidden, batchFirst }: KernelArgs<'gru_forward'>): void {
    const [sT, sB] = WasmBackend.rowStrides(batch, seq, batchFirst);
    this.run('gru_forward', this.groupCalls(batch, seq * 3 * hidden * hidden, (b0, n) => [
      ptr(xg), ptr(whhT), ptr(bhh), ptr(h0), ptr(out), ptr(hn), b0, n, seq, hidden, sT, sB]));
  }

  gru_backward({ whh, gates, hn, out, dout, dgi, dgh, dh0, batch, seq, hidden, batchFirst }: KernelArgs<'gru_backward'>): void {
    const [sT, sB] = WasmBackend.rowStrides(batch, seq, batchFirst);
    this.run('gru_backward', this.groupCalls(batch, seq * 3 * hidden * hidden, (b0, n) => [
      ptr(whh), ptr(gates), ptr(hn), ptr(out), ptr(dout), ptr(dgi), ptr(dgh), ptr(dh0), b0, n, seq, hidden, sT, sB]));
  }

  lstm_forward({ xg, whhT, bhh, h0, c0, out, c, batch, seq, hidden, batchFirst }: KernelArgs<'lstm_forward'>): void {
    const [sT, sB] = WasmBackend.rowStrides(batch, seq, batchFirst);
    this.run('lstm_forward', this.groupCalls(batch, seq * 4 * hidden * hidden, (b0, n) => [
      ptr(xg), ptr(whhT), ptr(bhh), ptr(h0), ptr(c0), ptr(out), ptr(c), b0, n, seq, hidden, sT, sB]));
  }

  lstm_backward({ whh, gates, c, c0, dout, dg, dh0, dc0, batch, seq, hidden, batchFirst }: KernelArgs<'lstm_backward'>): void {
    const [sT, sB] = WasmBackend.rowStrides(batch, seq, batchFirst);
    this.run('lstm_backward', this.groupCalls(batch, seq * 4 * hidden * hidden, (b0, n) => [
      ptr(whh), ptr(gates), ptr(c), ptr(c0), ptr(dout), ptr(dg), ptr(dh0), ptr(dc0), b0, n, seq, hidden, sT, sB]));
  }
  // ---- ImplicitRNN (assembly/implicit.ts) ----
  // Rows of the batch are independent: the forward cuts them into parts like the other kernels;
  // the backward runs fixed chunks of IMPLICIT_CHUNK_ROWS rows, each writing its own partial
  // parameter gradients, summed in chunk order by sum_rows, so no result depends on the threads.

  /** The projected A, its transpose and the transposes of B, C, D (see implicit_prepare). */
  private implicitWorkspace(a: DeviceBuffer, b: DeviceBuffer, c: DeviceBuffer, d: DeviceBuffer,
    inDim: number, n: number, hid: number, kappa: number): DeviceBuffer {
    const q = inDim + hid;
    const ws = this.alloc(2 * n * n + q * n + n * hid + q * hid);
    this.k.implicit_prepare(ptr(a), ptr(b), ptr(c), ptr(d), ptr(ws), n, q, hid, kappa);
    return ws;
  }

  implicit_forward({ x, a, b, c, d, xs, h, stats, batch, seq, inDim, n, hid, maxIter, tol, kappa }: KernelArgs<'implicit_forward'>): void {
    const ws = this.implicitWorkspace(a, b, c, d, inDim, n, hid, kappa);
    const scratchPerRow = 2 * vec4(n);
    const scratch = this.alloc(batch * scratchPerRow);
    const work = seq * (n * n + (inDim + hid) * (n + hid) + hid * n);
    this.run('implicit_forward', this.groupCalls(batch, work, (r0, rows) => [
      ptr(x) + 4 * r0 * seq * inDim, ptr(ws), ptr(xs) + 4 * r0 * seq * n, ptr(h) + 4 * r0 * seq * hid,
      ptr(stats) + 4 * r0 * IMPLICIT_STATS, ptr(scratch) + 4 * r0 * scratchPerRow, rows, seq, inDim, n, hid, maxIter, tol]));
    this.free(scratch);
    this.free(ws);
  }

  implicit_backward({ x, a, b, c, d, xs, h, dh, dx, dA, dB, dC, dD, stats, batch, seq, inDim, n, hid, maxIter, tol, kappa }: KernelArgs<'implicit_backward'>): void {
    const q = inDim + hid;
    const ws = this.implicitWorkspace(a, b, c, d, inDim, n, hid, kappa);
    const chunks = Math.ceil(batch / IMPLICIT_CHUNK_ROWS);
    const scratchPerChunk = 6 * vec4(n) + 2 * vec4(hid) + vec4(q);
    const scratch = this.alloc(chunks * scratchPerChunk);
    // Partial gradients per chunk: [dA chunks | dB chunks | dC chunks | dD chunks].
    const sizes = [n * n, n * q, hid * n, hid * q];
    const grads = [dA, dB, dC, dD];
    const offsets: number[] = [];
    let total = 0;
    for (let i = 0; i < 4; i++) {
      offsets.push(total);
      if (grads[i]) total += chunks * sizes[i];
    }
    const partial = chunks > 1 && total > 0 ? this.alloc(total) : null;
    const target = (i: number, chunk: number): number => {
      const g = grads[i];
      if (!g) return 0;
      return partial ? ptr(partial) + 4 * (offsets[i] + chunk * sizes[i]) : ptr(g);
    };
    const calls: number[][] = [];
    for (let k = 0; k < chunks; k++) {
      const r0 = k * IMPLICIT_CHUNK_ROWS, rows = Math.min(batch, r0 + IMPLICIT_CHUNK_ROWS) - r0;
      calls.push([ptr(x) + 4 * r0 * seq * inDim, ptr(ws), ptr(b), ptr(c), ptr(d), ptr(xs) + 4 * r0 * seq * n,
        ptr(h) + 4 * r0 * seq * hid, ptr(dh) + 4 * r0 * seq * hid, dx ? ptr(dx) + 4 * r0 * seq * inDim : 0,
        target(0, k), target(1, k), target(2, k), target(3, k), ptr(stats) + 4 * r0 * IMPLICIT_STATS,
        ptr(scratch) + 4 * k * scratchPerChunk, rows, seq, inDim, n, hid, maxIter, tol]);
    }
    this.run('implicit_backward', calls);
    if (partial) {
      for (let i = 0; i < 4; i++) {
        const g = grads[i];
        if (g) this.k.sum_rows(ptr(partial) + 4 * offsets[i], ptr(g), chunks, sizes[i]);
      }
      this.free(partial);
    }
    this.free(scratch);
    this.free(ws);
  }


  /** Engine-independent float64 natural log (musl's, for normal samples in random.ts). */
  log(x: number): number {
    return this.k.math_log(x);
  }
}

/** Batch rows per chunk of the implicit backward's parameter-gradient reduction (fixed: see above). */
export const IMPLICIT_CHUNK_ROWS = 4;
const IMPLICIT_STATS = 4;
const vec4 = (k: number): number => (k + 3) & ~3;

// The implicit kernels' wasm exports (declaration merging adds them to Kernels above).
interface Kernels {
  implicit_prepare(a: Ptr, b: Ptr, c: Ptr, d: Ptr, ws: Ptr, n: number, q: number, hid: number, kappa: number): void;
  implicit_forward(x: Ptr, ws: Ptr, xs: Ptr, h: Ptr, stats: Ptr, scratch: Ptr, rows: number, seq: number, p: number,
    n: number, hid: number, maxIter: number, tol: number): void;
  implicit_backward(x: Ptr, ws: Ptr, b: Ptr, c: Ptr, d: Ptr, xs: Ptr, h: Ptr, dh: Ptr, dx: Ptr, dA: Ptr, dB: Ptr, dC: Ptr,
    dD: Ptr, stats: Ptr, scratch: Ptr, rows: number, seq: number, p: number, n: number, hid: number, maxIter: number, tol: number): void;
  math_log(x: number): number;
}
