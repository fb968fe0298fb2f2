// cv.html: a cross-validation at a glance, in report.html's style: rnam and each baseline per fold
// on the same samples, and their mean ± sd over the folds, the task's headline metric first.
import type { CrossValidation } from '../index.js';
import { comparedMetric } from './compared-metric.js';
import { escape, fmt, pageStyle } from './report-html.js';

export function renderCvHtml(cv: Omit<CrossValidation, 'header' | 'rows'>, title: string): string {
  // The compared metric first (the log loss where some folds have no AUC): the per-fold table shows it.
  const { metric: first } = comparedMetric(cv);
  const metrics = Object.keys(cv.summary).sort((a, b) => (a === first ? -1 : b === first ? 1 : 0));
  type Fold = CrossValidation['folds'][number];
  const models: [string, (fold: Fold) => Record<string, number> | undefined][] = [
    ['rnam', (f) => f.metrics], ...Object.keys(cv.baselines ?? {}).map((name): [string, (fold: Fold) => Record<string, number> | undefined] => [name, (f) => f.baselines?.[name]]),
  ];
  const cell = (v: number | undefined) => `<td>${v === undefined ? '–' : fmt(v)}</td>`;
  const meanSd = (s: { mean: number; sd: number } | undefined) => `<td>${s ? `${fmt(s.mean)} ± ${fmt(s.sd)}` : '–'}</td>`;
  const summary = models.map(([name]) => `<tr><th scope="row">${escape(name)}</th>${metrics.map((m) => meanSd(name === 'rnam' ? cv.summary[m] : cv.baselines?.[name]?.[m])).join('')}</tr>`);
  const folds = cv.folds.map((f) => `<tr><th scope="row">${f.fold}</th><td>${f.samples}</td>${models.map(([, of]) => cell(of(f)?.[metrics[0]])).join('')}</tr>`);
  const scheme = cv.scheme === 'grouped' ? 'whole ids per fold, stratified by the label for classification' : 'rolling origin: each fold trains on the times before its test block';
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>rnam cv: ${escape(title)}</title>
<meta name="viewport" content="width=device-width, initial-scale=1">
<style>
${pageStyle}</style></head><body>
<h1>rnam cv: ${escape(title)} (${cv.task})</h1>
<p class="sub">${cv.folds.length} folds (${escape(scheme)}); ${cv.folds.reduce((n, f) => n + f.samples, 0)} samples scored, each once. Each baseline is fitted on the fold's training samples and scored on the samples the fold scores.</p>
<h2>Mean ± sd over the folds</h2>
<div class="wide"><table><thead><tr><th>model</th>${metrics.map((m) => `<th>${escape(m)}</th>`).join('')}</tr></thead><tbody>
${summary.join('\n')}
</tbody></table></div>
<h2>${escape(metrics[0])} per fold</h2>
<div class="wide"><table><thead><tr><th>fold</th><th>samples</th>${models.map(([name]) => `<th>${escape(name)}</th>`).join('')}</tr></thead><tbody>
${folds.join('\n')}
</tbody></table></div>
<p>Every out-of-fold prediction, with its contributions, is in <code>oof.csv</code>; these numbers are in <code>cv.json</code>.</p>
</body></html>
`;
}
