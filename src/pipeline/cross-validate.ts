// crossValidate: k folds of trainTable and predictTable over one table, the way a data scientist
// checks a model before trusting it. The folds are planned once (src/pipeline/fold-plan.ts), each
// fold runs as a job (src/jobs/fold-job.ts: JSON in, JSON out), here one after another or on local
// worker threads (src/jobs/local-pool.ts) with the same bits, and their results are assembled here.
// Every fold reports the task's metrics (weighted by the weight column when there is one); the
// out-of-fold predictions keep the one contribution convention (intercept + contributions = the output).
import type { Metrics, Task } from '../train/task.js';
import { ArgumentError, describeValue } from '../errors.js';
import { planFolds, type CrossValidateOptions } from './fold-plan.js';
import { toTable, type TableInput } from './table-input.js';
import { Preprocessing, tableClasses, tableRoles } from './preprocessing.js';
import { fitNoteLines } from './train-settings.js';
import type { LongTable } from '../data/table.js';
import type { FoldJob, FoldJobOptions, FoldJobResult } from '../jobs/fold-job.js';
import { runJobs } from '../jobs/run-jobs.js';

export type { CrossValidateOptions } from './fold-plan.js';

export interface FoldResult {
  fold: number;
  /** Samples scored in this fold's test part. */
  samples: number;
  metrics: Metrics;
  /** The simple baselines on the same samples, fitted on the fold's training samples (trainTable's; none for series inputs). */
  baselines?: Record<string, Metrics>;
}

export interface CrossValidation {
  task: Task;
  /** 'grouped' (whole ids, stratified for classification) or 'rolling-origin' (windows). */
  scheme: 'grouped' | 'rolling-origin';
  folds: FoldResult[];
  /** Per metric, its mean and standard deviation over the folds. */
  summary: Record<string, { mean: number; sd: number }>;
  /** Per baseline (those scored in every fold), per metric, its mean and standard deviation over the folds. */
  baselines?: Record<string, Record<string, { mean: number; sd: number }>>;
  /** Every scored sample once: its fold, the CSV columns of predictTable (header) and rows. */
  header: string[];
  rows: (string | number)[][];
}

/** Per metric, the mean and the (sample) standard deviation over the folds. */
export function summarize(folds: readonly { metrics: Metrics }[]): Record<string, { mean: number; sd: number }> {
  const names = Object.keys(folds[0].metrics);
  return Object.fromEntries(names.map((m) => {
    const xs = folds.map((r) => r.metrics[m]), mean = xs.reduce((a, b) => a + b, 0) / xs.length;
    return [m, { mean, sd: Math.sqrt(xs.reduce((a, b) => a + (b - mean) ** 2, 0) / Math.max(1, xs.length - 1)) }];
  }));
}

/** Per baseline scored in every part (the linear one is left out of a part whose design is too wide), summarize's mean and sd over the parts; null when there are none. */
export function summarizeBaselines(parts: readonly { baselines?: Record<string, Metrics> }[]): Record<string, Record<string, { mean: number; sd: number }>> | null {
  const names = Object.keys(parts[0]?.baselines ?? {}).filter((name) => parts.every((r) => r.baselines?.[name]));
  return names.length ? Object.fromEntries(names.map((name) => [name, summarize(parts.map((r) => ({ metrics: r.baselines![name] })))])) : null;
}

/** The CrossValidation of the folds' job results (in fold order). */
export function assembleFolds(scheme: CrossValidation['scheme'], results: readonly FoldJobResult[]): CrossValidation {
  const baselines = summarizeBaselines(results);
  return {
    task: results[results.length - 1].task, scheme,
    folds: results.map(({ fold, samples, metrics, baselines }) => ({ fold, samples, metrics, ...(baselines ? { baselines } : {}) })),
    summary: summarize(results), ...(baselines ? { baselines } : {}),
    header: results[results.length - 1].header, rows: results.flatMap((r) => r.rows),
  };
}

/**
 * crossValidate's options as jobs carry them: the callbacks and the log stay here; a device object is
 * not carried. Class labels are the whole table's (`classes`), so that a fold whose training rows
 * miss a rare class still predicts every class, in the same columns as the other folds; so are the
 * features' roles, so that every fold reads each column the same way.
 */
export function foldJobOptions(where: string, options: CrossValidateOptions, table: LongTable): FoldJobOptions {
  const { folds: _f, workers: _w, executor: _e, log: _l, progress: _p, onEpoch, onBatch, device, ...rest } = options;
  if (onEpoch !== undefined || onBatch !== undefined) throw new ArgumentError(`${where}: onEpoch and onBatch are not available per fold (the folds run as jobs)`);
  if (device !== undefined && typeof device !== 'string') throw new ArgumentError(`${where}: device must be 'auto', 'wasm' or 'webgpu' (the folds run as jobs, which name their device)`);
  const classes = tableClasses(table, options);
  return { ...rest, ...tableRoles(table, options), ...(classes ? { classes } : {}), ...(device !== undefined ? { device } : {}) };
}

/** What train would say of the whole table's columns and task (every fold reads them so), said once. */
function logTableNotes(table: LongTable, options: CrossValidateOptions, log: (line: string) => void): void {
  const { preprocessing, notes } = Preprocessing.fit(table, { ...options, split: { validation: 0, test: 0 } });
  for (const note of fitNoteLines(notes, preprocessing, options.target)) log(note.text);
}

export async function crossValidate(data: TableInput, options: CrossValidateOptions): Promise<CrossValidation> {
  if (typeof options !== 'object' || options === null) throw new ArgumentError(`crossValidate: options must be an object, got ${describeValue(options)}`);
  const k = options.folds ?? 5;
  if (!Number.isInteger(k) || k < 2) throw new ArgumentError(`crossValidate: folds must be an integer >= 2, got ${describeValue(options.folds)}`);
  const table = toTable('crossValidate', data);
  const plan = planFolds(table, options, k);
  const log = options.log ?? null;
  const jobOptions = foldJobOptions('crossValidate', options, table);
  if (log) logTableNotes(table, options, log);
  const jobs: FoldJob[] = plan.parts.map((_, f) => ({ data: typeof data === 'string' ? data : { table }, options: jobOptions, folds: k, fold: f + 1, baselines: true }));
  plan.parts.forEach((part, f) => log?.(`fold ${f + 1} of ${k}: ${part.train.rows.length} training rows`));
  const results = await runJobs(jobs.map((payload) => ({ kind: 'fold', payload })), {
    workers: options.workers, executor: options.executor,
    onResult: (_, value) => {
      const r = value as FoldJobResult;
      log?.(`fold ${r.fold}: ${Object.entries(r.metrics).map(([m, v]) => `${m} ${v.toFixed(4)}`).join(', ')} on ${r.samples} samples`);
    },
  }) as FoldJobResult[];
  return assembleFolds(plan.scheme, results);
}
