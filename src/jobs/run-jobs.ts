// Runs a list of jobs and returns their results in the list's order, read back from plain JSON
// (src/jobs/job-json.ts): one after another on this thread (workers 1, the default) or on a local
// pool of worker threads, or on an executor of the caller's (a remote queue); each gives the same bits. With a job folder (src/jobs/job-store.ts),
// jobs finished before are read from it and every job finished now is written to it at once.
import { runJob } from './run-job.js';
import { fromJsonSafe } from './job-json.js';
import { LocalPool, checkWorkers } from './local-pool.js';
import { jobId, type JobStore } from './job-store.js';
import type { JobExecutor } from './executor.js';

export type { JobExecutor } from './executor.js';

export interface Job {
  kind: string;
  payload: unknown;
}

export interface RunJobsOptions {
  /** Worker threads (default 1: this thread). */
  workers?: number;
  /** Runs the jobs there instead of on this thread or a pool of `workers` (the caller owns it: runJobs does not close it). */
  executor?: JobExecutor;
  /** Where finished jobs are kept (a run started again skips them). */
  store?: JobStore;
  /** Called as each job finishes (in finishing order; first the ones the store had, `reused`) with its index and result. */
  onResult?: (index: number, value: unknown, reused: boolean) => void | Promise<void>;
}

export async function runJobs(jobs: readonly Job[], options: RunJobsOptions = {}): Promise<unknown[]> {
  const workers = checkWorkers('runJobs', options.workers ?? 1);
  const results: unknown[] = new Array(jobs.length);
  const ids = options.store ? jobs.map((j) => jobId(j.kind, j.payload)) : [];
  const todo: number[] = [];
  for (let i = 0; i < jobs.length; i++) {
    const kept = options.store?.get(ids[i]);
    if (kept === undefined) todo.push(i);
    else {
      results[i] = fromJsonSafe(kept);
      await options.onResult?.(i, results[i], true);
    }
  }
  const finish = async (i: number, json: unknown) => {
    await options.store?.put(ids[i], jobs[i].kind, json);
    results[i] = fromJsonSafe(json);
    await options.onResult?.(i, results[i], false);
  };
  if (options.executor) {
    const executor = options.executor;
    await Promise.all(todo.map(async (i) => finish(i, await executor.run(jobs[i].kind, jobs[i].payload))));
    return results;
  }
  if (workers === 1 || todo.length <= 1) {
    for (const i of todo) await finish(i, await runJob(jobs[i].kind, jobs[i].payload));
    return results;
  }
  const pool = new LocalPool({ workers: Math.min(workers, todo.length) });
  try {
    await Promise.all(todo.map(async (i) => finish(i, await pool.run(jobs[i].kind, jobs[i].payload))));
  } finally {
    await pool.close();
  }
  return results;
}
