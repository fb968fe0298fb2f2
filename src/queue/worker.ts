// startQueueWorker: takes jobs from a BullMQ queue and runs them with a handler, one process per
// machine (`rnam worker`). A worker holds a lock on each job it runs and renews it every
// lockDuration / 2; when a worker dies mid-job (killed, out of memory, machine lost), its lock
// expires, another worker's stalled-job check (every stalledInterval) puts the job back in the
// queue, and a worker runs it again from the start. A job that stalls more than maxStalledCount
// times fails (a job that kills every worker it lands on).
import { ArgumentError, describeValue, QueueError } from '../errors.js';
import { checkOptions } from '../optim/options.js';
import { BlobCache } from './blobs.js';
import { connectRedis, redisOptions } from './connection.js';
import { checkJson, type JobData } from './job-data.js';
import { loadQueueModules } from './load.js';
import { checkQueueName, parseRedisUrl } from './url.js';
import { counted } from '../plural.js';

/**
 * How long a job's lock lasts without renewal (60 s). The lock is renewed by a timer on the
 * worker's event loop, so a handler must not block it for this long in one go (the table
 * pipeline awaits between batches); longer means a dead worker's job waits longer to be retried.
 */
export const LOCK_DURATION_MS = 60_000;
/** How often a worker looks for jobs whose lock expired (30 s). */
export const STALLED_INTERVAL_MS = 30_000;
/** Stalls a job survives before it counts as failed (2: two workers died running it). */
export const MAX_STALLED_COUNT = 2;

export type JobHandler = (kind: string, payload: unknown) => Promise<unknown> | unknown;

export interface QueueWorkerOptions {
  /** The Redis URL: redis://[user:password@]host[:port][/db], rediss:// for TLS. */
  url: string;
  /** The queue's name (default 'rnam'). */
  queue?: string;
  /** Jobs run at once in this process (default 1; the wasm backend already trains on every core). */
  concurrency?: number;
  /** Runs one job: its kind and its payload as the coordinator gave them; returns a JSON value. */
  handle: JobHandler;
  /** Progress lines (default none). */
  log?: ((line: string) => void) | null;
  /** The lock duration, stalled-check interval and stall limit (defaults above; tests shorten them). */
  lockDuration?: number;
  stalledInterval?: number;
  maxStalledCount?: number;
}

export interface QueueWorker {
  /** Takes no new job, lets the running ones finish, then disconnects; `force` abandons them (another worker retries them after the lock expires). */
  close(force?: boolean): Promise<void>;
  /** Resolves after close(); rejects when the connection to Redis is lost for good. */
  done: Promise<void>;
}

const optionKeys = ['url', 'queue', 'concurrency', 'handle', 'log', 'lockDuration', 'stalledInterval', 'maxStalledCount'];

function positiveInt(name: string, v: unknown, fallback: number, min = 1): number {
  const x = v ?? fallback;
  if (!Number.isInteger(x) || (x as number) < min) throw new ArgumentError(`startQueueWorker: ${name} must be an integer >= ${min}, got ${describeValue(v)}`);
  return x as number;
}

/** Connects to the queue and starts taking jobs; a refused connection is a QueueError within seconds. */
export async function startQueueWorker(options: QueueWorkerOptions): Promise<QueueWorker> {
  checkOptions('startQueueWorker', options, optionKeys);
  const target = parseRedisUrl(options.url);
  const name = checkQueueName(options.queue);
  if (typeof options.handle !== 'function') throw new ArgumentError(`startQueueWorker: handle must be a function (kind, payload) => result, got ${describeValue(options.handle)}`);
  const concurrency = positiveInt('concurrency', options.concurrency, 1);
  const lockDuration = positiveInt('lockDuration', options.lockDuration, LOCK_DURATION_MS, 100);
  const stalledInterval = positiveInt('stalledInterval', options.stalledInterval, STALLED_INTERVAL_MS, 100);
  const maxStalledCount = positiveInt('maxStalledCount', options.maxStalledCount, MAX_STALLED_COUNT, 0);
  const log = options.log ?? (() => {});

  const modules = await loadQueueModules();
  const conn = await connectRedis(modules, target);
  const blobs = new BlobCache(conn.client, name);
  const worker = new modules.bullmq.Worker<JobData>(name, async (job) => {
    const started = Date.now();
    log(`job '${job.id}' (${job.data.kind}) started, attempt ${job.attemptsMade + 1}`);
    const result = await options.handle(job.data.kind, await blobs.resolve(job.data.payload));
    const bad = checkJson(result ?? null, 'the result');
    if (bad) throw new QueueError(`job '${job.id}' (${job.data.kind}): ${bad}`, 'bad-job', { jobId: job.id });
    log(`job '${job.id}' finished in ${((Date.now() - started) / 1000).toFixed(1)} s`);
    return result ?? null;
  }, { connection: redisOptions(target), concurrency, lockDuration, stalledInterval, maxStalledCount, autorun: false });
  worker.on('failed', (job, err) => log(`job '${job?.id}' failed: ${err.message}`));
  worker.on('error', () => {}); // connection trouble: conn.lost says when it is final
  worker.run().catch(() => {});
  await worker.waitUntilReady();
  log(`worker on queue '${name}' at ${target.label}, ${counted(concurrency, 'job')} at a time`);

  let closing: Promise<void> | null = null;
  let closed!: () => void;
  const done = new Promise<void>((resolve) => { closed = resolve; });
  const close = (force = false) => {
    closing ??= worker.close(force).finally(() => conn.close()).finally(closed);
    return closing;
  };
  // Redis gone for good: abandon the running jobs (their locks expire; another worker retries them).
  const lostForGood = conn.lost.catch(async (err) => {
    await worker.close(true).catch(() => {});
    throw err;
  });
  return { close, done: Promise.race([done, lostForGood]) };
}
