/// <reference types="@webgpu/types" />
// The GPU backend: every Backend kernel as a WGSL compute shader (kernels/*.wgsl, embedded by
// scripts/embed-wgsl.mjs). Kernel calls only record work: dispatches go into one command encoder
// that is submitted when a value is read (or on flush()), so a training step is one submit.
//
// - Pipelines are cached per device by (kernel file, entry point, workgroup size); shapes travel in
//   uniforms, written into pooled 64 KiB uniform arenas (one 256-byte slot per dispatch) that are
//   uploaded just before the submit.
// - Buffers come from a pool keyed by size class; free() returns them to it.
// - Ordering: queue.writeBuffer runs at submit time, before commands already recorded in the open
//   encoder. So write() uses writeBuffer only when nothing is recorded; otherwise it records a copy
//   from a mapped staging buffer into the encoder, in order with the dispatches around it.
// - WGSL cannot bind "no buffer": absent arguments are flags in the uniform and a dummy binding.
//   WebGPU forbids binding one buffer both writable and read in a dispatch, so an input that aliases
//   an output (out = a + b with out === a) is first copied to a scratch buffer.
// - Validation and out-of-memory errors are captured with error scopes around each batch and thrown
//   (naming the kernels of the batch) from the next read; device loss makes every later call throw.
import type { Backend, DeviceBuffer } from './backend.js';
import type { KernelArgs } from '../kernels/types.js';
import { implicitBackward, implicitForward, implicitTranspose, type ImplicitGpu } from './webgpu-implicit.js';
import { wgslCommon, wgslSources } from './wgsl-sources.js';

// GPUBufferUsage / GPUMapMode / GPUShaderStage values, spelled out so this file needs no globals.
const USAGE_MAP_READ = 0x1, USAGE_MAP_WRITE = 0x2, USAGE_COPY_SRC = 0x4, USAGE_COPY_DST = 0x8;
const USAGE_UNIFORM = 0x40, USAGE_STORAGE = 0x80;
const MAP_READ = 0x1;
const STAGE_COMPUTE = 0x4;

const WG = 256;
const TILE = 16;
const MAX_GROUPS = 65535;
const UNIFORM_ARENA = 65536;
/** Dispatches recorded before an automatic submit (keeps an unread loop from growing one encoder forever). */
const MAX_BATCH = 2048;

interface GpuBuffer extends DeviceBuffer {
  readonly buffer: GPUBuffer;
  readonly size: number;
  readonly owner: WebGPUBackend;
  freed: boolean;
}

type Mode = 'r' | 'w';
type Arg = readonly [Mode, DeviceBuffer | null];
/** A uniform field: a number is a u32, a one-element array a f32. */
type Field = number | [number];

export type MingruScanMode = 'auto' | 'sequential' | 'chunked';

export interface WebGPUBackendOptions {
  /** The GPU entry point: navigator.gpu in a browser, the `webgpu` package's create([]) in Node. */
  gpu?: unknown;
  powerPreference?: 'low-power' | 'high-performance';
  /** How the minGRU recurrence runs: 'auto' picks per sequence count (see scanThreshold). */
  mingruScan?: MingruScanMode;
  /** With 'auto', at least this many (group, channel) sequences run one invocation each; fewer use the chunked scan. */
  scanThreshold?: number;
}

export interface WebGPUStats {
  /** Compute dispatches recorded. */
  dispatches: number;
  /** Command buffers submitted to the queue. */
  submits: number;
  /** Buffer copies recorded (staged writes, aliasing copies, readbacks). */
  copies: number;
  /** Pipelines compiled so far on this device. */
  pipelines: number;
  /** GPU buffers created for tensors (pool misses). */
  buffersCreated: number;
  /** Bytes in live tensor buffers, and in the pool waiting for reuse. */
  liveBytes: number;
  pooledBytes: number;
}

function sizeClass(bytes: number): number {
  if (bytes <= 256) return 256;
  const step = 2 ** Math.floor(Math.log2(bytes)) / 8;
  return Math.ceil(bytes / step) * step;
}

const ceilDiv = (a: number, b: number): number => Math.ceil(a / b);

/** Adapter info across WebGPU versions (adapter.info is newer than requestAdapterInfo()). */
async function adapterInfo(adapter: GPUAdapter): Promise<{ vendor: string; architecture: string; device: string; description: string }> {
  const a = adapter as GPUAdapter & { requestAdapterInfo?: () => Promise<GPUAdapterInfo> };
  const info = a.info ?? (a.requestAdapterInfo ? await a.requestAdapterInfo() : undefined);
  return {
    vendor: info?.vendor ?? '',
    architecture: info?.architecture ?? '',
    device: info?.device ?? '',
    description: info?.description ?? '',
  };
}

export class WebGPUBackend implements Backend {
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

