// What a WebGPU kernel plan is: a function from a kernel's named arguments to the passes it
// dispatches on the runtime. One file per spec family (plans/<family>.ts), gathered in plans/index.ts.
import type { Family, KernelName } from '../../kernels/spec.js';
import type { kernelSpec } from '../../kernels/spec.js';
import type { KernelArgs, KernelResult } from '../../kernels/types.js';
import type { GpuRuntime } from './runtime.js';
import type { ElementwiseKernel } from '../../kernels/derived.js';

export type MingruScanMode = 'auto' | 'sequential' | 'chunked';

/** The backend's tunable choices the plans read at each call (tests change them). */
export interface PlanTuning {
  /** How the minGRU recurrence runs: 'auto' picks per sequence count (see scanThreshold). */
  readonly mingruScanMode: MingruScanMode;
  /** With 'auto', at least this many (group, channel) sequences run one invocation each; fewer use the chunked scan. */
  readonly scanThreshold: number;
}

export type KernelPlan<K extends KernelName> = (rt: GpuRuntime, args: KernelArgs<K>, tuning: PlanTuning) => KernelResult<K>;

/** The plans of one family: exactly its kernels (the elementwise ones are derived), so a missing plan is a type error. */
export type FamilyPlans<F extends Family> = {
  readonly [K in Exclude<KernelName, ElementwiseKernel> as (typeof kernelSpec)[K]['family'] extends F ? K : never]: KernelPlan<K>;
};

/** 1 for a present buffer (or a true flag), 0 otherwise: the uniform's has_* fields. */
export const flag = (present: unknown): number => (present ? 1 : 0);
