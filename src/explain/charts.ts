// Vega-Lite specs (plain JSON, no vega at run time) for an explanation: the importance bar chart,
// the shape functions as small multiples, and one sample's waterfall. Render them with rnam/plot
// in Node, vega-embed in a page, or the Vega editor.
import { ArgumentError, describeValue } from '../errors.js';
import type { Explanation, ShapeFunction } from './types.js';

/** A Vega-Lite specification as a plain object. */
export type VegaLiteSpec = { $schema: string } & Record<string, unknown>;

export interface ExplanationChartOptions {
  /** The sample of the local chart (default 0). */
  sample?: number;
  /** The output (class) of the local chart; default as explanation.local. */
  output?: number;
  /** Points per shape function and output, evenly strided over the samples (default 500); the bins use all. */
  maxPoints?: number;
  /** Shape-function panels per row (default 4). */
  columns?: number;
  /** Prefix for the three titles. */
  title?: string;
}

export interface ExplanationCharts {
  importance: VegaLiteSpec;
  shapes: VegaLiteSpec;
  local: VegaLiteSpec;
}

const SCHEMA = 'https://vega.github.io/schema/vega-lite/v6.json';
/** Classification contributions add up on the logit scale: say so on the axes. */
const logitNote = (e: Explanation) => (e.task === 'regression' ? '' : ', logit scale');
const fmt = (v: number) => (Math.abs(v) >= 1e-3 || v === 0 ? v.toFixed(3) : v.toExponential(2));

function importanceChart(e: Explanation, title: string): VegaLiteSpec {
  const order = e.importance.map((i) => i.feature);
  const multi = e.outDim > 1;
  // With several outputs each bar stacks perClass / outDim, so its length is the importance.
  const values = e.importance.flatMap((i) => (multi
    ? i.perClass!.map((p, k) => ({ feature: i.feature, output: e.outputNames[k], importance: p / e.outDim }))
    : [{ feature: i.feature, importance: i.importance }]));
  return {
    $schema: SCHEMA,
    title: `${title}term importance (mean |contribution|${logitNote(e)})`,
    data: { values },
    width: 320, height: { step: 18 },
    mark: 'bar',
    encoding: {
      y: { field: 'feature', type: 'nominal', sort: order, title: null },
      x: { field: 'importance', type: 'quantitative', aggregate: 'sum', title: 'mean |contribution|', stack: multi ? 'zero' : null },
      ...(multi ? { color: { field: 'output', type: 'nominal', title: null } } : {}),
      tooltip: [{ field: 'feature' }, { field: 'importance', aggregate: 'sum', format: '.4f' }],
    },
  };
}

function xTitle(s: ShapeFunction): string {
  const what = s.summary === 'last' ? 'last value' : s.summary === 'mean' ? 'mean over the sequence' : `EMA (alpha ${s.emaAlpha})`;
  return what;
}

function shapesChart(e: Explanation, title: string, maxPoints: number, columns: number): VegaLiteSpec {
  const stride = Math.max(1, Math.ceil(e.samples / maxPoints));
  const values = e.shapes.flatMap((s) => [
    ...s.points.filter((p) => p.sample % stride === 0).map((p) => ({ feature: s.feature, output: e.outputNames[p.output], kind: 'sample', x: p.x, contribution: p.contribution })),
    ...s.bins.map((b) => ({ feature: s.feature, output: e.outputNames[b.output], kind: 'bin', x: b.x, contribution: b.contribution })),
  ]);
  const multi = e.outDim > 1;
  const color = multi ? { color: { field: 'output', type: 'nominal', title: null } } : {};
  return {
    $schema: SCHEMA,
    // The x axes' meaning goes in the subtitle: a long axis title under each small panel would widen every cell.
    title: {
      text: `${title}shape functions: each term's contribution against the ${xTitle(e.shapes[0])} of its input`,
      subtitle: `x: the ${xTitle(e.shapes[0])} of the feature's valid steps${e.shapes[0].originalUnits ? ', in its original units' : ''}; points: samples, line: binned mean`,
    },
    data: { values },
    facet: { field: 'feature', type: 'nominal', title: null, sort: e.featureNames },
    columns,
    spec: {
      width: 180, height: 120,
      layer: [
        {
          transform: [{ filter: "datum.kind === 'sample'" }],
          mark: { type: 'circle', size: 8, opacity: 0.35, ...(multi ? {} : { color: '#4c78a8' }) },
          encoding: {
            x: { field: 'x', type: 'quantitative', title: null, scale: { zero: false } },
            y: { field: 'contribution', type: 'quantitative', title: `contribution${e.centered ? ' (centered)' : ''}${logitNote(e)}` },
            ...color,
          },
        },
        {
          transform: [{ filter: "datum.kind === 'bin'" }],
          mark: { type: 'line', strokeWidth: 2, ...(multi ? {} : { color: '#e45756' }) },
          encoding: {
            x: { field: 'x', type: 'quantitative' },
            y: { field: 'contribution', type: 'quantitative' },
            ...(multi ? { color: { field: 'output', type: 'nominal' } } : {}),
          },
        },
      ],
    },
    resolve: { scale: { x: 'independent' } },
  };
}