  private readonly modules = new Map<string, GPUShaderModule>();
  private readonly pipelines = new Map<string, GPUComputePipeline>();
  private readonly layouts = new Map<string, { group: GPUBindGroupLayout; pipeline: GPUPipelineLayout }>();
  private readonly pool = new Map<number, GPUBuffer[]>();
  private readonly dummies: GPUBuffer[] = [];
  private readonly uniformArenas: GPUBuffer[] = [];
  private readonly uniformShadow: ArrayBuffer[] = [];
  private readonly uniformAlign: number;
  private arenaIndex = 0;
  private arenaOffset = 0;
  private encoder: GPUCommandEncoder | null = null;
  private pass: GPUComputePassEncoder | null = null;
  private batchKernels: string[] = [];
  private batchDispatches = 0;
  private toDestroy: GPUBuffer[] = [];
  private pendingErrors: Promise<string | null>[] = [];
  private uncaptured: string | null = null;
  private lostReason: string | null = null;
  private counters = { dispatches: 0, submits: 0, copies: 0, buffersCreated: 0, liveBytes: 0, pooledBytes: 0 };

  private constructor(private readonly device: GPUDevice, name: string, options: WebGPUBackendOptions) {
    this.adapterName = name;
    this.cpuEmulation = /swiftshader|llvmpipe|lavapipe|softpipe|warp|microsoft basic render/i.test(name);
    this.description = `webgpu (${name || 'unknown adapter'}${this.cpuEmulation ? '; a CPU emulation of a GPU' : ''})`;
    this.mingruScanMode = options.mingruScan ?? 'auto';
    this.scanThreshold = options.scanThreshold ?? 2048;
    this.uniformAlign = Math.max(256, device.limits.minUniformBufferOffsetAlignment);
    void device.lost.then((info) => {
      this.lostReason = `${info.reason}${info.message ? `: ${info.message}` : ''}`;
    });
    device.addEventListener('uncapturederror', (event) => {
      this.uncaptured ??= (event as GPUUncapturedErrorEvent).error.message;
    });
    for (let i = 0; i < 9; i++) {
      this.dummies.push(device.createBuffer({ size: 16, usage: USAGE_STORAGE, label: `rnam dummy ${i}` }));
    }
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
    const info = await adapterInfo(adapter);
    const name = [info.vendor, info.architecture, info.device, info.description].filter(Boolean).join(' ');
    return new WebGPUBackend(device, name, options);
  }

  /** True once the device is lost (or destroyed): every call then throws. */
  get lost(): boolean {
    return this.lostReason !== null;
  }

  // ---- errors -------------------------------------------------------------------------------

  private check(): void {
    if (this.lostReason !== null) {
      throw new Error(`WebGPU device lost (${this.lostReason}); its tensors are gone: get a new device with rnam.device('webgpu')`);
    }
    if (this.uncaptured !== null) {
      const message = this.uncaptured;
      this.uncaptured = null;
      throw new Error(`WebGPU error: ${message}`);
    }
  }

  /** Waits for the error scopes of every submitted batch and throws the first error. */
  private async checkErrors(): Promise<void> {
    const pending = this.pendingErrors.splice(0);
    const messages = (await Promise.all(pending)).filter((m): m is string => m !== null);
    this.check();
    if (messages.length) throw new Error(messages[0]);
  }

  // ---- buffers ------------------------------------------------------------------------------

  alloc(numel: number): DeviceBuffer {
    this.check();
    const size = sizeClass(Math.max(1, numel) * 4);
    const free = this.pool.get(size);
    let buffer = free?.pop();
    if (buffer) {
      this.counters.pooledBytes -= size;
    } else {
      buffer = this.device.createBuffer({ size, usage: USAGE_STORAGE | USAGE_COPY_SRC | USAGE_COPY_DST });
      this.counters.buffersCreated++;
    }
    this.counters.liveBytes += size;
    const b: GpuBuffer = { numel, buffer, size, owner: this, freed: false };
    return b;
  }

  free(buffer: DeviceBuffer): void {
    const b = this.own(buffer);
    if (b.freed) return;
    b.freed = true;
    this.counters.liveBytes -= b.size;
    this.counters.pooledBytes += b.size;
    let list = this.pool.get(b.size);
    if (!list) this.pool.set(b.size, (list = []));
    list.push(b.buffer);
  }

  /** Destroys the pooled (unused) buffers, returning their memory to the driver. */
  trim(): void {
    this.flush();
    for (const list of this.pool.values()) for (const buffer of list.splice(0)) buffer.destroy();
    this.counters.pooledBytes = 0;
  }

  private own(buffer: DeviceBuffer): GpuBuffer {
    const b = buffer as GpuBuffer;
    if (b.owner !== this) {
      throw new Error(`WebGPU: a buffer of another device was passed to ${this.description}; move tensors with toAsync(device) / to(device)`);
    }
    return b;
  }

  private gpu(buffer: DeviceBuffer): GPUBuffer {
    const b = this.own(buffer);
    if (b.freed) throw new Error('WebGPU: use of a freed buffer');
    return b.buffer;
  }

