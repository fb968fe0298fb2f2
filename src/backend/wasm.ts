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

interface Kernels {
  heap_base(): number;
  linear_forward(x: number, w: number, b: number, y: number, terms: number, rows: number, inDim: number, outDim: number): void;
  linear_backward(x: number, w: number, dy: number, dx: number, dw: number, db: number,
    terms: number, rows: number, inDim: number, outDim: number): void;
  mingru_scan_forward(hg: number, h0: number, h: number, groups: number, seq: number, dim: number): void;
  mingru_scan_backward(hg: number, h0: number, h: number, dh: number, dhg: number, dh0: number,
    groups: number, seq: number, dim: number): void;
  fill(out: number, n: number, value: number): void;
  add(a: number, b: number, out: number, n: number): void;
  copy_rows(src: number, dst: number, outer: number, srcN: number, dstN: number, inner: number,
    srcStart: number, dstStart: number, count: number): void;
  count_nonfinite(a: number, n: number): number;
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

  fill(out: DeviceBuffer, n: number, value: number): void {
    this.k.fill(ptr(out), n, value);
  }

  add(a: DeviceBuffer, b: DeviceBuffer, out: DeviceBuffer, n: number): void {
    this.k.add(ptr(a), ptr(b), ptr(out), n);
  }

  copy_rows(src: DeviceBuffer, dst: DeviceBuffer, outer: number, srcN: number, dstN: number,
    inner: number, srcStart: number, dstStart: number, count: number): void {
    this.k.copy_rows(ptr(src), ptr(dst), outer, srcN, dstN, inner, srcStart, dstStart, count);
  }

  async count_nonfinite(a: DeviceBuffer, n: number): Promise<number> {
    return this.k.count_nonfinite(ptr(a), n);
  }

  countNonfiniteSync(a: DeviceBuffer, n: number): number {
    return this.k.count_nonfinite(ptr(a), n);
  }
}
