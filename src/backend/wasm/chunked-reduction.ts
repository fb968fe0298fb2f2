// Reductions over rows that give the same bits on any number of threads: the rows are cut into
// fixed chunks (never into one part per thread), each chunk writes its own partial sums, and the
// partials are then summed in chunk order by sum_rows. linear_backward, layer_norm_backward and
// implicit_backward reduce their parameter gradients this way.
import type { DeviceBuffer } from '../backend.js';
import type { ParallelKernel, WasmArgs } from '../../kernels/types.js';
import { ptr, type WasmRuntime } from './runtime.js';

/** Rows per partial sum in the reductions over rows (fixed, so results do not depend on the threads). */
export const REDUCTION_CHUNK_ROWS = 4096;

/** One reduced output: `groups` results of `size` floats each; buffer null = not wanted. */
export interface ReducedOutput {
  readonly buffer: DeviceBuffer | null;
  readonly size: number;
}

/** One chunk's task: rows [row0, row0 + rows) of group `group`; out(i) is where it writes output i. */
export interface Chunk {
  readonly group: number;
  readonly index: number;
  readonly row0: number;
  readonly rows: number;
  /** The address chunk writes output i to (its partial, or the output itself when there is one chunk), 0 if not wanted. */
  out(i: number): number;
}

export interface ChunkedReduction<K extends ParallelKernel> {
  readonly kernel: K;
  readonly rows: number;
  readonly chunkRows: number;
  /** Independent reductions side by side (linear_backward's terms); default 1. */
  readonly groups?: number;
  readonly outputs: readonly ReducedOutput[];
  /** One chunk's kernel arguments. */
  readonly call: (chunk: Chunk) => WasmArgs<K>;
  /** The whole reduction's work (runtime.ts PARALLEL_MIN_WORK's units): small ones stay on the calling thread. */
  readonly work: number;
}

export function chunkCount(rows: number, chunkRows: number): number {
  return Math.ceil(rows / chunkRows);
}

/** Runs `kernel` chunk by chunk (on the thread pool), then sums every wanted output's partials in chunk order. */
export function chunkedReduction<K extends ParallelKernel>(rt: WasmRuntime, r: ChunkedReduction<K>): void {
  const groups = r.groups ?? 1;
  const chunks = chunkCount(r.rows, r.chunkRows);
  // One partial buffer: [output 0: group 0 chunks, group 1 chunks, ... | output 1: ...], wanted outputs only.
  const offsets: number[] = [];
  let total = 0;
  for (const o of r.outputs) {
    offsets.push(total);
    if (o.buffer) total += groups * chunks * o.size;
  }
  const partial = chunks > 1 && total > 0 ? rt.alloc(total) : null;
  const calls: WasmArgs<K>[] = [];
  for (let group = 0; group < groups; group++) {
    for (let index = 0; index < chunks; index++) {
      const row0 = index * r.chunkRows;
      const out = (i: number): number => {
        const { buffer, size } = r.outputs[i];
        if (!buffer) return 0;
        return partial ? ptr(partial, offsets[i] + (group * chunks + index) * size) : ptr(buffer, group * size);
      };
      calls.push(r.call({ group, index, row0, rows: Math.min(r.rows, row0 + r.chunkRows) - row0, out }));
    }
  }
  rt.run(r.kernel, calls, r.work);
  if (!partial) return;
  r.outputs.forEach(({ buffer, size }, i) => {
    if (!buffer) return;
    for (let group = 0; group < groups; group++) {
      rt.call('sum_rows', { x: ptr(partial, offsets[i] + group * chunks * size), y: ptr(buffer, group * size), rows: chunks, inner: size });
    }
  });
  rt.free(partial);
}
