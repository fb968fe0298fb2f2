// Bar charts of named values as plain HTML (a list of labelled bars): term importance, and one
// sample's contributions around zero. Categorical bars need no chart library, and as HTML they are
// text a screen reader reads and a test can query.
import { short } from './format.js';

export interface Bar {
  label: string;
  value: number;
  /** A spread around the value (across ensemble members): drawn as a whisker and written after it. */
  sd?: number;
  /** A range around the value (a band's edges): drawn as a whisker. */
  lower?: number;
  upper?: number;
  /** A tooltip (a level's sample count). */
  note?: string;
}

/** Horizontal bars from zero, in the order given; `max` fixes the value of the full width (default: the largest). */
export function drawBars(host: HTMLElement, bars: Bar[], options: { diverging?: boolean; caption?: string; max?: number } = {}): void {
  // The whiskers fit in the track too.
  const max = Math.max(1e-12, options.max ?? 0, ...bars.map((b) => Math.abs(b.value) + (b.sd ?? 0)));
  const withSd = bars.some((b) => b.sd !== undefined);
  const list = document.createElement('ul');
  list.className = `bars${options.diverging ? ' diverging' : ''}${withSd ? ' with-sd' : ''}`;
  if (options.caption) list.setAttribute('aria-label', options.caption);
  for (const b of bars) {
    const item = document.createElement('li');
    const label = document.createElement('span');
    label.className = 'bar-label';
    label.textContent = b.label;
    label.title = b.label; // the whole label where the column cuts it short
    const track = document.createElement('span');
    track.className = 'bar-track';
    const fill = document.createElement('span');
    fill.className = `bar-fill ${b.value < 0 ? 'negative' : 'positive'}`;
    const width = (Math.abs(b.value) / max) * (options.diverging ? 50 : 100);
    fill.style.width = `${width}%`;
    if (options.diverging) fill.style.left = b.value < 0 ? `${50 - width}%` : '50%';
    track.append(fill);
    const lower = b.sd !== undefined ? b.value - b.sd : b.lower, upper = b.sd !== undefined ? b.value + b.sd : b.upper;
    if (lower !== undefined && upper !== undefined) {
      // Percent of the track at a value: from the left edge, or from the middle when diverging.
      const at = (v: number) => Math.min(100, Math.max(0, options.diverging ? 50 + (v / max) * 50 : (v / max) * 100));
      const whisker = document.createElement('span');
      whisker.className = 'bar-sd';
      whisker.style.left = `${at(lower)}%`;
      whisker.style.width = `${Math.max(0.5, at(upper) - at(lower))}%`;
      track.append(whisker);
    }
    if (b.note) item.title = b.note;
    const value = document.createElement('span');
    value.className = 'bar-value';
    value.textContent = (options.diverging && b.value > 0 ? '+' : '') + short(b.value) + (b.sd !== undefined ? ` ± ${short(b.sd)}` : '');
    item.append(label, track, value);
    list.append(item);
  }
  host.replaceChildren(list);
}
