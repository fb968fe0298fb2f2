// Layer norm (kernels/layernorm.wgsl): one invocation per row; dw and db are column sums of
// dy * xhat and dy over a scratch copy of xhat, split into row chunks when there are many rows.
import { ceilDiv } from '../runtime.js';
import { flag, type FamilyPlans } from '../plan.js';

export const layernormPlans: FamilyPlans<'layernorm'> = {
  layer_norm_forward(rt, { x, w, b, y, mean, rstd, rows, dim, eps }) {
    rt.dispatch1d('layer_norm_forward', rows,
      { rows, dim, has_w: flag(w), has_b: flag(b), eps, has_dx: 0, has_dw: 0, has_db: 0, splits: 1, chunk: rows },
      { ln_x: x, ln_w: w, lf_b: b, lf_y: y, lf_mean: mean, lf_rstd: rstd });
  },
  // Like the CPU kernel, the row statistics are recomputed from x (see kernels/layernorm.wgsl): mean and rstd go unread.
  layer_norm_backward(rt, { x, w, dy, dx, dw, db, rows, dim, eps }) {
    const splits = rows > 2048 ? Math.min(64, ceilDiv(rows, 1024)) : 1;
    const uniforms = {
      rows, dim, has_w: flag(w), has_b: 0, eps, has_dx: flag(dx), has_dw: flag(dw), has_db: flag(db),
      splits, chunk: Math.max(1, ceilDiv(rows, splits)),
    };
    if (!dw && !db) {
      if (dx) rt.dispatch1d('layer_norm_backward', rows, uniforms, { ln_x: x, ln_w: w, lb_dy: dy, lb_dx: dx, lb_xhat: null });
      return;
    }
    rt.withScratch(rows * dim, (xhat) => {
      rt.dispatch1d('layer_norm_backward', rows, uniforms, { ln_x: x, ln_w: w, lb_dy: dy, lb_dx: dx, lb_xhat: xhat });
      const grid = [ceilDiv(dim, 16), splits, 1] as const;
      if (splits === 1) {
        rt.dispatch('layer_norm_backward_dwdb', grid, uniforms, { ld_xhat: xhat, ld_dy: dy, ld_dw: dw, ld_db: db, ld_partial: null });
        return;
      }
      rt.withScratch(2 * splits * dim, (partial) => {
        rt.dispatch('layer_norm_backward_dwdb', grid, uniforms, { ld_xhat: xhat, ld_dy: dy, ld_dw: null, ld_db: null, ld_partial: partial });
        rt.dispatch1d('layer_norm_backward_reduce', dim, uniforms, { ld_xhat: null, ld_dy: null, ld_dw: dw, ld_db: db, ld_partial: partial });
      });
    });
  },
};
