// The minGRU recurrence (kernels/mingru.wgsl): one invocation per (group, channel) sequence when
// there are enough of them to fill the device, otherwise the chunked scan (_chunk, _carry, _apply).
import { ceilDiv } from '../runtime.js';
import { flag, type FamilyPlans, type PlanTuning } from '../plan.js';

/** The path for `count` sequences of length `seq`: [chunks, chunkLen], chunks = 1 meaning one invocation per sequence. */
function scanPlan({ mingruScanMode: mode, scanThreshold }: PlanTuning, count: number, seq: number): [number, number] {
  if (mode === 'sequential' || (mode === 'auto' && count >= scanThreshold) || seq < 2) return [1, seq];
  const target = mode === 'chunked' ? Math.max(2, ceilDiv(8192, count)) : ceilDiv(8192, count);
  let chunks = Math.max(2, Math.min(target, ceilDiv(seq, 4)));
  if (mode === 'chunked') chunks = Math.max(2, Math.min(chunks, seq));
  const chunkLen = ceilDiv(seq, chunks);
  return [ceilDiv(seq, chunkLen), chunkLen];
}

export const mingruPlans: FamilyPlans<'mingru'> = {
  mingru_scan_forward(rt, { hg, h0, h, lengths, groups, seq, dim }, tuning) {
    const count = groups * dim;
    const [chunks, chunkLen] = scanPlan(tuning, count, seq);
    const uniforms = { groups, seq, dim, has_h0: flag(h0), has_dh0: 0, chunks, chunk_len: chunkLen, count, has_len: flag(lengths) };
    if (chunks === 1) {
      rt.dispatch1d('mingru_scan_forward', count, uniforms, { f_hg: hg, f_h0: h0, f_h: h, f_scratch: null, f_len: lengths });
      return;
    }
    rt.withScratch(2 * chunks * count, (scratch) => {
      const bindings = { f_hg: hg, f_h0: h0, f_h: h, f_scratch: scratch, f_len: lengths };
      rt.dispatch1d('mingru_scan_forward_chunk', count * chunks, uniforms, bindings);
      rt.dispatch1d('mingru_scan_forward_carry', count, uniforms, bindings);
      rt.dispatch1d('mingru_scan_forward_apply', count * chunks, uniforms, bindings);
    });
  },
  mingru_scan_backward(rt, { hg, h0, h, dh, dhg, dh0, lengths, groups, seq, dim }, tuning) {
    const count = groups * dim;
    const [chunks, chunkLen] = scanPlan(tuning, count, seq);
    const uniforms = { groups, seq, dim, has_h0: flag(h0), has_dh0: flag(dh0), chunks, chunk_len: chunkLen, count, has_len: flag(lengths) };
    const bindings = { b_hg: hg, b_h0: h0, b_h: h, b_dh: dh, b_dhg: dhg, b_dh0: dh0, b_len: lengths };
    if (chunks === 1) {
      rt.dispatch1d('mingru_scan_backward', count, uniforms, { ...bindings, b_scratch: null });
      return;
    }
    rt.withScratch(2 * chunks * count, (scratch) => {
      rt.dispatch1d('mingru_scan_backward_chunk', count * chunks, uniforms, { ...bindings, b_scratch: scratch });
      rt.dispatch1d('mingru_scan_backward_carry', count, uniforms, { ...bindings, b_scratch: scratch });
      rt.dispatch1d('mingru_scan_backward_apply', count * chunks, uniforms, { ...bindings, b_scratch: scratch });
    });
  },
};
