// The WebGPU plans of the elementwise kernels (spec rows with `elementwise: true`): one 1-D
// dispatch of the kernel's derived pass over n (src/kernels/derived.ts names its uniform and bindings).
import { elementwiseDispatch, elementwiseKernels, type ElementwiseKernel } from '../../../kernels/derived.js';
import type { KernelPlan } from '../plan.js';

function elementwisePlan(kernel: ElementwiseKernel): KernelPlan<ElementwiseKernel> {
  return (rt, args) => {
    const { uniforms, bindings } = elementwiseDispatch(kernel, args as unknown as Record<string, unknown>);
    rt.dispatch1d(kernel as never, args.n, uniforms as never, bindings as never);
  };
}

export const derivedPlans = Object.fromEntries(elementwiseKernels.map((k) => [k, elementwisePlan(k)])) as {
  readonly [K in ElementwiseKernel]: KernelPlan<K>;
};
