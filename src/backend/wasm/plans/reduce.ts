// Reductions and the MSE loss (assembly/reduce.ts), on the calling thread: each sums in one order.
import type { FamilyPlans } from '../plan.js';
import { ptr } from '../runtime.js';

export const reducePlans: FamilyPlans<'reduce'> = {
  sum_all(rt, { x, out, n }) {
    rt.call('sum_all', { x: ptr(x), out: ptr(out), n });
  },

  sum_rows(rt, { x, y, rows, inner }) {
    rt.call('sum_rows', { x: ptr(x), y: ptr(y), rows, inner });
  },

  add_row_vector(rt, { x, v, y, rows, inner }) {
    rt.call('add_row_vector', { x: ptr(x), v: ptr(v), y: ptr(y), rows, inner });
  },

  mse_forward(rt, { a, b, out, n }) {
    rt.call('mse_forward', { a: ptr(a), b: ptr(b), out: ptr(out), n });
  },

  mse_backward(rt, { a, b, dOut, da, db, n }) {
    rt.call('mse_backward', { a: ptr(a), b: ptr(b), dOut: ptr(dOut), da: ptr(da), db: ptr(db), n });
  },

  sum_squares_accumulate(rt, { x, acc, n }) {
    rt.call('sum_squares_accumulate', { x: ptr(x), acc: ptr(acc), n });
  },
};
