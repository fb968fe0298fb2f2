// Elementwise unary ops by op code (kernels/unary.wgsl): one invocation per element.
import type { FamilyPlans } from '../plan.js';

export const unaryPlans: FamilyPlans<'unary'> = {
  unary_forward(rt, { x, y, n, op }) {
    rt.dispatch1d('unary_forward', n, { n, op }, { uf_x: x, uf_y: y });
  },
  unary_backward(rt, { x, y, dy, dx, n, op }) {
    rt.dispatch1d('unary_backward', n, { n, op }, { ub_x: x, ub_y: y, ub_dy: dy, ub_dx: dx });
  },
};
