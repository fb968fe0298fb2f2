// Vega-Lite specs (plain JSON, no vega at run time) for an explanation: the importance bar chart,
// the shape functions as small multiples, and one sample's waterfall; and the loss per epoch of a
// training history. Render them with rnam/plot in Node, vega-embed in a page, or the Vega editor.
//
// Any name works: feature, output and series names only ever appear as data values and title text,
// never as field names or inside expressions, and the orders are numeric fields (`rank`, `panel`,
// `step`) rather than sort arrays: Vega-Lite turns a sort array into an expression in which a name
// like `constructor` or `toString` fails ("Operator not defined") and which, for thousands of names,
// nests deeply enough to overflow the stack. The charts draw the maxTerms most
// important terms; the rest are named in the subtitle and listed in `usermeta.rnam.omittedTerms`.
import { ArgumentError, describeValue } from '../errors.js';
import type { Explanation, ShapeBin, ShapeFunction } from './types.js';
import { counted } from '../plural.js';

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
  /**
   * The most terms drawn (default 20), the most important first; Infinity draws all. The others are
   * named in each chart's subtitle and listed in its `usermeta.rnam.omittedTerms`; the waterfall
   * sums them into one bar, so it still adds up to the prediction.
   */
  maxTerms?: number;
}

/** The names of the omitted terms a subtitle spells out before it says how many more there are. */
const NAMED_OMITTED = 10;

/**
 * The value a chart groups, sorts and scales by: the name behind its position, so no two names
 * share a key and none is an Object.prototype name (Vega keeps groups and domains in plain objects,
 * where `__proto__` or `constructor` would not be a key of their own). UNKEY shows the name alone.
 */
const keyed = (i: number, name: string) => `${i} ${name}`;
const UNKEY = { labelExpr: "replace(datum.label, regexp('^[0-9]+ '), '')" };

export interface ExplanationCharts {
  importance: VegaLiteSpec;
  /** Categorical terms (mixed inputs): a bar per level, its mean contribution; absent without such terms. */
  levels?: VegaLiteSpec;
  shapes: VegaLiteSpec;
  local: VegaLiteSpec;
}

const SCHEMA = 'https://vega.github.io/schema/vega-lite/v6.json';
/** Classification contributions add up on the logit scale: say so on the axes. */
const logitNote = (e: Explanation) => (e.task === 'regression' ? '' : ', logit scale');
const fmt = (v: number) => (Math.abs(v) >= 1e-3 || v === 0 ? v.toFixed(3) : v.toExponential(2));

/** The terms drawn (the maxTerms most important, by term index) and the names of the others, most important first. */
interface Selection {
  drawn: Set<number>;
  omitted: string[];
}

function select(e: Explanation, maxTerms: number): Selection {
  const index = new Map(e.featureNames.map((f, t) => [f, t] as const));
  const ranked = e.importance.map((i) => index.get(i.feature)!);
  return { drawn: new Set(ranked.slice(0, maxTerms)), omitted: ranked.slice(maxTerms).map((t) => e.featureNames[t]) };
}

/** A title with, when terms were left out, a subtitle naming them; and the usermeta listing them all. */
function titled(text: string, subtitle: string | string[] | null, omitted: string[]): Pick<VegaLiteSpec, 'title' | 'usermeta'> {
  const lines = subtitle === null ? [] : typeof subtitle === 'string' ? [subtitle] : [...subtitle];
  if (omitted.length) {
    const named = omitted.slice(0, NAMED_OMITTED).join(', ');
    const more = omitted.length > NAMED_OMITTED ? ` and ${omitted.length - NAMED_OMITTED} more` : '';
    lines.push(`${counted(omitted.length, 'less important term')} not drawn: ${named}${more}`);
  }
  return {
    title: lines.length ? { text, subtitle: lines } : text,
    usermeta: { rnam: { omittedTerms: omitted } },
  };
}

