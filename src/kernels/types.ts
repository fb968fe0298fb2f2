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

type WasmParamsOf<K extends KernelName> = Spec[K] extends { wasm: infer P } ? P
  : { [B in keyof Spec[K]['buffers']]: 'ptr' } & { [S in keyof Spec[K]['scalars']]: Spec[K]['scalars'][S] extends 'f32' ? 'f32' : 'i32' };

/** Every wasm export's parameters in order: [name, type] pairs, from the spec. */
export function wasmParams(name: KernelName | keyof typeof wasmInternalSpec): [string, WasmParam][] {
  if (name in wasmInternalSpec) return Object.entries(wasmInternalSpec[name as keyof typeof wasmInternalSpec].params) as [string, WasmParam][];
  const spec = kernelSpec[name as KernelName] as { buffers: Record<string, BufferMode>; scalars: Record<string, ScalarType>; wasm?: Record<string, WasmParam> };
  if (spec.wasm) return Object.entries(spec.wasm);
  return [
    ...Object.keys(spec.buffers).map((b): [string, WasmParam] => [b, 'ptr']),
    ...Object.entries(spec.scalars).map(([s, t]): [string, WasmParam] => [s, t === 'f32' ? 'f32' : 'i32']),
  ];
}

/** The wasm export of each kernel: positional numbers in the order of its parameters. */
export type WasmKernelExports = {
  [K in KernelName]: (...args: { [I in keyof WasmParamsOf<K>]: number }[keyof WasmParamsOf<K>][]) => Spec[K] extends { returns: 'count' } ? number : void;
} & {
  [K in keyof typeof wasmInternalSpec]: (...args: number[]) => (typeof wasmInternalSpec)[K]['returns'] extends null ? void : number;
};

/** Kernels whose wasm plans run on the thread pool: the list the workers index by. */
export const parallelKernels = (Object.keys(kernelSpec) as KernelName[]).filter((k) => (kernelSpec[k] as { parallel?: boolean }).parallel);
