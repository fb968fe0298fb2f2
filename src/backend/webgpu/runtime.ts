/// <reference types="@webgpu/types" />
// The WebGPU device runtime the kernel plans dispatch through. Kernel calls only record work:
// dispatches go into one command encoder (one compute pass between copies) that is submitted when a
// value is read (or on flush()), so a training step is one submit.
//
// - Passes (src/kernels/gpu-passes.ts) are dispatched with named uniforms and named bindings; the
//   uniform is packed by the table's field order and types, the bindings are numbered from 1 in the
//   table's order. Pipelines are cached per (file, entry point, workgroup size).
// - Uniforms are written into pooled 64 KiB arenas (one 256-byte slot per dispatch) that are
//   uploaded just before the submit. Buffers come from a pool keyed by size class.
// - Ordering: queue.writeBuffer runs at submit time, before commands already recorded in the open
//   encoder. So write() uses writeBuffer only when nothing is recorded; otherwise it records a copy
//   from a mapped staging buffer into the encoder, in order with the dispatches around it.
// - WGSL cannot bind "no buffer": absent arguments are flags in the uniform and a placeholder binding.
//   WebGPU forbids binding one buffer both writable and read in a dispatch, so an input that aliases
//   an output (out = a + b with out === a) is first copied to a scratch buffer.
// - Validation and out-of-memory errors are captured with error scopes around each batch and thrown
//   (naming the passes of the batch) from the next read; device loss makes every later call throw.
import type { DeviceBuffer } from '../backend.js';
import type { GpuPassName, PassBindings, PassUniforms, UniformType } from '../../kernels/gpu-passes.js';
import { allGpuPasses } from '../../kernels/derived.js';
import { wgslCommon, wgslSources } from '../wgsl-sources.js';
import { OutOfMemoryError } from '../../errors.js';

// GPUBufferUsage / GPUMapMode / GPUShaderStage values, spelled out so this file needs no globals.
const USAGE_MAP_READ = 0x1, USAGE_MAP_WRITE = 0x2, USAGE_COPY_SRC = 0x4, USAGE_COPY_DST = 0x8;
const USAGE_UNIFORM = 0x40, USAGE_STORAGE = 0x80;
const MAP_READ = 0x1;
const STAGE_COMPUTE = 0x4;

/** The default workgroup size (the WG override of kernels/common.wgsl). */
export const WG = 256;
/** The most workgroups per grid dimension. */
export const MAX_GROUPS = 65535;
const UNIFORM_ARENA = 65536;
/** Dispatches recorded before an automatic submit (keeps an unread loop from growing one encoder forever). */
const MAX_BATCH = 2048;
/** Placeholder buffers for absent bindings, one per binding position. */
const MAX_BINDINGS = 9;

export type Grid = readonly [number, number, number];

export const ceilDiv = (a: number, b: number): number => Math.ceil(a / b);

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

interface GpuBuffer extends DeviceBuffer {
  readonly buffer: GPUBuffer;
  readonly size: number;
  readonly owner: GpuRuntime;
  freed: boolean;
}

function sizeClass(bytes: number): number {
  if (bytes <= 256) return 256;
  const step = 2 ** Math.floor(Math.log2(bytes)) / 8;
  return Math.ceil(bytes / step) * step;
}

/** What dispatch() needs of a pass, read once from the table. */
interface PassLayout {
  readonly file: string;
  readonly fields: readonly (readonly [string, UniformType])[];
  readonly bindings: readonly string[];
  /** Per storage binding: 'r' read-only, 'w' read-write. */
  readonly access: string;
}

const passLayouts = new Map<string, PassLayout>(Object.entries(allGpuPasses).map(([name, p]) => {
  const bindings = Object.entries(p.bindings as Record<string, string>);
  return [name, {
    file: p.file,
    fields: Object.entries(p.uniform.fields as Record<string, UniformType>),
    bindings: bindings.map(([v]) => v),
    access: bindings.map(([, mode]) => (mode === 'read' ? 'r' : 'w')).join(''),
  }];
}));