function importanceChart(e: Explanation, title: string, chosen: Selection): VegaLiteSpec {
  const multi = e.outDim > 1;
  // With several outputs each bar stacks perClass / outDim, so its length is the importance.
  const drawn = e.importance.slice(0, chosen.drawn.size);
  const values = drawn.flatMap((i, rank) => (multi
    ? i.perClass!.map((p, k) => ({ term: keyed(rank, i.feature), feature: i.feature, rank, output: keyed(k, e.outputNames[k]), importance: p / e.outDim }))
    : [{ term: keyed(rank, i.feature), feature: i.feature, rank, importance: i.importance }]));
  return {
    $schema: SCHEMA,
    ...titled(`${title}term importance (mean |contribution|${logitNote(e)})`, null, chosen.omitted),
    data: { values },
    width: 320, height: { step: 18 },
    mark: 'bar',
    encoding: {
      y: { field: 'term', type: 'nominal', sort: { field: 'rank', op: 'min', order: 'ascending' }, title: null, axis: UNKEY },
      x: { field: 'importance', type: 'quantitative', aggregate: 'sum', title: 'mean |contribution|', stack: multi ? 'zero' : null },
      ...(multi ? { color: { field: 'output', type: 'nominal', title: null, legend: UNKEY } } : {}),
      tooltip: [{ field: 'term', title: 'feature' }, { field: 'importance', aggregate: 'sum', format: '.4f' }],
    },
  };
}

/** A bin's band across ensemble members (contribution ± sd), when it has one. */
function band(b: ShapeBin): { lo?: number; hi?: number; sd?: number } {
  return b.sd === null || b.sd === undefined ? {} : { lo: b.contribution - b.sd, hi: b.contribution + b.sd, sd: b.sd };
}

function xTitle(s: ShapeFunction): string {
  const what = s.summary === 'last' ? 'last value' : s.summary === 'mean' ? 'mean over the sequence' : `EMA (alpha ${s.emaAlpha})`;
  return what;
}