  write(buffer: DeviceBuffer, data: Float32Array): void {
    this.check();
    const target = this.gpu(buffer);
    const bytes = data.length * 4;
    if (bytes === 0) return;
    if (!this.encoder) {
      // Nothing recorded: a queue write lands after every earlier submit and before later ones.
      this.device.queue.writeBuffer(target, 0, data.buffer, data.byteOffset, bytes);
      return;
    }
    // Commands are recorded but not submitted: a queue write would overtake them. Stage the data
    // and record the copy in order.
    const staging = this.device.createBuffer({ size: Math.ceil(bytes / 4) * 4, usage: USAGE_MAP_WRITE | USAGE_COPY_SRC, mappedAtCreation: true });
    new Float32Array(staging.getMappedRange()).set(data);
    staging.unmap();
    this.copy(staging, target, bytes);
    this.toDestroy.push(staging);
  }

  readSync(_buffer: DeviceBuffer): Float32Array {
    throw new Error('WebGPU tensors cannot be read synchronously: use `await tensor.toArray()`, or move them with `await tensor.toAsync(rnam.cpu)` / `await module.toAsync(rnam.cpu)`');
  }

  async read(buffer: DeviceBuffer): Promise<Float32Array> {
    this.check();
    const source = this.gpu(buffer);
    const bytes = buffer.numel * 4;
    if (bytes === 0) return new Float32Array(0);
    const staging = this.device.createBuffer({ size: bytes, usage: USAGE_MAP_READ | USAGE_COPY_DST });
    this.copy(source, staging, bytes);
    this.flush();
    try {
      await this.checkErrors();
      await staging.mapAsync(MAP_READ);
      const out = new Float32Array(staging.getMappedRange().slice(0));
      staging.unmap();
      return out;
    } finally {
      staging.destroy();
    }
  }

  // ---- recording and submitting -------------------------------------------------------------

  private ensureEncoder(): GPUCommandEncoder {
    if (!this.encoder) {
      this.device.pushErrorScope('out-of-memory');
      this.device.pushErrorScope('validation');
      this.encoder = this.device.createCommandEncoder();
    }
    return this.encoder;
  }

  private endPass(): void {
    if (this.pass) {
      this.pass.end();
      this.pass = null;
    }
  }

  private copy(src: GPUBuffer, dst: GPUBuffer, bytes: number): void {
    const encoder = this.ensureEncoder();
    this.endPass();
    encoder.copyBufferToBuffer(src, 0, dst, 0, bytes);
    this.counters.copies++;
  }

  /** Submits everything recorded so far (kernel calls only record; reads flush on their own). */
  flush(): void {
    if (!this.encoder) return;
    this.endPass();
    for (let i = 0; i <= this.arenaIndex && i < this.uniformArenas.length; i++) {
      const used = i < this.arenaIndex ? UNIFORM_ARENA : this.arenaOffset;
      if (used > 0) this.device.queue.writeBuffer(this.uniformArenas[i], 0, this.uniformShadow[i], 0, used);
    }
    this.device.queue.submit([this.encoder.finish()]);
    this.counters.submits++;
    this.encoder = null;
    this.arenaIndex = 0;
    this.arenaOffset = 0;
    const kernels = [...new Set(this.batchKernels)].join(', ');
    this.batchKernels = [];
    this.batchDispatches = 0;
    const validation = this.device.popErrorScope();
    const oom = this.device.popErrorScope();
    this.pendingErrors.push(Promise.all([validation, oom]).then(([v, o]) => {
      const e = v ?? o;
      return e ? `WebGPU ${v ? 'validation' : 'out-of-memory'} error in a batch running [${kernels}]: ${e.message}` : null;
    }));
    for (const b of this.toDestroy.splice(0)) b.destroy();
  }

  /** Submits and waits until the GPU has finished everything recorded so far. */
  async sync(): Promise<void> {
    this.flush();
    await this.device.queue.onSubmittedWorkDone();
    await this.checkErrors();
  }

  /** Counters for benchmarks: dispatches, submits, buffer traffic. */
  stats(): WebGPUStats {
    return { ...this.counters, pipelines: this.pipelines.size };
  }

  resetStats(): void {
    this.counters.dispatches = 0;
    this.counters.submits = 0;
    this.counters.copies = 0;
    this.counters.buffersCreated = 0;
  }

  /** Submits outstanding work and releases the device; the backend is unusable afterwards. */
  destroy(): void {
    if (this.lostReason === null) this.flush();
    this.device.destroy();
  }

  private uniformSlot(fields: readonly Field[]): [GPUBuffer, number] {
    if (this.arenaOffset + this.uniformAlign > UNIFORM_ARENA) {
      this.arenaIndex++;
      this.arenaOffset = 0;
    }
    if (this.arenaIndex >= this.uniformArenas.length) {
      this.uniformArenas.push(this.device.createBuffer({ size: UNIFORM_ARENA, usage: USAGE_UNIFORM | USAGE_COPY_DST }));
      this.uniformShadow.push(new ArrayBuffer(UNIFORM_ARENA));
    }
    const offset = this.arenaOffset;
    const u32 = new Uint32Array(this.uniformShadow[this.arenaIndex], offset, fields.length);
    const f32 = new Float32Array(this.uniformShadow[this.arenaIndex], offset, fields.length);
    fields.forEach((v, i) => {
      if (typeof v === 'number') u32[i] = v;
      else f32[i] = v[0];
    });
    this.arenaOffset += this.uniformAlign;
    return [this.uniformArenas[this.arenaIndex], offset];
  }

