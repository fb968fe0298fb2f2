// search: hyperparameter search over trainTable's options. A test part is held out first (whole
// ids, stratified, or the last times for windows: holdoutPart) and never seen by the scoring; each
// trial is scored by K-fold cross-validation on the rest (trials x folds fold jobs) or on one
// validation part of it (a trial job each), all the jobs in one list so every worker stays busy;
// the best configuration is then trained on everything but the test part and tested on it.
// Every unit of work is a job (src/jobs): JSON in, JSON out, the same bits on this thread, a
// worker thread or another machine; with a folder, finished jobs are kept and a run started again
// skips them.
import { ArgumentError, describeValue } from '../errors.js';
import { headlineMetric, type Metrics, type Task } from '../train/task.js';
import { holdoutPart, type CrossValidateOptions } from '../pipeline/fold-plan.js';
import { foldJobOptions, summarize, summarizeBaselines } from '../pipeline/cross-validate.js';
import { toTable, type TableInput } from '../pipeline/table-input.js';
import { trainTable, type TrainedTable } from '../pipeline/train-table.js';
import type { FoldJob, FoldJobResult } from '../jobs/fold-job.js';
import type { TrialJob, TrialJobResult } from '../jobs/trial-job.js';
import { runJobs, type Job, type JobExecutor } from '../jobs/run-jobs.js';
import { JobStore, sha256 } from '../jobs/job-store.js';
import { checkWorkers } from '../jobs/local-pool.js';
import { checkSpace, describeConfig, gridConfigs, randomConfigs, type SearchSpace, type TrialConfig } from './space.js';

export interface SearchOptions extends Omit<CrossValidateOptions, 'folds' | 'workers' | 'onEpoch' | 'onBatch' | 'progress'> {
  /** Random search: the configurations drawn (default 10); grid search: at most this many of the grid's (default all). */
  trials?: number;
  /** Every combination of the space's lists instead of random draws (default false). */
  grid?: boolean;
  /** Score each trial by K-fold cross-validation (K >= 2); without, on a validation part (split.validation, default 0.15). */
  folds?: number;
  /** Worker threads the jobs run on (default 1: this thread). The results are the same bits for any count. */
  workers?: number;
  /** Runs the jobs there instead (a remote queue's client: anything with run(kind, payload) answering runJob's result). */
  executor?: JobExecutor;
  /** A folder for the finished jobs (DIR/jobs): a search started again with it skips them. */
  dir?: string;
  /** Train the best configuration on everything but the test part and test it there (default true). */
  final?: boolean;
  /** Called as each trial is scored (in finishing order). */
  onTrial?: (trial: TrialResult, finished: number, total: number) => void;
}

export interface TrialResult {
  /** 1 ... trials, in the order the configurations were drawn. */
  trial: number;
  config: TrialConfig;
  /** The metrics: over the folds, their mean; on the validation part, its metrics. */
  metrics: Metrics;
  /** Cross-validation: each metric's standard deviation over the folds. */
  sd?: Metrics;
  /** Samples scored (over all folds). */
  samples: number;
}

export interface SearchResult {
  task: Task;
  /** The metric the trials are ranked by, and whether higher is better. */
  metric: string;
  higherIsBetter: boolean;
  scoring: { kind: 'cross-validation'; folds: number } | { kind: 'validation'; share: number };
  /** The share held out for testing before the search (0: none). */
  testShare: number;
  trials: TrialResult[];
  /** The best trial (ties: the earliest). */
  best: TrialResult;
  /** Jobs run by this call, and jobs read from the folder (finished by an earlier call). */
  jobs: { ran: number; reused: number };
  /** Each simple baseline's metrics on the parts the trials are scored on (the mean over the folds), as trainTable's; none for series inputs. */
  baselines?: Record<string, Metrics>;
  /** The best configuration trained on everything but the test part, tested on it (unless final: false). */
  trained?: TrainedTable;
}

