// The allocator of the wasm linear memory. Two kinds of blocks, both deterministic (the same
// requests in the same order give the same addresses):
// - Small blocks (under LARGE bytes) are rounded up to a size class (four per power of two, at
//   most 25% slack, 16-byte aligned for SIMD); a freed one goes to its class's free list and is
//   handed out again first. A training loop asks for the same sizes every step, so after the first
//   step it allocates nothing new.
// - Large blocks are only aligned, never rounded to a class (a 4.0e9-byte tensor must fit under
//   the 4 GiB limit). Freed ones return to one address-ordered pool where neighbours merge; a
//   request takes the smallest free block that fits (lowest address on ties) and splits off the
//   rest, and a free block at the top of the heap gives its space back to the top. So three freed
//   1 GiB tensors serve one 1.5 GB tensor.
import { OutOfMemoryError } from '../../errors.js';

const ALIGN = 16;
/** Blocks from this size up are large: exact-size, merged when freed. */
export const LARGE = 1 << 20;

const align = (bytes: number) => Math.max(ALIGN, Math.ceil(bytes / ALIGN) * ALIGN);

/** The bytes a request of `bytes` takes: its size class when small, its aligned size when large. */
export function sizeClass(bytes: number): number {
  const n = align(bytes);
  if (n <= 256 || n >= LARGE) return n;
  const pow = 2 ** Math.floor(Math.log2(n));
  const step = pow / 4;
  return Math.ceil(n / step) * step; // at most LARGE: then a large block
}

const formatBytes = (n: number) => (n >= 1e9 ? `${(n / 1e9).toFixed(2)} GB` : n >= 1e6 ? `${(n / 1e6).toFixed(1)} MB` : `${n} bytes`);

interface FreeBlock {
  ptr: number;
  size: number;
}

export class FreeListAllocator {
  private top: number;
  private highWater: number;
  private readonly freeLists = new Map<number, number[]>();
  /** Free large blocks, sorted by address, never two adjacent (they merge). */
  private readonly largeFree: FreeBlock[] = [];
  private readonly blockSize = new Map<number, number>();
  /** Bytes currently handed out (block sizes). */
  liveBytes = 0;

  /**
   * `grow(end)` makes [0, end) addressable and returns true, or returns false when it cannot.
   * `limit` is the most bytes of address space there are (for the out-of-memory message).
   */
  constructor(base: number, private readonly grow: (end: number) => boolean, private readonly limit: number, private readonly where = 'wasm backend') {
    this.top = this.highWater = Math.ceil(base / ALIGN) * ALIGN;
  }

  alloc(bytes: number): number {
    const size = sizeClass(bytes);
    const ptr = (size >= LARGE ? this.takeLarge(size) : this.freeLists.get(size)?.pop()) ?? this.fromTop(bytes, size);
    this.blockSize.set(ptr, size);
    this.liveBytes += size;
    return ptr;
  }

  free(ptr: number): void {
    const size = this.blockSize.get(ptr);
    if (size === undefined) throw new Error(`allocator: double free or foreign pointer ${ptr}`);
    this.blockSize.delete(ptr);
    this.liveBytes -= size;
    if (size >= LARGE) return this.freeLarge(ptr, size);
    let list = this.freeLists.get(size);
    if (!list) this.freeLists.set(size, (list = []));
    list.push(ptr);
  }

  /** High-water mark: bytes of linear memory ever used for tensors. */
  get reservedBytes(): number {
    return this.highWater;
  }

  /** How many blocks are handed out. */
  get liveBlocks(): number {
    return this.blockSize.size;
  }

  private fromTop(bytes: number, size: number): number {
    let ptr = this.top;
    // A free large block ending at the top would have been merged into it; small frees never are.
    if (ptr + size > this.limit || !this.grow(ptr + size)) {
      // Large free blocks cannot serve small requests only because they were never split for
      // them; do it now rather than fail.
      const split = this.takeLarge(size, true);
      if (split !== undefined) return split;
      throw new OutOfMemoryError(
        `${this.where}: out of memory: asked for ${formatBytes(bytes)} (${size} bytes with alignment), ` +
          `${formatBytes(this.liveBytes)} live in ${this.blockSize.size} tensors, ${formatBytes(this.top)} of linear memory in use, ` +
          `the limit is ${formatBytes(this.limit)}; dispose() tensors you no longer need or run the step in rnam.tidy()`,
      );
    }
    this.top = ptr + size;
    if (this.top > this.highWater) this.highWater = this.top;
    return ptr;
  }

  /** The smallest free large block that fits (lowest address on ties), split; undefined if none. */
  private takeLarge(size: number, anySize = false): number | undefined {
    if (!anySize && size < LARGE) return undefined;
    let best = -1;
    for (let i = 0; i < this.largeFree.length; i++) {
      const b = this.largeFree[i];
      if (b.size >= size && (best < 0 || b.size < this.largeFree[best].size)) best = i;
    }
    if (best < 0) return undefined;
    const block = this.largeFree[best];
    const ptr = block.ptr;
    if (block.size === size) this.largeFree.splice(best, 1);
    else {
      block.ptr += size;
      block.size -= size;
    }
    return ptr;
  }

  private freeLarge(ptr: number, size: number): void {
    const list = this.largeFree;
    let lo = 0, hi = list.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (list[mid].ptr < ptr) lo = mid + 1;
      else hi = mid;
    }
    let block: FreeBlock = { ptr, size };
    let at = lo;
    const before = list[at - 1];
    if (before && before.ptr + before.size === ptr) {
      before.size += size;
      block = before;
      at -= 1;
    } else {
      list.splice(at, 0, block);
    }
    const after = list[at + 1];
    if (after && block.ptr + block.size === after.ptr) {
      block.size += after.size;
      list.splice(at + 1, 1);
    }
    if (block.ptr + block.size === this.top) {
      this.top = block.ptr;
      list.splice(at, 1);
    }
  }
}
