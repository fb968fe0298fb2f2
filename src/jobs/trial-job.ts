// One trial scored on a validation part as a job (a search without folds): the job's table less its
// test share, a validation share of it held out like a fold (whole ids, stratified; the last times
// for windows), trained on the rest with trainTable and scored with predictTable.
import { JobError, describeValue } from '../errors.js';
import type { Metrics, Task } from '../train/task.js';
import { holdoutPart } from '../pipeline/fold-plan.js';
import { checkJobData, type JobData } from './job-data.js';
import { checkJobOptions, checkTestShare, jobTable, scorePart, type FoldJobOptions } from './fold-job.js';

export interface TrialJob {
  data: JobData;
  options: FoldJobOptions;
  /** The share of the (test-less) table the trial is scored on. */
  validation: number;
  testShare?: number;
  /** Also score the simple baselines on the validation part (see FoldJob.baselines). */
  baselines?: boolean;
}

export interface TrialJobResult {
  samples: number;
  metrics: Metrics;
  /** When the job asked for them: each baseline's metrics on the same part. */
  baselines?: Record<string, Metrics>;
  task: Task;
}

export function checkTrialJob(payload: unknown): TrialJob {
  if (typeof payload !== 'object' || payload === null) throw new JobError(`trial job: the payload must be { data, options, validation }, got ${describeValue(payload)}`);
  const p = payload as Partial<TrialJob>;
  const data = checkJobData('trial job', p.data);
  const options = checkJobOptions('trial job', p.options);
  const testShare = checkTestShare('trial job', p.testShare);
  if (!(typeof p.validation === 'number' && p.validation > 0 && p.validation < 1)) throw new JobError(`trial job: validation must be a fraction in (0, 1), got ${describeValue(p.validation)}`);
  if (p.baselines !== undefined && typeof p.baselines !== 'boolean') throw new JobError(`trial job: baselines must be true or false, got ${describeValue(p.baselines)}`);
  return { data, options, validation: p.validation, ...(testShare !== undefined ? { testShare } : {}), ...(p.baselines ? { baselines: true } : {}) };
}

export async function runTrialJob(job: TrialJob): Promise<TrialJobResult> {
  const part = holdoutPart(jobTable(job.data, job.options, job.testShare), job.options, job.validation, 'the validation share');
  const { samples, metrics, baselines, task } = await scorePart(part, job.options.window !== undefined, job.options, 'the validation part', job.baselines ?? false);
  return { samples, metrics, ...(baselines ? { baselines } : {}), task };
}
