// The queue as a JobExecutor (src/jobs/executor.ts): runJobs, crossValidate and search hand it their
// jobs one by one; the jobs asked for in the same turn of the event loop go onto the queue together
// (one runJobsOnQueue), each answered as its result arrives. Job ids are the jobs' content hashes, so a
// coordinator started again finds the results already in Redis.
import { jobId } from '../jobs/job-store.js';
import type { JobExecutor } from '../jobs/executor.js';
import { runJobsOnQueue, type RunJobsOnQueueOptions } from './coordinator.js';

interface Waiting {
  kind: string;
  payload: unknown;
  waiters: { resolve: (v: unknown) => void; reject: (e: unknown) => void }[];
}

/** Options left unset (undefined) are absent in JSON: drop them, as JSON.stringify would (anything else JSON cannot carry stays, for the queue's own check). */
function withoutUndefined(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(withoutUndefined);
  if (typeof v !== 'object' || v === null) return v;
  return Object.fromEntries(Object.entries(v).filter(([, x]) => x !== undefined).map(([k, x]) => [k, withoutUndefined(x)]));
}

export class QueueExecutor implements JobExecutor {
  private batch = new Map<string, Waiting>();

  constructor(private readonly options: Omit<RunJobsOnQueueOptions, 'jobs' | 'onResult'>) {}

  run(kind: string, payload: unknown): Promise<unknown> {
    payload = withoutUndefined(payload);
    return new Promise((resolve, reject) => {
      if (this.batch.size === 0) setImmediate(() => void this.flush());
      const id = jobId(kind, payload);
      const waiting = this.batch.get(id) ?? { kind, payload, waiters: [] };
      waiting.waiters.push({ resolve, reject });
      this.batch.set(id, waiting);
    });
  }

  private async flush(): Promise<void> {
    const batch = this.batch;
    this.batch = new Map();
    const ids = [...batch.keys()];
    try {
      await runJobsOnQueue({
        ...this.options, jobs: ids.map((id) => ({ id, kind: batch.get(id)!.kind, payload: batch.get(id)!.payload })),
        onResult: (r) => { for (const w of batch.get(r.id)!.waiters) w.resolve(r.result); },
      });
    } catch (err) {
      for (const w of batch.values()) for (const x of w.waiters) x.reject(err);
    }
  }
}