function shapesChart(e: Explanation, title: string, maxPoints: number, columns: number, chosen: Selection): VegaLiteSpec {
  const stride = Math.max(1, Math.ceil(e.samples / maxPoints));
  const values: Record<string, unknown>[] = [];
  const panels: { feature: string; logAxis: boolean; dateAxis: boolean }[] = [];
  // The panels in feature order.
  for (const s of e.shapes) {
    if (!chosen.drawn.has(s.term) || s.levels) continue; // levels are drawn as bars (levelsChart)
    const panel = panels.length;
    panels.push({ feature: s.feature, logAxis: s.logAxis === true, dateAxis: s.dateAxis === true });
    for (const p of s.points) {
      if (p.sample % stride === 0) values.push({ term: keyed(panel, s.feature), panel, output: keyed(p.output, e.outputNames[p.output]), kind: 'sample', x: p.x, contribution: p.contribution });
    }
    for (const b of s.bins) values.push({ term: keyed(panel, s.feature), panel, output: keyed(b.output, e.outputNames[b.output]), kind: 'bin', x: b.x, contribution: b.contribution, ...band(b) });
  }
  const multi = e.outDim > 1;
  const banded = values.some((v) => v.lo !== undefined), members = e.shapes[0]?.members ?? 1;
  const color = multi ? { color: { field: 'output', type: 'nominal', title: null, legend: UNKEY } } : {};
  const logged = panels.some((p) => p.logAxis);
  // One panel per term, each with its own x scale: a feature read as log(1 + value) gets a symlog
  // axis (log(1 + |x|), in the feature's units); every panel shares the y scale.
  const panel = (at: number, logAxis: boolean, dateAxis: boolean) => {
    const x = {
      field: 'x', type: 'quantitative', title: null, scale: { zero: false, ...(logAxis ? { type: 'symlog' } : {}) },
      // A decimal year reads 1989.5, not 1,989.5.
      ...(dateAxis ? { axis: { format: '~g' } } : {}),
    };
    return {
      // A title that is an Object.prototype key ('constructor') breaks Vega's parse; a leading thin
      // space keeps every name a plain string (Vega trims it when it draws the text).
      title: { text: `\u2009${panels[at].feature}`, fontSize: 11, fontWeight: 'normal' },
      width: 180, height: 120,
      transform: [{ filter: `datum.panel === ${at}` }],
      layer: [
        {
          transform: [{ filter: "datum.kind === 'sample'" }],
          mark: { type: 'circle', size: 8, opacity: 0.35, ...(multi ? {} : { color: '#4c78a8' }) },
          encoding: {
            x,
            // The y axis's meaning is in the subtitle: a title beside every small panel would widen each cell.
            y: { field: 'contribution', type: 'quantitative', title: null },
            ...color,
          },
        },
        ...(banded ? [{
          transform: [{ filter: "datum.kind === 'bin'" }],
          mark: { type: 'area', opacity: 0.25, ...(multi ? {} : { color: '#e45756' }) },
          encoding: {
            x,
            y: { field: 'lo', type: 'quantitative' },
            y2: { field: 'hi' },
            ...(multi ? { color: { field: 'output', type: 'nominal', legend: UNKEY } } : {}),
          },
        }] : []),
        {
          transform: [{ filter: "datum.kind === 'bin'" }],
          mark: { type: 'line', strokeWidth: 2, ...(multi ? {} : { color: '#e45756' }) },
          encoding: {
            x,
            y: { field: 'contribution', type: 'quantitative' },
            ...(multi ? { color: { field: 'output', type: 'nominal', legend: UNKEY } } : {}),
          },
        },
      ],
    };
  };
  return {
    $schema: SCHEMA,
    // The x axes' meaning goes in the subtitle: a long axis title under each small panel would widen every cell.
    ...titled(`${title}shape functions: each term's contribution against the ${xTitle(e.shapes[0])} of its input`, [
      // Short lines: one long line would set the chart's width.
      `x: the ${xTitle(e.shapes[0])} of the feature's valid steps${e.shapes[0].originalUnits ? ', in its original units' : ''}`,
      ...(logged ? ['(a log axis for a feature read as log(1 + value))'] : []),
      `y: contribution${e.centered ? ' (centered)' : ''}${logitNote(e)}; points: samples, line: binned mean`,
      ...(banded ? [`band: ± 1 sd across the ${members} ensemble members`] : []),
    ], chosen.omitted),
    data: { values },
    columns,
    concat: panels.map((p, at) => panel(at, p.logAxis, p.dateAxis)),
    resolve: { scale: { x: 'independent', y: 'shared' } },
  };
}

/** A bar per level of each categorical term: the mean contribution of the samples at that level. */
function levelsChart(e: Explanation, title: string, columns: number, chosen: Selection): VegaLiteSpec | undefined {
  const values: Record<string, unknown>[] = [];
  let panel = 0;
  for (const s of e.shapes) {
    if (!chosen.drawn.has(s.term) || !s.levels) continue;
    for (const b of s.bins) {
      values.push({ term: keyed(panel, s.feature), panel, level: keyed(b.x, s.levels[b.x]), order: b.x, output: keyed(b.output, e.outputNames[b.output]), contribution: b.contribution, count: b.count, ...band(b) });
    }
    panel++;
  }
  if (panel === 0) return undefined;
  const multi = e.outDim > 1;
  const banded = values.some((v) => v.lo !== undefined), members = e.shapes[0]?.members ?? 1;
  const x = { field: 'level', type: 'nominal', title: null, sort: { field: 'order', op: 'min', order: 'ascending' }, axis: UNKEY };
  // The y axis's meaning is in the subtitle: its title, longer than a panel is tall, would push the panels down.
  const y = { field: 'contribution', type: 'quantitative', title: null };
  const bars = {
    mark: { type: 'bar', ...(multi ? {} : { color: '#4c78a8' }) },
    encoding: {
      x, y,
      ...(multi ? { xOffset: { field: 'output', type: 'nominal' }, color: { field: 'output', type: 'nominal', title: null, legend: UNKEY } } : {}),
      tooltip: [{ field: 'contribution', format: '.4f' }, { field: 'count', title: 'samples' }, ...(banded ? [{ field: 'sd', format: '.4f', title: 'sd across members' }] : [])],
    },
  };
  // error bars: ± 1 sd of the level's mean contribution across the ensemble members
  const errorBars = { mark: { type: 'rule', color: '#1b1f24' }, encoding: { x, ...(multi ? { xOffset: { field: 'output', type: 'nominal' } } : {}), y: { field: 'lo', type: 'quantitative' }, y2: { field: 'hi' } } };
  return {
    $schema: SCHEMA,
    ...titled(`${title}categorical features: each level's mean contribution`, [
      `y: contribution${e.centered ? ' (centered)' : ''}${logitNote(e)}; 'other' holds levels unseen or rare in training`,
      ...(banded ? [`error bars: ± 1 sd across the ${members} ensemble members`] : []),
    ], chosen.omitted),
    data: { values },
    facet: { field: 'term', type: 'nominal', title: null, sort: { field: 'panel', op: 'min', order: 'ascending' }, header: UNKEY },
    columns,
    spec: { width: 180, height: 120, ...(banded ? { layer: [bars, errorBars] } : bars) },
    // Each panel's own levels; its own class offsets too, else a multiclass bar is drawn 0.25 px wide.
    resolve: { scale: { x: 'independent', ...(multi ? { xOffset: 'independent' } : {}) } },
  };
}

