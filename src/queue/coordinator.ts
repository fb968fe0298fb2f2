// runJobsOnQueue: hands jobs to the workers of a BullMQ queue and collects their results in job
// order. Job ids are the caller's and deterministic, so a coordinator started again after a crash
// finds the jobs of the run before: a finished one's result is read from Redis, an unfinished one is
// waited for, a permanently failed one is retried once more, and nothing is added twice (BullMQ keeps
// one job per id). Finished jobs stay in Redis for JOB_RETENTION_SECONDS.
import { ArgumentError, describeValue, QueueError } from '../errors.js';
import { checkOptions } from '../optim/options.js';
import { extractBlobs, BLOB_MIN_CHARS, storeBlobs } from './blobs.js';
import { connectRedis, redisOptions } from './connection.js';
import { checkJobs, jobDigest, type JobData, type QueueJob } from './job-data.js';
import { loadQueueModules } from './load.js';
import { checkQueueName, parseRedisUrl } from './url.js';
import { counted } from '../plural.js';

/** How long finished and failed jobs (and their results) are kept in Redis: a week. */
export const JOB_RETENTION_SECONDS = 7 * 24 * 3600;
/** How often the coordinator also reads the state of the jobs it waits for (events can be missed across reconnections). */
const SWEEP_MS = 1000;
/** After this long with no job taken, the coordinator says that no worker seems to be running. */
const NO_WORKER_NOTICE_MS = 15_000;

export interface QueueResult {
  id: string;
  /** The job's place in `jobs`. */
  index: number;
  result: unknown;
  /** True when the result was in Redis already (from an earlier run with the same job id). */
  reused: boolean;
}

export interface RunJobsOnQueueOptions {
  /** The Redis URL: redis://[user:password@]host[:port][/db], rediss:// for TLS. */
  url: string;
  /** The queue's name (default 'rnam'); its workers run `rnam worker --queue URL --queue-name NAME`. */
  queue?: string;
  /** The work: deterministic ids (the same work gets the same id), a kind the workers' handler knows, JSON payloads. */
  jobs: readonly QueueJob[];
  /** Called once per job as its result arrives (in completion order). */
  onResult?: (result: QueueResult) => void;
  /** Tries per job before it counts as failed (default 2; a worker that dies mid-job does not use one up). */
  attempts?: number;
  /** Strings at least this long are stored once in Redis and referenced from the payloads (default 16 Ki characters). */
  blobMinChars?: number;
  /** Progress lines (default none). */
  log?: ((line: string) => void) | null;
}

const optionKeys = ['url', 'queue', 'jobs', 'onResult', 'attempts', 'blobMinChars', 'log'];

