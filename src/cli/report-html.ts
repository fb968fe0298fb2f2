// report.html: one self-contained page (inline SVG charts, no script, no network) with the metrics,
// the loss curves, the term importances and the shape functions of a `rnam train` run.
import { describeHalfWidth, explanationCharts, lossChart, type Explanation } from '../index.js';
import { renderSvg } from '../plot/index.js';
import type { Report } from '../index.js';
import { counted } from '../plural.js';

/** The pages' style (report.html, search.html). */
export const pageStyle = `body { font: 15px/1.45 system-ui, sans-serif; margin: 2rem auto; max-width: 1100px; padding: 0 1rem; color: #1b1f24; }
h1 { font-size: 1.5rem; margin-bottom: .2rem; } h2 { font-size: 1.15rem; margin-top: 2rem; border-bottom: 1px solid #ddd; }
.sub { color: #57606a; margin-top: 0; } table { border-collapse: collapse; } th, td { padding: .3rem .8rem; text-align: right; border-bottom: 1px solid #eee; }
th[scope=row] { text-align: left; } figure { margin: 0; } .wide { overflow-x: auto; } .row { display: flex; flex-wrap: wrap; gap: 2rem; align-items: flex-start; } svg { max-width: 100%; height: auto; }
.warnings { background: #fffbeb; border: 1px solid #fcd34d; border-radius: 6px; padding: .5rem .8rem .5rem 2rem; font-size: .9rem; }
`;

export const escape = (s: string) => s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
/** A table cell's number: 4 decimals, 1 from a thousand on (a count, an amount in dollars), exponents only past a million or under a thousandth. */
export const fmt = (v: number | undefined) => (v === undefined || Number.isNaN(v) ? '–'
  : Math.abs(v) >= 1e6 || (v !== 0 && Math.abs(v) < 1e-3) ? v.toExponential(3) : Math.abs(v) >= 1000 ? v.toFixed(1) : v.toFixed(4));

/** The baselines on the test split, under the model's own test row. */
function baselinesTable(report: Report): string {
  const b = report.baselines;
  if (!b || Object.keys(b).length === 0 || !report.metrics.test) return '';
  const names = Object.keys(report.metrics.test);
  const row = (label: string, m: Record<string, number>) => `<tr><th scope="row">${escape(label)}</th>${names.map((n) => `<td>${fmt(m[n])}</td>`).join('')}</tr>`;
  const inputs = report.preprocessing.mode === 'table' ? "linear models on the row's inputs" : "linear models on the last step's inputs";
  return `<p>On the same test split, the simple baselines (fitted on the same training samples; ${inputs}):</p>
<table><thead><tr><th></th>${names.map((n) => `<th>${escape(n)}</th>`).join('')}</tr></thead><tbody>${row('rnam', report.metrics.test)}${Object.entries(b).map(([k, m]) => row(k, m)).join('')}</tbody></table>`;
}

/** What the metrics and the loss are weighted by, when they are. */
function weightingNote(report: Report): string {
  const w = report.weighting;
  if (!w) return '';
  const parts: string[] = [];
  if (w.column) parts.push(`Every metric, loss and baseline is weighted by the column <code>${escape(w.column)}</code> (sum of w &times; loss over sum of w; AUC counts each pair by the product of its weights).`);
  if (w.classWeights) {
    parts.push(`Class weights (${w.classWeight}) multiply ${w.column ? 'those weights' : 'each sample\'s weight'} in the training and validation loss only: ${
      Object.entries(w.classWeights).map(([label, x]) => `${escape(label)} ${fmt(x)}`).join(', ')}.`);
  }
  return `<p>${parts.join(' ')}</p>`;
}

function metricsTable(report: Report): string {
  const names = Object.keys(report.metrics.train ?? {});
  const rows = (['train', 'validation', 'test'] as const).map((split) => {
    const m = report.metrics[split];
    return `<tr><th scope="row">${split}</th><td>${report.samples[split]}</td>${names.map((n) => `<td>${fmt(m?.[n])}</td>`).join('')}</tr>`;
  });
  return `<table><thead><tr><th></th><th>samples</th>${names.map((n) => `<th>${escape(n)}</th>`).join('')}</tr></thead><tbody>${rows.join('')}</tbody></table>`;
}

