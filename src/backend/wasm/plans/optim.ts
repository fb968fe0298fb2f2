// Fused optimizer steps (assembly/optim.ts), on the calling thread.
import type { FamilyPlans } from '../plan.js';
import { ptr } from '../runtime.js';

export const optimPlans: FamilyPlans<'optim'> = {
  sgd_step(rt, { p, g, buf, skip, n, lr, momentum, dampening, weightDecay, nesterov, firstStep }) {
    rt.call('sgd_step', { p: ptr(p), g: ptr(g), buf: ptr(buf), skip: ptr(skip), n, lr, momentum, dampening, weightDecay, nesterov: +nesterov, firstStep: +firstStep });
  },

  adam_step(rt, { p, g, m, v, skip, n, lr, beta1, beta2, eps, weightDecay, decoupled, stepSize, bc2Sqrt }) {
    rt.call('adam_step', { p: ptr(p), g: ptr(g), m: ptr(m), v: ptr(v), skip: ptr(skip), n, lr, beta1, beta2, eps, weightDecay, decoupled: +decoupled, stepSize, bc2Sqrt });
  },

  flag_nonfinite(rt, { x, flag, n, mark }) {
    rt.call('flag_nonfinite', { x: ptr(x), flag: ptr(flag), n, mark });
  },

  clip_scale(rt, { g, sumSq, n, maxNorm }) {
    rt.call('clip_scale', { g: ptr(g), sumSq: ptr(sumSq), n, maxNorm });
  },
};
