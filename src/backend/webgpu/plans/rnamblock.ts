// The fused RNAM block on WebGPU (kernels/rnamblock.wgsl): the minGRU runs on the linear and mingru
// passes as it does unfused (the scan keeps its parallel plan); the feed-forward half with both
// residuals is one pass per row forward (LayerNorm, Linear, ReLU, Linear, + x), and backward one pass
// per row for its input-side gradients and one for the layer norm's per-row products, whose column
// sums (and the linear layers' weight gradients) run on the existing reduction passes.
import type { DeviceBuffer } from '../../backend.js';
import type { GpuRuntime } from '../runtime.js';
import type { FamilyPlans, PlanTuning } from '../plan.js';
import { derivedPlans } from './derived.js';
import { elementwisePlans } from './elementwise.js';
import { linearPlans } from './linear.js';
import { mingruPlans } from './mingru.js';
import { columnSum } from './reduce.js';
import { Binary } from '../../opcodes.js';

/** The feed-forward parameters packed as lnw | lnb | w1 | b1 | w2 (| b2) (the passes' ff_p), for the duration of fn. */
function withPacked(rt: GpuRuntime, tuning: PlanTuning, parts: readonly DeviceBuffer[], fn: (packed: DeviceBuffer) => void): void {
  const total = parts.reduce((s, p) => s + p.numel, 0);
  rt.withScratch(total, (packed) => {
    let at = 0;
    for (const p of parts) {
      elementwisePlans.copy_rows(rt, { src: p, dst: packed, outer: 1, srcN: p.numel, dstN: total, inner: 1, srcStart: 0, dstStart: at, count: p.numel }, tuning);
      at += p.numel;
    }
    fn(packed);
  });
}

/** Rows past each sequence's length set to 0 (the wasm kernels compute none there). */
function maskPadding(rt: GpuRuntime, x: DeviceBuffer, lengths: DeviceBuffer, groups: number, seq: number, dim: number): void {
  const n = groups * seq * dim;
  rt.dispatch1d('rnam_block_mask', n, { n, seq, dim }, { m_lengths: lengths, m_x: x });
}

export const rnamblockPlans: FamilyPlans<'rnamblock'> = {
  // With lengths every row is computed as without them (rows are independent here, the padding's
  // gradient is 0), then the padded rows of h, out and dx are set to 0. hz keeps the minGRU's
  // projection hg for the backward.
  rnam_block_forward(rt, { x, wg, lnw, lnb, w1, b1, w2, b2, h, out, lengths, hz, terms, batch, seq, dim, eps }, tuning) {
    const rowsPerTerm = batch * seq, rows = terms * rowsPerTerm;
    const minGRU = (hg: DeviceBuffer) => {
      linearPlans.linear_forward(rt, { x, w: wg, b: null, y: hg, terms, rows: rowsPerTerm, inDim: dim, outDim: 2 * dim }, tuning);
      mingruPlans.mingru_scan_forward(rt, { hg, h0: null, h, lengths: null, groups: terms * batch, seq, dim }, tuning);
    };
    if (hz) minGRU(hz);
    else rt.withScratch(rows * 2 * dim, minGRU);
    const uniforms = { rows, dim, terms, rows_per_term: rowsPerTerm, eps };
    withPacked(rt, tuning, [lnw, lnb, w1, b1, w2, b2], (p) => rt.withScratch(2 * rows * dim, (tmp) => {
      rt.dispatch1d('rnam_block_ff_forward', rows, uniforms, { ff_x: x, ff_h: h, ff_p: p, ff_tmp: tmp, ff_out: out });
    }));
    if (lengths) {
      maskPadding(rt, h, lengths, terms * batch, seq, dim);
      maskPadding(rt, out, lengths, terms * batch, seq, dim);
    }
  },

  rnam_block_backward(rt, args, tuning) {
    const { x, h, dout, wg, lnw, lnb, w1, b1, w2, dx, dwg, dlnw, dlnb, dw1, db1, dw2, db2, lengths, hz, terms, batch, seq, dim, eps } = args;
    const rowsPerTerm = batch * seq, rows = terms * rowsPerTerm, n = rows * dim;
    const uniforms = { rows, dim, terms, rows_per_term: rowsPerTerm, eps };
    const lin = { terms, rows: rowsPerTerm, inDim: dim, outDim: dim };
    // b2 only enters the forward: the backward passes never read past w2.
    withPacked(rt, tuning, [lnw, lnb, w1, b1, w2], (p) => rt.withScratch(n, (du) => {
      rt.withScratch(n, (y1) => rt.withScratch(n, (r) => rt.withScratch(n, (da1) => {
        rt.dispatch1d('rnam_block_ff_backward', rows, uniforms,
          { ff_x: x, ff_h: h, ff_p: p, fb_dout: dout, fb_y1: y1, fb_r: r, fb_da1: da1, fb_du: du });
        if (dw2 || db2) linearPlans.linear_backward(rt, { x: r, w: w2, dy: dout, dx: null, dw: dw2, db: db2, ...lin }, tuning);
        if (dw1 || db1) linearPlans.linear_backward(rt, { x: y1, w: w1, dy: da1, dx: null, dw: dw1, db: db1, ...lin }, tuning);
        if (dlnw || dlnb) {
          rt.withScratch(n, (dy1) => rt.withScratch(n, (dyxhat) => {
            rt.dispatch1d('rnam_block_ff_backward_ln', rows, uniforms, { ff_x: x, ff_h: h, ff_p: p, fl_da1: da1, fl_dy1: dy1, fl_dyxhat: dyxhat });
            if (dlnw) columnSum(rt, dyxhat, dlnw, 1, rows, dim);
            if (dlnb) columnSum(rt, dy1, dlnb, 1, rows, dim);
          }));
        }
      })));
      // the minGRU half, as mingruLayer's backward: hg (kept in hz, or recomputed), the scan backward with dh = du
      const withHg = (fn: (hg: DeviceBuffer) => void) => (hz ? fn(hz) : rt.withScratch(2 * n, (hg) => {
        linearPlans.linear_forward(rt, { x, w: wg, b: null, y: hg, terms, rows: rowsPerTerm, inDim: dim, outDim: 2 * dim }, tuning);
        fn(hg);
      }));
      withHg((hg) => rt.withScratch(2 * n, (dhg) => {
        mingruPlans.mingru_scan_backward(rt, { hg, h0: null, h, dh: du, dhg, dh0: null, lengths: null, groups: terms * batch, seq, dim }, tuning);
        if (!dx && !dwg) return;
        const withDxg = (fn: (dxg: DeviceBuffer | null) => void) => (dx ? rt.withScratch(n, fn) : fn(null));
        withDxg((dxg) => {
          linearPlans.linear_backward(rt, { x, w: wg, dy: dhg, dx: dxg, dw: dwg, db: null, terms, rows: rowsPerTerm, inDim: dim, outDim: 2 * dim }, tuning);
          if (dx && dxg) {
            derivedPlans.binary_forward(rt, { a: dout, b: du, out: dx, n, op: Binary.add }, tuning);
            derivedPlans.binary_forward(rt, { a: dx, b: dxg, out: dx, n, op: Binary.add }, tuning);
          }
        });
      }));
    }));
    if (lengths && dx) maskPadding(rt, dx, lengths, terms * batch, seq, dim);
  },
};
