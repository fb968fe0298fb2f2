// Row copies, the transpose and the non-finite count (kernels/elementwise.wgsl): one invocation per
// element, except the count (grid-stride workgroups and one atomic add each, into a counter read
// back at once). The family's elementwise kernels' plans are derived (plans/derived.ts).
import { WG, ceilDiv } from '../runtime.js';
import type { FamilyPlans } from '../plan.js';

export const elementwisePlans: FamilyPlans<'elementwise'> = {
  copy_rows(rt, { src, dst, outer, srcN, dstN, inner, srcStart, dstStart, count }) {
    const total = outer * count * inner;
    rt.dispatch1d('copy_rows', total,
      { outer, src_n: srcN, dst_n: dstN, inner, src_start: srcStart, dst_start: dstStart, count, total },
      { c_src: src, c_dst: dst });
  },
  copy_rows_indexed(rt, { src, dst, index, outer, n, rows, inner, scatter }) {
    const total = outer * rows * inner;
    if (total === 0) return;
    rt.dispatch1d('copy_rows_indexed', total, { outer, n, rows, inner, scatter: scatter ? 1 : 0, total }, { i_src: src, i_dst: dst, i_index: index });
  },
  transpose_2d(rt, { src, dst, rows, cols }) {
    rt.dispatch1d('transpose_2d', rows * cols, { rows, cols }, { t_src: src, t_dst: dst });
  },
  async count_nonfinite(rt, { a, n }) {
    const counter = rt.alloc(1);
    try {
      rt.clear(counter);
      if (n > 0) {
        const groups = Math.min(1024, ceilDiv(n, WG));
        rt.dispatch('count_nonfinite', [groups, 1, 1], { n, stride: groups * WG }, { n_a: a, n_counter: counter });
      }
      const raw = await rt.read(counter);
      return new Uint32Array(raw.buffer, raw.byteOffset, 1)[0];
    } finally {
      rt.free(counter);
    }
  },
};
