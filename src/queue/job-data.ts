// What a job is on the queue: the caller's { id, kind, payload } checked (an id BullMQ accepts, a
// payload that survives JSON unchanged), and the record stored in Redis with a digest of the kind and
// payload, so a job id met again is reused only for the same work.
import { describeValue, QueueError } from '../errors.js';
import { jobId } from '../jobs/job-store.js';

/** One unit of work: a deterministic id chosen by the caller, a kind the worker's handler knows, a JSON payload. */
export interface QueueJob {
  id: string;
  kind: string;
  payload: unknown;
}

/** The data BullMQ stores for a job: the payload with its large strings moved to blobs (see blobs.ts). */
export interface JobData {
  kind: string;
  payload: unknown;
  /** sha256 of the kind and the original payload. */
  digest: string;
}

/** The key that marks a reference to a shared input; a payload may not use it itself. */
export const BLOB_KEY = '$rnamBlob';

/** Checks ids (unique, non-empty, not an integer, no ':', which BullMQ refuses), kinds and payloads. */
export function checkJobs(jobs: unknown): asserts jobs is QueueJob[] {
  if (!Array.isArray(jobs)) throw new QueueError(`runJobsOnQueue: jobs must be an array of { id, kind, payload }, got ${describeValue(jobs)}`, 'bad-job');
  const seen = new Set<string>();
  jobs.forEach((job: Partial<QueueJob> | null, i) => {
    const id = job?.id;
    if (typeof id !== 'string' || id === '' || /^\d+$/.test(id) || id.includes(':')) {
      throw new QueueError(`runJobsOnQueue: job ${i} has id ${describeValue(id)}: an id is a non-empty string, not an integer, without ':'`, 'bad-job');
    }
    if (seen.has(id)) throw new QueueError(`runJobsOnQueue: job id '${id}' is given twice`, 'bad-job', { jobId: id });
    seen.add(id);
    if (typeof job!.kind !== 'string' || job!.kind === '') throw new QueueError(`runJobsOnQueue: job '${id}' has kind ${describeValue(job!.kind)}: a non-empty string`, 'bad-job', { jobId: id });
    const where = checkJson(job!.payload, 'payload');
    if (where) throw new QueueError(`runJobsOnQueue: job '${id}': ${where}`, 'bad-job', { jobId: id });
  });
}

/** Where a value would not survive JSON.stringify/parse unchanged (or uses the blob key), or null when it would. */
export function checkJson(value: unknown, path: string): string | null {
  if (value === null || typeof value === 'string' || typeof value === 'boolean') return null;
  if (typeof value === 'number') return Number.isFinite(value) ? null : `${path} is ${value}, which JSON cannot carry`;
  if (Array.isArray(value)) {
    for (let i = 0; i < value.length; i++) {
      const bad = checkJson(value[i], `${path}[${i}]`);
      if (bad) return bad;
    }
    return null;
  }
  if (typeof value === 'object') {
    const proto = Object.getPrototypeOf(value);
    if (proto !== Object.prototype && proto !== null) return `${path} is ${describeValue(value)}, not a plain object, array, string, number, boolean or null`;
    for (const [k, v] of Object.entries(value)) {
      if (k === BLOB_KEY) return `${path} uses the key ${BLOB_KEY}, which marks shared inputs`;
      const bad = checkJson(v, `${path}.${k}`);
      if (bad) return bad;
    }
    return null;
  }
  return `${path} is ${describeValue(value)} (${typeof value}), which JSON cannot carry`;
}

/** The digest stored with a job: the same kind and payload give the same digest on every machine (the job folder's id). */
export function jobDigest(job: QueueJob): string {
  return jobId(job.kind, job.payload);
}
