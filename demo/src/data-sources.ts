// The demo's three data sources, turned into train / validation datasets with rnam's dataset API.
// Runs in the worker.
import * as rnam from 'rnam';
import type { CsvMapping, DataSpec, Task } from './protocol.js';

export interface Prepared {
  source: DataSpec['kind'];
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
  /** How the data was made (stored in the model file). */
  settings: rnam.DataSettings;
}

/** The seed's 4 signal terms and 4 noise terms. */
const seedNames = ['x1 (sin)', 'x2 (cos)', 'x3 (sqrt)', 'x4 (square)', 'x5 (noise)', 'x6 (noise)', 'x7 (noise)', 'x8 (noise)'];

/** The column mapping the rain-tomorrow task uses on the Seattle rows of vega-datasets' weather.csv. */
export const weatherMapping: CsvMapping = {
  time: 'date', target: 'rain', features: ['precipitation', 'temp_max', 'temp_min', 'wind'], task: 'binary', window: 14,
};

/**
 * The datasets of `spec`. `standardizer`: a model file's (the scales its training data had), applied
 * instead of fitting new ones, so a loaded model sees its inputs as it was trained on them.
 */
export async function prepare(spec: DataSpec, standardizer?: rnam.Standardizer): Promise<Prepared> {
  return { ...await build(spec, standardizer), source: spec.kind };
}

async function build(spec: DataSpec, standardizer?: rnam.Standardizer): Promise<Omit<Prepared, 'source'>> {
  if (spec.kind === 'seed') return seedData(spec);
  if (spec.kind === 'weather') {
    const response = await fetch(new URL('./data/weather.csv', import.meta.url));
    if (!response.ok) throw new Error(`could not fetch the weather data (${response.status} ${response.statusText})`);
    const prepared = fromCsv(seattleRain(await response.text()), weatherMapping, standardizer);
    return { ...prepared, description: `Seattle 2012-2015 (vega-datasets): will it rain tomorrow, from the last 14 days. ${prepared.description}` };
  }
  return fromCsv(spec.text, spec.mapping, standardizer);
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
  const loc = col('location'), date = col('date'), keep = weatherMapping.features.map(col);
  const out = [['date', ...weatherMapping.features, 'rain'].join(',')];
  for (const row of table.rows) {
    if (row[loc] !== 'Seattle') continue;
    const values = keep.map((i) => String(row[i]));
    out.push([String(row[date]), ...values, Number(values[0]) > 0 ? 1 : 0].join(','));
  }
  return out.join('\n');
}

export function fromCsv(text: string, m: CsvMapping, standardizer?: rnam.Standardizer): Omit<Prepared, 'source'> {
  const built = rnam.datasetsFromCsv(text, {
    ...(m.id ? { id: m.id } : {}), time: m.time, target: m.target, features: m.features,
    mode: 'window', window: m.window, horizon: 1, split: { by: 'time', validation: 0.2 },
    standardize: standardizer ? false : { features: true, target: m.task === 'regression' },
  });
  const scaled = (ds: rnam.SeriesDataset) => (standardizer ? rnam.standardizeDataset(ds, standardizer) : ds);
  const train = scaled(built.train), validation = built.validation && scaled(built.validation);
  if (!validation) throw new Error('the split gave no validation data');
  if (m.task === 'binary' && train.task.kind !== 'binary') throw new Error(`task 'binary' needs a 0/1 target; '${m.target}' holds other values`);
  if (m.task === 'multiclass' && !(train.task.classes !== undefined && train.task.classes >= 2)) {
    throw new Error(`task 'multiclass' needs class indices 0, 1, 2, ... as the target; '${m.target}' holds other values`);
  }
  // Dates are stored as ms since 1970 (Seattle: '2015-03-29'); plain numbers are steps ('day 41').
  const date = (t: number) => (Number.isNaN(t) ? '' : Math.abs(t) > 1e11 ? new Date(t).toISOString().slice(0, 10) : `${m.time} ${t}`);
  const sampleLabels = Array.from({ length: validation.samples }, (_, i) => [validation.sampleIds[i], date(validation.sampleTimes[i])].filter(Boolean).join(' ') || `sample ${i}`);
  return {
    train, validation, task: m.task, featureNames: [...train.featureNames], modelFeatureNames: [...train.featureNames], sampleLabels,
    description: `${train.samples} training and ${validation.samples} validation windows of ${m.window} steps (split by time); target: ${m.target} one step ahead.`,
    summary: 'last', standardizer: train.standardizer,
    settings: { ...(m.id ? { id: m.id } : {}), time: m.time, target: m.target, features: m.features, mode: 'window', window: m.window, horizon: 1, layout: 'terms-first', seq: m.window },
  };
}

/** The header of a CSV and which columns hold numbers (for the mapping form). */
export function csvColumns(text: string): { columns: string[]; rows: number; numeric: string[] } {
  const table = rnam.readCsv(text);
  const numeric = table.columns.filter((_, j) => table.rows.slice(0, 50).every((r) => r[j] === null || r[j] === '' || typeof r[j] === 'number' || !Number.isNaN(Number(r[j]))));
  return { columns: [...table.columns], rows: table.rows.length, numeric };
}