/** Intervals, calibration and the importances' spread across ensemble members, when the report has them. */
function uncertainty(report: Report): string {
  const parts: string[] = [];
  const iv = report.intervals;
  if (iv) parts.push(`<p>Prediction intervals: prediction ${describeHalfWidth(iv, fmt)} for ${(iv.coverage * 100).toFixed(0)}% coverage (split conformal on ${iv.calibrationSamples} held-out residuals${iv.recent ? '; in each series the width then rolls with the residuals of the targets that become known' : ''})${iv.testCoverage !== undefined ? `; ${(iv.testCoverage * 100).toFixed(1)}% of the test targets fall inside` : ''}.</p>`);
  const c = report.calibration;
  if (c) {
    parts.push(`<p>Calibration on the ${c.split} split: expected calibration error ${fmt(c.ece)}.</p><table><thead><tr><th>mean predicted p</th><th>observed rate</th><th>samples</th></tr></thead><tbody>${
      c.bins.map((b) => `<tr><td>${fmt(b.p)}</td><td>${fmt(b.observed)}</td><td>${b.count}</td></tr>`).join('')}</tbody></table>`);
  }
  if (report.importance.some((e) => e.sd !== undefined)) {
    parts.push(`<p>Importance across the ${report.members.length} ensemble members (mean |contribution|, ± its standard deviation over the members):</p><table><tbody>${
      report.importance.map((e) => `<tr><th scope="row">${escape(e.feature)}</th><td>${fmt(e.importance)}</td><td>± ${fmt(e.sd)}</td></tr>`).join('')}</tbody></table>`);
  }
  return parts.length ? `<h2>Uncertainty</h2>${parts.join('\n')}` : '';
}
/** Training's warnings (the notes of kind 'warning': about the data, or the epoch limit), under the title. */
function warningsNote(report: Report): string {
  const warnings = (report.notes ?? []).filter((n) => n.kind === 'warning');
  return warnings.length ? `<ul class="warnings">${warnings.map((n) => `<li>${escape(n.text)}</li>`).join('')}</ul>` : '';
}

/** The report's explained samples: intercept + contributions = output, the numbers `rnam predict` writes. */
function examplesTable(report: Report): string {
  if (report.examples.length === 0) return '<p>No sample to show.</p>';
  const features = report.features;
  const head = ['id', 'time', 'target', 'prediction', 'output', 'intercept', ...features].map((h) => `<th>${escape(String(h))}</th>`).join('');
  const rows = report.examples.map((e) => `<tr><th scope="row">${escape(e.id)}</th><td>${escape(String(e.time))}</td><td>${e.target === null ? '–' : escape(String(e.target))}</td>`
    + `<td>${typeof e.prediction === 'number' ? fmt(e.prediction) : escape(e.prediction)}</td><td>${fmt(e.output)}</td><td>${fmt(e.intercept)}</td>`
    + features.map((f) => `<td>${fmt(e.contributions[f])}</td>`).join('') + '</tr>');
  return `<div class="wide"><table><thead><tr>${head}</tr></thead><tbody>${rows.join('')}</tbody></table></div>`;
}

export async function renderReportHtml(report: Report, explanation: Explanation): Promise<string> {
  const charts = explanationCharts(explanation);
  const [loss, importance, shapes, levels] = await Promise.all([renderSvg(lossChart(report.history, report.members.length > 1 ? { title: `Loss per epoch: member 1 of ${report.members.length}, and the members' mean validation loss` } : {})), renderSvg(charts.importance), renderSvg(charts.shapes),
    charts.levels ? renderSvg(charts.levels) : Promise.resolve('')]);
  const d = report.preprocessing;
  const changeLearned = d.mixed?.targetChange !== undefined;
  const setting = d.mode === 'window' ? `window mode: ${d.window} steps, target ${d.horizon} step(s) ahead` : d.mode === 'table' ? 'a plain table: one sample per row' : 'panel mode: one sample per id';
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>rnam report: ${escape(report.target)}</title>
<meta name="viewport" content="width=device-width, initial-scale=1">
<style>
${pageStyle}</style></head><body>
<h1>rnam: predicting <code>${escape(report.target)}</code> (${report.task})</h1>
<p class="sub">${escape(report.model.class)}${report.members.length > 1 ? ` (an ensemble of ${report.members.length} members${report.crossFitted ? `, each validating on its own ids${report.stopping === 'pooled' ? `, stopped together at epoch ${report.members[0].bestEpoch}` : ''}` : ''})` : ''}, ${report.model.parameters} parameters, ${counted(report.features.length, 'feature')} (${report.features.map(escape).join(', ')}); ${setting}; trained on ${escape(report.device)} in ${report.seconds.toFixed(1)} s.</p>
${warningsNote(report)}
<h2>Metrics</h2>${weightingNote(report)}${metricsTable(report)}${baselinesTable(report)}
${uncertainty(report)}
<h2>Training</h2><div class="row"><figure>${loss}</figure><figure>${importance}</figure></div>
<h2>Shape functions</h2>
<p>Each feature's contribution to the ${report.task === 'regression' ? 'prediction' : 'logit'} against a summary of its input sequence; the model's output is the intercept plus the sum of these contributions.${
  changeLearned ? ` The model learns the change of ${escape(report.target)} from its last known value: the contributions are to that change, and each sample's intercept includes the value.` : ''}${
  report.members.length > 1 ? ` The line is the ensemble's (the mean of its ${report.members.length} members); the shaded band, and the error bar on each level, is ± 1 standard deviation of the members' own curves (each centered on its own training mean), where they disagree.` : ' One model: no band across members.'}</p>
<figure>${shapes}</figure>${levels ? `\n<figure>${levels}</figure>` : ''}
<h2>Explained samples (${report.explainedSplit} split)</h2>
<p>Each row: intercept + the contributions = output (${report.task === 'regression' ? 'the prediction' : report.task === 'binary' ? 'the logit of the positive class' : 'the logit of the predicted class'})${changeLearned ? ', the intercept holding the sample\'s last known value' : ''}; the same numbers <code>rnam predict</code> writes for these samples.</p>
${examplesTable(report)}
</body></html>
`;
}
