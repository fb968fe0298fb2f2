// Tensor: a shape, a device, a reference-counted device buffer, and autograd links.
// float32, contiguous, row-major; reshape shares the buffer, everything else copies.
import type { Backend, DeviceBuffer } from './backend/backend.js';
import { track } from './memory.js';
import { formatShape, numelOf, resolveShape, type Shape } from './shape.js';
import { record, runBackward, type GradNode } from './autograd.js';

/** A device buffer shared by a tensor and its reshapes; freed when the last one lets go. */
export class Storage {
  private refs = 1;
  constructor(readonly device: Backend, readonly buffer: DeviceBuffer) {}
  retain(): this {
    this.refs++;
    return this;
  }
  release(): void {
    if (--this.refs === 0) this.device.free(this.buffer);
  }
}

const finalizer = new FinalizationRegistry<Storage>((storage) => storage.release());

export class Tensor {
  readonly shape: Shape;
  readonly device: Backend;
  requiresGrad: boolean;
  /** Accumulated gradient of a leaf tensor after backward(). */
  grad: Tensor | null = null;
  /** The operation that produced this tensor, if autograd recorded one. */
  gradFn: GradNode<Tensor> | null = null;
  private storage: Storage | null;
  /** @internal created inside a scope and not returned from it: freed once no node saves it. */
  _internal = false;
  /** @internal how many unreleased autograd nodes saved this tensor. */
  _savedBy = 0;

  /** @internal use rnam.tensor / rnam.zeros to make tensors. */
  constructor(storage: Storage, shape: Shape, requiresGrad = false) {
    this.storage = storage;
    this.device = storage.device;
    this.shape = Object.freeze([...shape]);
    this.requiresGrad = requiresGrad;
    finalizer.register(this, storage, this);
    track(this);
  }

  /** @internal a new tensor with uninitialised contents. */
  static empty(shape: Shape, device: Backend): Tensor {
    return new Tensor(new Storage(device, device.alloc(numelOf(shape))), shape);
  }

  /** @internal scratch an op keeps only for its backward pass: freed with the node, or at once if none is recorded. */
  static scratch(shape: Shape, device: Backend): Tensor {
    const t = Tensor.empty(shape, device);
    t._internal = true;
    return t;
  }

  /** @internal a tensor with the given contents. */
  static fromArray(data: Float32Array, shape: Shape, device: Backend, requiresGrad = false): Tensor {
    const t = Tensor.empty(shape, device);
    device.write(t.buffer, data);
    t.requiresGrad = requiresGrad;
    return t;
  }

  get numel(): number {
    return numelOf(this.shape);
  }

  get ndim(): number {
    return this.shape.length;
  }

  get isLeaf(): boolean {
    return this.gradFn === null;
  }

  get disposed(): boolean {
    return this.storage === null;
  }

  /** @internal the device buffer; throws if the tensor was freed. */
  get buffer(): DeviceBuffer {
    if (!this.storage) {
      throw new Error(
        `Tensor${formatShape(this.shape)} was freed (disposed, or an intermediate released after backward())`,
      );
    }
    return this.storage.buffer;
  }

  /** The values, row-major. */
  async toArray(): Promise<Float32Array> {
    return this.device.read(this.buffer);
  }

  /** A copy on `device` (this tensor if it is already there), read asynchronously: works from WebGPU too. */
  async toAsync(device: Backend): Promise<Tensor> {
    if (device === this.device) return this;
    return Tensor.fromArray(await this.toArray(), this.shape, device, this.requiresGrad);
  }

  /** The values, synchronously, on devices that allow it (wasm). */
  toArraySync(): Float32Array {
    return this.device.readSync(this.buffer);
  }

  /** The single value of a one-element tensor. */
  async item(): Promise<number> {
    if (this.numel !== 1) throw new Error(`item(): tensor of shape ${formatShape(this.shape)} has ${this.numel} elements, not 1`);
    return (await this.toArray())[0];
  }

  /** Backpropagates from this tensor: a scalar, or any shape with a gradient of the same shape. */
  backward(grad?: Tensor): void {
    runBackward<Tensor>(this, grad, Tensor.empty);
  }

  /** A tensor of another shape over the same values (no copy). */
  reshape(...shape: number[] | [readonly number[]]): Tensor {
    const target = resolveShape('reshape', this.shape, (Array.isArray(shape[0]) ? shape[0] : shape) as number[]);
    const y = new Tensor(this.storageRef().retain(), target);
    return record('reshape', { inputs: { x: this }, outputs: { y }, saved: [], backward: ({ y: dy }) => ({ x: dy.reshape(this.shape) }) }).y;
  }

  /** A tensor sharing this one's values, cut from the graph. */
  detach(): Tensor {
    return new Tensor(this.storageRef().retain(), this.shape, false);
  }

  /** Frees the device memory now. A tensor a recorded graph still needs is freed after backward(). */
  dispose(): void {
    if (this._savedBy > 0) this._internal = true;
    else this._free();
  }

  /** @internal */
  storageRef(): Storage {
    if (!this.storage) void this.buffer; // throws the freed-tensor error
    return this.storage!;
  }

  /** @internal */
  _free(): void {
    if (!this.storage) return;
    finalizer.unregister(this);
    this.storage.release();
    this.storage = null;
  }

  /** @internal called when a scope ends without returning this tensor. */
  _releaseInternal(): void {
    this._internal = true;
    if (this._savedBy === 0) this._free();
  }

  toString(): string {
    return `Tensor${formatShape(this.shape)} on ${this.device.kind}`;
  }
}
