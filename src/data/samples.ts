// Which steps of a series make a sample: the whole (recent) series in panel mode, or sliding windows.
import { DataError } from './errors.js';
import type { WindowOptions } from './options.js';
import type { Series } from './series.js';

/** Steps [start, start + length) are the inputs; the target is read at step `targetStep`. */
export interface SampleSpec {
  readonly series: Series;
  readonly start: number;
  readonly length: number;
  readonly targetStep: number;
}

/** Panel mode: the whole series, or its last `maxLength` steps (the oldest are dropped); the target at its last step. */
export function panelSample(s: Series, maxLength?: number): SampleSpec {
  const start = maxLength !== undefined ? Math.max(0, s.length - maxLength) : 0;
  return { series: s, start, length: s.length - start, targetStep: s.length - 1 };
}

export interface CheckedWindow {
  window: number;
  horizon: number;
  stride: number;
}

export function checkWindow(o: WindowOptions): CheckedWindow {
  const window = o.window, horizon = o.horizon ?? 1, stride = o.stride ?? 1;
  if (!Number.isInteger(window) || window < 1) throw new DataError('option', `window must be a positive integer, got ${o.window}`);
  if (!Number.isInteger(horizon) || horizon < 0) throw new DataError('option', `horizon must be a non-negative integer, got ${o.horizon}`);
  if (!Number.isInteger(stride) || stride < 1) throw new DataError('option', `stride must be a positive integer, got ${o.stride}`);
  return { window, horizon, stride };
}

/** Steps a series needs for one window and its target. */
export function stepsNeeded(w: CheckedWindow): number {
  return w.window + w.horizon;
}

/** Windows whose inputs and target all lie in steps [from, to), starting at `from` every `stride` steps. */
export function windowSamples(s: Series, w: CheckedWindow, from = 0, to = s.length): SampleSpec[] {
  const out: SampleSpec[] = [];
  for (let start = from; start + w.window - 1 + w.horizon < to; start += w.stride) {
    out.push({ series: s, start, length: w.window, targetStep: start + w.window - 1 + w.horizon });
  }
  return out;
}

/**
 * The windows of a time block, steps [from, to): those whose target lies in it. Their inputs may
 * reach back before `from`, into an earlier block, as a forecast made at the block's start reads
 * the known past; no input lies after the target, so none reaches into a later block. The first
 * block's windows are windowSamples'; a later block of a few steps still holds windows.
 */
export function blockWindows(s: Series, w: CheckedWindow, from: number, to: number): SampleSpec[] {
  const reach = w.window - 1 + w.horizon;
  return windowSamples(s, w, Math.max(0, from - reach), to).filter((p) => p.targetStep >= from);
}
