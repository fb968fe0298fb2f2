// Bar charts of named values as plain HTML (a list of labelled bars): term importance, and one
// sample's contributions around zero. Categorical bars need no chart library, and as HTML they are
// text a screen reader reads and a test can query.
import { short } from './charts.js';

export interface Bar {
  label: string;
  value: number;
}

/** Horizontal bars from zero, longest first as given; `max` fixes the full width. */
export function drawBars(host: HTMLElement, bars: Bar[], options: { diverging?: boolean; caption?: string } = {}): void {
  const max = Math.max(1e-12, ...bars.map((b) => Math.abs(b.value)));
  const list = document.createElement('ul');
  list.className = options.diverging ? 'bars diverging' : 'bars';
  if (options.caption) list.setAttribute('aria-label', options.caption);
  for (const b of bars) {
    const item = document.createElement('li');
    const label = document.createElement('span');
    label.className = 'bar-label';
    label.textContent = b.label;
    const track = document.createElement('span');
    track.className = 'bar-track';
    const fill = document.createElement('span');
    fill.className = `bar-fill ${b.value < 0 ? 'negative' : 'positive'}`;
    const width = (Math.abs(b.value) / max) * (options.diverging ? 50 : 100);
    fill.style.width = `${width}%`;
    if (options.diverging) fill.style.left = b.value < 0 ? `${50 - width}%` : '50%';
    track.append(fill);
    const value = document.createElement('span');
    value.className = 'bar-value';
    value.textContent = (options.diverging && b.value > 0 ? '+' : '') + short(b.value);
    item.append(label, track, value);
    list.append(item);
  }
  host.replaceChildren(list);
}
