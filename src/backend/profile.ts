// Per-kernel timing: wraps a backend so every kernel call is timed (wall clock, synchronous
// backends only). Used by the benchmarks' --profile flag.
import type { Backend } from './backend.js';
import { kernelNames } from '../kernels/spec.js';
import { returnsCount } from '../kernels/derived.js';

export interface KernelProfile {
  calls: number;
  ms: number;
}

/** Starts timing every kernel method of `backend` (in place); returns the table and a stop function. */
export function profileKernels(backend: Backend): { table: Map<string, KernelProfile>; stop: () => void } {
  const table = new Map<string, KernelProfile>();
  const target = backend as unknown as Record<string, unknown>;
  const originals = new Map<string, (...args: unknown[]) => unknown>();
  for (const name of kernelNames) {
    if (returnsCount(name)) continue; // asynchronous: its wall clock is not the kernel's
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
