// The fused losses (assembly/loss.ts), on the calling thread: each forward sums in index order.
import type { FamilyPlans } from '../plan.js';
import { ptr } from '../runtime.js';

export const lossPlans: FamilyPlans<'loss'> = {
  l1_loss_forward(rt, { a, b, out, n }) {
    rt.call('l1_loss_forward', { a: ptr(a), b: ptr(b), out: ptr(out), n });
  },
  l1_loss_backward(rt, { a, b, dOut, da, db, n }) {
    rt.call('l1_loss_backward', { a: ptr(a), b: ptr(b), dOut: ptr(dOut), da: ptr(da), db: ptr(db), n });
  },
  huber_loss_forward(rt, { a, b, out, n, delta }) {
    rt.call('huber_loss_forward', { a: ptr(a), b: ptr(b), out: ptr(out), n, delta });
  },
  huber_loss_backward(rt, { a, b, dOut, da, db, n, delta }) {
    rt.call('huber_loss_backward', { a: ptr(a), b: ptr(b), dOut: ptr(dOut), da: ptr(da), db: ptr(db), n, delta });
  },
  bce_logits_forward(rt, { x, y, posWeight, out, n, classes }) {
    rt.call('bce_logits_forward', { x: ptr(x), y: ptr(y), posWeight: ptr(posWeight), out: ptr(out), n, classes });
  },
  bce_logits_backward(rt, { x, y, posWeight, dOut, dx, dy, n, classes }) {
    rt.call('bce_logits_backward', { x: ptr(x), y: ptr(y), posWeight: ptr(posWeight), dOut: ptr(dOut), dx: ptr(dx), dy: ptr(dy), n, classes });
  },
  cross_entropy_forward(rt, { logits, target, weight, out, stats, rows, classes, ignoreIndex }) {
    rt.call('cross_entropy_forward', {
      logits: ptr(logits), target: ptr(target), weight: ptr(weight), out: ptr(out), stats: ptr(stats), rows, classes, ignoreIndex,
    });
  },
  cross_entropy_backward(rt, { logits, target, weight, stats, dOut, dLogits, rows, classes, ignoreIndex }) {
    rt.call('cross_entropy_backward', {
      logits: ptr(logits), target: ptr(target), weight: ptr(weight), stats: ptr(stats), dOut: ptr(dOut), dLogits: ptr(dLogits),
      rows, classes, ignoreIndex,
    });
  },
};
