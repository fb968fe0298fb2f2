// The one entry point of every runner (in-process, a local worker thread, a remote queue worker):
// a job's kind and its JSON payload in, its result as plain JSON out (src/jobs/job-json.ts), the
// same bits wherever it runs. A kind not listed here, or a payload that is not that kind's, is a JobError.
import { JobError, describeValue } from '../errors.js';
import { checkFoldJob, runFoldJob } from './fold-job.js';
import { checkTrialJob, runTrialJob } from './trial-job.js';
import { toJsonSafe } from './job-json.js';

export type JobKind = 'fold' | 'trial';

const runners: Record<JobKind, (payload: unknown) => Promise<unknown>> = {
  fold: (payload) => runFoldJob(checkFoldJob(payload)),
  trial: (payload) => runTrialJob(checkTrialJob(payload)),
};

export const jobKinds = Object.keys(runners) as JobKind[];

export async function runJob(kind: string, payload: unknown): Promise<unknown> {
  if (typeof kind !== 'string' || !Object.hasOwn(runners, kind)) throw new JobError(`runJob: unknown job kind ${describeValue(kind)} (${jobKinds.join(', ')})`);
  return toJsonSafe(await runners[kind as JobKind](payload));
}