  private layout(modes: string): { group: GPUBindGroupLayout; pipeline: GPUPipelineLayout } {
    let l = this.layouts.get(modes);
    if (!l) {
      const entries: GPUBindGroupLayoutEntry[] = [{ binding: 0, visibility: STAGE_COMPUTE, buffer: { type: 'uniform' } }];
      [...modes].forEach((m, i) => entries.push({
        binding: i + 1, visibility: STAGE_COMPUTE, buffer: { type: m === 'w' ? 'storage' : 'read-only-storage' },
      }));
      const group = this.device.createBindGroupLayout({ entries });
      l = { group, pipeline: this.device.createPipelineLayout({ bindGroupLayouts: [group] }) };
      this.layouts.set(modes, l);
    }
    return l;
  }

  private pipeline(file: string, entry: string, modes: string, wg: number): GPUComputePipeline {
    const key = `${file}/${entry}/${wg}`;
    let p = this.pipelines.get(key);
    if (!p) {
      let module = this.modules.get(file);
      if (!module) {
        const source = wgslSources[file];
        if (source === undefined) throw new Error(`WebGPU: no WGSL kernel file '${file}'`);
        module = this.device.createShaderModule({ code: `${wgslCommon}\n${source}`, label: `rnam ${file}.wgsl` });
        this.modules.set(file, module);
      }
      p = this.device.createComputePipeline({
        label: `rnam ${file}.wgsl ${entry}`,
        layout: this.layout(modes).pipeline,
        compute: { module, entryPoint: entry, constants: { WG: wg } },
      });
      this.pipelines.set(key, p);
    }
    return p;
  }

  /** Records one dispatch of `entry` over `grid` workgroups. Bindings are numbered from 1 in order. */
  private run(file: string, entry: string, grid: readonly [number, number, number], fields: readonly Field[], args: readonly Arg[], wg = WG): void {
    this.check();
    if (grid[0] === 0 || grid[1] === 0 || grid[2] === 0) return;
    if (grid.some((g) => g > MAX_GROUPS)) {
      throw new Error(`WebGPU ${entry}: the problem is too large for one dispatch (grid ${grid.join('x')}, at most ${MAX_GROUPS} per dimension)`);
    }
    const encoder = this.ensureEncoder(); // first, so the error scopes see pipeline creation too
    const modes = args.map(([m]) => m).join('');
    const pipeline = this.pipeline(file, entry, modes, wg);
    const gpuArgs = args.map(([, b]) => (b === null ? null : this.gpu(b)));
    // An input that is also an output of this dispatch is read from a copy (WebGPU forbids the alias).
    const temps: DeviceBuffer[] = [];
    gpuArgs.forEach((g, i) => {
      if (g === null) return;
      for (let j = 0; j < gpuArgs.length; j++) {
        if (j === i || gpuArgs[j] !== g) continue;
        if (args[i][0] === 'w' && args[j][0] === 'w') throw new Error(`WebGPU ${entry}: two outputs share one buffer`);
        if (args[i][0] === 'r' && args[j][0] === 'w') {
          const temp = this.alloc(args[i][1]!.numel);
          temps.push(temp);
          this.copy(g, this.gpu(temp), Math.min((temp as GpuBuffer).size, (args[i][1] as GpuBuffer).size));
          gpuArgs[i] = this.gpu(temp);
          break;
        }
      }
    });
    const [uniform, offset] = this.uniformSlot(fields);
    const entries: GPUBindGroupEntry[] = [{ binding: 0, resource: { buffer: uniform, offset, size: this.uniformAlign } }];
    gpuArgs.forEach((g, i) => entries.push({ binding: i + 1, resource: { buffer: g ?? this.dummies[i] } }));
    const group = this.device.createBindGroup({ layout: this.layout(modes).group, entries });
    if (!this.pass) this.pass = encoder.beginComputePass();
    this.pass.setPipeline(pipeline);
    this.pass.setBindGroup(0, group);
    this.pass.dispatchWorkgroups(grid[0], grid[1], grid[2]);
    this.counters.dispatches++;
    this.batchKernels.push(entry);
    for (const t of temps) this.free(t);
    if (++this.batchDispatches >= MAX_BATCH) this.flush();
  }

  /** A 1-D problem of n invocations, as a 2-D grid when it needs more than 65535 workgroups. */
  private run1d(file: string, entry: string, n: number, fields: readonly Field[], args: readonly Arg[]): void {
    if (n === 0) return;
    const groups = ceilDiv(n, WG);
    const x = Math.min(groups, MAX_GROUPS);
    this.run(file, entry, [x, ceilDiv(groups, x), 1], fields, args);
  }

  /** Scratch for multi-pass kernels, returned to the pool after the dispatches are recorded. */
  private withScratch(numel: number, fn: (scratch: DeviceBuffer) => void): void {
    const s = this.alloc(numel);
    try {
      fn(s);
    } finally {
      this.free(s);
    }
  }

  // ---- kernels ------------------------------------------------------------------------------

