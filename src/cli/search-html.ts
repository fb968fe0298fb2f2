// search.html: the trials of a search in one table, sorted by clicking a column's header (a few
// lines of inline script; no network), in report.html's style, the best trial marked.
import type { SearchResult } from '../index.js';
import { escape, fmt, pageStyle } from './report-html.js';

/** Sorts a table's body by the clicked header's column: numbers as numbers, a second click reverses. */
const sortScript = `document.querySelectorAll('table.sortable th').forEach((th, col) => th.addEventListener('click', () => {
  const body = th.closest('table').tBodies[0], up = th.dataset.dir !== 'up';
  th.closest('tr').querySelectorAll('th').forEach((h) => delete h.dataset.dir);
  th.dataset.dir = up ? 'up' : 'down';
  const key = (tr) => { const t = tr.cells[col].dataset.v ?? tr.cells[col].textContent; const n = Number(t); return t !== '' && !Number.isNaN(n) ? n : t; };
  [...body.rows].sort((a, b) => { const x = key(a), y = key(b); return (x < y ? -1 : x > y ? 1 : 0) * (up ? 1 : -1); }).forEach((tr) => body.appendChild(tr));
}));`;

export function renderSearchHtml(result: Omit<SearchResult, 'trained' | 'jobs'>, testMetrics: Record<string, number> | null): string {
  const keys = [...new Set(result.trials.flatMap((t) => Object.keys(t.config)))];
  const metrics = Object.keys(result.trials[0].metrics);
  const cv = result.scoring.kind === 'cross-validation';
  const head = ['trial', ...keys, ...metrics.flatMap((m) => (cv ? [m, `${m} sd`] : [m])), 'samples'];
  const cell = (v: number | boolean | undefined) => `<td data-v="${v ?? ''}">${v === undefined ? '–' : typeof v === 'boolean' || Number.isInteger(v) ? v : fmt(v)}</td>`;
  const rows = result.trials.map((t) => `<tr${t.trial === result.best.trial ? ' class="best"' : ''}>${cell(t.trial)}${keys.map((k) => cell(t.config[k as keyof typeof t.config])).join('')}`
    + metrics.map((m) => cell(t.metrics[m]) + (cv ? cell(t.sd?.[m]) : '')).join('') + `${cell(t.samples)}</tr>`);
  const scoring = cv ? `${result.scoring.kind === 'cross-validation' ? result.scoring.folds : ''}-fold cross-validation` : `a validation part of ${result.scoring.kind === 'validation' ? result.scoring.share : ''}`;
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>rnam search</title>
<meta name="viewport" content="width=device-width, initial-scale=1">
<style>
${pageStyle}table.sortable th { cursor: pointer; user-select: none; } th[data-dir=up]::after { content: ' ▲'; } th[data-dir=down]::after { content: ' ▼'; } tr.best { background: #eaf5ea; }
</style></head><body>
<h1>rnam search: ${result.trials.length} trials (${result.task})</h1>
<p class="sub">Each trial scored by ${escape(scoring)}${result.testShare > 0 ? ` on the data less a test part of ${result.testShare}` : ''}; ranked by ${escape(result.metric)} (${result.higherIsBetter ? 'higher' : 'lower'} is better). Click a column's header to sort by it.</p>
<p>Best: trial ${result.best.trial} (${Object.entries(result.best.config).map(([k, v]) => `${escape(k)} ${v}`).join(', ')}), ${escape(result.metric)} ${fmt(result.best.metrics[result.metric])}${testMetrics ? `; trained on everything but the test part, on the test part: ${Object.entries(testMetrics).map(([m, v]) => `${escape(m)} ${fmt(v)}`).join(', ')} (<a href="model/report.html">its report</a>)` : ''}.</p>
${result.baselines ? `<p>The simple baselines on the same ${cv ? 'folds' : 'part'}: ${Object.entries(result.baselines).map(([name, m]) => `${escape(name)} ${escape(result.metric)} ${m[result.metric] === undefined ? '–' : fmt(m[result.metric])}`).join(', ')}.</p>
` : ''}<div class="wide"><table class="sortable"><thead><tr>${head.map((h) => `<th>${escape(h)}</th>`).join('')}</tr></thead><tbody>
${rows.join('\n')}
</tbody></table></div>
<script>${sortScript}</script>
</body></html>
`;
}
