// Row copies (assembly/elementwise.ts), cut over the outer index; the family's other kernels' plans
// are derived from the spec (plans/derived.ts).
import type { FamilyPlans } from '../plan.js';
import { ptr } from '../runtime.js';

export const elementwisePlans: FamilyPlans<'elementwise'> = {
  copy_rows(rt, { src, dst, outer, srcN, dstN, inner, srcStart, dstStart, count }) {
    // src (outer, srcN, inner) and dst (outer, dstN, inner) advance together.
    rt.run('copy_rows', rt.split(outer, count * inner, (o0, m) => ({
      src: ptr(src, o0 * srcN * inner), dst: ptr(dst, o0 * dstN * inner), outer: m, srcN, dstN, inner, srcStart, dstStart, count,
    })));
  },
};
