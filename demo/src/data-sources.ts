// The demo's three data sources, turned into train / validation datasets with rnam's dataset API.
// Runs in the worker.
import * as rnam from 'rnam';
import type { CsvMapping, DataSpec, Task } from './protocol.js';
import { guessColumns, type ColumnGuess } from './column-guess.js';

export interface Prepared {
  /** What the data came from (its model file is named after it: modelFileName). */
  source: DataSpec;
  train: rnam.SequenceDataset;
  validation: rnam.SequenceDataset;
  task: Task;
  /** The names the page shows. */
  featureNames: string[];
  /** The names a model file records (a loaded model must have been trained on the same). */
  modelFeatureNames: string[];
  /** Per validation sample, a label for the sample picker (id and time, or its index). */
  sampleLabels: string[];
  /** One sentence about the data, for the page. */
  description: string;
  /** The x axis of the shape functions: each input sequence's last value, mean, or EMA. */
  summary: rnam.SequenceSummary;
  standardizer?: rnam.Standardizer;
  /** How the data was made (stored in the model file of a seed run). */
  settings: rnam.DataSettings;
}

/** The seed's 4 signal terms and 4 noise terms. */
const seedNames = ['x1 (sin)', 'x2 (cos)', 'x3 (sqrt)', 'x4 (square)', 'x5 (noise)', 'x6 (noise)', 'x7 (noise)', 'x8 (noise)'];

/** The column mapping the rain-tomorrow task uses on the Seattle rows of vega-datasets' weather.csv. */
export const weatherMapping: CsvMapping = {
  time: 'date', target: 'rain', task: 'binary', window: 14, roles: { features: ['precipitation', 'temp_max', 'temp_min', 'wind'], static: [], categorical: [] },
};

/**
 * The datasets of `spec`. `record`: a model file's preprocessing (its columns, window and the scales
 * its training data had), applied instead of fitting new ones, so a loaded model sees its inputs as
 * it was trained on them.
 */
export async function prepare(spec: DataSpec, record?: rnam.PreprocessingRecord): Promise<Prepared> {
  if (spec.kind === 'seed') return { ...seedData(spec), source: spec };
  const table = await tableSource(spec);
  const prepared = fromCsv(table.text, table.mapping, undefined, record);
  return { ...prepared, description: table.describe(prepared.description), source: spec };
}

/** A table data source: its CSV text, the column mapping, and how to describe it. */
export async function tableSource(spec: Exclude<DataSpec, { kind: 'seed' }>): Promise<{ text: string; mapping: CsvMapping; describe(rest: string): string }> {
  if (spec.kind === 'weather') {
    const response = await fetch(new URL('./data/weather.csv', import.meta.url));
    if (!response.ok) throw new Error(`could not fetch the weather data (${response.status} ${response.statusText})`);
    return { text: seattleRain(await response.text()), mapping: weatherMapping, describe: (rest) => `Seattle 2012-2015 (vega-datasets): will it rain tomorrow, from the last 14 days. ${rest}` };
  }
  return { text: spec.text, mapping: spec.mapping, describe: (rest) => rest };
}

function seedData(spec: Extract<DataSpec, { kind: 'seed' }>): Omit<Prepared, 'source'> {
  rnam.manualSeed(spec.seed);
  if (!(Number.isInteger(spec.samples) && spec.samples >= 200 && spec.samples % 100 === 0)) throw new Error(`sequences must be a multiple of 100, at least 200; got ${spec.samples}`);
  const splitPoint = Math.min(spec.samples - 100, Math.round((spec.samples * 0.8) / 100) * 100);
  const { train, validation } = rnam.generateSeedData({ samples: spec.samples, seq: spec.seq, splitPoint });
  return {
    train, validation, task: 'regression', featureNames: seedNames, modelFeatureNames: seedNames.map((n) => n.split(' ')[0]),
    sampleLabels: Array.from({ length: validation.samples }, (_, i) => `sample ${splitPoint + i}`),
    description: `Synthetic (the seed's generator, seed ${spec.seed}): ${train.samples} training and ${validation.samples} validation sequences of ${spec.seq} steps; the target is sin, cos, sqrt and square of the EMAs of x1-x4; x5-x8 are noise.`,
    summary: 'ema', settings: { layout: 'terms-first', seq: spec.seq },
  };
}

/**
 * The Seattle rows of weather.csv with a 0/1 `rain` column (precipitation > 0). With horizon 1 the
 * target of a window is the next day's `rain`: "will it rain tomorrow".
 */
