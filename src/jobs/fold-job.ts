// One fold of a cross-validation as a job: JSON in, JSON out, the same bits in any thread, process
// or machine. The job plans the folds again from the table (pure and cheap), trains fold f with
// trainTable and scores its test part with predictTable.
import type { LongTable } from '../data/table.js';
import { DataError } from '../data/errors.js';
import { JobError, describeValue } from '../errors.js';
import { predictionMetrics, type Metrics, type Task } from '../train/task.js';
import { trainTable, type TrainedTable } from '../pipeline/train-table.js';
import { predictTable } from '../pipeline/predict-table.js';
import { preprocessingBaselines } from '../pipeline/baselines.js';
import { MixedDataset } from '../data/mixed-dataset.js';
import { holdoutPart, planFolds, windowTargetTimes, type CrossValidateOptions, type FoldPart } from '../pipeline/fold-plan.js';
import { checkJobData, checkSerializable, loadJobData, type JobData } from './job-data.js';

/** crossValidate's options as a job carries them: no functions, a device named, not given. */
export type FoldJobOptions = Omit<CrossValidateOptions, 'folds' | 'workers' | 'log' | 'progress' | 'onEpoch' | 'onBatch' | 'device'> & { device?: 'auto' | 'wasm' | 'webgpu' };

export interface FoldJob {
  data: JobData;
  options: FoldJobOptions;
  /** The number of folds. */
  folds: number;
  /** Which fold, 1 ... folds. */
  fold: number;
  /** A share held out for testing before the folds are planned (a search's test part; see holdoutPart). */
  testShare?: number;
  /** Also score the simple baselines (trainTable's) on the fold's test samples, fitted on its training samples. */
  baselines?: boolean;
}

export interface FoldJobResult {
  fold: number;
  /** Samples scored in this fold's test part. */
  samples: number;
  metrics: Metrics;
  /** When the job asked for them: each baseline's metrics on the same samples (none for series inputs). */
  baselines?: Record<string, Metrics>;
  task: Task;
  /** predictTable's CSV columns with 'fold' first, and the scored samples' rows. */
  header: string[];
  rows: (string | number)[][];
}

const notCarried = ['folds', 'workers', 'log', 'progress', 'onEpoch', 'onBatch'];

/** A job's training options checked: an object with a target, JSON values only, nothing a job does not carry. */
export function checkJobOptions(where: string, options: unknown): FoldJobOptions {
  if (typeof options !== 'object' || options === null || typeof (options as FoldJobOptions).target !== 'string') throw new JobError(`${where}: options must be an object with a target column, got ${describeValue(options)}`);
  const o = options as FoldJobOptions;
  const extra = notCarried.filter((k) => k in o);
  if (extra.length) throw new JobError(`${where}: options.${extra[0]} is not part of a job (the folds are the job's own fields; logs and callbacks stay with the caller)`);
  if (o.device !== undefined && !['auto', 'wasm', 'webgpu'].includes(o.device)) throw new JobError(`${where}: options.device must be 'auto', 'wasm' or 'webgpu', got ${describeValue(o.device)}`);
  checkSerializable(where, o, 'options');
  return o;
}

export function checkTestShare(where: string, share: unknown): number | undefined {
  if (share !== undefined && !(typeof share === 'number' && share > 0 && share < 1)) throw new JobError(`${where}: testShare must be a fraction in (0, 1), got ${describeValue(share)}`);
  return share as number | undefined;
}