function localChart(e: Explanation, title: string, sample: number, output: number | undefined): VegaLiteSpec {
  const l = e.local(sample, output === undefined ? {} : { output });
  const steps = [...l.contributions].sort((a, b) => Math.abs(b.contribution) - Math.abs(a.contribution));
  // A waterfall: the intercept from 0, each term from the running total, the prediction from 0.
  const rows: Record<string, unknown>[] = [{ label: '(intercept)', start: 0, end: l.intercept, value: l.intercept, kind: 'intercept' }];
  let total = l.intercept;
  for (const c of steps) {
    rows.push({ label: c.feature, start: total, end: total + c.contribution, value: c.contribution, kind: c.contribution >= 0 ? 'raises' : 'lowers' });
    total += c.contribution;
  }
  rows.push({ label: '= prediction', start: 0, end: l.prediction, value: l.prediction, kind: 'prediction' });
  const probability = l.probability === undefined ? '' : `, probability ${fmt(l.probability)}`;
  const what = e.task === 'multiclass' ? `${e.outputNames[l.output]} logit` : l.scale === 'logit' ? 'logit' : e.outputNames[l.output];
  return {
    $schema: SCHEMA,
    title: `${title}sample ${sample}: ${what} ${fmt(l.prediction)}${probability} = intercept + contributions`,
    data: { values: rows },
    width: 320, height: { step: 18 },
    mark: 'bar',
    encoding: {
      y: { field: 'label', type: 'nominal', sort: rows.map((r) => r.label), title: null },
      x: { field: 'start', type: 'quantitative', title: l.scale === 'logit' ? 'logit' : 'model output' },
      x2: { field: 'end' },
      color: {
        field: 'kind', type: 'nominal', title: null,
        scale: { domain: ['intercept', 'raises', 'lowers', 'prediction'], range: ['#9d9d9d', '#e45756', '#4c78a8', '#54a24b'] },
      },
      tooltip: [{ field: 'label' }, { field: 'value', format: '.4f' }],
    },
  };
}

/** Vega-Lite specs for an explanation from rnam.explain. */
export function explanationCharts(explanation: Explanation, options: ExplanationChartOptions = {}): ExplanationCharts {
  const maxPoints = options.maxPoints ?? 500, columns = options.columns ?? 4;
  if (!Number.isInteger(maxPoints) || maxPoints < 1) throw new ArgumentError(`explanationCharts: maxPoints must be a positive integer, got ${describeValue(maxPoints)}`);
  if (!Number.isInteger(columns) || columns < 1) throw new ArgumentError(`explanationCharts: columns must be a positive integer, got ${describeValue(columns)}`);
  const title = options.title ? `${options.title}: ` : '';
  return {
    importance: importanceChart(explanation, title),
    shapes: shapesChart(explanation, title, maxPoints, columns),
    local: localChart(explanation, title, options.sample ?? 0, options.output),
  };
}