  /** out[b] = A[b] @ B[b] (+ bias) through strides; see kernels/linear.wgsl. */
  private matmul(entry: string, a: DeviceBuffer, b: DeviceBuffer, bias: DeviceBuffer | null, out: DeviceBuffer,
    batch: number, m: number, n: number, k: number, aStrides: [number, number, number], bStrides: [number, number, number], split: boolean): void {
    const mTiles = ceilDiv(m, TILE);
    const splits = split && k > 2048 ? Math.min(64, ceilDiv(k, 1024), Math.max(1, Math.floor(MAX_GROUPS / batch))) : 1;
    const kChunk = Math.max(1, ceilDiv(k, splits));
    const fields = (): Field[] => [m, n, k, batch, ...aStrides, ...bStrides, bias ? 1 : 0, mTiles, splits, kChunk];
    const grid: [number, number, number] = [ceilDiv(n, TILE), Math.min(mTiles, MAX_GROUPS), batch * splits];
    if (splits === 1) {
      this.run('linear', entry, grid, fields(), [['r', a], ['r', b], ['r', bias], ['w', out]]);
      return;
    }
    this.withScratch(batch * splits * m * n, (partial) => {
      this.run('linear', entry, grid, fields(), [['r', a], ['r', b], ['r', null], ['w', partial]]);
      this.run1d('linear', 'linear_backward_dw_reduce', batch * m * n, fields(), [['r', partial], ['r', null], ['r', null], ['w', out]]);
    });
  }

  linear_forward({ x, w, b, y, terms, rows, inDim, outDim }: KernelArgs<'linear_forward'>): void {
    this.matmul('linear_forward', x, w, b, y, terms, rows, outDim, inDim, [rows * inDim, inDim, 1], [inDim * outDim, outDim, 1], false);
  }

  linear_backward({ x, w, dy, dx, dw, db, terms, rows, inDim, outDim }: KernelArgs<'linear_backward'>): void {
    if (dx) this.matmul('linear_backward_dx', dy, w, null, dx, terms, rows, inDim, outDim, [rows * outDim, outDim, 1], [inDim * outDim, 1, outDim], false);
    if (dw) this.matmul('linear_backward_dw', x, dy, null, dw, terms, inDim, outDim, rows, [rows * inDim, 1, inDim], [rows * outDim, outDim, 1], true);
    if (db) this.columnSum(dy, db, terms, rows, outDim);
  }

  /** y[o, j] = sum_r x[o, r, j] for x (outer, rows, inner): the sum_rows kernel. */
  private columnSum(x: DeviceBuffer, y: DeviceBuffer, outer: number, rows: number, inner: number): void {
    const splits = rows > 2048 ? Math.min(64, ceilDiv(rows, 1024), Math.max(1, Math.floor(MAX_GROUPS / Math.max(1, outer)))) : 1;
    const chunk = Math.max(1, ceilDiv(rows, splits));
    const fields: Field[] = [outer, rows, inner, splits, chunk];
    const grid: [number, number, number] = [ceilDiv(inner, 16), splits, outer];
    if (splits === 1) {
      this.run('reduce', 'sum_rows', grid, fields, [['r', x], ['w', y], ['w', null]]);
      return;
    }
    this.withScratch(outer * splits * inner, (partial) => {
      this.run('reduce', 'sum_rows', grid, fields, [['r', x], ['w', null], ['w', partial]]);
      this.run1d('reduce', 'sum_rows_reduce', outer * inner, fields, [['r', null], ['w', y], ['w', partial]]);
    });
  }

  /** The minGRU path for `groups * dim` sequences of length `seq`: [chunks, chunkLen], chunks = 1 meaning per-sequence. */
  private scanPlan(count: number, seq: number): [number, number] {
    const mode = this.mingruScanMode;
    if (mode === 'sequential' || (mode === 'auto' && count >= this.scanThreshold) || seq < 2) return [1, seq];
    const target = mode === 'chunked' ? Math.max(2, ceilDiv(8192, count)) : ceilDiv(8192, count);
    let chunks = Math.max(2, Math.min(target, ceilDiv(seq, 4)));
    if (mode === 'chunked') chunks = Math.max(2, Math.min(chunks, seq));
    const chunkLen = ceilDiv(seq, chunks);
    return [ceilDiv(seq, chunkLen), chunkLen];
  }

  mingru_scan_forward({ hg, h0, h, groups, seq, dim }: KernelArgs<'mingru_scan_forward'>): void {
    const count = groups * dim;
    const [chunks, chunkLen] = this.scanPlan(count, seq);
    const fields: Field[] = [groups, seq, dim, h0 ? 1 : 0, 0, chunks, chunkLen, count];
    if (chunks === 1) {
      this.run1d('mingru', 'mingru_scan_forward', count, fields, [['r', hg], ['r', h0], ['w', h], ['w', null]]);
      return;
    }
    this.withScratch(2 * chunks * count, (scratch) => {
      const args: Arg[] = [['r', hg], ['r', h0], ['w', h], ['w', scratch]];
      this.run1d('mingru', 'mingru_scan_forward_chunk', count * chunks, fields, args);
      this.run1d('mingru', 'mingru_scan_forward_carry', count, fields, args);
      this.run1d('mingru', 'mingru_scan_forward_apply', count * chunks, fields, args);
    });
  }