/** Runs the jobs on the queue's workers; resolves with their results in job order. */
export async function runJobsOnQueue(options: RunJobsOnQueueOptions): Promise<unknown[]> {
  checkOptions('runJobsOnQueue', options, optionKeys);
  const target = parseRedisUrl(options.url);
  const name = checkQueueName(options.queue);
  const jobs = options.jobs as unknown;
  checkJobs(jobs);
  const attempts = options.attempts ?? 2, blobMinChars = options.blobMinChars ?? BLOB_MIN_CHARS;
  if (!Number.isInteger(attempts) || attempts < 1) throw new ArgumentError(`runJobsOnQueue: attempts must be an integer >= 1, got ${describeValue(options.attempts)}`);
  if (!Number.isInteger(blobMinChars) || blobMinChars < 1) throw new ArgumentError(`runJobsOnQueue: blobMinChars must be an integer >= 1, got ${describeValue(options.blobMinChars)}`);
  const log = options.log ?? (() => {});
  if (jobs.length === 0) return [];

  const modules = await loadQueueModules();
  const { bullmq } = modules;
  const conn = await connectRedis(modules, target);
  const queue = new bullmq.Queue(name, { connection: redisOptions(target) });
  const events = new bullmq.QueueEvents(name, { connection: redisOptions(target) });
  queue.on('error', () => {}); // connection trouble: conn.lost says when it is final
  events.on('error', () => {});
  let sweep: ReturnType<typeof setInterval> | undefined;
  try {
    const blobs = new Map<string, string>();
    const data: JobData[] = [];
    for (const job of jobs) data.push({ kind: job.kind, payload: await extractBlobs(job.payload, blobs, blobMinChars), digest: jobDigest(job) });
    await storeBlobs(conn.client, name, blobs);
    await events.waitUntilReady();

    const index = new Map(jobs.map((job, i) => [job.id, i]));
    const results: unknown[] = new Array(jobs.length);
    const pending = new Set(index.keys());
    let reusedCount = 0;
    let settle!: { resolve: () => void; reject: (err: unknown) => void };
    const done = new Promise<void>((resolve, reject) => { settle = { resolve, reject }; });
    done.catch(() => {}); // a failure found before the race below is awaited there, never unhandled

    const finish = (id: string, result: unknown, reused: boolean) => {
      if (!pending.delete(id)) return;
      const i = index.get(id)!;
      results[i] = result;
      if (reused) reusedCount++;
      options.onResult?.({ id, index: i, result, reused });
      if (pending.size === 0) settle.resolve();
    };
    const failed = (id: string, attemptsMade: number, reason: string) => {
      settle.reject(new QueueError(`job '${id}' (${jobs[index.get(id)!].kind}) failed on its worker after ${counted(attemptsMade, 'attempt')}: ${reason}`,
        'job-failed', { jobId: id }));
    };
    /** Reads one job's state from Redis and settles it when it is finished. */
    const check = async (id: string) => {
      // The state first: a job read before it completed would carry no result.
      const state = await queue.getJobState(id);
      if (state !== 'completed' && state !== 'failed' && state !== 'unknown') return;
      const job = await queue.getJob(id);
      if (!job || state === 'unknown') return settle.reject(new QueueError(`job '${id}' disappeared from queue '${name}' (removed by hand?); run again to add it anew`, 'job-failed', { jobId: id }));
      if (state === 'completed') finish(id, job.returnvalue ?? null, false);
      else failed(id, job.attemptsMade, job.failedReason);
    };
    events.on('completed', ({ jobId }) => { if (pending.has(jobId)) check(jobId).catch(settle.reject); });
    events.on('failed', ({ jobId }) => { if (pending.has(jobId)) check(jobId).catch(settle.reject); });

    // Jobs from an earlier run: reuse the finished ones, give a failed one its attempts again.
    const fresh: { name: string; data: JobData; opts: object }[] = [];
    for (const [i, job] of jobs.entries()) {
      const existing = await queue.getJob(job.id);
      if (!existing) {
        fresh.push({ name: job.kind, data: data[i], opts: { jobId: job.id, attempts, backoff: { type: 'fixed', delay: 1000 },
          removeOnComplete: { age: JOB_RETENTION_SECONDS }, removeOnFail: { age: JOB_RETENTION_SECONDS } } });
        continue;
      }
      if ((existing.data as Partial<JobData>)?.digest !== data[i].digest) {
        throw new QueueError(`job id '${job.id}' is in queue '${name}' already with another kind or payload: give the new work new ids, ` +
          'or another queue name', 'stale-job', { jobId: job.id });
      }
      const state = await existing.getState();
      if (state === 'completed') finish(job.id, (await queue.getJob(job.id))!.returnvalue ?? null, true);
      else if (state === 'failed') {
        log(`job '${job.id}' failed in an earlier run (${existing.failedReason}); retrying it`);
        await existing.retry('failed');
      }
    }
    if (fresh.length > 0) await queue.addBulk(fresh);
    log(`queue '${name}' at ${target.label}: ${jobs.length} jobs, ${reusedCount} finished already, ${counted(blobs.size, 'shared input')}`);
    if (pending.size === 0) return results;

    const started = Date.now();
    let noticed = false;
    const sweepOnce = async () => {
      await Promise.all([...pending].map((id) => check(id)));
      if (!noticed && pending.size === jobs.length - reusedCount && Date.now() - started > NO_WORKER_NOTICE_MS) {
        const counts = await queue.getJobCounts('active', 'completed');
        if (counts.active === 0) {
          noticed = true;
          log(`no worker has taken a job from queue '${name}' yet: start \`rnam worker --queue ${target.label} --queue-name ${name}\` on the machines that run them`);
        }
      }
    };
    let sweeping = false;
    sweep = setInterval(() => {
      if (sweeping) return;
      sweeping = true;
      sweepOnce().catch(settle.reject).finally(() => { sweeping = false; });
    }, SWEEP_MS);
    await sweepOnce(); // jobs that finished before the events were listened to
    await Promise.race([done, conn.lost]);
    return results;
  } finally {
    if (sweep) clearInterval(sweep);
    await Promise.allSettled([events.close(), queue.close()]);
    await conn.close();
  }
}
