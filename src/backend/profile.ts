// Per-kernel timing: wraps a backend so every kernel call is timed (wall clock, synchronous
// backends only). Used by the benchmarks' --profile flag.
import type { Backend } from './backend.js';

export interface KernelProfile {
  calls: number;
  ms: number;
}

const NOT_KERNELS = new Set(['alloc', 'free', 'write', 'read', 'readSync', 'count_nonfinite']);

/** Starts timing every kernel method of `backend` (in place); returns the table and a stop function. */
export function profileKernels(backend: Backend): { table: Map<string, KernelProfile>; stop: () => void } {
  const table = new Map<string, KernelProfile>();
  const target = backend as unknown as Record<string, unknown>;
  const originals = new Map<string, (...args: unknown[]) => unknown>();
  let proto = Object.getPrototypeOf(backend);
  const names = new Set<string>();
  while (proto && proto !== Object.prototype) {
    for (const name of Object.getOwnPropertyNames(proto)) if (/^[a-z0-9_]+$/.test(name) && name.includes('_')) names.add(name);
    proto = Object.getPrototypeOf(proto);
  }
  for (const name of names) {
    if (NOT_KERNELS.has(name) || typeof target[name] !== 'function') continue;
    const original = target[name] as (...args: unknown[]) => unknown;
    originals.set(name, original);
    target[name] = function (this: unknown, ...args: unknown[]) {
      const t = performance.now();
      const result = original.apply(backend, args);
      const entry = table.get(name) ?? { calls: 0, ms: 0 };
      entry.calls++;
      entry.ms += performance.now() - t;
      table.set(name, entry);
      return result;
    };
  }
  return { table, stop: () => { for (const name of originals.keys()) delete target[name]; } };
}