  mingru_scan_backward({ hg, h0, h, dh, dhg, dh0, groups, seq, dim }: KernelArgs<'mingru_scan_backward'>): void {
    const count = groups * dim;
    const [chunks, chunkLen] = this.scanPlan(count, seq);
    const fields: Field[] = [groups, seq, dim, h0 ? 1 : 0, dh0 ? 1 : 0, chunks, chunkLen, count];
    if (chunks === 1) {
      this.run1d('mingru', 'mingru_scan_backward', count, fields,
        [['r', hg], ['r', h0], ['r', h], ['r', dh], ['w', dhg], ['w', dh0], ['w', null]]);
      return;
    }
    this.withScratch(2 * chunks * count, (scratch) => {
      const args: Arg[] = [['r', hg], ['r', h0], ['r', h], ['r', dh], ['w', dhg], ['w', dh0], ['w', scratch]];
      this.run1d('mingru', 'mingru_scan_backward_chunk', count * chunks, fields, args);
      this.run1d('mingru', 'mingru_scan_backward_carry', count, fields, args);
      this.run1d('mingru', 'mingru_scan_backward_apply', count * chunks, fields, args);
    });
  }

  layer_norm_forward({ x, w, b, y, mean, rstd, rows, dim, eps }: KernelArgs<'layer_norm_forward'>): void {
    this.run1d('layernorm', 'layer_norm_forward', rows, [rows, dim, w ? 1 : 0, b ? 1 : 0, [eps], 0, 0, 0, 1, rows],
      [['r', x], ['r', w], ['r', b], ['w', y], ['w', mean], ['w', rstd]]);
  }

  layer_norm_backward({ x, w, mean: _mean, rstd: _rstd, dy, dx, dw, db, rows, dim, eps }: KernelArgs<'layer_norm_backward'>): void {
    // Like the CPU kernel, the row statistics are recomputed from x (see kernels/layernorm.wgsl).
    const splits = rows > 2048 ? Math.min(64, ceilDiv(rows, 1024)) : 1;
    const chunk = Math.max(1, ceilDiv(rows, splits));
    const fields: Field[] = [rows, dim, w ? 1 : 0, 0, [eps], dx ? 1 : 0, dw ? 1 : 0, db ? 1 : 0, splits, chunk];
    if (!dw && !db) {
      if (dx) this.run1d('layernorm', 'layer_norm_backward', rows, fields, [['r', x], ['r', w], ['r', dy], ['w', dx], ['w', null]]);
      return;
    }
    this.withScratch(rows * dim, (xhat) => {
      this.run1d('layernorm', 'layer_norm_backward', rows, fields, [['r', x], ['r', w], ['r', dy], ['w', dx], ['w', xhat]]);
      const grid: [number, number, number] = [ceilDiv(dim, 16), splits, 1];
      if (splits === 1) {
        this.run('layernorm', 'layer_norm_backward_dwdb', grid, fields, [['r', xhat], ['r', dy], ['w', dw], ['w', db], ['w', null]]);
        return;
      }
      this.withScratch(2 * splits * dim, (partial) => {
        this.run('layernorm', 'layer_norm_backward_dwdb', grid, fields, [['r', xhat], ['r', dy], ['w', null], ['w', null], ['w', partial]]);
        this.run1d('layernorm', 'layer_norm_backward_reduce', dim, fields, [['r', null], ['r', null], ['w', dw], ['w', db], ['w', partial]]);
      });
    });
  }

  unary_forward({ x, y, n, op }: KernelArgs<'unary_forward'>): void {
    this.run1d('unary', 'unary_forward', n, [n, op], [['r', x], ['r', null], ['r', null], ['w', y]]);
  }

  unary_backward({ x, y, dy, dx, n, op }: KernelArgs<'unary_backward'>): void {
    this.run1d('unary', 'unary_backward', n, [n, op], [['r', x], ['r', y], ['r', dy], ['w', dx]]);
  }

  binary_forward({ a, b, out, n, op }: KernelArgs<'binary_forward'>): void {
    this.run1d('elementwise', 'binary_forward', n, [n, op, 1, 1, [1], [0]], [['r', a], ['r', b], ['r', null], ['w', out], ['w', null]]);
  }

  binary_backward({ a, b, dy, da, db, n, op }: KernelArgs<'binary_backward'>): void {
    if (!da && !db) return;
    this.run1d('elementwise', 'binary_backward', n, [n, op, da ? 1 : 0, db ? 1 : 0, [1], [0]],
      [['r', a], ['r', b], ['r', dy], ['w', da], ['w', db]]);
  }

  affine_scalar({ x, out, n, scale, shift }: KernelArgs<'affine_scalar'>): void {
    this.run1d('elementwise', 'affine_scalar', n, [n, 0, 1, 0, [scale], [shift]], [['r', x], ['r', null], ['r', null], ['w', out], ['w', null]]);
  }

  fill({ out, n, value }: KernelArgs<'fill'>): void {
    this.run1d('elementwise', 'fill', n, [n, 0, 0, 0, [1], [value]], [['r', null], ['r', null], ['r', null], ['w', out], ['w', null]]);
  }

