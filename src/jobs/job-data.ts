// A job's table as the job carries it: CSV text, a file path every runner can read, or (for
// in-process and local worker runs, which copy it by structured clone) a parsed table.
import { readCsv } from '../data/csv.js';
import type { LongTable } from '../data/table.js';
import { JobError, describeValue } from '../errors.js';

export type JobData = string | { path: string } | { table: LongTable };

/** Node's fs, looked up when called so that browser bundles never reach it. */
function readText(path: string): string {
  const getBuiltin = typeof process !== 'undefined' ? (process as { getBuiltinModule?: (id: string) => unknown }).getBuiltinModule : undefined;
  if (typeof getBuiltin !== 'function') throw new JobError('a job with a file path needs Node (>= 20.16); give the CSV text instead');
  const fs = getBuiltin('node:fs') as typeof import('node:fs');
  try {
    return fs.readFileSync(path, 'utf8');
  } catch (err) {
    throw new JobError(`job data: cannot read '${path}': ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`);
  }
}

export function checkJobData(where: string, data: unknown): JobData {
  if (typeof data === 'string') return data;
  if (typeof data === 'object' && data !== null) {
    const d = data as { path?: unknown; table?: { columns?: unknown; rows?: unknown; rowNumbers?: unknown } };
    if (typeof d.path === 'string' && d.path !== '') return { path: d.path };
    if (d.table && Array.isArray(d.table.columns) && Array.isArray(d.table.rows) && Array.isArray(d.table.rowNumbers)) return { table: d.table as LongTable };
  }
  throw new JobError(`${where}: data must be CSV text, { path } or { table }, got ${describeValue(data)}`);
}

export function loadJobData(data: JobData): LongTable {
  if (typeof data === 'string') return readCsv(data);
  if ('path' in data) return readCsv(readText(data.path));
  return data.table;
}

/** Throws a JobError naming the first value JSON cannot carry (a function, a device object, undefined in a list, a non-finite number). */
export function checkSerializable(where: string, value: unknown, path = ''): void {
  if (value === null || typeof value === 'string' || typeof value === 'boolean') return;
  if (typeof value === 'number') {
    if (!Number.isFinite(value)) throw new JobError(`${where}: ${path || 'the value'} is ${value}, which JSON cannot carry`);
    return;
  }
  if (Array.isArray(value)) {
    value.forEach((v, i) => checkSerializable(where, v, `${path}[${i}]`));
    return;
  }
  if (typeof value === 'object' && Object.getPrototypeOf(value) === Object.prototype) {
    for (const [k, v] of Object.entries(value as object)) if (v !== undefined) checkSerializable(where, v, path ? `${path}.${k}` : k);
    return;
  }
  throw new JobError(`${where}: ${path || 'the value'} is ${describeValue(value)}, which a job cannot carry (only JSON values: no functions or device objects)`);
}
