// Optimizers with PyTorch's update rules and defaults; each step is one fused kernel per parameter.
import { Tensor } from '../tensor.js';
import type { DeviceBuffer } from '../kernels/types.js';
import { untracked } from '../memory.js';
import { Unary } from '../backend/opcodes.js';
import { ArgumentError, describeValue, deviceMismatch } from '../errors.js';
import { checkOptions, checkNumber } from './options.js';
import { noGrad } from '../autograd.js';
import { toDevice } from '../creation.js';
import { StateDictError } from '../errors.js';
import { checkOptimizerState, type HyperParameter, type OptimizerParamState, type OptimizerStateDict } from './state-dict.js';

export abstract class Optimizer {
  readonly params: readonly Tensor[];
  /** Per-parameter state buffers (momentum, moments), created on first use on the parameter's device. */
  protected readonly state = new Map<Tensor, Tensor[]>();
  /** Steps taken per parameter (PyTorch counts per parameter: one that had no grad is not stepped). */
  protected readonly steps = new Map<Tensor, number>();

  constructor(params: Iterable<Tensor>, public lr: number) {
    const where = this.constructor.name;
    if (params == null || typeof (params as Partial<Iterable<Tensor>>)[Symbol.iterator] !== 'function') {
      throw new ArgumentError(`${where}: params must be an iterable of tensors (model.parameters()), got ${describeValue(params)}`);
    }
    this.params = [...params];
    if (this.params.length === 0) throw new ArgumentError(`${where}: got an empty parameter list`);
    checkNumber(where, 'lr', lr, { min: 0 });
    const seen = new Set<Tensor>();
    this.params.forEach((p, i) => {
      if (!(p instanceof Tensor)) throw new ArgumentError(`${where}: params[${i}] is ${describeValue(p)}, not a Tensor`);
      if (!p.isLeaf || !p.requiresGrad) throw new ArgumentError(`${where}: parameters must be leaf tensors that require grad (params[${i}] is not)`);
      // Listed twice, a parameter would be stepped twice per step() (PyTorch rejects it too).
      if (seen.has(p)) throw new ArgumentError(`${where}: params[${i}] appears more than once in the parameter list`);
      seen.add(p);
    });
  }

  /** Frees and clears the gradients (set_to_none, PyTorch's default). */
  zeroGrad(): void {
    for (const p of this.params) {
      p.grad?.dispose();
      p.grad = null;
    }
  }

  /**
   * Updates every parameter that has a gradient. With a `guard` (a one-element tensor on the
   * parameters' device, zero to start; see src/train/non-finite-guard.ts), the gradients are first
   * checked on the device: if any holds a NaN or an infinity, or the guard was already set, no
   * parameter or state changes and the guard holds the first flagged step's `mark` (> 0). Nothing
   * is read back, so a guarded step costs no sync. (The per-parameter step counts still advance:
   * the host cannot know; fit stops at the flag.)
   */
  step(guard?: { flag: Tensor; mark: number }): void {
    untracked(() => {
      if (guard) {
        for (const p of this.params) {
          if (!p.grad) continue;
          if (p.grad.device !== guard.flag.device) throw deviceMismatch(`${this.constructor.name}.step`, guard.flag.device, p.grad.device, 'the guard is on another device than the gradients');
          p.device.flag_nonfinite({ x: p.grad.buffer, flag: guard.flag.buffer, n: p.numel, mark: guard.mark });
        }
      }
      this.skip = guard?.flag.buffer ?? null;
      try {
        this.updateAll();
      } finally {
        this.skip = null;
      }
    });
  }

  /**
   * The state, as PyTorch's optimizer.state_dict(): { optimizer (the class), state: by parameter
   * index { step, slots: { name: Tensor } } for every parameter stepped so far, paramGroups: [{ params:
   * the indices, ...every hyper-parameter }] }. The slot tensors are the live buffers, not copies.
   */
  stateDict(): OptimizerStateDict {
    const state: Record<number, OptimizerParamState> = {};
    this.params.forEach((p, i) => {
      const buffers = this.state.get(p);
      if (!buffers) return;
      state[i] = { step: this.steps.get(p) ?? 0, slots: Object.fromEntries(this.slotNames.map((name, k) => [name, buffers[k]])) };
    });
    return { optimizer: this.constructor.name, state, paramGroups: [{ params: this.params.map((_, i) => i), ...this.hyperParameters() }] };
  }