  copy_rows({ src, dst, outer, srcN, dstN, inner, srcStart, dstStart, count }: KernelArgs<'copy_rows'>): void {
    const total = outer * count * inner;
    this.run1d('elementwise', 'copy_rows', total, [outer, srcN, dstN, inner, srcStart, dstStart, count, total], [['r', src], ['w', dst]]);
  }

  /** The scalar reductions: kind 0 sum, 1 sum of squares, 2 sum of squared differences. */
  private scalarReduce(entry: string, a: DeviceBuffer, b: DeviceBuffer | null, out: DeviceBuffer, n: number,
    kind: number, accumulate: boolean, divisor: number): void {
    const parts = Math.max(1, Math.min(256, ceilDiv(n, 4096)));
    const fields: Field[] = [n, parts, kind, accumulate ? 1 : 0, [divisor]];
    if (parts === 1) {
      this.run('reduce', entry, [1, 1, 1], fields, [['r', a], ['r', b], ['w', out], ['w', null]]);
      return;
    }
    this.withScratch(parts, (partial) => {
      this.run('reduce', entry, [parts, 1, 1], fields, [['r', a], ['r', b], ['w', out], ['w', partial]]);
      this.run('reduce', 'reduce_final', [1, 1, 1], fields, [['r', null], ['r', null], ['w', out], ['w', partial]]);
    });
  }

  sum_all({ x, out, n }: KernelArgs<'sum_all'>): void {
    this.scalarReduce('sum_all', x, null, out, n, 0, false, 1);
  }

  sum_rows({ x, y, rows, inner }: KernelArgs<'sum_rows'>): void {
    this.columnSum(x, y, 1, rows, inner);
  }

  add_row_vector({ x, v, y, rows, inner }: KernelArgs<'add_row_vector'>): void {
    this.run1d('reduce', 'add_row_vector', rows * inner, [rows * inner, inner], [['r', x], ['r', v], ['w', y]]);
  }

  mse_forward({ a, b, out, n }: KernelArgs<'mse_forward'>): void {
    this.scalarReduce('mse_forward', a, b, out, n, 2, false, n);
  }

  mse_backward({ a, b, dOut, da, db, n }: KernelArgs<'mse_backward'>): void {
    if (!da && !db) return;
    this.run1d('reduce', 'mse_backward', n, [n, da ? 1 : 0, db ? 1 : 0],
      [['r', a], ['r', b], ['r', dOut], ['w', da], ['w', db]]);
  }

  sum_squares_accumulate({ x, acc, n }: KernelArgs<'sum_squares_accumulate'>): void {
    this.scalarReduce('sum_squares_accumulate', x, null, acc, n, 1, true, 1);
  }

  sgd_step({ p, g, buf, n, lr, momentum, dampening, weightDecay, nesterov, firstStep }: KernelArgs<'sgd_step'>): void {
    this.run1d('optim', 'sgd_step', n, [n, +nesterov, +firstStep, [lr], [momentum], [dampening], [weightDecay]],
      [['w', p], ['r', g], ['w', buf]]);
  }

  adam_step({ p, g, m, v, n, lr, beta1, beta2, eps, weightDecay, decoupled, stepSize, bc2Sqrt }: KernelArgs<'adam_step'>): void {
    this.run1d('optim', 'adam_step', n, [n, +decoupled, [lr], [beta1], [beta2], [eps], [weightDecay], [stepSize], [bc2Sqrt]],
      [['w', p], ['r', g], ['w', m], ['w', v]]);
  }

  clip_scale({ g, n, sumSq, maxNorm }: KernelArgs<'clip_scale'>): void {
    this.run1d('optim', 'clip_scale', n, [n, [maxNorm]], [['w', g], ['r', sumSq]]);
  }

  async count_nonfinite({ a, n }: KernelArgs<'count_nonfinite'>): Promise<number> {
    const counter = this.alloc(1);
    try {
      this.ensureEncoder();
      this.endPass();
      this.encoder!.clearBuffer(this.gpu(counter));
      if (n > 0) {
        const groups = Math.min(1024, ceilDiv(n, WG));
        this.run('elementwise', 'count_nonfinite', [groups, 1, 1], [n, groups * WG], [['r', a], ['w', counter]]);
      }
      const raw = await this.read(counter);
      return new Uint32Array(raw.buffer, raw.byteOffset, 1)[0];
    } finally {
      this.free(counter);
    }
  }

  // ---- ImplicitRNN (kernels/implicit.wgsl; the ImplicitKernels interface; see webgpu-implicit.ts) ----
  private implicitGpuHandle?: ImplicitGpu;

  private get implicitGpu(): ImplicitGpu {
    return (this.implicitGpuHandle ??= {
      run: (file, entry, grid, fields, args, wg) => this.run(file, entry, grid, fields, args, wg),
      run1d: (file, entry, n, fields, args) => this.run1d(file, entry, n, fields, args),
      alloc: (numel) => this.alloc(numel),
      free: (buffer) => this.free(buffer),
    });
  }

