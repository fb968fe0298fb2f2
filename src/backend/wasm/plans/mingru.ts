// The fused minGRU scan (assembly/mingru.ts): groups are independent, cut into parts.
import type { FamilyPlans } from '../plan.js';
import { CALLS_PER_THREAD, ptr } from '../runtime.js';

export const mingruPlans: FamilyPlans<'mingru'> = {
  mingru_scan_forward(rt, { hg, h0, h, lengths, groups, seq, dim }) {
    // About 20 flops an element (two sigmoids), twice that backward.
    rt.run('mingru_scan_forward', rt.split(groups, 20 * seq * dim, (g0, n) => ({
      hg: ptr(hg, g0 * seq * 2 * dim), h0: ptr(h0, g0 * dim), h: ptr(h, g0 * seq * dim), lengths: ptr(lengths, g0), groups: n, seq, dim,
    }), CALLS_PER_THREAD));
  },

  mingru_scan_backward(rt, { hg, h0, h, dh, dhg, dh0, lengths, groups, seq, dim }) {
    rt.run('mingru_scan_backward', rt.split(groups, 40 * seq * dim, (g0, n) => ({
      hg: ptr(hg, g0 * seq * 2 * dim), h0: ptr(h0, g0 * dim), h: ptr(h, g0 * seq * dim),
      dh: ptr(dh, g0 * seq * dim), dhg: ptr(dhg, g0 * seq * 2 * dim), dh0: ptr(dh0, g0 * dim), lengths: ptr(lengths, g0), groups: n, seq, dim,
    }), CALLS_PER_THREAD));
  },
};
