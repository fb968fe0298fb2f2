// Tensor: a shape, a device, a reference-counted device buffer, and autograd links.
// float32, contiguous, row-major; reshape shares the buffer, everything else copies.
// A leaf can move to another device in place (Module.to): it keeps its identity, so an optimizer
// or anything else holding it follows; only its storage is replaced (its grad and the optimizer
// state attached to it move along).
import type { Backend, DeviceBuffer } from './backend/backend.js';
import { track } from './memory.js';
import { formatShape, numelOf, resolveShape, ShapeError, type Shape } from './shape.js';
import { record, runBackward, type GradNode } from './autograd.js';
import { ArgumentError, DeviceError, RnamError } from './errors.js';

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

/** How many values toString() and util.inspect show. */
const SHOWN_VALUES = 8;

function formatValues(values: Float32Array): string {
  const shown = [...values.subarray(0, SHOWN_VALUES)].map((v) => String(Number(v.toPrecision(5))));
  if (values.length > SHOWN_VALUES) shown.push(`... (${values.length} values)`);
  return `[${shown.join(', ')}]`;
}

export class Tensor {
  readonly shape: Shape;
  requiresGrad: boolean;
  /** Accumulated gradient of a leaf tensor after backward(). */
  grad: Tensor | null = null;
  /** The operation that produced this tensor, if autograd recorded one. */
  gradFn: GradNode<Tensor> | null = null;
  private storage: Storage | null;
  /** The device of the storage (kept after dispose, for messages). */
  private home: Backend;
  /** Tensors that move with this one (optimizer state), held weakly: their owner decides their lifetime. */
  private companions: WeakRef<Tensor>[] = [];
  /** @internal created inside a scope and not returned from it: freed once no node saves it. */
  _internal = false;
  /** @internal how many unreleased autograd nodes saved this tensor. */
  _savedBy = 0;

  /** @internal use rnam.tensor / rnam.zeros to make tensors. */
  constructor(storage: Storage, shape: Shape, requiresGrad = false) {
    this.storage = storage;
    this.home = storage.device;
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

  /** The device the values live on; Module.to() changes it in place. */
  get device(): Backend {
    return this.home;
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
      throw new RnamError(
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

  /** The values, synchronously, on devices that allow it (wasm); a DeviceError on WebGPU. */
  toArraySync(): Float32Array {
    this.checkSyncRead('toArraySync()', 'await t.toArray()');
    return this.device.readSync(this.buffer);
  }

  /** The single value of a one-element tensor. */
  async item(): Promise<number> {
    this.checkOneElement('item()');
    return (await this.toArray())[0];
  }

  /** item() synchronously, on devices that allow it (wasm): `loss.itemSync() < 0.1`. A DeviceError on WebGPU. */
  itemSync(): number {
    this.checkOneElement('itemSync()');
    this.checkSyncRead('itemSync()', 'await t.item() or await t.toArray()');
    return this.device.readSync(this.buffer)[0];
  }

  private checkOneElement(where: string): void {
    if (this.numel !== 1) throw new ShapeError(`${where}: tensor of shape ${formatShape(this.shape)} has ${this.numel} elements, not 1`);
  }

  private checkSyncRead(where: string, instead: string): void {
    if (!this.device.syncRead) {
      throw new DeviceError(`${where}: a tensor on ${this.device.kind} cannot be read synchronously; use ${instead}`);
    }
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

  /**
   * @internal moves the values to `device` in place (Module.to): the same tensor, with new
   * storage there; its grad and attached optimizer state move too. Reads synchronously, so the
   * source must allow it (wasm); _moveToAsync reads from anywhere.
   */
  _moveTo(device: Backend): void {
    if (device === this.home) return;
    this.checkMovable();
    this.checkSyncRead('Module.to()', 'await module.toAsync(device)');
    this.replaceStorage(device, this.device.readSync(this.buffer));
    this.grad?._moveTo(device);
    for (const t of this.liveCompanions()) t._moveTo(device);
  }

  /** @internal _moveTo reading asynchronously: the way off WebGPU. */
  async _moveToAsync(device: Backend): Promise<void> {
    if (device === this.home) return;
    this.checkMovable();
    const values = await this.toArray();
    if (device === this.home) return; // moved meanwhile
    this.replaceStorage(device, values);
    await this.grad?._moveToAsync(device);
    for (const t of this.liveCompanions()) await t._moveToAsync(device);
  }

  /** @internal `t` (optimizer state of this parameter) moves whenever this tensor moves. */
  _attach(t: Tensor): void {
    this.companions.push(new WeakRef(t));
  }

  private liveCompanions(): Tensor[] {
    const live = this.companions.map((r) => r.deref()).filter((t): t is Tensor => t !== undefined && !t.disposed);
    this.companions = live.map((t) => new WeakRef(t));
    return live;
  }

  private checkMovable(): void {
    void this.buffer; // throws the freed-tensor error
    // A computed tensor's graph reads its storage: moving it would cut it from its own graph.
    if (!this.isLeaf) throw new ArgumentError(`Tensor${formatShape(this.shape)} is the output of ${this.gradFn!.name}; only leaf tensors move in place`);
  }

  private replaceStorage(device: Backend, values: Float32Array): void {
    const next = new Storage(device, device.alloc(values.length));
    device.write(next.buffer, values);
    finalizer.unregister(this);
    this.storage!.release(); // views (reshapes) of the old storage keep it, on the old device
    this.storage = next;
    this.home = device;
    finalizer.register(this, next, this);
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

  /** Shape, device and the first values (on WebGPU, where reading is asynchronous, how to get them). */
  toString(): string {
    const head = `Tensor${formatShape(this.shape)} on ${this.device.kind}${this.requiresGrad ? ', requiresGrad' : ''}`;
    if (!this.storage) return `${head} (disposed)`;
    if (!this.device.syncRead) return `${head} (values: await t.toArray())`;
    return `${head} ${formatValues(this.device.readSync(this.buffer))}`;
  }

  /** console.log and util.inspect in Node (the symbol Node looks for; no Node import needed). */
  [Symbol.for('nodejs.util.inspect.custom')](): string {
    return this.toString();
  }

  /** `loss < 0.1` would silently compare NaN: a tensor is not a number (`${t}` still gives toString()). */
  [Symbol.toPrimitive](hint: 'number' | 'string' | 'default'): string {
    if (hint === 'number') {
      throw new ArgumentError(`${this.toString()} used as a number: read it with t.itemSync() (CPU) or await t.item()`);
    }
    return this.toString();
  }
}