function localChart(e: Explanation, title: string, sample: number, output: number | undefined, maxTerms: number): VegaLiteSpec {
  const l = e.local(sample, output === undefined ? {} : { output });
  const steps = [...l.contributions].sort((a, b) => Math.abs(b.contribution) - Math.abs(a.contribution));
  // A waterfall: the intercept from 0, each term from the running total, the prediction from 0. The
  // terms past maxTerms (the smallest here) go into one bar, so the chain still ends at the prediction.
  const rows: Record<string, unknown>[] = [{ label: '(intercept)', start: 0, end: l.intercept, value: l.intercept, kind: 'intercept' }];
  let total = l.intercept;
  const bar = (label: string, value: number) => {
    rows.push({ label, start: total, end: total + value, value, kind: value >= 0 ? 'raises' : 'lowers' });
    total += value;
  };
  for (const c of steps.slice(0, maxTerms)) bar(c.feature, c.contribution);
  const rest = steps.slice(maxTerms);
  if (rest.length) bar(`(${counted(rest.length, 'other term')})`, rest.reduce((a, c) => a + c.contribution, 0));
  rows.push({ label: '= prediction', start: 0, end: l.prediction, value: l.prediction, kind: 'prediction' });
  rows.forEach((r, step) => Object.assign(r, { step, key: keyed(step, r.label as string) }));
  const probability = l.probability === undefined ? '' : `, probability ${fmt(l.probability)}`;
  const what = e.task === 'multiclass' ? `${e.outputNames[l.output]} logit` : l.scale === 'logit' ? 'logit' : e.outputNames[l.output];
  return {
    $schema: SCHEMA,
    ...titled(`${title}sample ${sample}: ${what} ${fmt(l.prediction)}${probability} = intercept + contributions`, null,
      rest.map((c) => c.feature)),
    data: { values: rows },
    width: 320, height: { step: 18 },
    mark: 'bar',
    encoding: {
      y: { field: 'key', type: 'nominal', sort: { field: 'step', op: 'min', order: 'ascending' }, title: null, axis: UNKEY },
      x: { field: 'start', type: 'quantitative', title: l.scale === 'logit' ? 'logit' : 'model output' },
      x2: { field: 'end' },
      color: {
        field: 'kind', type: 'nominal', title: null,
        scale: { domain: ['intercept', 'raises', 'lowers', 'prediction'], range: ['#9d9d9d', '#e45756', '#4c78a8', '#54a24b'] },
      },
      tooltip: [{ field: 'key', title: 'term' }, { field: 'value', format: '.4f' }],
    },
  };
}