export function checkFoldJob(payload: unknown): FoldJob {
  if (typeof payload !== 'object' || payload === null) throw new JobError(`fold job: the payload must be { data, options, folds, fold }, got ${describeValue(payload)}`);
  const p = payload as Partial<FoldJob>;
  const data = checkJobData('fold job', p.data);
  checkJobOptions('fold job', p.options);
  const testShare = checkTestShare('fold job', p.testShare);
  if (p.baselines !== undefined && typeof p.baselines !== 'boolean') throw new JobError(`fold job: baselines must be true or false, got ${describeValue(p.baselines)}`);
  if (!Number.isInteger(p.folds) || p.folds! < 2) throw new JobError(`fold job: folds must be an integer >= 2, got ${describeValue(p.folds)}`);
  if (!Number.isInteger(p.fold) || p.fold! < 1 || p.fold! > p.folds!) throw new JobError(`fold job: fold must be an integer in 1 ... ${p.folds}, got ${describeValue(p.fold)}`);
  return { data, options: p.options!, folds: p.folds!, fold: p.fold!, ...(testShare !== undefined ? { testShare } : {}), ...(p.baselines ? { baselines: true } : {}) };
}

/** The table a job works on: its data, less the share held out for testing (a search's test part) when it names one. */
export function jobTable(data: JobData, options: FoldJobOptions, testShare: number | undefined): LongTable {
  const table = loadJobData(data);
  return testShare === undefined ? table : holdoutPart(table, options, testShare, 'the test share').train;
}

/** Trains on a part's training rows and scores the samples of its test part at the part's times (and, asked, the baselines on them). */
export async function scorePart(part: FoldPart, windowed: boolean, options: FoldJobOptions, what: string, withBaselines = false): Promise<Omit<FoldJobResult, 'fold'>> {
  const trained = await trainTable(part.train, { ...options, split: { ...options.split, test: 0 }, log: null, examples: 0 }).catch((err: unknown) => {
    // Which part failed to train.
    if (!(err instanceof DataError)) throw err;
    throw new DataError(err.code, `${what}, trained on the rows outside it: ${err.detail}`, { column: err.column, row: err.row, id: err.id });
  });
  try {
    const task = trained.preprocessing.task;
    const p = await predictTable(trained, part.test);
    const targetTime = windowed ? windowTargetTimes(part.test, options) : null;
    const inPart = (i: number) => {
      const t = targetTime!(p.ids[i], p.times[i]);
      return t !== undefined && t >= part.from && t < part.to;
    };
    const scored = Array.from({ length: p.samples }, (_, i) => i).filter((i) => p.targetKnown[i] && (!targetTime || inPart(i)));
    if (scored.length === 0) throw new DataError('option', `${what} has no test sample with a known target (too few rows or ids)`);
    const y = scored.map((i) => p.targets[i]);
    const classes = trained.preprocessing.outputs;
    const scores = task === 'multiclass'
      ? scored.flatMap((i) => Array.from(p.probabilities!.subarray(i * classes, (i + 1) * classes)))
      : scored.map((i) => p.prediction[i]);
    const metrics = predictionMetrics(task, scores, y, classes, p.weights && scored.map((i) => p.weights![i]));
    const all = [...p.rows()];
    const baselines = withBaselines ? partBaselines(trained, part.test, scored) : undefined;
    return { samples: scored.length, metrics, ...(baselines ? { baselines } : {}), task, header: p.header, rows: scored.map((i) => all[i]) };
  } finally {
    for (const param of trained.model.parameters()) param.dispose();
  }
}

/** The baselines fitted on the samples the model trained on, scored on the test part's scored samples (predictTable's order). */
function partBaselines(trained: TrainedTable, test: LongTable, scored: number[]): Record<string, Metrics> {
  const { dataset } = trained.preprocessing.transformParts(test, { weights: true });
  return dataset instanceof MixedDataset ? preprocessingBaselines(trained.preprocessing, trained.datasets.train, dataset.subset(scored)) : {};
}

/** Runs fold `job.fold` of the folds planned on the job's table. */
export async function runFoldJob(job: FoldJob): Promise<FoldJobResult> {
  const { options, folds: k, fold } = job;
  const plan = planFolds(jobTable(job.data, options, job.testShare), options, k);
  const r = await scorePart(plan.parts[fold - 1], plan.scheme === 'rolling-origin', options, `fold ${fold} of ${k}`, job.baselines ?? false);
  return { fold, ...r, header: ['fold', ...r.header], rows: r.rows.map((row) => [fold, ...row]) };
}