/** The metric a task's trials are ranked by. */
export function rankingMetric(task: Task): { metric: string; higherIsBetter: boolean } {
  return { metric: headlineMetric[task], higherIsBetter: task === 'binary' };
}

function positiveInteger(name: string, v: unknown, min: number): number {
  if (!Number.isInteger(v) || (v as number) < min) throw new ArgumentError(`search: ${name} must be an integer >= ${min}, got ${describeValue(v)}`);
  return v as number;
}

export async function search(data: TableInput, space: SearchSpace, options: SearchOptions): Promise<SearchResult> {
  if (typeof options !== 'object' || options === null) throw new ArgumentError(`search: options must be an object, got ${describeValue(options)}`);
  const { trials: askedTrials, grid = false, folds, workers = 1, executor, dir, final = true, onTrial, ...trainOptions } = options;
  if (typeof grid !== 'boolean') throw new ArgumentError(`search: grid must be true or false, got ${describeValue(grid)}`);
  const checked = checkSpace(space, grid);
  const trials = askedTrials === undefined ? undefined : positiveInteger('trials', askedTrials, 1);
  if (folds !== undefined) positiveInteger('folds', folds, 2);
  checkWorkers('search', workers);
  for (const key of Object.keys(checked)) {
    if ((trainOptions as Record<string, unknown>)[key] !== undefined) throw new ArgumentError(`search: ${key} is both an option and in the space: give it in one place`);
  }
  const configs = grid ? gridConfigs(checked).slice(0, trials) : randomConfigs(checked, trials ?? 10, trainOptions.seed ?? 0);
  const testShare = trainOptions.split?.test ?? 0.15, validation = trainOptions.split?.validation ?? 0.15;
  if (!(testShare >= 0 && testShare < 1)) throw new ArgumentError(`search: split.test must be a fraction in [0, 1), got ${describeValue(testShare)}`);
  if (folds === undefined && !(validation > 0 && validation < 1)) throw new ArgumentError(`search: without folds the trials are scored on split.validation, a fraction in (0, 1), got ${describeValue(validation)}`);
  const log = trainOptions.log ?? null;

  const table = toTable('search', data);
  // The test part, held out here as each job holds it out (the same pure function), never scored on.
  const held = testShare > 0 ? holdoutPart(table, trainOptions, testShare, 'search: split.test') : null;
  const base = foldJobOptions('search', { ...trainOptions, log: null }, table);
  const jobData = typeof data === 'string' ? data : { table };
  const share = testShare > 0 ? { testShare } : {};
  const jobs: Job[] = [], trialOf: number[] = [];
  configs.forEach((config, t) => {
    const options = { ...base, ...config };
    // The baselines do not depend on the trial's settings: the first trial's jobs score them.
    const baselines = t === 0 ? { baselines: true } : {};
    if (folds !== undefined) {
      for (let f = 1; f <= folds; f++) {
        jobs.push({ kind: 'fold', payload: { data: jobData, options, folds, fold: f, ...share, ...baselines } satisfies FoldJob });
        trialOf.push(t);
      }
    } else {
      jobs.push({ kind: 'trial', payload: { data: jobData, options, validation, ...share, ...baselines } satisfies TrialJob });
      trialOf.push(t);
    }
  });
  const perTrial = folds ?? 1;
  const store = dir === undefined ? undefined : await JobStore.open(dir, {
    data: sha256(typeof data === 'string' ? data : JSON.stringify(table)), space: checked, options: base, trials: trials ?? null, grid, folds: folds ?? null, testShare, validation,
  });
  log?.(`search: ${configs.length} trials (${grid ? 'grid' : 'random'}), each ${folds !== undefined ? `on ${folds} folds` : `on a validation part of ${validation}`}; ${jobs.length} jobs on ${executor ? 'the executor' : `${workers} worker${workers > 1 ? 's' : ''}`}${held ? `; a test part of ${testShare} held out` : ''}`);

  const done = configs.map(() => [] as (FoldJobResult | TrialJobResult)[]);
  const results: (TrialResult | undefined)[] = configs.map(() => undefined);
  let finished = 0, ran = 0, reused = 0;
  const score = (t: number): TrialResult => {
    const parts = done[t];
    if (folds === undefined) return { trial: t + 1, config: configs[t], metrics: parts[0].metrics, samples: parts[0].samples };
    const sorted = [...(parts as FoldJobResult[])].sort((a, b) => a.fold - b.fold), s = summarize(sorted);
    return {
      trial: t + 1, config: configs[t], metrics: Object.fromEntries(Object.entries(s).map(([m, v]) => [m, v.mean])),
      sd: Object.fromEntries(Object.entries(s).map(([m, v]) => [m, v.sd])), samples: sorted.reduce((n, r) => n + r.samples, 0),
    };
  };
  const values = await runJobs(jobs, {
    workers, executor, store,
    onResult: (i, value, wasReused) => {
      if (wasReused) reused++;
      else ran++;
      const t = trialOf[i];
      done[t].push(value as FoldJobResult | TrialJobResult);
      if (done[t].length === perTrial) {
        results[t] = score(t);
        onTrial?.(results[t]!, ++finished, configs.length);
      }
    },
  }) as (FoldJobResult | TrialJobResult)[];
  const task = values[0].task;
  const { metric, higherIsBetter } = rankingMetric(task);
  const scored = results as TrialResult[];
  const best = scored.reduce((b, r) => {
    const x = r.metrics[metric], y = b.metrics[metric];
    return (higherIsBetter ? x > y : x < y) || (Number.isNaN(y) && !Number.isNaN(x)) ? r : b;
  });
  const summary = summarizeBaselines(done[0] as { baselines?: Record<string, Metrics> }[]);
  const baselines = summary && Object.fromEntries(Object.entries(summary).map(([name, s]) => [name, Object.fromEntries(Object.entries(s).map(([m, v]) => [m, v.mean]))]));
  const same = baselines && baselines[Object.keys(baselines)[0]][metric] !== undefined
    ? `; on the same ${folds !== undefined ? 'folds' : 'part'}: ${Object.entries(baselines).map(([name, m]) => `${name} ${m[metric]?.toFixed(4) ?? '-'}`).join(', ')}` : '';
  log?.(`best: trial ${best.trial} (${describeConfig(best.config)}): ${metric} ${best.metrics[metric].toFixed(4)}${same}`);
  const result: SearchResult = {
    task, metric, higherIsBetter, scoring: folds !== undefined ? { kind: 'cross-validation', folds } : { kind: 'validation', share: validation },
    testShare, trials: scored, best, jobs: { ran, reused }, ...(baselines ? { baselines } : {}),
  };
  if (final) result.trained = await trainBest(table, held, { ...trainOptions, ...best.config }, testShare, validation);
  return result;
}

/**
 * The best configuration trained on everything but the test part (each member early-stopping on its
 * own validation ids, then refitted on all of them for the additive model) and tested on the test
 * part. Windows keep their history: trainTable's own time split holds out the last test share of
 * each series' steps (the search scored on the rows before the last test share of the times).
 */
async function trainBest(table: ReturnType<typeof toTable>, held: ReturnType<typeof holdoutPart> | null, options: CrossValidateOptions, testShare: number, validation: number): Promise<TrainedTable> {
  const { folds: _f, workers: _w, ...rest } = options as CrossValidateOptions & { folds?: number; workers?: number };
  const refit = rest.refit ?? (rest.model ?? 'additive') === 'additive';
  if (rest.window !== undefined) return trainTable(table, { ...rest, refit, split: { ...rest.split, validation, test: testShare } });
  return trainTable(held ? held.train : table, { ...rest, refit, split: { ...rest.split, validation, test: 0 }, ...(held ? { testData: held.test } : {}) });
}
