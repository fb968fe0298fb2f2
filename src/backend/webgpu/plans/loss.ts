// The fused losses (kernels/loss.wgsl). A forward is one pass of `parts` workgroups writing
// partials, then loss_final over them (the first pass finishes alone when parts == 1); the parts
// depend on the shape only. Backwards are one dispatch each.
import type { DeviceBuffer } from '../../backend.js';
import { ceilDiv, type GpuRuntime } from '../runtime.js';
import { flag, type FamilyPlans } from '../plan.js';

/** The uniform's kind: which loss a shared pass computes. */
const L1 = 0, HUBER = 1, BCE = 2, CE = 3;
/** Floats per workgroup partial: sum, weight sum, invalid targets, NaN items, first invalid row. */
const PART = 5;

interface LossCall {
  readonly n: number;
  readonly kind: number;
  readonly classes?: number;
  readonly delta?: number;
  readonly ignoreIndex?: number;
  /** The work of one item (cross entropy: a row of `classes` logits). */
  readonly itemCost?: number;
}

function uniforms(c: LossCall, parts: number, hasW: unknown, hasDa: unknown, hasDb: unknown) {
  return {
    n: c.n, parts, kind: c.kind, classes: c.classes ?? 1, delta: c.delta ?? 0, ignore_index: c.ignoreIndex ?? 0,
    has_w: flag(hasW), has_da: flag(hasDa), has_db: flag(hasDb),
  };
}

function lossForward(rt: GpuRuntime, pass: 'l1_loss_forward' | 'huber_loss_forward' | 'bce_logits_forward' | 'cross_entropy_forward',
  c: LossCall, a: DeviceBuffer, b: DeviceBuffer, w: DeviceBuffer | null, out: DeviceBuffer, stats: DeviceBuffer | null): void {
  // about 4096 units of work per workgroup, at least one item per invocation, at most 256 partials
  const parts = Math.max(1, Math.min(256, ceilDiv(c.n * (c.itemCost ?? 1), 4096), ceilDiv(c.n, 256)));
  const u = uniforms(c, parts, w, false, false);
  const bind = { l_a: a, l_b: b, l_w: w, l_out: out, l_stats: stats };
  if (parts === 1) {
    rt.dispatch(pass, [1, 1, 1], u, { ...bind, l_partial: null });
    return;
  }
  rt.withScratch(parts * PART, (partial) => {
    rt.dispatch(pass, [parts, 1, 1], u, { ...bind, l_partial: partial });
    rt.dispatch('loss_final', [1, 1, 1], u, { ...bind, l_a: null, l_b: null, l_w: null, l_partial: partial });
  });
}

export const lossPlans: FamilyPlans<'loss'> = {
  l1_loss_forward(rt, { a, b, out, n }) {
    lossForward(rt, 'l1_loss_forward', { n, kind: L1 }, a, b, null, out, null);
  },
  l1_loss_backward(rt, { a, b, dOut, da, db, n }) {
    if (!da && !db) return;
    rt.dispatch1d('l1_loss_backward', n, uniforms({ n, kind: L1 }, 1, false, da, db),
      { lb_a: a, lb_b: b, lb_w: null, lb_stats: null, lb_dout: dOut, lb_da: da, lb_db: db });
  },
  huber_loss_forward(rt, { a, b, out, n, delta }) {
    lossForward(rt, 'huber_loss_forward', { n, kind: HUBER, delta }, a, b, null, out, null);
  },
  huber_loss_backward(rt, { a, b, dOut, da, db, n, delta }) {
    if (!da && !db) return;
    rt.dispatch1d('huber_loss_backward', n, uniforms({ n, kind: HUBER, delta }, 1, false, da, db),
      { lb_a: a, lb_b: b, lb_w: null, lb_stats: null, lb_dout: dOut, lb_da: da, lb_db: db });
  },
  bce_logits_forward(rt, { x, y, posWeight, out, n, classes }) {
    lossForward(rt, 'bce_logits_forward', { n, kind: BCE, classes }, x, y, posWeight, out, null);
  },
  bce_logits_backward(rt, { x, y, posWeight, dOut, dx, dy, n, classes }) {
    if (!dx && !dy) return;
    rt.dispatch1d('bce_logits_backward', n, uniforms({ n, kind: BCE, classes }, 1, posWeight, dx, dy),
      { lb_a: x, lb_b: y, lb_w: posWeight, lb_stats: null, lb_dout: dOut, lb_da: dx, lb_db: dy });
  },
  cross_entropy_forward(rt, { logits, target, weight, out, stats, rows, classes, ignoreIndex }) {
    lossForward(rt, 'cross_entropy_forward', { n: rows, kind: CE, classes, ignoreIndex, itemCost: classes }, logits, target, weight, out, stats);
  },
  cross_entropy_backward(rt, { logits, target, weight, stats, dOut, dLogits, rows, classes, ignoreIndex }) {
    rt.dispatch1d('cross_entropy_backward', rows, uniforms({ n: rows, kind: CE, classes, ignoreIndex }, 1, weight, dLogits, false),
      { lb_a: logits, lb_b: target, lb_w: weight, lb_stats: stats, lb_dout: dOut, lb_da: dLogits, lb_db: null });
  },
};
