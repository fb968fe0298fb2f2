// The Backend interface: one method per kernel. The method name is also the AssemblyScript export
// and the WGSL entry point, so a kernel missing on one backend is a compile error, not a surprise.

/** A device allocation holding `numel` float32 values. Each backend adds its own handle. */
export interface DeviceBuffer {
  readonly numel: number;
}

export type BackendKind = 'wasm' | 'webgpu';

export interface Backend {
  readonly kind: BackendKind;
  /** A human-readable description, e.g. "wasm (SIMD128, 1 thread)". */
  readonly description: string;

  alloc(numel: number): DeviceBuffer;
  free(buffer: DeviceBuffer): void;
  write(buffer: DeviceBuffer, data: Float32Array): void;
  read(buffer: DeviceBuffer): Promise<Float32Array>;
  /** Synchronous read where the device allows it (wasm); throws where it does not. */
  readSync(buffer: DeviceBuffer): Float32Array;

  // Grouped linear: see assembly/linear.ts for layouts.
  linear_forward(x: DeviceBuffer, w: DeviceBuffer, b: DeviceBuffer | null, y: DeviceBuffer,
    terms: number, rows: number, inDim: number, outDim: number): void;
  linear_backward(x: DeviceBuffer, w: DeviceBuffer, dy: DeviceBuffer, dx: DeviceBuffer | null,
    dw: DeviceBuffer | null, db: DeviceBuffer | null, terms: number, rows: number, inDim: number, outDim: number): void;

  // The fused minGRU recurrence: see assembly/mingru.ts.
  mingru_scan_forward(hg: DeviceBuffer, h0: DeviceBuffer | null, h: DeviceBuffer,
    groups: number, seq: number, dim: number): void;
  mingru_scan_backward(hg: DeviceBuffer, h0: DeviceBuffer | null, h: DeviceBuffer, dh: DeviceBuffer,
    dhg: DeviceBuffer, dh0: DeviceBuffer | null, groups: number, seq: number, dim: number): void;

  // Small kernels: see assembly/elementwise.ts.
  fill(out: DeviceBuffer, n: number, value: number): void;
  add(a: DeviceBuffer, b: DeviceBuffer, out: DeviceBuffer, n: number): void;
  copy_rows(src: DeviceBuffer, dst: DeviceBuffer, outer: number, srcN: number, dstN: number,
    inner: number, srcStart: number, dstStart: number, count: number): void;
  count_nonfinite(a: DeviceBuffer, n: number): Promise<number>;
}
