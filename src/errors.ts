// The typed errors rnam throws, so callers can tell them apart with instanceof. Every one is an
// RnamError; each message names what was wrong and where (the op or layer, the bad value).

/** The base of every error rnam throws on purpose. */
export class RnamError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
  }
  override name = 'RnamError';
}

/** A tensor of the wrong shape (the message names the op or layer, the expected and the actual shape). */
export class ShapeError extends RnamError {
  override name = 'ShapeError';
}

/** A bad option or argument value (PyTorch's ValueError): a non-integer index, a negative learning rate, ... */
export class ArgumentError extends RnamError {
  override name = 'ArgumentError';
}

/** Tensors on different devices in one operation, a buffer of another device, or a read the device cannot do. */
export class DeviceError extends RnamError {
  override name = 'DeviceError';
}

/** A device allocation that does not fit (thrown by the runtimes). */
export class OutOfMemoryError extends RnamError {
  override name = 'OutOfMemoryError';
}

/** A NaN or infinite loss or gradient where training cannot go on. */
export class NonFiniteError extends RnamError {
  override name = 'NonFiniteError';
}

/** A state dict that does not fit the module (missing, unexpected, misshapen, disposed or unreadable entries). */
export class StateDictError extends RnamError {
  override name = 'StateDictError';
}

/** A malformed file (safetensors headers, offsets, dtypes). */
export class FileFormatError extends RnamError {
  override name = 'FileFormatError';
}

/** What went wrong with the job queue (runJobsOnQueue, startQueueWorker, `rnam worker`). */
export type QueueErrorCode =
  | 'missing-package' // bullmq or ioredis is not installed
  | 'bad-url' // not a redis:// or rediss:// URL
  | 'unreachable' // Redis refused, timed out or went away
  | 'bad-job' // a job id or payload the queue cannot carry
  | 'stale-job' // a job id already in the queue with another kind or payload
  | 'job-failed'; // a job that failed on its worker after its attempts

/** A job queue error: the code says which kind; jobId names the job where there is one. */
export class QueueError extends RnamError {
  override name = 'QueueError';
  constructor(message: string, readonly code: QueueErrorCode, options?: { cause?: unknown; jobId?: string }) {
    super(message, options);
    if (options?.jobId !== undefined) this.jobId = options.jobId;
  }
  readonly jobId?: string;
}

/** A device as far as an error message needs it (errors.ts imports nothing, so every layer may import it). */
interface Described {
  readonly description: string;
}

/** The DeviceError for two tensors of one operation on different devices. */
export function deviceMismatch(where: string, a: Described, b: Described, hint = 'move them with .to(device)'): DeviceError {
  return new DeviceError(`${where}: tensors are on different devices (${a.description} and ${b.description}); ${hint}`);
}

/** A human-readable description of a bad value: 'x' (a string), undefined, [object Object]. */
export function describeValue(v: unknown): string {
  if (typeof v === 'string') return `'${v}' (a string)`;
  if (typeof v === 'number' || typeof v === 'boolean' || typeof v === 'bigint' || v == null) return `${String(v)}${typeof v === 'bigint' ? 'n' : ''}`;
  if (Array.isArray(v)) return `an array of ${v.length}`;
  return `${Object.prototype.toString.call(v)}`;
}

/** A job (src/jobs: a unit of work as JSON, run in any thread, process or machine) of an unknown kind or with a malformed payload. */
export class JobError extends ArgumentError {
  override name = 'JobError';
}
