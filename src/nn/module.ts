// Module: the PyTorch-style container. Parameters and child modules are registered under the
// names PyTorch uses, so stateDict() keys match a PyTorch model's state_dict(). Each top-level
// forward() runs in a memory scope (see memory.ts), so activations are freed without dispose().
import { Tensor } from '../tensor.js';
import type { Backend } from '../backend/backend.js';
import { tidy, untracked } from '../memory.js';
import { noGrad } from '../autograd.js';
import { toDevice } from '../creation.js';
import { formatShape, sameShape, type Shape } from '../shape.js';
import { DeviceError, StateDictError } from '../errors.js';
import { defaultGenerator, type Generator } from '../random.js';
import { cpu } from '../backend/default-device.js';
import { formatSummary, summarize } from './summary.js';

export interface LoadStateDictOptions {
  /** Missing or unexpected names are errors (default true). Shape mismatches always are. */
  strict?: boolean;
}

export abstract class Module {
  training = true;
  private readonly params = new Map<string, Tensor>();
  private readonly children = new Map<string, Module>();

  constructor() {
    // Wrap the subclass's forward so every call runs in a memory scope.
    const forward = this.forward;
    Object.defineProperty(this, 'forward', {
      value: (...args: unknown[]) => tidy(() => forward.apply(this, args)),
      writable: true,
      configurable: true,
    });
  }

  abstract forward(...args: any[]): any;

  /** A new leaf parameter, uniform in [-bound, bound) from the seeded generator (PyTorch's Linear init). */
  protected uniformParameter(shape: Shape, bound: number, generator: Generator = defaultGenerator): Tensor {
    const values = generator.fillUniform(new Float32Array(shape.reduce((a, b) => a * b, 1)), -bound, bound);
    return untracked(() => Tensor.fromArray(values, shape, cpu, true));
  }

  /** A new leaf parameter filled with `value`. */
  protected constantParameter(shape: Shape, value: number): Tensor {
    return untracked(() => Tensor.fromArray(new Float32Array(shape.reduce((a, b) => a * b, 1)).fill(value), shape, cpu, true));
  }

  protected registerParameter(name: string, t: Tensor): Tensor {
    this.params.set(name, t);
    return t;
  }

  protected registerModule<M extends Module>(name: string, m: M): M {
    this.children.set(name, m);
    return m;
  }

  /** [name, parameter] pairs, own parameters first, then each child's, as PyTorch orders them. */
  namedParameters(prefix = ''): [string, Tensor][] {
    const out: [string, Tensor][] = [];
    for (const [name, p] of this.params) out.push([prefix + name, p]);
    for (const [name, child] of this.children) for (const entry of child.namedParameters(`${prefix}${name}.`)) out.push(entry);
    return out;
  }

  parameters(): Tensor[] {
    return this.namedParameters().map(([, p]) => p);
  }

  namedChildren(): [string, Module][] {
    return [...this.children];
  }

  /** The parameters by PyTorch state-dict name. The tensors are the live parameters, not copies. */
  stateDict(): Record<string, Tensor> {
    return Object.fromEntries(this.namedParameters());
  }

  /**
   * Copies values into the parameters. Every entry is checked before anything is written (that it
   * is a live Tensor of the right shape, readable from the parameter's device), so a bad state
   * dict throws a StateDictError naming the keys and leaves the module unchanged.
   */
  loadStateDict(state: Record<string, Tensor>, options: LoadStateDictOptions = {}): void {
    const strict = options.strict ?? true;
    const own = new Map(this.namedParameters());
    const problems: string[] = [];
    for (const [name, p] of own) {
      const t: unknown = state[name];
      if (!Object.prototype.hasOwnProperty.call(state, name) || !t) {
        if (strict) problems.push(`missing ${name} (expected shape ${formatShape(p.shape)})`);
      } else if (!(t instanceof Tensor)) {
        problems.push(`${name} is not a Tensor`);
      } else if (t.disposed) {
        problems.push(`${name} was disposed`);
      } else if (!sameShape(t.shape, p.shape)) {
        problems.push(`${name}: expected shape ${formatShape(p.shape)}, got ${formatShape(t.shape)}`);
      } else if (t.device !== p.device && !t.device.syncRead) {
        problems.push(`${name} is on ${t.device.kind}, which cannot be read synchronously: await module.toAsync(${t.device.kind}) first, or move the tensors with await t.toAsync(${p.device.kind})`);
      }
    }
    if (strict) for (const name of Object.keys(state)) if (!own.has(name)) problems.push(`unexpected ${name}`);
    if (problems.length) throw new StateDictError(`${this.constructor.name}.loadStateDict: ${problems.join('; ')}`);
    noGrad(() => {
      for (const [name, p] of own) {
        const t = state[name];
        if (!t) continue;
        const src = untracked(() => toDevice(t, p.device));
        p.device.copy_rows({ src: src.buffer, dst: p.buffer, outer: 1, srcN: 1, dstN: 1, inner: p.numel, srcStart: 0, dstStart: 0, count: 1 });
        if (src !== t) src.dispose();
      }
    });
  }

  /** The module tree as a table: each module, its own parameters' shapes, counts and the totals (rnam.summarize gives the data). */
  summary(): string {
    return formatSummary(summarize(this));
  }

  /** Frees and clears every parameter's gradient (PyTorch's zero_grad(set_to_none=True)). */
  zeroGrad(): void {
    for (const p of this.parameters()) {
      p.grad?.dispose();
      p.grad = null;
    }
  }

  train(mode = true): this {
    this.training = mode;
    for (const child of this.children.values()) child.train(mode);
    return this;
  }

  eval(): this {
    return this.train(false);
  }

  /**
   * Moves every parameter to `device` in place, as PyTorch's Module.to: each parameter stays the
   * same Tensor (so an optimizer made before keeps updating the model) with its values, grad and
   * optimizer state on `device`. Reads synchronously, so the parameters must be on a device that
   * allows it (wasm); toAsync moves from anywhere.
   */
  to(device: Backend): this {
    const params = this.parameters();
    // All or nothing: a parameter that cannot be read synchronously stops the move before any.
    const stuck = params.find((p) => p.device !== device && !p.device.syncRead);
    if (stuck) {
      throw new DeviceError(`${this.constructor.name}.to(): parameters on ${stuck.device.kind} cannot be read synchronously; use await module.toAsync(device)`);
    }
    for (const p of params) p._moveTo(device);
    return this;
  }

  /** to() reading asynchronously: the way off a WebGPU device. */
  async toAsync(device: Backend): Promise<this> {
    // The reads overlap (one round trip on WebGPU rather than one per parameter).
    await Promise.all(this.parameters().map((p) => p._moveToAsync(device)));
    return this;
  }

  /** @internal the parameter registered under `name`. */
  protected param(name: string): Tensor {
    return this.params.get(name)!;
  }
}