/** Vega-Lite specs for an explanation from rnam.explain. */
export function explanationCharts(explanation: Explanation, options: ExplanationChartOptions = {}): ExplanationCharts {
  const maxPoints = options.maxPoints ?? 500, columns = options.columns ?? 4;
  if (!Number.isInteger(maxPoints) || maxPoints < 1) throw new ArgumentError(`explanationCharts: maxPoints must be a positive integer, got ${describeValue(maxPoints)}`);
  if (!Number.isInteger(columns) || columns < 1) throw new ArgumentError(`explanationCharts: columns must be a positive integer, got ${describeValue(columns)}`);
  const maxTerms = options.maxTerms ?? 20;
  if (!(Number.isInteger(maxTerms) || maxTerms === Infinity) || maxTerms < 1) {
    throw new ArgumentError(`explanationCharts: maxTerms must be a positive integer or Infinity, got ${describeValue(maxTerms)}`);
  }
  const title = options.title ? `${options.title}: ` : '';
  const chosen = select(explanation, maxTerms);
  return {
    importance: importanceChart(explanation, title, chosen),
    shapes: shapesChart(explanation, title, maxPoints, columns, chosen),
    ...(levelsChart(explanation, title, columns, chosen) ? { levels: levelsChart(explanation, title, columns, chosen)! } : {}),
    local: localChart(explanation, title, options.sample ?? 0, options.output, maxTerms),
  };
}

/** One epoch of a training history as lossChart reads it (fit's history entries have these fields). */
export interface LossHistoryEntry {
  epoch: number;
  trainLoss: number;
  valLoss?: number;
  /** An ensemble's: the mean of its members' validation losses at this epoch (what pooled stopping watches). */
  meanValLoss?: number;
}

export interface LossChartOptions {
  /** The chart's title (default 'Loss per epoch'). */
  title?: string;
}

/**
 * The loss per epoch of a training history (fit's `history`, or a model file's metadata.history):
 * a line per split, train and, where recorded, validation and the members' mean validation loss.
 * NaN or infinite losses are left out of the lines (Vega drops them) and counted in the subtitle.
 */
export function lossChart(history: readonly LossHistoryEntry[], options: LossChartOptions = {}): VegaLiteSpec {
  if (!Array.isArray(history)) throw new ArgumentError(`lossChart: history must be an array of { epoch, trainLoss, valLoss? }, got ${describeValue(history)}`);
  const values: { epoch: number; split: string; loss: number | null }[] = [];
  let skipped = 0;
  history.forEach((h, i) => {
    if (typeof h !== 'object' || h === null || typeof h.epoch !== 'number' || typeof h.trainLoss !== 'number'
      || (h.valLoss !== undefined && typeof h.valLoss !== 'number') || (h.meanValLoss !== undefined && typeof h.meanValLoss !== 'number')) {
      throw new ArgumentError(`lossChart: history[${i}] must be { epoch, trainLoss, valLoss?, meanValLoss? } with numbers, got ${describeValue(h)}`);
    }
    for (const [split, loss] of [['train', h.trainLoss], ['validation', h.valLoss], ['validation, members\' mean', h.meanValLoss]] as const) {
      if (loss === undefined) continue;
      if (!Number.isFinite(loss)) skipped++;
      // JSON has no NaN: a null loss is a gap in the line.
      values.push({ epoch: h.epoch, split, loss: Number.isFinite(loss) ? loss : null });
    }
  });
  const text = options.title ?? 'Loss per epoch';
  return {
    $schema: SCHEMA, width: 420, height: 220,
    title: skipped ? { text, subtitle: `${skipped} non-finite loss${skipped === 1 ? '' : 'es'} (NaN or infinite) not drawn` } : text,
    data: { values }, mark: { type: 'line', point: true },
    encoding: {
      x: { field: 'epoch', type: 'quantitative', axis: { tickMinStep: 1 } },
      y: { field: 'loss', type: 'quantitative', scale: { zero: false } },
      color: { field: 'split', type: 'nominal', title: null, legend: { labelLimit: 240 } },
    },
  };
}