  /**
   * Replaces the state and the hyper-parameters with a stateDict() of the same optimizer class over
   * parameters of the same count and shapes, copying the slot values onto each parameter's device.
   * Everything is checked before anything changes (a StateDictError lists every problem).
   */
  loadStateDict(stateDict: OptimizerStateDict): void {
    const where = `${this.constructor.name}.loadStateDict`;
    const { hyper, entries } = checkOptimizerState(where, this.constructor.name, this.params, this.slotNames, stateDict);
    const expected = Object.keys(this.hyperParameters()).sort().join(', ');
    if (Object.keys(hyper).sort().join(', ') !== expected) {
      throw new StateDictError(`${where}: paramGroups[0] must hold exactly the hyper-parameters ${expected}, got ${Object.keys(hyper).sort().join(', ') || 'none'}`);
    }
    // The constructor's checks validate the hyper-parameters; a throwaway optimizer runs them.
    let checked: Optimizer;
    const probe = Tensor.fromArray(new Float32Array(1), [1], this.params[0].device, true);
    try {
      checked = new (this.constructor as new (params: Tensor[], options: object) => Optimizer)([probe], { ...hyper });
    } catch (err) {
      throw new StateDictError(`${where}: invalid hyper-parameters (${(err as Error).message})`, { cause: err });
    } finally {
      probe.dispose();
    }
    untracked(() => noGrad(() => {
      this.params.forEach((p, i) => {
        const entry = entries.get(i);
        const old = this.state.get(p);
        if (!entry) {
          for (const t of old ?? []) t.dispose();
          this.state.delete(p);
          this.steps.delete(p);
          return;
        }
        const buffers = old ?? this.slotNames.map(() => {
          const t = Tensor.empty(p.shape, p.device);
          p._attach(t); // the state moves with the parameter (Module.to)
          return t;
        });
        this.slotNames.forEach((name, k) => {
          const src = toDevice(entry.slots[name], p.device);
          p.device.copy_rows({ src: src.buffer, dst: buffers[k].buffer, outer: 1, srcN: 1, dstN: 1, inner: p.numel, srcStart: 0, dstStart: 0, count: 1 });
          if (src !== entry.slots[name]) src.dispose();
        });
        this.state.set(p, buffers);
        this.steps.set(p, entry.step);
      });
    }));
    const values: Record<string, HyperParameter> = {};
    for (const key of Object.keys(hyper)) {
      const v = (checked as unknown as Record<string, HyperParameter>)[key];
      values[key] = Array.isArray(v) ? [...v] : v; // not the caller's array
    }
    Object.assign(this, values);
  }

  /** The hyper-parameters by their constructor option names (the paramGroups entry). */
  protected abstract hyperParameters(): Record<string, HyperParameter>;
  /** The names of the state buffers, in the order update() receives them. */
  protected abstract readonly slotNames: readonly string[];
  private updateAll(): void {
    for (const p of this.params) {
      if (!p.grad) continue;
      const step = (this.steps.get(p) ?? 0) + 1;
      this.steps.set(p, step);
      let buffers = this.state.get(p);
      if (!buffers) {
        buffers = Array.from({ length: this.stateCount }, () => {
          const t = Tensor.empty(p.shape, p.device);
          p.device.fill({ out: t.buffer, n: t.numel, value: 0 });
          p._attach(t); // the state moves with the parameter (Module.to)
          return t;
        });
        this.state.set(p, buffers);
      }
      if (p.grad.device !== p.device) throw deviceMismatch(`${this.constructor.name}.step`, p.device, p.grad.device, 'the gradient is on another device than its parameter');
      this.update(p, p.grad, buffers, step);
    }
  }

  /** The guard's flag during a guarded step (the update kernels' `skip`), else null. */
  protected skip: DeviceBuffer | null = null;

  /** How many state buffers of the parameter's shape the optimizer keeps. */
  protected abstract readonly stateCount: number;
  protected abstract update(p: Tensor, grad: Tensor, state: Tensor[], step: number): void;
}

export interface SGDOptions {
  lr?: number;
  momentum?: number;
  dampening?: number;
  weightDecay?: number;
  nesterov?: boolean;
}

/** torch.optim.SGD. */
export class SGD extends Optimizer {
  protected readonly stateCount = 1;
  protected readonly slotNames = ['momentumBuffer'] as const;
  readonly momentum: number;
  readonly dampening: number;
  readonly weightDecay: number;
  readonly nesterov: boolean;

  constructor(params: Iterable<Tensor>, options: SGDOptions = {}) {
    checkOptions('SGD', options, ['lr', 'momentum', 'dampening', 'weightDecay', 'nesterov']);
    super(params, options.lr ?? 1e-3);
    this.momentum = checkNumber('SGD', 'momentum', options.momentum ?? 0, { min: 0 });
    this.dampening = checkNumber('SGD', 'dampening', options.dampening ?? 0, {});
    this.weightDecay = checkNumber('SGD', 'weightDecay', options.weightDecay ?? 0, { min: 0 });
    this.nesterov = options.nesterov ?? false;
    if (typeof this.nesterov !== 'boolean') throw new ArgumentError(`SGD: nesterov must be a boolean, got ${describeValue(this.nesterov)}`);
    if (this.nesterov && (this.momentum <= 0 || this.dampening !== 0)) {
      throw new ArgumentError('SGD: Nesterov momentum requires a momentum and zero dampening');
    }
  }

