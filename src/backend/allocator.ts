// Free-list allocator for the wasm linear memory. Requests are rounded up to a size class
// (four classes per power of two, so at most 25% slack, 16-byte aligned for SIMD); freed blocks go
// to their class's free list and are handed out again first. A training loop requests the same
// sizes every step, so after the first step it allocates nothing new and memory stays flat.

const ALIGN = 16;

export function sizeClass(bytes: number): number {
  const n = Math.max(ALIGN, Math.ceil(bytes / ALIGN) * ALIGN);
  if (n <= 256) return n;
  const pow = 2 ** Math.floor(Math.log2(n));
  const step = pow / 4;
  return Math.ceil(n / step) * step;
}

export class FreeListAllocator {
  private top: number;
  private readonly freeLists = new Map<number, number[]>();
  private readonly blockSize = new Map<number, number>();
  /** Bytes currently handed out (by class size). */
  liveBytes = 0;

  /** `grow(end)` must make [0, end) addressable or throw. */
  constructor(base: number, private readonly grow: (end: number) => void) {
    this.top = Math.ceil(base / ALIGN) * ALIGN;
  }

  alloc(bytes: number): number {
    const size = sizeClass(bytes);
    const list = this.freeLists.get(size);
    let ptr = list?.pop();
    if (ptr === undefined) {
      ptr = this.top;
      this.grow(ptr + size);
      this.top = ptr + size;
    }
    this.blockSize.set(ptr, size);
    this.liveBytes += size;
    return ptr;
  }

  free(ptr: number): void {
    const size = this.blockSize.get(ptr);
    if (size === undefined) throw new Error(`allocator: double free or foreign pointer ${ptr}`);
    this.blockSize.delete(ptr);
    this.liveBytes -= size;
    let list = this.freeLists.get(size);
    if (!list) this.freeLists.set(size, (list = []));
    list.push(ptr);
  }

  /** High-water mark: bytes of linear memory ever used for tensors. */
  get reservedBytes(): number {
    return this.top;
  }
}