  implicit_forward(a: KernelArgs<'implicit_forward'>): void {
    implicitForward(this.implicitGpu, a.x, a.a, a.b, a.c, a.d, a.xs, a.h, a.stats, a.batch, a.seq, a.inDim, a.n, a.hid, a.maxIter, a.tol, a.kappa);
  }

  implicit_backward(a: KernelArgs<'implicit_backward'>): void {
    implicitBackward(this.implicitGpu, a.x, a.a, a.b, a.c, a.d, a.xs, a.h, a.dh, a.dx, a.dA, a.dB, a.dC, a.dD, a.stats,
      a.batch, a.seq, a.inDim, a.n, a.hid, a.maxIter, a.tol, a.kappa);
  }


  // ---- Recurrent cells: Elman RNN, GRU, LSTM (kernels/rnn.wgsl; the RecurrentKernels interface) ----
  // One dispatch per layer and direction: a workgroup per batch row loops over time inside the
  // kernel, its invocations over hidden units, h_{t-1} in workgroup memory.

  /** The uniform of kernels/rnn.wgsl (RecParams). */
  private static recFields(batch: number, seq: number, hidden: number, batchFirst: boolean,
    flags: { relu?: boolean; bias?: unknown; h0?: unknown; c0?: unknown; dout?: unknown }): Field[] {
    const [strideT, strideB] = batchFirst ? [1, seq] : [batch, 1];
    return [batch, seq, hidden, strideT, strideB, flags.relu ? 1 : 0, flags.bias ? 1 : 0, flags.h0 ? 1 : 0,
      flags.c0 ? 1 : 0, flags.dout ? 1 : 0, 0, 0];
  }

  private recurrent(entry: string, batch: number, hidden: number, fields: readonly Field[], args: readonly Arg[]): void {
    if (hidden > 1024) throw new Error(`WebGPU ${entry}: hidden size ${hidden} is above the WGSL recurrent kernels' limit of 1024`);
    this.run('rnn', entry, [batch, 1, 1], fields, args, 64);
  }

  transpose_2d({ src, dst, rows, cols }: KernelArgs<'transpose_2d'>): void {
    this.run1d('rnn', 'transpose_2d', rows * cols, [0, 0, 0, 0, 0, 0, 0, 0, 0, 0, rows, cols], [['r', src], ['w', dst]]);
  }

  rnn_forward({ xg, whhT, bhh, h0, out, batch, seq, hidden, batchFirst, relu }: KernelArgs<'rnn_forward'>): void {
    this.recurrent('rnn_forward', batch, hidden, WebGPUBackend.recFields(batch, seq, hidden, batchFirst, { relu, bias: bhh, h0 }),
      [['w', xg], ['r', whhT], ['r', bhh], ['r', h0], ['r', null], ['w', out], ['w', null]]);
  }

  rnn_backward({ whh, out, dout, dg, dh0, batch, seq, hidden, batchFirst, relu }: KernelArgs<'rnn_backward'>): void {
    this.recurrent('rnn_backward', batch, hidden, WebGPUBackend.recFields(batch, seq, hidden, batchFirst, { relu, dout }),
      [['r', whh], ['r', out], ['r', dout], ['w', dg], ['w', dh0]]);
  }

  gru_forward({ xg, whhT, bhh, h0, out, hn, batch, seq, hidden, batchFirst }: KernelArgs<'gru_forward'>): void {
    this.recurrent('gru_forward', batch, hidden, WebGPUBackend.recFields(batch, seq, hidden, batchFirst, { bias: bhh, h0 }),
      [['w', xg], ['r', whhT], ['r', bhh], ['r', h0], ['r', null], ['w', out], ['w', hn]]);
  }

  gru_backward({ whh, gates, hn, out, dout, dgi, dgh, dh0, batch, seq, hidden, batchFirst }: KernelArgs<'gru_backward'>): void {
    this.recurrent('gru_backward', batch, hidden, WebGPUBackend.recFields(batch, seq, hidden, batchFirst, { dout }),
      [['r', whh], ['r', gates], ['r', hn], ['r', out], ['r', dout], ['w', dgi], ['w', dgh], ['w', dh0]]);
  }

  lstm_forward({ xg, whhT, bhh, h0, c0, out, c, batch, seq, hidden, batchFirst }: KernelArgs<'lstm_forward'>): void {
    this.recurrent('lstm_forward', batch, hidden, WebGPUBackend.recFields(batch, seq, hidden, batchFirst, { bias: bhh, h0, c0 }),
      [['w', xg], ['r', whhT], ['r', bhh], ['r', h0], ['r', c0], ['w', out], ['w', c]]);
  }

  lstm_backward({ whh, gates, c, c0, dout, dg, dh0, dc0, batch, seq, hidden, batchFirst }: KernelArgs<'lstm_backward'>): void {
    this.recurrent('lstm_backward', batch, hidden, WebGPUBackend.recFields(batch, seq, hidden, batchFirst, { c0, dout }),
      [['r', whh], ['r', gates], ['r', c], ['r', c0], ['r', dout], ['w', dg], ['w', dh0], ['w', dc0]]);
  }
}