export class GpuRuntime {
  private readonly modules = new Map<string, GPUShaderModule>();
  private readonly pipelines = new Map<string, GPUComputePipeline>();
  private readonly layouts = new Map<string, { group: GPUBindGroupLayout; pipeline: GPUPipelineLayout }>();
  private readonly pool = new Map<number, GPUBuffer[]>();
  private readonly placeholders: GPUBuffer[] = [];
  private readonly uniformArenas: GPUBuffer[] = [];
  private readonly uniformShadow: DataView[] = [];
  private readonly uniformAlign: number;
  private arenaIndex = 0;
  private arenaOffset = 0;
  private encoder: GPUCommandEncoder | null = null;
  private pass: GPUComputePassEncoder | null = null;
  private batchPasses: string[] = [];
  private batchDispatches = 0;
  private toDestroy: GPUBuffer[] = [];
  private pendingErrors: Promise<string | null>[] = [];
  private uncaptured: string | null = null;
  private lostReason: string | null = null;
  /** Buffers whose creation failed (known once their error scope resolved). */
  private readonly failedBuffers = new WeakSet<GPUBuffer>();
  private counters = { dispatches: 0, submits: 0, copies: 0, buffersCreated: 0, liveBytes: 0, pooledBytes: 0 };

  /** `description` names the device in errors about foreign buffers. */
  constructor(private readonly device: GPUDevice, private readonly description: string) {
    this.uniformAlign = Math.max(256, device.limits.minUniformBufferOffsetAlignment);
    void device.lost.then((info) => {
      this.lostReason = `${info.reason}${info.message ? `: ${info.message}` : ''}`;
    });
    device.addEventListener('uncapturederror', (event) => {
      this.uncaptured ??= (event as GPUUncapturedErrorEvent).error.message;
    });
    for (let i = 0; i < MAX_BINDINGS; i++) {
      this.placeholders.push(device.createBuffer({ size: 16, usage: USAGE_STORAGE, label: `rnam placeholder ${i}` }));
    }
  }

  /** True once the device is lost (or destroyed): every call then throws. */
  get lost(): boolean {
    return this.lostReason !== null;
  }

  // ---- errors -------------------------------------------------------------------------------

  check(): void {
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
    const { maxBufferSize } = this.device.limits;
    if (size > maxBufferSize) {
      throw new OutOfMemoryError(`WebGPU: a tensor of ${numel} floats needs a ${size}-byte buffer, over this device's maxBufferSize of ${maxBufferSize} bytes (${this.description})`);
    }
    let buffer = this.pool.get(size)?.pop();
    if (buffer) {
      this.counters.pooledBytes -= size;
    } else {
      buffer = this.createTensorBuffer(size);
    }
    this.counters.liveBytes += size;
    const b: GpuBuffer = { numel, buffer, size, owner: this, freed: false };
    return b;
  }

  /**
   * A new storage buffer, counted in the stats. A failed creation (out of memory, validation) still
   * returns a buffer object and reports only asynchronously, through an error scope: when that
   * says it failed, the counts are taken back and the error is thrown from the next read or sync.
   */
  private createTensorBuffer(size: number): GPUBuffer {
    this.device.pushErrorScope('out-of-memory');
    this.device.pushErrorScope('validation');
    const buffer = this.device.createBuffer({ size, usage: USAGE_STORAGE | USAGE_COPY_SRC | USAGE_COPY_DST });
    const validation = this.device.popErrorScope();
    const oom = this.device.popErrorScope();
    this.counters.buffersCreated++;
    this.pendingErrors.push(Promise.all([validation, oom]).then(([v, o]) => {
      const e = v ?? o;
      if (!e) return null;
      this.failedBuffers.add(buffer);
      this.counters.buffersCreated--;
      if (this.pooledFailed(buffer)) this.counters.pooledBytes -= size;
      else this.counters.liveBytes -= size; // held by a tensor (free() then skips it)
      return `WebGPU ${v ? 'validation' : 'out-of-memory'} error: creating a ${size}-byte buffer failed: ${e.message}`;
    }));
    return buffer;
  }

  /** Whether a failed buffer sits in the pool (then it leaves it). */
  private pooledFailed(buffer: GPUBuffer): boolean {
    for (const list of this.pool.values()) {
      const i = list.indexOf(buffer);
      if (i >= 0) {
        list.splice(i, 1);
        buffer.destroy();
        return true;
      }
    }
    return false;
  }

