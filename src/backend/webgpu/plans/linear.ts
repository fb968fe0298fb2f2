// Grouped linear layer (kernels/linear.wgsl): the three products are one strided, tiled batched
// matmul; dw splits its long K (the rows) into partials summed by linear_backward_dw_reduce; db is
// the sum_rows column sum of dy.
import type { DeviceBuffer } from '../../backend.js';
import { MAX_GROUPS, ceilDiv, type GpuRuntime } from '../runtime.js';
import { flag, type FamilyPlans } from '../plan.js';
import { columnSum } from './reduce.js';

const TILE = 16;
type Strides = readonly [batch: number, row: number, k: number];

/** out[b] = A[b] @ B[b] (+ bias) for A (m, k) and B (k, n) addressed through strides. */
function matmul(rt: GpuRuntime, pass: 'linear_forward' | 'linear_backward_dx' | 'linear_backward_dw', a: DeviceBuffer,
  b: DeviceBuffer, bias: DeviceBuffer | null, out: DeviceBuffer, batch: number, m: number, n: number, k: number,
  [aBatch, aRow, aK]: Strides, [bBatch, bK, bCol]: Strides, splitK: boolean): void {
  const mTiles = ceilDiv(m, TILE);
  const splits = splitK && k > 2048 ? Math.min(64, ceilDiv(k, 1024), Math.max(1, Math.floor(MAX_GROUPS / batch))) : 1;
  const uniforms = {
    m, n, k, batch, a_batch: aBatch, a_rs: aRow, a_ks: aK, b_batch: bBatch, b_ks: bK, b_cs: bCol,
    has_bias: flag(bias), m_tiles: mTiles, splits, k_chunk: Math.max(1, ceilDiv(k, splits)),
  };
  const grid = [ceilDiv(n, TILE), Math.min(mTiles, MAX_GROUPS), batch * splits] as const;
  if (splits === 1) {
    rt.dispatch(pass, grid, uniforms, { m_a: a, m_b: b, m_bias: bias, m_out: out });
    return;
  }
  rt.withScratch(batch * splits * m * n, (partial) => {
    rt.dispatch(pass, grid, uniforms, { m_a: a, m_b: b, m_bias: null, m_out: partial });
    rt.dispatch1d('linear_backward_dw_reduce', batch * m * n, uniforms, { m_a: partial, m_b: null, m_bias: null, m_out: out });
  });
}

export const linearPlans: FamilyPlans<'linear'> = {
  linear_forward(rt, { x, w, b, y, terms, rows, inDim, outDim }) {
    matmul(rt, 'linear_forward', x, w, b, y, terms, rows, outDim, inDim, [rows * inDim, inDim, 1], [inDim * outDim, outDim, 1], false);
  },
  linear_backward(rt, { x, w, dy, dx, dw, db, terms, rows, inDim, outDim }) {
    if (dx) matmul(rt, 'linear_backward_dx', dy, w, null, dx, terms, rows, inDim, outDim, [rows * outDim, outDim, 1], [inDim * outDim, 1, outDim], false);
    if (dw) matmul(rt, 'linear_backward_dw', x, dy, null, dw, terms, inDim, outDim, rows, [rows * inDim, 1, inDim], [rows * outDim, outDim, 1], true);
    if (db) columnSum(rt, dy, db, terms, rows, outDim);
  },
};
