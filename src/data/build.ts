// A long table (CSV text or objects) to train / validation / test datasets, in panel or window
// mode: split first, then fit the standardization and the fill values on the training split only.
import { DataError } from './errors.js';
import { readCsv, type CsvOptions } from './csv.js';
import { tableFromRows, type LongTable } from './table.js';
import type { Cell } from './cells.js';
import { resolveColumns } from './columns.js';
import { seriesFromTable, type Series } from './series.js';
import { applyMissingRule } from './missing.js';
import { finishSeries } from './prepare.js';
import { entitySplit, timeBlocks, timeCut, blockRange } from './split.js';
import { panelSample, windowSamples, blockWindows, stepsNeeded, type SampleSpec } from './samples.js';
import { ScaleAccumulator, type Standardizer } from './standardize.js';
import { checkTargets, materialize } from './materialize.js';
import { taskHint } from './task.js';
import { checkTableOptions, type TableDatasetOptions } from './table-options.js';
import type { SeriesDataset } from './series-dataset.js';
import type { SplitName } from './options.js';

export interface Datasets {
  train: SeriesDataset;
  /** Present when the split asks for validation data (a requested part that comes out empty is an error). */
  validation?: SeriesDataset;
  test?: SeriesDataset;
  /** Fitted on the training split; applied to every split (also on each dataset). */
  standardizer: Standardizer;
  /** Per feature, its raw mean over the training split: the fill of leading gaps under carry-forward (keep it for new data). */
  featureMeans: number[];
  /** Ids dropped for having too few rows (tooShort: 'drop'). */
  droppedIds: string[];
}

const splitNames: SplitName[] = ['train', 'validation', 'test'];

export function datasetsFromTable(table: LongTable, options: TableDatasetOptions): Datasets {
  const o = checkTableOptions(options);
  const w = o.window;
  const columns = resolveColumns(table.columns, options, w !== null && w.horizon >= 1, table.rows, false, table.rowNumbers);
  const names = columns.features.map((f) => f.name), hasId = columns.id !== undefined, F = names.length;
  const { series: all, kind } = seriesFromTable(table, columns);

  const droppedIds: string[] = [];
  const series = all.filter((s) => {
    if (!w || s.length >= stepsNeeded(w)) return true;
    if (o.tooShort === 'drop') return droppedIds.push(s.id), false;
    throw new DataError('too-few-rows', `the id has ${s.length} rows; a window of ${w.window} steps and its target ${w.horizon} steps later need ${stepsNeeded(w)}`,
      { id: s.id, column: columns.id?.name });
  });
  if (series.length === 0) throw new DataError('too-few-rows', `no id has the ${w ? stepsNeeded(w) : 1} rows a sample needs`);
  for (const s of series) applyMissingRule(s, o.missing, names, hasId);

  // Samples per split, and the steps the training split owns (what the statistics are fitted on).
  const specs: Record<SplitName, SampleSpec[]> = { train: [], validation: [], test: [] };
  const trainSteps: [Series, number, number][] = [];
  const blockSteps = { validation: 0, test: 0 };   // steps in the later time blocks, to tell an empty block from a short one
  const split = options.split;
  const strata = split?.by === 'entity' && split.stratify && !w ? series.map((s) => String(s.y[s.length - 1])) : null;
  const parts = split?.by === 'entity' ? entitySplit(series.map((s) => s.id), split, strata) : null;
  const cut = split?.by === 'time' ? timeCut(split, kind) : null;
  for (const s of series) {
    if (!w) {
      const p = panelSample(s, o.maxLength), part = parts?.get(s.id) ?? 'train';
      specs[part].push(p);
      if (part === 'train') trainSteps.push([s, p.start, s.length]);
    } else if (cut) {
      const blocks = timeBlocks(s, cut);
      blockSteps.validation += blocks.testStart - blocks.validationStart;
      blockSteps.test += s.length - blocks.testStart;
      for (const part of splitNames) for (const p of blockWindows(s, w, ...blockRange(blocks, part, s.length))) specs[part].push(p); // spread-ok: blockRange is a [start, end] pair
      trainSteps.push([s, 0, blocks.validationStart]);
    } else {
      const part = parts?.get(s.id) ?? 'train';
      for (const p of windowSamples(s, w)) specs[part].push(p);
      if (part === 'train') trainSteps.push([s, 0, s.length]);
    }
  }
  if (specs.train.length === 0) throw new DataError('option', 'the split leaves no training sample (the training blocks are shorter than a window and its horizon)');
  for (const part of splitNames) checkTargets(specs[part], columns.target.name, hasId);

  const acc = names.map(() => new ScaleAccumulator());
  for (const [s, from, to] of trainSteps) for (let k = from; k < to; k++) for (let j = 0; j < F; j++) acc[j].add(s.x[k * F + j]);
  const scales = acc.map((a, j) => a.scale(names[j]));
  const targetAcc = new ScaleAccumulator();
  for (const p of specs.train) targetAcc.add(p.series.y[p.targetStep]);
  const standardizer: Standardizer = {
    ...(o.standardizeFeatures ? { features: scales } : {}),
    ...(o.standardizeTarget ? { target: targetAcc.scale(columns.target.name) } : {}),
  };
  for (const s of series) finishSeries(s, names, hasId, scales.map((c) => c.mean), o.standardizeFeatures ? scales : null);

  const everySample = splitNames.flatMap((part) => specs[part]);
  const task = taskHint(everySample.map((p) => p.series.y[p.targetStep]));
  const seq = w ? w.window : o.maxLength ?? everySample.reduce((m, p) => Math.max(m, p.length), -Infinity);
  const build = (part: SplitName) => materialize(specs[part], { seq, featureNames: names, targetName: columns.target.name, standardizer, task });
  const out: Datasets = { train: build('train'), standardizer, featureMeans: scales.map((c) => c.mean), droppedIds };
  for (const part of ['validation', 'test'] as const) {
    if (!split || !requested(split, part)) continue;
    if (specs[part].length === 0) {
      const why = !w ? 'no id'
        : cut && blockSteps[part] === 0 ? `no id has a step in its ${part} block (each id's steps at or after the cutoff)`
          : `no id's ${part} block holds the target of a window (a step with ${stepsNeeded(w) - 1} steps before it)`;
      throw new DataError('option', `the split asks for ${part} data and none comes out: ${why}`);
    }
    out[part] = build(part);
  }
  return out;
}

/** Whether a split asks for a part. */
function requested(split: NonNullable<TableDatasetOptions['split']>, part: 'validation' | 'test'): boolean {
  const s = split as Record<string, unknown>;
  return (s[part] as number | undefined ?? 0) > 0 || s[`${part}From`] !== undefined;
}

/** CSV text (header first) to datasets. */
export function datasetsFromCsv(text: string, options: TableDatasetOptions & CsvOptions): Datasets {
  return datasetsFromTable(readCsv(text, options), options);
}

/** Objects (one per row, e.g. parsed JSON) to datasets. */
export function datasetsFromRows(rows: readonly Record<string, Cell>[], options: TableDatasetOptions): Datasets {
  return datasetsFromTable(tableFromRows(rows), options);
}