  free(buffer: DeviceBuffer): void {
    const b = this.own(buffer);
    if (b.freed) return;
    b.freed = true;
    if (this.failedBuffers.has(b.buffer)) {
      b.buffer.destroy(); // never counted, never pooled
      return;
    }
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

  /** Scratch for multi-pass plans, returned to the pool once the dispatches are recorded. */
  withScratch(numel: number, fn: (scratch: DeviceBuffer) => void): void {
    const s = this.alloc(numel);
    try {
      fn(s);
    } finally {
      this.free(s);
    }
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

  /** Records zeroing a buffer, in order with the dispatches around it. */
  clear(buffer: DeviceBuffer): void {
    const encoder = this.ensureEncoder();
    this.endPass();
    encoder.clearBuffer(this.gpu(buffer));
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
      if (used > 0) this.device.queue.writeBuffer(this.uniformArenas[i], 0, this.uniformShadow[i].buffer, 0, used);
    }
    this.device.queue.submit([this.encoder.finish()]);
    this.counters.submits++;
    this.encoder = null;
    this.arenaIndex = 0;
    this.arenaOffset = 0;
    const passes = [...new Set(this.batchPasses)].join(', ');
    this.batchPasses = [];
    this.batchDispatches = 0;
    const validation = this.device.popErrorScope();
    const oom = this.device.popErrorScope();
    this.pendingErrors.push(Promise.all([validation, oom]).then(([v, o]) => {
      const e = v ?? o;
      return e ? `WebGPU ${v ? 'validation' : 'out-of-memory'} error in a batch running [${passes}]: ${e.message}` : null;
    }));
    for (const b of this.toDestroy.splice(0)) b.destroy();
  }

  /** Submits and waits until the GPU has finished everything recorded so far. */
  async sync(): Promise<void> {
    this.flush();
    await this.device.queue.onSubmittedWorkDone();
    await this.checkErrors();
  }

  stats(): WebGPUStats {
    return { ...this.counters, pipelines: this.pipelines.size };
  }

  resetStats(): void {
    this.counters.dispatches = 0;
    this.counters.submits = 0;
    this.counters.copies = 0;
    this.counters.buffersCreated = 0;
  }

  /** Submits outstanding work and releases the device. */
  destroy(): void {
    if (this.lostReason === null) this.flush();
    this.device.destroy();
  }

  // ---- dispatch -----------------------------------------------------------------------------

  /** Records one dispatch of `pass` over `grid` workgroups of `wg` invocations. */
  dispatch<P extends GpuPassName>(pass: P, grid: Grid, uniforms: PassUniforms<P>, bindings: PassBindings<P>, wg = WG): void {
    const layout = passLayouts.get(pass)!;
    const values = uniforms as Readonly<Record<string, number>>;
    const buffers = bindings as Readonly<Record<string, DeviceBuffer | null>>;
    this.record(layout.file, pass, grid, layout.access, (view, offset) => {
      layout.fields.forEach(([field, type], i) => {
        const at = offset + 4 * i, v = values[field];
        if (type === 'f32') view.setFloat32(at, v, true);
        else if (type === 'i32') view.setInt32(at, v, true);
        else view.setUint32(at, v, true);
      });
    }, layout.bindings.map((v) => buffers[v]), wg);
  }

  /** A 1-D problem of n invocations (workgroups of WG), as a 2-D grid when it needs more than 65535 workgroups. */
  dispatch1d<P extends GpuPassName>(pass: P, n: number, uniforms: PassUniforms<P>, bindings: PassBindings<P>): void {
    if (n === 0) return;
    const groups = ceilDiv(n, WG);
    const x = Math.min(groups, MAX_GROUPS);
    this.dispatch(pass, [x, ceilDiv(groups, x), 1], uniforms, bindings);
  }

  /**
   * Records a dispatch of entry point `entry` of kernels/<file>.wgsl: `access` gives each storage
   * binding's access, `pack` writes the uniform into its slot. dispatch() is the typed way in.
   */
  private record(file: string, entry: string, grid: Grid, access: string, pack: (view: DataView, offset: number) => void,
    args: readonly (DeviceBuffer | null)[], wg: number): void {
    this.check();
    if (grid[0] === 0 || grid[1] === 0 || grid[2] === 0) return;
    if (grid.some((g) => g > MAX_GROUPS)) {
      throw new Error(`WebGPU ${entry}: the problem is too large for one dispatch (grid ${grid.join('x')}, at most ${MAX_GROUPS} per dimension)`);
    }
    const encoder = this.ensureEncoder(); // first, so the error scopes see pipeline creation too
    const pipeline = this.pipeline(file, entry, access, wg);
    const gpuArgs = args.map((b) => (b === null ? null : this.gpu(b)));
    // An input that is also an output of this dispatch is read from a copy (WebGPU forbids the alias).
    const temps: DeviceBuffer[] = [];
    gpuArgs.forEach((g, i) => {
      if (g === null) return;
      for (let j = 0; j < gpuArgs.length; j++) {
        if (j === i || gpuArgs[j] !== g) continue;
        if (access[i] === 'w' && access[j] === 'w') throw new Error(`WebGPU ${entry}: two outputs share one buffer`);
        if (access[i] === 'r' && access[j] === 'w') {
          const temp = this.alloc(args[i]!.numel);
          temps.push(temp);
          this.copy(g, this.gpu(temp), Math.min((temp as GpuBuffer).size, (args[i] as GpuBuffer).size));
          gpuArgs[i] = this.gpu(temp);
          break;
        }
      }
    });
    const [uniform, offset] = this.uniformSlot(pack);
    const entries: GPUBindGroupEntry[] = [{ binding: 0, resource: { buffer: uniform, offset, size: this.uniformAlign } }];
    gpuArgs.forEach((g, i) => entries.push({ binding: i + 1, resource: { buffer: g ?? this.placeholders[i] } }));
    const group = this.device.createBindGroup({ layout: this.layout(access).group, entries });
    if (!this.pass) this.pass = encoder.beginComputePass();
    this.pass.setPipeline(pipeline);
    this.pass.setBindGroup(0, group);
    this.pass.dispatchWorkgroups(grid[0], grid[1], grid[2]);
    this.counters.dispatches++;
    this.batchPasses.push(entry);
    for (const t of temps) this.free(t);
    if (++this.batchDispatches >= MAX_BATCH) this.flush();
  }

  private uniformSlot(pack: (view: DataView, offset: number) => void): [GPUBuffer, number] {
    if (this.arenaOffset + this.uniformAlign > UNIFORM_ARENA) {
      this.arenaIndex++;
      this.arenaOffset = 0;
    }
    if (this.arenaIndex >= this.uniformArenas.length) {
      this.uniformArenas.push(this.device.createBuffer({ size: UNIFORM_ARENA, usage: USAGE_UNIFORM | USAGE_COPY_DST }));
      this.uniformShadow.push(new DataView(new ArrayBuffer(UNIFORM_ARENA)));
    }
    const offset = this.arenaOffset;
    pack(this.uniformShadow[this.arenaIndex], offset);
    this.arenaOffset += this.uniformAlign;
    return [this.uniformArenas[this.arenaIndex], offset];
  }

  private layout(access: string): { group: GPUBindGroupLayout; pipeline: GPUPipelineLayout } {
    let l = this.layouts.get(access);
    if (!l) {
      const entries: GPUBindGroupLayoutEntry[] = [{ binding: 0, visibility: STAGE_COMPUTE, buffer: { type: 'uniform' } }];
      [...access].forEach((a, i) => entries.push({
        binding: i + 1, visibility: STAGE_COMPUTE, buffer: { type: a === 'w' ? 'storage' : 'read-only-storage' },
      }));
      const group = this.device.createBindGroupLayout({ entries });
      l = { group, pipeline: this.device.createPipelineLayout({ bindGroupLayouts: [group] }) };
      this.layouts.set(access, l);
    }
    return l;
  }

  private pipeline(file: string, entry: string, access: string, wg: number): GPUComputePipeline {
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
        layout: this.layout(access).pipeline,
        compute: { module, entryPoint: entry, constants: { WG: wg } },
      });
      this.pipelines.set(key, p);
    }
    return p;
  }
}
