// Runs a list of jobs and returns their results in the list's order, read back from plain JSON
// (src/jobs/job-json.ts): one after another on this thread (workers 1, the default) or on a local
// pool of worker threads; either gives the same bits.
import { runJob } from './run-job.js';
import { fromJsonSafe } from './job-json.js';
import { LocalPool, checkWorkers } from './local-pool.js';

export interface Job {
  kind: string;
  payload: unknown;
}

export interface RunJobsOptions {
  /** Worker threads (default 1: this thread). */
  workers?: number;
  /** Called as each job finishes (in finishing order) with its index and result. */
  onResult?: (index: number, value: unknown) => void | Promise<void>;
}

export async function runJobs(jobs: readonly Job[], options: RunJobsOptions = {}): Promise<unknown[]> {
  const workers = checkWorkers('runJobs', options.workers ?? 1);
  const results: unknown[] = new Array(jobs.length);
  const finish = async (i: number, json: unknown) => {
    results[i] = fromJsonSafe(json);
    await options.onResult?.(i, results[i]);
  };
  if (workers === 1 || jobs.length <= 1) {
    for (let i = 0; i < jobs.length; i++) await finish(i, await runJob(jobs[i].kind, jobs[i].payload));
    return results;
  }
  const pool = new LocalPool({ workers: Math.min(workers, jobs.length) });
  try {
    await Promise.all(jobs.map(async (job, i) => finish(i, await pool.run(job.kind, job.payload))));
  } finally {
    await pool.close();
  }
  return results;
}
