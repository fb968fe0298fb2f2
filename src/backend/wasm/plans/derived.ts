// The wasm plans of the elementwise kernels (spec rows with `elementwise: true`), derived from the
// spec: the export runs over a few contiguous element ranges, on the thread pool when the row is
// `parallel`. Every element is computed alone, so the split changes no result.
import { elementwiseKernels, elementwiseWasmArgs, type ElementwiseKernel } from '../../../kernels/derived.js';
import { kernelSpec } from '../../../kernels/spec.js';
import type { KernelArgs } from '../../../kernels/types.js';
import type { Plan } from '../plan.js';
import { ptr, type WasmRuntime } from '../runtime.js';

function elementwisePlan(kernel: ElementwiseKernel): Plan<ElementwiseKernel> {
  const parallel = (kernelSpec[kernel] as { parallel?: boolean }).parallel === true;
  return (rt: WasmRuntime, args: KernelArgs<ElementwiseKernel>) => {
    const named = args as unknown as Record<string, unknown>;
    const pointer = (b: unknown, offset: number) => ptr(b as Parameters<typeof ptr>[0], offset);
    const make = (i0: number, count: number) => elementwiseWasmArgs(kernel, named, pointer, i0, count) as never;
    if (parallel) rt.run(kernel as never, rt.split(args.n, 1, make));
    else rt.call(kernel as never, make(0, args.n));
  };
}

export const derivedPlans = Object.fromEntries(elementwiseKernels.map((k) => [k, elementwisePlan(k)])) as {
  readonly [K in ElementwiseKernel]: Plan<K>;
};
