// The CPU backend: AssemblyScript kernels compiled to SIMD128 WebAssembly, one WebAssembly.Memory
// shared by all tensors, and a TypeScript-side allocator. Every kernel call is synchronous.
import type { Backend, DeviceBuffer } from './backend.js';
import { FreeListAllocator } from './allocator.js';
import { wasmBinaryBase64 } from './wasm-binary.js';

const PAGE = 65536;
const MAX_PAGES = 65536; // 4 GiB, the wasm32 limit

interface WasmBuffer extends DeviceBuffer {
  readonly ptr: number;
}

/** The wasm exports: every Backend kernel with buffers passed as pointers (0 = absent). */
type Ptr = number;
interface Kernels {
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
  clip_scale(g: Ptr, n: number, sumSq: Ptr, maxNorm: number): void;
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
  /** A different build of the kernels (the benchmarks load the scalar build this way). */
  binary?: Uint8Array;
  /** Shown in `description`. */
  label?: string;
}

export class WasmBackend implements Backend {
  readonly kind = 'wasm' as const;
  readonly syncRead = true;
  readonly description: string;
  private readonly allocator: FreeListAllocator;

  private constructor(private readonly memory: WebAssembly.Memory, private readonly k: Kernels, label: string) {
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
    const binary = options.binary ?? decodeBase64(wasmBinaryBase64);
    const memory = new WebAssembly.Memory({ initial: 16, maximum: MAX_PAGES });
    const module = await WebAssembly.compile(binary as Uint8Array<ArrayBuffer>);
    const instance = await WebAssembly.instantiate(module, { env: { memory } });
    return new WasmBackend(memory, instance.exports as unknown as Kernels, options.label ?? 'wasm (SIMD128, 1 thread)');
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

  linear_forward(x: DeviceBuffer, w: DeviceBuffer, b: DeviceBuffer | null, y: DeviceBuffer,
    terms: number, rows: number, inDim: number, outDim: number): void {
    this.k.linear_forward(ptr(x), ptr(w), ptr(b), ptr(y), terms, rows, inDim, outDim);
  }

  linear_backward(x: DeviceBuffer, w: DeviceBuffer, dy: DeviceBuffer, dx: DeviceBuffer | null,
    dw: DeviceBuffer | null, db: DeviceBuffer | null, terms: number, rows: number, inDim: number, outDim: number): void {
    this.k.linear_backward(ptr(x), ptr(w), ptr(dy), ptr(dx), ptr(dw), ptr(db), terms, rows, inDim, outDim);
  }

  mingru_scan_forward(hg: DeviceBuffer, h0: DeviceBuffer | null, h: DeviceBuffer,
    groups: number, seq: number, dim: number): void {
    this.k.mingru_scan_forward(ptr(hg), ptr(h0), ptr(h), groups, seq, dim);
  }

  mingru_scan_backward(hg: DeviceBuffer, h0: DeviceBuffer | null, h: DeviceBuffer, dh: DeviceBuffer,
    dhg: DeviceBuffer, dh0: DeviceBuffer | null, groups: number, seq: number, dim: number): void {
    this.k.mingru_scan_backward(ptr(hg), ptr(h0), ptr(h), ptr(dh), ptr(dhg), ptr(dh0), groups, seq, dim);
  }

  layer_norm_forward(x: DeviceBuffer, w: DeviceBuffer | null, b: DeviceBuffer | null, y: DeviceBuffer,
    mean: DeviceBuffer, rstd: DeviceBuffer, rows: number, dim: number, eps: number): void {
    this.k.layer_norm_forward(ptr(x), ptr(w), ptr(b), ptr(y), ptr(mean), ptr(rstd), rows, dim, eps);
  }

  layer_norm_backward(x: DeviceBuffer, w: DeviceBuffer | null, mean: DeviceBuffer, rstd: DeviceBuffer, dy: DeviceBuffer,
    dx: DeviceBuffer | null, dw: DeviceBuffer | null, db: DeviceBuffer | null, rows: number, dim: number, eps: number): void {
    this.k.layer_norm_backward(ptr(x), ptr(w), ptr(mean), ptr(rstd), ptr(dy), ptr(dx), ptr(dw), ptr(db), rows, dim, eps);
  }

  unary_forward(x: DeviceBuffer, y: DeviceBuffer, n: number, op: number): void {
    this.k.unary_forward(ptr(x), ptr(y), n, op);
  }

  unary_backward(x: DeviceBuffer, y: DeviceBuffer, dy: DeviceBuffer, dx: DeviceBuffer, n: number, op: number): void {
    this.k.unary_backward(ptr(x), ptr(y), ptr(dy), ptr(dx), n, op);
  }

  binary_forward(a: DeviceBuffer, b: DeviceBuffer, out: DeviceBuffer, n: number, op: number): void {
    this.k.binary_forward(ptr(a), ptr(b), ptr(out), n, op);
  }

  binary_backward(a: DeviceBuffer, b: DeviceBuffer, dy: DeviceBuffer, da: DeviceBuffer | null, db: DeviceBuffer | null,
    n: number, op: number): void {
    this.k.binary_backward(ptr(a), ptr(b), ptr(dy), ptr(da), ptr(db), n, op);
  }

  affine_scalar(x: DeviceBuffer, out: DeviceBuffer, n: number, scale: number, shift: number): void {
    this.k.affine_scalar(ptr(x), ptr(out), n, scale, shift);
  }

  fill(out: DeviceBuffer, n: number, value: number): void {
    this.k.fill(ptr(out), n, value);
  }

  copy_rows(src: DeviceBuffer, dst: DeviceBuffer, outer: number, srcN: number, dstN: number,
    inner: number, srcStart: number, dstStart: number, count: number): void {
    this.k.copy_rows(ptr(src), ptr(dst), outer, srcN, dstN, inner, srcStart, dstStart, count);
  }

  sum_all(x: DeviceBuffer, out: DeviceBuffer, n: number): void {
    this.k.sum_all(ptr(x), ptr(out), n);
  }

  sum_rows(x: DeviceBuffer, y: DeviceBuffer, rows: number, inner: number): void {
    this.k.sum_rows(ptr(x), ptr(y), rows, inner);
  }

  add_row_vector(x: DeviceBuffer, v: DeviceBuffer, y: DeviceBuffer, rows: number, inner: number): void {
    this.k.add_row_vector(ptr(x), ptr(v), ptr(y), rows, inner);
  }

  mse_forward(a: DeviceBuffer, b: DeviceBuffer, out: DeviceBuffer, n: number): void {
    this.k.mse_forward(ptr(a), ptr(b), ptr(out), n);
  }

  mse_backward(a: DeviceBuffer, b: DeviceBuffer, dOut: DeviceBuffer, da: DeviceBuffer | null, db: DeviceBuffer | null, n: number): void {
    this.k.mse_backward(ptr(a), ptr(b), ptr(dOut), ptr(da), ptr(db), n);
  }

  sum_squares_accumulate(x: DeviceBuffer, acc: DeviceBuffer, n: number): void {
    this.k.sum_squares_accumulate(ptr(x), ptr(acc), n);
  }

  sgd_step(p: DeviceBuffer, g: DeviceBuffer, buf: DeviceBuffer, n: number, lr: number, momentum: number,
    dampening: number, weightDecay: number, nesterov: boolean, firstStep: boolean): void {
    this.k.sgd_step(ptr(p), ptr(g), ptr(buf), n, lr, momentum, dampening, weightDecay, +nesterov, +firstStep);
  }

  adam_step(p: DeviceBuffer, g: DeviceBuffer, m: DeviceBuffer, v: DeviceBuffer, n: number, lr: number, beta1: number,
    beta2: number, eps: number, weightDecay: number, decoupled: boolean, stepSize: number, bc2Sqrt: number): void {
    this.k.adam_step(ptr(p), ptr(g), ptr(m), ptr(v), n, lr, beta1, beta2, eps, weightDecay, +decoupled, stepSize, bc2Sqrt);
  }

  clip_scale(g: DeviceBuffer, n: number, sumSq: DeviceBuffer, maxNorm: number): void {
    this.k.clip_scale(ptr(g), n, ptr(sumSq), maxNorm);
  }

  async count_nonfinite(a: DeviceBuffer, n: number): Promise<number> {
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
}
