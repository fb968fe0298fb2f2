// One fold of a cross-validation as a job: JSON in, JSON out, the same bits in any thread, process
// or machine. The job plans the folds again from the table (pure and cheap), trains fold f with
// trainTable and scores its test part with predictTable.
import type { LongTable } from '../data/table.js';
import { DataError } from '../data/errors.js';
import { JobError, describeValue } from '../errors.js';
import { predictionMetrics, type Metrics, type Task } from '../train/task.js';
import { trainTable } from '../pipeline/train-table.js';
import { predictTable } from '../pipeline/predict-table.js';
import { planFolds, type CrossValidateOptions, type FoldPlan } from '../pipeline/fold-plan.js';
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
}

export interface FoldJobResult {
  fold: number;
  /** Samples scored in this fold's test part. */
  samples: number;
  metrics: Metrics;
  task: Task;
  /** predictTable's CSV columns with 'fold' first, and the scored samples' rows. */
  header: string[];
  rows: (string | number)[][];
}

const notCarried = ['folds', 'workers', 'log', 'progress', 'onEpoch', 'onBatch'];

export function checkFoldJob(payload: unknown): FoldJob {
  if (typeof payload !== 'object' || payload === null) throw new JobError(`fold job: the payload must be { data, options, folds, fold }, got ${describeValue(payload)}`);
  const p = payload as Partial<FoldJob>;
  const data = checkJobData('fold job', p.data);
  if (typeof p.options !== 'object' || p.options === null || typeof p.options.target !== 'string') throw new JobError(`fold job: options must be an object with a target column, got ${describeValue(p.options)}`);
  const extra = notCarried.filter((k) => k in p.options!);
  if (extra.length) throw new JobError(`fold job: options.${extra[0]} is not part of a job (folds and fold are the job's own fields; logs and callbacks stay with the caller)`);
  if (p.options.device !== undefined && !['auto', 'wasm', 'webgpu'].includes(p.options.device)) throw new JobError(`fold job: options.device must be 'auto', 'wasm' or 'webgpu', got ${describeValue(p.options.device)}`);
  checkSerializable('fold job', p.options, 'options');
  if (!Number.isInteger(p.folds) || p.folds! < 2) throw new JobError(`fold job: folds must be an integer >= 2, got ${describeValue(p.folds)}`);
  if (!Number.isInteger(p.fold) || p.fold! < 1 || p.fold! > p.folds!) throw new JobError(`fold job: fold must be an integer in 1 ... ${p.folds}, got ${describeValue(p.fold)}`);
  return { data, options: p.options, folds: p.folds!, fold: p.fold! };
}

/** Runs fold `job.fold`; `planned` (the table and its plan) spares an in-process caller parsing and planning again. */
export async function runFoldJob(job: FoldJob, planned?: { table: LongTable; plan: FoldPlan }): Promise<FoldJobResult> {
  const { options, folds: k, fold } = job;
  const plan = planned?.plan ?? planFolds(loadJobData(job.data), options, k);
  const part = plan.parts[fold - 1];
  const trained = await trainTable(part.train, { ...options, split: { ...options.split, test: 0 }, log: null, examples: 0 });
  try {
    const task = trained.preprocessing.task;
    const p = await predictTable(trained, part.test);
    const scored = Array.from({ length: p.samples }, (_, i) => i).filter((i) => p.targetKnown[i] && (plan.scheme === 'grouped' || (p.times[i] >= part.from && p.times[i] < part.to)));
    if (scored.length === 0) throw new DataError('option', `fold ${fold} has no test sample with a known target (too few rows or ids for ${k} folds)`);
    const y = scored.map((i) => p.targets[i]);
    const classes = trained.preprocessing.outputs;
    const scores = task === 'multiclass'
      ? scored.flatMap((i) => Array.from(p.probabilities!.subarray(i * classes, (i + 1) * classes)))
      : scored.map((i) => p.prediction[i]);
    const metrics = predictionMetrics(task, scores, y, classes);
    const all = [...p.rows()];
    return { fold, samples: scored.length, metrics, task, header: ['fold', ...p.header], rows: scored.map((i) => [fold, ...all[i]]) };
  } finally {
    for (const param of trained.model.parameters()) param.dispose();
  }
}