export function seattleRain(text: string): string {
  const table = rnam.readCsv(text);
  const col = (name: string) => {
    const i = table.columns.indexOf(name);
    if (i < 0) throw new Error(`weather.csv has no '${name}' column (columns: ${table.columns.join(', ')})`);
    return i;
  };
  const features = weatherMapping.roles!.features;
  const loc = col('location'), date = col('date'), keep = features.map(col);
  const out = [['date', ...features, 'rain'].join(',')];
  for (const row of table.rows) {
    if (row[loc] !== 'Seattle') continue;
    const values = keep.map((i) => String(row[i]));
    out.push([String(row[date]), ...values, Number(values[0]) > 0 ? 1 : 0].join(','));
  }
  return out.join('\n');
}

/**
 * A CSV mapped to rnam's one path: trainTable's options. Windows are split in time with the last 20%
 * for validation and no test part (the first-order model, as the page always trained it); panels and
 * plain tables keep the library's split (15% of the ids for the test, members cross-fitted).
 */
export function tableOptions(m: CsvMapping, model: 'additive' | 'first-order'): rnam.PreprocessingOptions {
  if (model === 'first-order' && (m.time === undefined || m.window === undefined)) {
    throw new rnam.ArgumentError('the first-order model on the page reads windows: choose a time column and a window (or the additive model)');
  }
  return {
    ...(m.id ? { id: m.id } : {}), ...(m.time ? { time: m.time } : {}), target: m.target, ...(m.task ? { task: m.task } : {}),
    ...(m.roles ? { features: m.roles.features, static: m.roles.static, categorical: m.roles.categorical } : {}),
    ...(m.window !== undefined ? { window: m.window, horizon: 1 } : {}), ...(m.targetHistory ? { targetHistory: true } : {}),
    ...(model === 'first-order' ? { split: { validation: 0.2, test: 0 } } : {}),
  };
}

export function fromCsv(text: string, m: CsvMapping, built?: rnam.Datasets, record?: rnam.PreprocessingRecord): Omit<Prepared, 'source'> {
  if (record && (record.inputs !== 'series' || record.mode !== 'window')) {
    throw new Error(`the page explains models of windows over one value per feature and step; this file's model reads ${record.inputs} inputs in ${record.mode} mode (use rnam predict)`);
  }
  const fromRecord = record && {
    id: record.columns.id, time: record.columns.time ?? m.time, target: record.columns.target, features: record.columns.features,
    task: record.target.task, window: record.window ?? m.window,
  };
  const mapping = fromRecord ?? { ...m, features: m.roles?.features };
  if (mapping.time === undefined || mapping.window === undefined || (!built && !mapping.features?.length)) {
    throw new rnam.ArgumentError('the first-order model on the page reads windows: choose a time column, a window and the time-varying features');
  }
  const d = built ?? rnam.datasetsFromCsv(text, {
    ...(mapping.id ? { id: mapping.id } : {}), time: mapping.time, target: mapping.target, features: mapping.features!,
    mode: 'window', window: mapping.window, horizon: 1, split: { by: 'time', validation: 0.2 }, standardize: false,
  });
  const scaled = (ds: rnam.SeriesDataset) => (record ? rnam.standardizeDataset(ds, record.standardizer) : ds);
  const train = scaled(d.train), validation = d.validation && scaled(d.validation);
  if (!validation) throw new Error('the split gave no validation data');
  // Dates are stored as ms since 1970 (Seattle: '2015-03-29'); plain numbers are steps ('day 41').
  const date = (t: number) => (Number.isNaN(t) ? '' : Math.abs(t) > 1e11 ? new Date(t).toISOString().slice(0, 10) : `${mapping.time} ${t}`);
  const sampleLabels = Array.from({ length: validation.samples }, (_, i) => [validation.sampleIds[i], date(validation.sampleTimes[i])].filter(Boolean).join(' ') || `sample ${i}`);
  return {
    train, validation, task: mapping.task ?? 'regression', featureNames: [...train.featureNames], modelFeatureNames: [...train.featureNames], sampleLabels,
    description: `${train.samples} training and ${validation.samples} validation windows of ${mapping.window} steps (split by time); target: ${mapping.target} one step ahead.`,
    summary: 'last', standardizer: train.standardizer,
    settings: { ...(mapping.id ? { id: mapping.id } : {}), time: mapping.time, target: mapping.target, features: [...train.featureNames], mode: 'window', window: mapping.window, horizon: 1, layout: 'terms-first', seq: mapping.window },
  };
}

/** The header of a CSV and which columns hold numbers (for the mapping form). */
export function csvColumns(text: string): { columns: string[]; rows: number; numeric: string[]; guess: ColumnGuess } {
  const table = rnam.readCsv(text);
  const missing = (c: rnam.Cell) => c === null || rnam.missingSpellings.includes(String(c).trim().toLowerCase());
  const numeric = table.columns.filter((_, j) => table.rows.slice(0, 50).every((r) => missing(r[j]) || typeof r[j] === 'number' || !Number.isNaN(Number(r[j]))));
  return { columns: [...table.columns], rows: table.rows.length, numeric, guess: guessColumns(table, numeric, rnam.missingSpellings) };
}
