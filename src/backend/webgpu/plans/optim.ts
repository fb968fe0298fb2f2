// Fused optimizer steps and gradient-norm clipping (kernels/optim.wgsl): one invocation per element.
import { flag, type FamilyPlans } from '../plan.js';

export const optimPlans: FamilyPlans<'optim'> = {
  sgd_step(rt, { p, g, buf, skip, n, lr, momentum, dampening, weightDecay, nesterov, firstStep }) {
    rt.dispatch1d('sgd_step', n,
      { n, nesterov: flag(nesterov), first_step: flag(firstStep), lr, momentum, dampening, weight_decay: weightDecay, has_skip: flag(skip) },
      { s_p: p, s_g: g, s_buf: buf, s_skip: skip });
  },
  adam_step(rt, { p, g, m, v, skip, n, lr, beta1, beta2, eps, weightDecay, decoupled, stepSize, bc2Sqrt }) {
    rt.dispatch1d('adam_step', n,
      { n, decoupled: flag(decoupled), lr, beta1, beta2, eps, weight_decay: weightDecay, step_size: stepSize, bc2_sqrt: bc2Sqrt, has_skip: flag(skip) },
      { a_p: p, a_g: g, a_m: m, a_v: v, a_skip: skip });
  },
  flag_nonfinite(rt, { x, flag, n, mark }) {
    rt.dispatch1d('flag_nonfinite', n, { n, mark }, { f_x: x, f_flag: flag });
  },
  clip_scale(rt, { g, n, sumSq, maxNorm }) {
    rt.dispatch1d('clip_scale', n, { n, max_norm: maxNorm }, { k_g: g, k_sum_sq: sumSq });
  },
};
