// The implicit RNN (assembly/implicit.ts). Rows of the batch are independent: the forward cuts them
// into parts; the backward reduces the parameter gradients over fixed chunks of rows.
import type { DeviceBuffer } from '../../backend.js';
import type { FamilyPlans } from '../plan.js';
import { chunkCount, chunkedReduction } from '../chunked-reduction.js';
import { ptr, type WasmRuntime } from '../runtime.js';

/** Batch rows per chunk of the implicit backward's parameter-gradient reduction (fixed: see chunked-reduction.ts). */
export const IMPLICIT_CHUNK_ROWS = 4;
/** Floats of solve statistics per batch row. */
const STATS = 4;
/** k rounded up to a multiple of 4 (the kernels' SIMD-padded vectors). */
const vec4 = (k: number): number => (k + 3) & ~3;

/** The projected A, its transpose and the transposes of B, C, D (implicit_prepare); the caller frees it. */
function workspace(rt: WasmRuntime, a: DeviceBuffer, b: DeviceBuffer, c: DeviceBuffer, d: DeviceBuffer,
  inDim: number, n: number, hid: number, kappa: number): DeviceBuffer {
  const q = inDim + hid;
  const ws = rt.alloc(2 * n * n + q * n + n * hid + q * hid);
  rt.call('implicit_prepare', { a: ptr(a), b: ptr(b), c: ptr(c), d: ptr(d), ws: ptr(ws), n, q, hid, kappa });
  return ws;
}

export const implicitPlans: FamilyPlans<'implicit'> = {
  implicit_forward(rt, { x, a, b, c, d, xs, h, stats, batch, seq, inDim, n, hid, maxIter, tol, kappa }) {
    const ws = workspace(rt, a, b, c, d, inDim, n, hid, kappa);
    const scratchPerRow = 2 * vec4(n);
    const scratch = rt.alloc(batch * scratchPerRow);
    const work = seq * (n * n + (inDim + hid) * (n + hid) + hid * n);
    rt.run('implicit_forward', rt.split(batch, work, (r0, rows) => ({
      x: ptr(x, r0 * seq * inDim), ws: ptr(ws), xs: ptr(xs, r0 * seq * n), h: ptr(h, r0 * seq * hid), stats: ptr(stats, r0 * STATS),
      scratch: ptr(scratch, r0 * scratchPerRow), rows, seq, inDim, n, hid, maxIter, tol,
    })));
    rt.free(scratch);
    rt.free(ws);
  },

  implicit_backward(rt, { x, a, b, c, d, xs, h, dh, dx, dA, dB, dC, dD, stats, batch, seq, inDim, n, hid, maxIter, tol, kappa }) {
    const q = inDim + hid;
    const ws = workspace(rt, a, b, c, d, inDim, n, hid, kappa);
    const scratchPerChunk = 6 * vec4(n) + 2 * vec4(hid) + vec4(q);
    const scratch = rt.alloc(chunkCount(batch, IMPLICIT_CHUNK_ROWS) * scratchPerChunk);
    chunkedReduction(rt, {
      kernel: 'implicit_backward', rows: batch, chunkRows: IMPLICIT_CHUNK_ROWS, work: 4 * batch * seq * (n * n + q * (n + hid) + hid * n),
      outputs: [{ buffer: dA, size: n * n }, { buffer: dB, size: n * q }, { buffer: dC, size: hid * n }, { buffer: dD, size: hid * q }],
      call: ({ index, row0, rows, out }) => ({
        x: ptr(x, row0 * seq * inDim), ws: ptr(ws), b: ptr(b), c: ptr(c), d: ptr(d), xs: ptr(xs, row0 * seq * n),
        h: ptr(h, row0 * seq * hid), dh: ptr(dh, row0 * seq * hid), dx: ptr(dx, row0 * seq * inDim),
        dA: out(0), dB: out(1), dC: out(2), dD: out(3), stats: ptr(stats, row0 * STATS),
        scratch: ptr(scratch, index * scratchPerChunk), rows, seq, inDim, n, hid, maxIter, tol,
      }),
    });
    rt.free(scratch);
    rt.free(ws);
  },
};
