// The wasm plans the spec derives (src/kernels/derived.ts): an elementwise kernel's export runs over
// a few contiguous element ranges, on the thread pool when the row is `parallel` (every element is
// computed alone, so the split changes no result); a serial kernel's export is called once with the
// spec's arguments.
import {
  elementwiseKernels, returnsCount, wasmCallArgs, wasmSerialKernels, type ElementwiseKernel, type WasmSerialKernel,
} from '../../../kernels/derived.js';
import { kernelSpec } from '../../../kernels/spec.js';
import type { KernelArgs } from '../../../kernels/types.js';
import type { Plan } from '../plan.js';
import { ptr } from '../runtime.js';

const pointer = (b: unknown, offset: number) => ptr(b as Parameters<typeof ptr>[0], offset);

function elementwisePlan(kernel: ElementwiseKernel): Plan<ElementwiseKernel> {
  const parallel = (kernelSpec[kernel] as { parallel?: boolean }).parallel === true;
  return (rt, args: KernelArgs<ElementwiseKernel>) => {
    const named = args as unknown as Record<string, unknown>;
    const make = (i0: number, count: number) => wasmCallArgs(kernel, named, pointer, i0, count) as never;
    if (parallel) rt.run(kernel as never, rt.split(args.n, 1, make));
    else rt.call(kernel as never, make(0, args.n));
  };
}

function serialPlan(kernel: WasmSerialKernel): Plan<WasmSerialKernel> {
  const count = returnsCount(kernel);
  const call: Plan<WasmSerialKernel> = (rt, args) => rt.call(kernel as never, wasmCallArgs(kernel, args as unknown as Record<string, unknown>, pointer) as never);
  // A count is a Promise on every backend, and a failure its rejection.
  return count ? (async (rt, args) => call(rt, args)) as Plan<WasmSerialKernel> : call;
}

export const derivedPlans = {
  ...Object.fromEntries(elementwiseKernels.map((k) => [k, elementwisePlan(k)])),
  ...Object.fromEntries(wasmSerialKernels.map((k) => [k, serialPlan(k)])),
} as { readonly [K in ElementwiseKernel | WasmSerialKernel]: Plan<K> };
