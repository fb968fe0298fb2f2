// A folder of finished jobs, so that a long run started again skips what it finished: each job's
// result is written atomically to DIR/jobs/<id>.json as it finishes, its id the SHA-256 of the
// job's JSON (kind and payload). DIR/jobs/arguments.json holds the run's arguments: the same folder
// with other arguments is an error naming the first difference, never a silent mix. Node only.
import { ArgumentError, RnamError } from '../errors.js';
import { writeFilesAtomically } from '../io/atomic-write.js';

function builtin<T>(id: string): T {
  const getBuiltin = typeof process !== 'undefined' ? (process as { getBuiltinModule?: (id: string) => unknown }).getBuiltinModule : undefined;
  if (typeof getBuiltin !== 'function') throw new RnamError('a job folder needs Node (>= 20.16)');
  return getBuiltin(id) as T;
}

/** The SHA-256 (hex) of a text. */
export function sha256(text: string): string {
  return builtin<typeof import('node:crypto')>('node:crypto').createHash('sha256').update(text).digest('hex');
}

/** A job's id: the SHA-256 of its kind and payload as JSON. */
export function jobId(kind: string, payload: unknown): string {
  return sha256(JSON.stringify({ kind, payload }));
}

/** The first place two JSON values differ ('' when they do not), as a path and both values. */
export function firstDifference(a: unknown, b: unknown, path = ''): string {
  if (typeof a === 'object' && a !== null && typeof b === 'object' && b !== null && Array.isArray(a) === Array.isArray(b)) {
    const keys = [...new Set([...Object.keys(a), ...Object.keys(b)])];
    for (const k of keys) {
      const d = firstDifference((a as Record<string, unknown>)[k], (b as Record<string, unknown>)[k], path ? `${path}.${k}` : k);
      if (d) return d;
    }
    return '';
  }
  return JSON.stringify(a) === JSON.stringify(b) ? '' : `${path || 'the arguments'}: ${JSON.stringify(a) ?? 'not given'} there, ${JSON.stringify(b) ?? 'not given'} now`;
}

export class JobStore {
  private constructor(readonly dir: string) {}

  /** Opens (or starts) DIR/jobs for a run with these arguments (JSON). */
  static async open(dir: string, args: unknown): Promise<JobStore> {
    const fs = builtin<typeof import('node:fs')>('node:fs'), path = builtin<typeof import('node:path')>('node:path');
    const jobs = path.join(dir, 'jobs'), file = path.join(jobs, 'arguments.json');
    fs.mkdirSync(jobs, { recursive: true });
    const now = JSON.parse(JSON.stringify(args));
    if (fs.existsSync(file)) {
      let before: unknown;
      try {
        before = JSON.parse(fs.readFileSync(file, 'utf8'));
      } catch (err) {
        throw new ArgumentError(`'${file}' is not the arguments of a run (${(err as Error).message}): choose another folder`);
      }
      const d = firstDifference(before, now);
      if (d) throw new ArgumentError(`'${dir}' holds a run with other arguments (${d}): give the same arguments to go on with it, or another folder`);
    } else {
      await writeFilesAtomically([[file, JSON.stringify(now, null, 2) + '\n']]);
    }
    return new JobStore(jobs);
  }

  private file(id: string): string {
    return builtin<typeof import('node:path')>('node:path').join(this.dir, `${id}.json`);
  }

  /** A finished job's result (plain JSON, as runJob returned it), or undefined. */
  get(id: string): unknown {
    const fs = builtin<typeof import('node:fs')>('node:fs');
    const file = this.file(id);
    if (!fs.existsSync(file)) return undefined;
    return (JSON.parse(fs.readFileSync(file, 'utf8')) as { result: unknown }).result;
  }

  async put(id: string, kind: string, result: unknown): Promise<void> {
    await writeFilesAtomically([[this.file(id), JSON.stringify({ id, kind, result }) + '\n']]);
  }
}
