/// <reference types="@webgpu/types" />
// The GPU backend: every kernel of the spec as a plan (plans/<family>.ts) of WGSL passes
// (kernels/*.wgsl) dispatched on the device runtime (runtime.ts). This class only acquires the
// device, names it, and routes the Backend calls there.
import type { Backend, DeviceBuffer } from '../backend.js';
import { kernelNames } from '../../kernels/spec.js';
import type { KernelMethods } from '../../kernels/types.js';
import type { MingruScanMode, PlanTuning } from './plan.js';
import { plans } from './plans/index.js';
import { GpuRuntime, type WebGPUStats } from './runtime.js';

export type { MingruScanMode } from './plan.js';
export type { WebGPUStats } from './runtime.js';

export interface WebGPUBackendOptions {
  /** The GPU entry point: navigator.gpu in a browser, the `webgpu` package's create([]) in Node. */
  gpu?: unknown;
  powerPreference?: 'low-power' | 'high-performance';
  /** How the minGRU recurrence runs: 'auto' picks per sequence count (see scanThreshold). */
  mingruScan?: MingruScanMode;
  /** With 'auto', at least this many (group, channel) sequences run one invocation each; fewer use the chunked scan. */
  scanThreshold?: number;
}

/** Adapter info across WebGPU versions (adapter.info is newer than requestAdapterInfo()). */
async function adapterName(adapter: GPUAdapter): Promise<string> {
  const a = adapter as GPUAdapter & { requestAdapterInfo?: () => Promise<GPUAdapterInfo> };
  const info = a.info ?? (a.requestAdapterInfo ? await a.requestAdapterInfo() : undefined);
  return [info?.vendor, info?.architecture, info?.device, info?.description].filter(Boolean).join(' ');
}

// The kernel methods are installed from the plan table below (one per kernel of the spec).
export interface WebGPUBackend extends KernelMethods {}

export class WebGPUBackend implements Backend, PlanTuning {
  readonly kind = 'webgpu' as const;
  readonly syncRead = false;
  readonly description: string;
  /** The adapter as the driver names it, e.g. "google swiftshader ... SwiftShader driver". */
  readonly adapterName: string;
  /** True when the adapter is a CPU emulation (SwiftShader, llvmpipe, WARP): correct, but no GPU speed. */
  readonly cpuEmulation: boolean;
  /** The minGRU recurrence path; tests force each one. */
  mingruScanMode: MingruScanMode;
  scanThreshold: number;
  private readonly rt: GpuRuntime;

  static {
    for (const k of kernelNames) {
      const plan = plans[k] as (rt: GpuRuntime, args: unknown, tuning: PlanTuning) => unknown;
      Object.defineProperty(WebGPUBackend.prototype, k, {
        value(this: WebGPUBackend, args: unknown) { return plan(this.rt, args, this); },
        writable: true, configurable: true,
      });
    }
  }

  private constructor(device: GPUDevice, name: string, options: WebGPUBackendOptions) {
    this.adapterName = name;
    this.cpuEmulation = /swiftshader|llvmpipe|lavapipe|softpipe|warp|microsoft basic render/i.test(name);
    this.description = `webgpu (${name || 'unknown adapter'}${this.cpuEmulation ? '; a CPU emulation of a GPU' : ''})`;
    this.mingruScanMode = options.mingruScan ?? 'auto';
    this.scanThreshold = options.scanThreshold ?? 2048;
    this.rt = new GpuRuntime(device, this.description);
  }

  /** Acquires an adapter and a device. Throws an Error that says why when there is none. */
  static async create(options: WebGPUBackendOptions = {}): Promise<WebGPUBackend> {
    const gpu = (options.gpu ?? (globalThis as { navigator?: { gpu?: unknown } }).navigator?.gpu) as GPU | undefined;
    if (!gpu) throw new Error('WebGPU: no GPU entry point (navigator.gpu is undefined and none was given)');
    const adapter = await gpu.requestAdapter(options.powerPreference ? { powerPreference: options.powerPreference } : undefined);
    if (!adapter) throw new Error('WebGPU: requestAdapter() found no adapter (no GPU driver, or WebGPU is disabled)');
    const want = ['maxStorageBufferBindingSize', 'maxBufferSize', 'maxStorageBuffersPerShaderStage', 'maxComputeWorkgroupsPerDimension'] as const;
    const requiredLimits: Record<string, number> = {};
    for (const k of want) requiredLimits[k] = adapter.limits[k];
    const device = await adapter.requestDevice({ requiredLimits });
    return new WebGPUBackend(device, await adapterName(adapter), options);
  }

  /** True once the device is lost (or destroyed): every call then throws. */
  get lost(): boolean {
    return this.rt.lost;
  }

  alloc(numel: number): DeviceBuffer {
    return this.rt.alloc(numel);
  }

  free(buffer: DeviceBuffer): void {
    this.rt.free(buffer);
  }

  write(buffer: DeviceBuffer, data: Float32Array): void {
    this.rt.write(buffer, data);
  }

  read(buffer: DeviceBuffer): Promise<Float32Array> {
    return this.rt.read(buffer);
  }

  readSync(_buffer: DeviceBuffer): Float32Array {
    throw new Error('WebGPU tensors cannot be read synchronously: use `await tensor.toArray()`, or move them with `await tensor.toAsync(rnam.cpu)` / `await module.toAsync(rnam.cpu)`');
  }

  /** Submits everything recorded so far (kernel calls only record; reads flush on their own). */
  flush(): void {
    this.rt.flush();
  }

  /** Submits and waits until the GPU has finished everything recorded so far. */
  sync(): Promise<void> {
    return this.rt.sync();
  }

  /** Counters for benchmarks: dispatches, submits, buffer traffic. */
  stats(): WebGPUStats {
    return this.rt.stats();
  }

  resetStats(): void {
    this.rt.resetStats();
  }

  /** Destroys the pooled (unused) buffers, returning their memory to the driver. */
  trim(): void {
    this.rt.trim();
  }

  /** Submits outstanding work and releases the device; the backend is unusable afterwards. */
  destroy(): void {
    this.rt.destroy();
  }
}
