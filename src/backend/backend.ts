// The Backend interface: the device runtime (buffers, reads, writes) and one method per kernel of
// src/kernels/spec.ts, named like the kernel and taking its named arguments. The kernel name is
// also the AssemblyScript export and the WGSL entry point, so a kernel missing on one backend is a
// compile error, not a surprise.
import type { DeviceBuffer, KernelMethods } from '../kernels/types.js';

export type { DeviceBuffer } from '../kernels/types.js';

export type BackendKind = 'wasm' | 'webgpu';

export interface Backend extends KernelMethods {
  readonly kind: BackendKind;
  /** A human-readable description, e.g. "wasm (SIMD128, 1 thread)". */
  readonly description: string;
  /** Whether readSync works (wasm) or only the asynchronous read (WebGPU). */
  readonly syncRead: boolean;

  alloc(numel: number): DeviceBuffer;
  free(buffer: DeviceBuffer): void;
  write(buffer: DeviceBuffer, data: Float32Array): void;
  read(buffer: DeviceBuffer): Promise<Float32Array>;
  /** Synchronous read where the device allows it (wasm); throws where it does not. */
  readSync(buffer: DeviceBuffer): Float32Array;
}
