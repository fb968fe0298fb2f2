// A plan turns one Backend kernel call (named arguments, typed from the spec) into wasm export
// calls: pointers, offsets, and the split into tasks for the thread pool.
import type { Family, KernelName, kernelSpec } from '../../kernels/spec.js';
import type { KernelArgs, KernelResult } from '../../kernels/types.js';
import type { WasmRuntime } from './runtime.js';
import type { ElementwiseKernel, WasmSerialKernel } from '../../kernels/derived.js';

export type Plan<K extends KernelName> = (rt: WasmRuntime, args: KernelArgs<K>) => KernelResult<K>;

/**
 * The plans of one spec family: plans/<family>.ts must hold exactly its family's kernels that the
 * spec does not derive a plan for (elementwise and serial kernels: plans/derived.ts).
 */
export type FamilyPlans<F extends Family> = {
  [K in Exclude<KernelName, ElementwiseKernel | WasmSerialKernel> as (typeof kernelSpec)[K]['family'] extends F ? K : never]: Plan<K>;
};

/** Every kernel's plan: a kernel without one is a type error. */
export type PlanTable = { [K in KernelName]: Plan<K> };
