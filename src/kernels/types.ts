// Types derived from the kernel spec: each kernel's named arguments, the Backend kernel methods,
// and the wasm export signatures. Nothing here is written by hand per kernel.
import type { BufferMode, KernelName, ScalarType, WasmParam } from './spec.js';
import { kernelSpec, wasmInternalSpec } from './spec.js';

/** A device allocation holding `numel` float32 values. Each backend adds its own handle. */
export interface DeviceBuffer {
  readonly numel: number;
}

type Spec = typeof kernelSpec;
type BufferArg<M extends BufferMode> = M extends `${string}?` ? DeviceBuffer | null : DeviceBuffer;
type ScalarArg<S extends ScalarType> = S extends 'bool' ? boolean : number;

/** The named arguments of kernel K: its buffers (null where optional) and its scalars. */
export type KernelArgs<K extends KernelName> = {
  readonly [B in keyof Spec[K]['buffers']]: Spec[K]['buffers'][B] extends BufferMode ? BufferArg<Spec[K]['buffers'][B]> : never;
} & {
  readonly [S in keyof Spec[K]['scalars']]: Spec[K]['scalars'][S] extends ScalarType ? ScalarArg<Spec[K]['scalars'][S]> : never;
};

export type KernelResult<K extends KernelName> = Spec[K] extends { returns: 'count' } ? Promise<number> : void;

/** One method per kernel, named like the kernel, taking its named arguments. */
export type KernelMethods = { [K in KernelName]: (args: KernelArgs<K>) => KernelResult<K> };

// ---- wasm exports -----------------------------------------------------------------------------

type Internal = typeof wasmInternalSpec;
/** Every wasm export the plans call: the kernels and the plans' private helpers. */
export type WasmExportName = KernelName | keyof Internal;

type WasmParamsOf<K extends WasmExportName> = K extends keyof Internal ? Internal[K]['params']
  : K extends KernelName ? (Spec[K] extends { wasm: infer P } ? P
    : { [B in keyof Spec[K]['buffers']]: 'ptr' } & { [S in keyof Spec[K]['scalars']]: Spec[K]['scalars'][S] extends 'f32' ? 'f32' : 'i32' })
  : never;

/**
 * The arguments of wasm export K by name (pointers and numbers): what a plan passes. The runtime
 * puts them in wasmParams(K)'s order, which scripts/check-kernels.mjs checks against the module.
 */
export type WasmArgs<K extends WasmExportName> = { readonly [P in keyof WasmParamsOf<K>]: number };

/** Every wasm export's parameters in order: [name, type] pairs, from the spec. */
export function wasmParams(name: WasmExportName): [string, WasmParam][] {
  if (name in wasmInternalSpec) return Object.entries(wasmInternalSpec[name as keyof Internal].params) as [string, WasmParam][];
  const spec = kernelSpec[name as KernelName] as { buffers: Record<string, BufferMode>; scalars: Record<string, ScalarType>; wasm?: Record<string, WasmParam> };
  if (spec.wasm) return Object.entries(spec.wasm);
  return [
    ...Object.keys(spec.buffers).map((b): [string, WasmParam] => [b, 'ptr']),
    ...Object.entries(spec.scalars).map(([s, t]): [string, WasmParam] => [s, t === 'f32' ? 'f32' : 'i32']),
  ];
}

/** What wasm export K returns: a count (count_nonfinite), heap_base's address, or nothing. */
export type WasmResult<K extends WasmExportName> = K extends keyof Internal ? (Internal[K]['returns'] extends null ? void : number)
  : K extends KernelName ? (Spec[K] extends { returns: 'count' } ? number : void)
  : never;

/** The wasm exports, called positionally in wasmParams order (plans go through WasmArgs instead). */
export type WasmKernelExports = { [K in WasmExportName]: (...args: number[]) => WasmResult<K> };

/** Kernels whose wasm plans run on the thread pool: the list the workers index by. */
export const parallelKernels = (Object.keys(kernelSpec) as KernelName[]).filter((k) => (kernelSpec[k] as { parallel?: boolean }).parallel);
export type ParallelKernel = { [K in KernelName]: Spec[K] extends { parallel: true } ? K : never }[KernelName];