  protected hyperParameters(): Record<string, HyperParameter> {
    return { lr: this.lr, momentum: this.momentum, dampening: this.dampening, weightDecay: this.weightDecay, nesterov: this.nesterov };
  }

  protected update(p: Tensor, grad: Tensor, [buf]: Tensor[], step: number): void {
    p.device.sgd_step({ p: p.buffer, g: grad.buffer, buf: buf.buffer, skip: this.skip, n: p.numel, lr: this.lr, momentum: this.momentum, dampening: this.dampening, weightDecay: this.weightDecay, nesterov: this.nesterov, firstStep: step === 1 });
  }
}

export interface AdamOptions {
  lr?: number;
  betas?: [number, number];
  eps?: number;
  weightDecay?: number;
}

/** torch.optim.Adam (L2 weight decay added to the gradient). */
export class Adam extends Optimizer {
  protected readonly stateCount = 2;
  protected readonly slotNames = ['expAvg', 'expAvgSq'] as const;
  protected readonly decoupled: boolean = false;
  readonly betas: [number, number];
  readonly eps: number;
  readonly weightDecay: number;

  constructor(params: Iterable<Tensor>, options: AdamOptions = {}, defaultWeightDecay = 0) {
    const where = new.target.name;
    checkOptions(where, options, ['lr', 'betas', 'eps', 'weightDecay']);
    super(params, options.lr ?? 1e-3);
    this.betas = options.betas ?? [0.9, 0.999];
    if (!Array.isArray(this.betas) || this.betas.length !== 2) {
      throw new ArgumentError(`${where}: betas must be a pair [beta1, beta2], got ${describeValue(this.betas)}`);
    }
    this.betas.forEach((b, i) => checkNumber(where, `betas[${i}]`, b, { min: 0, below: 1 }));
    // PyTorch accepts eps = 0, which divides by zero where a gradient is zero: require > 0.
    this.eps = checkNumber(where, 'eps', options.eps ?? 1e-8, { above: 0 });
    this.weightDecay = checkNumber(where, 'weightDecay', options.weightDecay ?? defaultWeightDecay, { min: 0 });
  }

  protected hyperParameters(): Record<string, HyperParameter> {
    return { lr: this.lr, betas: [...this.betas], eps: this.eps, weightDecay: this.weightDecay };
  }

  protected update(p: Tensor, grad: Tensor, [m, v]: Tensor[], step: number): void {
    const [b1, b2] = this.betas;
    // Bias corrections in float64 as PyTorch computes them; powers by repeated multiplication
    // (exact-rounded, so identical on every engine, unlike Math.pow).
    let b1t = 1, b2t = 1;
    for (let i = 0; i < step; i++) {
      b1t *= b1;
      b2t *= b2;
    }
    p.device.adam_step({ p: p.buffer, g: grad.buffer, m: m.buffer, v: v.buffer, skip: this.skip, n: p.numel, lr: this.lr, beta1: b1, beta2: b2, eps: this.eps, weightDecay: this.weightDecay, decoupled: this.decoupled, stepSize: this.lr / (1 - b1t), bc2Sqrt: Math.sqrt(1 - b2t) });
  }
}

/** torch.optim.AdamW: decoupled weight decay, default 0.01. */
export class AdamW extends Adam {
  protected override readonly decoupled: boolean = true;

  constructor(params: Iterable<Tensor>, options: AdamOptions = {}) {
    super(params, options, 0.01);
  }
}

/**
 * Scales the gradients so their global L2 norm is at most maxNorm (torch.nn.utils.clip_grad_norm_),
 * entirely on the device. Returns the total norm before clipping, as a scalar tensor.
 */
export function clipGradNorm(params: Iterable<Tensor>, maxNorm: number): Tensor {
  checkNumber('clipGradNorm', 'maxNorm', maxNorm, { min: 0, infinite: true });
  const withGrad = [...params].filter((p) => p.grad);
  if (withGrad.length === 0) throw new ArgumentError('clipGradNorm: no parameter has a gradient');
  const dev = withGrad[0].device;
  // One norm over all gradients needs them on one device (as torch's foreach path; no silent partial sums).
  for (const p of withGrad) {
    if (p.grad!.device !== dev) throw deviceMismatch('clipGradNorm', dev, p.grad!.device, 'move the model to one device with model.to(device)');
  }
  return untracked(() => {
    const sumSq = Tensor.empty([], dev);
    dev.fill({ out: sumSq.buffer, n: 1, value: 0 });
    for (const p of withGrad) dev.sum_squares_accumulate({ x: p.grad!.buffer, acc: sumSq.buffer, n: p.numel });
    for (const p of withGrad) dev.clip_scale({ g: p.grad!.buffer, n: p.numel, sumSq: sumSq.buffer, maxNorm });
    const norm = Tensor.empty([], dev);
    dev.unary_forward({ x: sumSq.buffer, y: norm.buffer, n: 1, op: Unary.sqrt });
    sumSq.dispose();
    return norm;
  });
}
