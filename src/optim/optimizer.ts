// Optimizers with PyTorch's update rules and defaults; each step is one fused kernel per parameter.
import { Tensor } from '../tensor.js';
import { untracked } from '../memory.js';
import { Unary } from '../backend/opcodes.js';

export abstract class Optimizer {
  readonly params: readonly Tensor[];
  /** Per-parameter state buffers (momentum, moments), created on first use on the parameter's device. */
  protected readonly state = new Map<Tensor, Tensor[]>();
  /** Steps taken per parameter (PyTorch counts per parameter: one that had no grad is not stepped). */
  protected readonly steps = new Map<Tensor, number>();

  constructor(params: Iterable<Tensor>, readonly lr: number) {
    this.params = [...params];
    if (this.params.length === 0) throw new Error(`${this.constructor.name}: got an empty parameter list`);
    if (!(lr >= 0)) throw new Error(`${this.constructor.name}: invalid learning rate ${lr}`);
    for (const p of this.params) {
      if (!p.isLeaf || !p.requiresGrad) throw new Error(`${this.constructor.name}: parameters must be leaf tensors that require grad`);
    }
  }

  /** Frees and clears the gradients (set_to_none, PyTorch's default). */
  zeroGrad(): void {
    for (const p of this.params) {
      p.grad?.dispose();
      p.grad = null;
    }
  }

  /** Updates every parameter that has a gradient. */
  step(): void {
    untracked(() => {
      for (const p of this.params) {
        if (!p.grad) continue;
        const step = (this.steps.get(p) ?? 0) + 1;
        this.steps.set(p, step);
        let buffers = this.state.get(p);
        if (!buffers) {
          buffers = Array.from({ length: this.stateCount }, () => {
            const t = Tensor.empty(p.shape, p.device);
            p.device.fill({ out: t.buffer, n: t.numel, value: 0 });
            return t;
          });
          this.state.set(p, buffers);
        }
        this.update(p, p.grad, buffers, step);
      }
    });
  }

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
  readonly momentum: number;
  readonly dampening: number;
  readonly weightDecay: number;
  readonly nesterov: boolean;

  constructor(params: Iterable<Tensor>, options: SGDOptions = {}) {
    super(params, options.lr ?? 1e-3);
    this.momentum = options.momentum ?? 0;
    this.dampening = options.dampening ?? 0;
    this.weightDecay = options.weightDecay ?? 0;
    this.nesterov = options.nesterov ?? false;
    if (this.nesterov && (this.momentum <= 0 || this.dampening !== 0)) {
      throw new Error('SGD: Nesterov momentum requires a momentum and zero dampening');
    }
  }

  protected update(p: Tensor, grad: Tensor, [buf]: Tensor[], step: number): void {
    p.device.sgd_step({ p: p.buffer, g: grad.buffer, buf: buf.buffer, n: p.numel, lr: this.lr, momentum: this.momentum, dampening: this.dampening, weightDecay: this.weightDecay, nesterov: this.nesterov, firstStep: step === 1 });
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
  protected readonly decoupled: boolean = false;
  readonly betas: [number, number];
  readonly eps: number;
  readonly weightDecay: number;

  constructor(params: Iterable<Tensor>, options: AdamOptions = {}, defaultWeightDecay = 0) {
    super(params, options.lr ?? 1e-3);
    this.betas = options.betas ?? [0.9, 0.999];
    this.eps = options.eps ?? 1e-8;
    this.weightDecay = options.weightDecay ?? defaultWeightDecay;
    const [b1, b2] = this.betas;
    if (!(b1 >= 0 && b1 < 1 && b2 >= 0 && b2 < 1)) throw new Error(`${this.constructor.name}: invalid betas ${this.betas}`);
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
    p.device.adam_step({ p: p.buffer, g: grad.buffer, m: m.buffer, v: v.buffer, n: p.numel, lr: this.lr, beta1: b1, beta2: b2, eps: this.eps, weightDecay: this.weightDecay, decoupled: this.decoupled, stepSize: this.lr / (1 - b1t), bc2Sqrt: Math.sqrt(1 - b2t) });
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
  const withGrad = [...params].filter((p) => p.grad);
  if (withGrad.length === 0) throw new Error('clipGradNorm: no parameter has a gradient');
  const dev = withGrad[0].device;
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
