// Elementwise unary ops (assembly/unary.ts): elements cut into parts.
import type { FamilyPlans } from '../plan.js';
import { ptr } from '../runtime.js';

export const unaryPlans: FamilyPlans<'unary'> = {
  unary_forward(rt, { x, y, n, op }) {
    rt.run('unary_forward', rt.split(n, 1, (i0, m) => ({ x: ptr(x, i0), y: ptr(y, i0), n: m, op })));
  },

  unary_backward(rt, { x, y, dy, dx, n, op }) {
    rt.run('unary_backward', rt.split(n, 1, (i0, m) => ({ x: ptr(x, i0), y: ptr(y, i0), dy: ptr(dy, i0), dx: ptr(dx, i0), n: m, op })));
  },
};
