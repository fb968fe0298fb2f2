// The CPU backend: AssemblyScript kernels compiled to SIMD128 WebAssembly (runtime.ts runs them),
// one plan per kernel (plans/) turning the Backend's named arguments into export calls. Every kernel
// call is synchronous. Constructing it is cheap: the module and the workers start on first use.
import type { Backend, DeviceBuffer } from '../backend.js';
import type { KernelArgs, KernelMethods } from '../../kernels/types.js';
import { kernelNames, type KernelName } from '../../kernels/spec.js';
import type { Plan } from './plan.js';
import { plans } from './plans/index.js';
import { ptr, WasmRuntime, type WasmRuntimeOptions } from './runtime.js';

/** Resolves in a later task of the event loop (not a microtask): setImmediate in Node, a MessageChannel elsewhere. */
function nextTask(): Promise<void> {
  return new Promise((resolve) => {
    if (typeof setImmediate === 'function') return void setImmediate(resolve);
    const channel = new MessageChannel();
    channel.port1.onmessage = () => {
      channel.port1.close();
      resolve();
    };
    channel.port2.postMessage(null);
  });
}

export interface WasmBackendOptions extends WasmRuntimeOptions {
  /** Shown in `description`. */
  label?: string;
}

// The kernel methods are the plan table's (installed on the prototype below), typed from the spec.
export interface WasmBackend extends KernelMethods {}

export class WasmBackend implements Backend {
  readonly kind = 'wasm' as const;
  readonly syncRead = true;
  private readonly rt: WasmRuntime;
  private readonly label: string | undefined;

  /** Cheap: nothing is instantiated and no worker started until the first allocation or kernel. */
  constructor(options: WasmBackendOptions = {}) {
    this.rt = new WasmRuntime(options);
    this.label = options.label;
  }

  /** "wasm (SIMD128, N threads)": the threads it runs on now. */
  get description(): string {
    const { threads } = this.rt;
    return this.label ?? `wasm (SIMD128, ${threads} thread${threads > 1 ? 's' : ''})`;
  }

  /** A backend whose module is instantiated and whose workers are ready. */
  static async create(options: WasmBackendOptions = {}): Promise<WasmBackend> {
    const backend = new WasmBackend(options);
    await backend.ready();
    return backend;
  }

  static {
    for (const name of kernelNames) {
      const plan = plans[name] as Plan<KernelName>;
      Object.defineProperty(WasmBackend.prototype, name, {
        value: function (this: WasmBackend, args: KernelArgs<KernelName>) { return plan(this.rt, args); },
        writable: true, configurable: true,
      });
    }
  }

  /** Instantiates the module and waits for the worker threads (kernels work before, on this thread). */
  ready(): Promise<void> {
    return this.rt.ready();
  }

  /** Threads kernels run on once ready (1 when threads are unavailable: see threadsReason). */
  get threads(): number {
    return this.rt.threads;
  }

  /** Why the backend runs on fewer threads than asked for, if it does. */
  get threadsReason(): string | null {
    return this.rt.threadsReason;
  }

  /** Stops the worker threads and lets go of the memory: any later use throws a DeviceError. */
  dispose(): void {
    this.rt.dispose();
  }

  /** Bytes handed out to live tensors right now, and the linear memory reserved so far. */
  memoryStats(): { liveBytes: number; reservedBytes: number } {
    return this.rt.memoryStats();
  }

  alloc(numel: number): DeviceBuffer {
    return this.rt.alloc(numel);
  }

  free(buffer: DeviceBuffer): void {
    this.rt.free(buffer);
  }

  write(buffer: DeviceBuffer, data: Float32Array): void {
    this.rt.view(buffer).set(data);
  }

  readSync(buffer: DeviceBuffer): Float32Array {
    return this.rt.view(buffer).slice();
  }

  /**
   * The values, like readSync, but if the heap grew since the last such read it first lets the event
   * loop turn once. Tensors nobody disposed are freed by a FinalizationRegistry, whose callbacks run
   * only between tasks: a loop that awaits only wasm reads (microtasks) would never reach them and
   * would grow without bound. WebGPU reads turn the loop anyway (mapAsync); this makes wasm reads do
   * the same, and only while memory is growing, so a loop in a steady state pays nothing.
   */
  async read(buffer: DeviceBuffer): Promise<Float32Array> {
    const values = this.readSync(buffer);
    if (this.rt.grewSinceYield) {
      this.rt.grewSinceYield = false;
      await nextTask();
    }
    return values;
  }

  countNonfiniteSync(a: DeviceBuffer, n: number): number {
    return this.rt.call('count_nonfinite', { a: ptr(a), n });
  }
}
