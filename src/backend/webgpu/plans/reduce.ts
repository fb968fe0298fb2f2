// Reductions and the MSE loss (kernels/reduce.wgsl). Scalar results take one pass of `parts`
// workgroups, plus reduce_final over the partials when there is more than one; column sums split
// long row ranges into chunks summed in order by sum_rows_reduce.
import type { DeviceBuffer } from '../../backend.js';
import { MAX_GROUPS, ceilDiv, type GpuRuntime } from '../runtime.js';
import { flag, type FamilyPlans } from '../plan.js';

/** What a scalar reduction sums: x, x^2 or (a - b)^2 (the uniform's kind). */
const SUM = 0, SUM_SQUARES = 1, SQUARED_DIFFERENCES = 2;

function scalarReduce(rt: GpuRuntime, pass: 'sum_all' | 'mse_forward' | 'sum_squares_accumulate', a: DeviceBuffer,
  b: DeviceBuffer | null, out: DeviceBuffer, n: number, kind: number, accumulate: boolean, divisor: number): void {
  const parts = Math.max(1, Math.min(256, ceilDiv(n, 4096)));
  const uniforms = { n, parts, kind, accumulate: flag(accumulate), divisor };
  if (parts === 1) {
    rt.dispatch(pass, [1, 1, 1], uniforms, { r_a: a, r_b: b, r_out: out, r_partial: null });
    return;
  }
  rt.withScratch(parts, (partial) => {
    rt.dispatch(pass, [parts, 1, 1], uniforms, { r_a: a, r_b: b, r_out: out, r_partial: partial });
    rt.dispatch('reduce_final', [1, 1, 1], uniforms, { r_a: null, r_b: null, r_out: out, r_partial: partial });
  });
}

/** y[o, j] = sum_r x[o, r, j] for x (outer, rows, inner); linear_backward's db too. */
export function columnSum(rt: GpuRuntime, x: DeviceBuffer, y: DeviceBuffer, outer: number, rows: number, inner: number): void {
  const splits = rows > 2048 ? Math.min(64, ceilDiv(rows, 1024), Math.max(1, Math.floor(MAX_GROUPS / Math.max(1, outer)))) : 1;
  const uniforms = { outer, rows, inner, splits, chunk: Math.max(1, ceilDiv(rows, splits)) };
  const grid = [ceilDiv(inner, 16), splits, outer] as const;
  if (splits === 1) {
    rt.dispatch('sum_rows', grid, uniforms, { sr_x: x, sr_y: y, sr_partial: null });
    return;
  }
  rt.withScratch(outer * splits * inner, (partial) => {
    rt.dispatch('sum_rows', grid, uniforms, { sr_x: x, sr_y: null, sr_partial: partial });
    rt.dispatch1d('sum_rows_reduce', outer * inner, uniforms, { sr_x: null, sr_y: y, sr_partial: partial });
  });
}

export const reducePlans: FamilyPlans<'reduce'> = {
  sum_all(rt, { x, out, n }) {
    scalarReduce(rt, 'sum_all', x, null, out, n, SUM, false, 1);
  },
  sum_rows(rt, { x, y, rows, inner }) {
    columnSum(rt, x, y, 1, rows, inner);
  },
  add_row_vector(rt, { x, v, y, rows, inner }) {
    rt.dispatch1d('add_row_vector', rows * inner, { n: rows * inner, inner }, { av_x: x, av_v: v, av_y: y });
  },
  mse_forward(rt, { a, b, out, n }) {
    scalarReduce(rt, 'mse_forward', a, b, out, n, SQUARED_DIFFERENCES, false, n);
  },
  mse_backward(rt, { a, b, dOut, da, db, n }) {
    if (!da && !db) return;
    rt.dispatch1d('mse_backward', n, { n, has_a: flag(da), has_b: flag(db) }, { mb_a: a, mb_b: b, mb_dout: dOut, mb_da: da, mb_db: db });
  },
  sum_squares_accumulate(rt, { x, acc, n }) {
    scalarReduce(rt, 'sum_squares_accumulate', x, null, acc, n, SUM_SQUARES, true, 1);
  },
};
