// Binary ops, affine maps, fills, row copies, the transpose and the non-finite count
// (assembly/elementwise.ts). The elementwise ones are cut into parts over elements.
import type { FamilyPlans } from '../plan.js';
import { ptr } from '../runtime.js';

export const elementwisePlans: FamilyPlans<'elementwise'> = {
  binary_forward(rt, { a, b, out, n, op }) {
    rt.run('binary_forward', rt.split(n, 1, (i0, m) => ({ a: ptr(a, i0), b: ptr(b, i0), out: ptr(out, i0), n: m, op })));
  },

  binary_backward(rt, { a, b, dy, da, db, n, op }) {
    rt.run('binary_backward', rt.split(n, 1, (i0, m) => ({
      a: ptr(a, i0), b: ptr(b, i0), dy: ptr(dy, i0), da: ptr(da, i0), db: ptr(db, i0), n: m, op,
    })));
  },

  affine_scalar(rt, { x, out, n, scale, shift }) {
    rt.run('affine_scalar', rt.split(n, 1, (i0, m) => ({ x: ptr(x, i0), out: ptr(out, i0), n: m, scale, shift })));
  },

  fill(rt, { out, n, value }) {
    rt.run('fill', rt.split(n, 1, (i0, m) => ({ out: ptr(out, i0), n: m, value })));
  },

  copy_rows(rt, { src, dst, outer, srcN, dstN, inner, srcStart, dstStart, count }) {
    // Cut over the outer index: src (outer, srcN, inner) and dst (outer, dstN, inner) advance together.
    rt.run('copy_rows', rt.split(outer, count * inner, (o0, m) => ({
      src: ptr(src, o0 * srcN * inner), dst: ptr(dst, o0 * dstN * inner), outer: m, srcN, dstN, inner, srcStart, dstStart, count,
    })));
  },

  transpose_2d(rt, { src, dst, rows, cols }) {
    rt.call('transpose_2d', { src: ptr(src), dst: ptr(dst), rows, cols });
  },

  async count_nonfinite(rt, { a, n }) {
    return rt.call('count_nonfinite', { a: ptr(a), n });
  },
};
