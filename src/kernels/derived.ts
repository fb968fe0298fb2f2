// What the spec derives for an elementwise kernel (a row with `elementwise: true`): every buffer
// holds `n` elements and each element is computed on its own, so the kernel needs no hand-written
// plan and no pass table entry. From the row alone come
// - its WGSL pass: file = the family's .wgsl, a uniform `<kernel>_u` (struct <Kernel>Params) holding
//   the scalars in spec order (bool as u32) and a `has_<buffer>` flag per optional buffer, and one
//   storage binding per buffer, `<kernel>_<buffer>`, in spec order (read for 'r', read_write else);
// - its wasm plan and WebGPU plan (src/backend/*/plans/derived.ts): the export called on each of a
//   few contiguous element ranges (on the thread pool when `parallel`), one 1-D dispatch over n.
// The WGSL body is then all that is written by hand, besides the AssemblyScript body.
//
// A kernel whose wasm export takes the spec's parameters (no `wasm` row) and runs on the calling
// thread (not `parallel`) needs no hand-written wasm plan either: its plan is one call with every
// buffer as a pointer and every scalar as a number (wasmSerialKernels).
import { kernelSpec, type BufferMode, type KernelName, type ScalarType } from './spec.js';
import { gpuPasses, type BindingMode, type GpuPassSpec, type UniformType } from './gpu-passes.js';

type Spec = typeof kernelSpec;
export type ElementwiseKernel = { [K in KernelName]: Spec[K] extends { elementwise: true } ? K : never }[KernelName];

/** Kernels whose wasm plan is one call of the export with the spec's arguments. */
export type WasmSerialKernel = {
  [K in KernelName]: Spec[K] extends { parallel: true } | { wasm: object } | { elementwise: true } ? never : K
}[KernelName];

interface RowView {
  family: GpuPassSpec['file'];
  buffers: Record<string, BufferMode>;
  scalars: Record<string, ScalarType>;
  elementwise?: boolean;
  parallel?: boolean;
  wasm?: object;
  returns?: 'count';
}
const row = (k: KernelName): RowView => kernelSpec[k] as unknown as RowView;

export const elementwiseKernels = (Object.keys(kernelSpec) as KernelName[]).filter((k) => row(k).elementwise) as ElementwiseKernel[];
export const wasmSerialKernels = (Object.keys(kernelSpec) as KernelName[])
  .filter((k) => !row(k).parallel && !row(k).wasm && !row(k).elementwise) as WasmSerialKernel[];
/** Whether the kernel returns a count (a Promise<number> from every backend). */
export const returnsCount = (k: KernelName): boolean => row(k).returns === 'count';

const pascal = (name: string): string => name.replace(/(^|_)([a-z0-9])/g, (_, __, c: string) => c.toUpperCase());
const isOptional = (mode: BufferMode): boolean => mode.endsWith('?');

/** The WGSL pass of an elementwise kernel, as a pass table entry. */
export function elementwisePass(kernel: ElementwiseKernel): GpuPassSpec {
  const { family, buffers, scalars } = row(kernel);
  const fields: Record<string, UniformType> = {};
  for (const [s, t] of Object.entries(scalars)) fields[s] = t === 'bool' ? 'u32' : t;
  for (const [b, mode] of Object.entries(buffers)) if (isOptional(mode)) fields[`has_${b}`] = 'u32';
  const bindings: Record<string, BindingMode> = {};
  for (const [b, mode] of Object.entries(buffers)) bindings[`${kernel}_${b}`] = mode.startsWith('r') && mode !== 'rw' ? 'read' : 'read_write';
  return { file: family, uniform: { struct: `${pascal(kernel)}Params`, name: `${kernel}_u`, fields }, bindings };
}

/** Every WGSL pass: the hand-written table and the elementwise kernels' derived passes. */
export const allGpuPasses: Readonly<Record<string, GpuPassSpec>> = {
  ...gpuPasses,
  ...Object.fromEntries(elementwiseKernels.map((k) => [k, elementwisePass(k)])),
};

/** The named uniforms and bindings of one call of an elementwise kernel's pass. */
export function elementwiseDispatch(kernel: ElementwiseKernel, args: Readonly<Record<string, unknown>>): {
  uniforms: Record<string, number>; bindings: Record<string, unknown>;
} {
  const { buffers, scalars } = row(kernel);
  const uniforms: Record<string, number> = {};
  for (const s of Object.keys(scalars)) uniforms[s] = Number(args[s]);
  const bindings: Record<string, unknown> = {};
  for (const [b, mode] of Object.entries(buffers)) {
    if (isOptional(mode)) uniforms[`has_${b}`] = args[b] ? 1 : 0;
    bindings[`${kernel}_${b}`] = args[b] ?? null;
  }
  return { uniforms, bindings };
}

/**
 * The wasm export arguments of a kernel without a `wasm` row: every buffer as a pointer `i0`
 * elements in, every scalar as a number (bool 0/1), and n = count when `count` is given (an
 * elementwise kernel over elements [i0, i0 + count)).
 */
export function wasmCallArgs(kernel: ElementwiseKernel | WasmSerialKernel, args: Readonly<Record<string, unknown>>,
  pointer: (buffer: unknown, offset: number) => number, i0 = 0, count?: number): Record<string, number> {
  const { buffers, scalars } = row(kernel);
  const out: Record<string, number> = {};
  for (const b of Object.keys(buffers)) out[b] = pointer(args[b] ?? null, i0);
  for (const s of Object.keys(scalars)) out[s] = s === 'n' && count !== undefined ? count : Number(args[s]);
  return out;
}
