// Learning-rate schedulers with PyTorch's semantics (torch.optim.lr_scheduler, 1.13): each sets
// optimizer.lr in place when step() is called once per epoch, with PyTorch's recursive ("chainable")
// formulas: StepLR's and ReduceLROnPlateau's float64 sequences are PyTorch's bit for bit; cosine's
// differ in the last bits only, where glibc's cos (PyTorch's) and musl's (hostmath, the same bits on
// every engine) round an input apart by an ulp (cos(6 pi / 5)). Construction takes PyTorch's
// initial step: lastEpoch 0, lr unchanged.
import type { Optimizer } from './optimizer.js';
import { checkOptions, checkNumber } from './options.js';
import { cos } from '../hostmath.js';
import { ArgumentError, describeValue } from '../errors.js';

function checkOptimizer(where: string, optimizer: unknown): Optimizer {
  const o = optimizer as Partial<Optimizer> | null;
  if (!o || typeof o !== 'object' || typeof o.lr !== 'number' || typeof o.step !== 'function') {
    throw new ArgumentError(`${where}: the first argument must be an optimizer (SGD, Adam, AdamW), got ${describeValue(optimizer)}`);
  }
  return o as Optimizer;
}

function checkInteger(where: string, name: string, v: unknown, min: number): number {
  if (!Number.isInteger(v) || (v as number) < min) throw new ArgumentError(`${where}: ${name} must be an integer >= ${min}, got ${describeValue(v)}`);
  return v as number;
}

/** The base of the epoch-indexed schedulers (PyTorch's _LRScheduler). */
export abstract class LRScheduler {
  readonly optimizer: Optimizer;
  /** The optimizer's lr when the scheduler was made (PyTorch's base_lrs[0] / initial_lr). */
  readonly baseLr: number;
  /** Epochs stepped so far (0 after construction). */
  lastEpoch = 0;

  constructor(optimizer: Optimizer) {
    this.optimizer = checkOptimizer(new.target.name, optimizer);
    this.baseLr = optimizer.lr;
  }

  /** Advances one epoch and sets optimizer.lr (call after each epoch's optimizer steps). */
  step(): void {
    this.lastEpoch++;
    this.optimizer.lr = this.nextLr(this.optimizer.lr);
  }

  /** The lr now set (PyTorch's get_last_lr()[0]). */
  get lastLr(): number {
    return this.optimizer.lr;
  }

  /** The lr for lastEpoch from the current one (PyTorch's get_lr). */
  protected abstract nextLr(current: number): number;
}

export interface StepLROptions {
  /** Epochs between decays. */
  stepSize: number;
  /** The factor applied every stepSize epochs (default 0.1). */
  gamma?: number;
}

/** torch.optim.lr_scheduler.StepLR: lr = baseLr * gamma^floor(epoch / stepSize). */
export class StepLR extends LRScheduler {
  readonly stepSize: number;
  readonly gamma: number;

  constructor(optimizer: Optimizer, options: StepLROptions) {
    super(optimizer);
    checkOptions('StepLR', options, ['stepSize', 'gamma']);
    this.stepSize = checkInteger('StepLR', 'stepSize', options.stepSize, 1);
    this.gamma = checkNumber('StepLR', 'gamma', options.gamma ?? 0.1, { min: 0 });
  }

  protected nextLr(current: number): number {
    return this.lastEpoch % this.stepSize === 0 ? current * this.gamma : current;
  }
}

export interface CosineAnnealingLROptions {
  /** Epochs of one half cosine (PyTorch's T_max). */
  tMax: number;
  /** The lr at the bottom (PyTorch's eta_min, default 0). */
  etaMin?: number;
}

/**
 * torch.optim.lr_scheduler.CosineAnnealingLR: etaMin + (baseLr - etaMin)(1 + cos(pi epoch / tMax)) / 2,
 * computed recursively as PyTorch does (and, as there, rising again after tMax epochs).
 */
export class CosineAnnealingLR extends LRScheduler {
  readonly tMax: number;
  readonly etaMin: number;

  constructor(optimizer: Optimizer, options: CosineAnnealingLROptions) {
    super(optimizer);
    checkOptions('CosineAnnealingLR', options, ['tMax', 'etaMin']);
    this.tMax = checkInteger('CosineAnnealingLR', 'tMax', options.tMax, 1);
    this.etaMin = checkNumber('CosineAnnealingLR', 'etaMin', options.etaMin ?? 0, { min: 0 });
  }

  protected nextLr(current: number): number {
    const { lastEpoch: e, tMax: T, etaMin, baseLr } = this;
    const period = 2 * T, phase = (((e - 1 - T) % period) + period) % period; // Python's %: never negative
    if (phase === 0) return current + ((baseLr - etaMin) * (1 - cos(Math.PI / T))) / 2;
    return ((1 + cos((Math.PI * e) / T)) / (1 + cos((Math.PI * (e - 1)) / T))) * (current - etaMin) + etaMin;
  }
}

export interface ReduceLROnPlateauOptions {
  /** 'min' (default): lower is better (a loss); 'max': higher is better (AUC, accuracy). */
  mode?: 'min' | 'max';
  /** lr *= factor on a plateau (default 0.1, must be < 1). */
  factor?: number;
  /** Epochs without improvement before reducing (default 10). */
  patience?: number;
  /** Least change that counts as an improvement (default 1e-4). */
  threshold?: number;
  /** 'rel' (default): relative to the best; 'abs': absolute. */
  thresholdMode?: 'rel' | 'abs';
  /** Epochs to wait after a reduction before counting again (default 0). */
  cooldown?: number;
  /** The lr never goes below this (default 0). */
  minLr?: number;
  /** A reduction smaller than this is not made (default 1e-8). */
  eps?: number;
  /** What fit() passes to step(): 'valLoss', 'trainLoss' or a metric name (default: valLoss with validation data, else trainLoss). */
  monitor?: string;
}

/** torch.optim.lr_scheduler.ReduceLROnPlateau: step(metric) once per epoch. */
export class ReduceLROnPlateau {
  readonly optimizer: Optimizer;
  readonly mode: 'min' | 'max';
  readonly factor: number;
  readonly patience: number;
  readonly threshold: number;
  readonly thresholdMode: 'rel' | 'abs';
  readonly cooldown: number;
  readonly minLr: number;
  readonly eps: number;
  readonly monitor: string | undefined;
  lastEpoch = 0;
  best: number;
  numBadEpochs = 0;
  cooldownCounter = 0;

  constructor(optimizer: Optimizer, options: ReduceLROnPlateauOptions = {}) {
    const where = 'ReduceLROnPlateau';
    this.optimizer = checkOptimizer(where, optimizer);
    checkOptions(where, options, ['mode', 'factor', 'patience', 'threshold', 'thresholdMode', 'cooldown', 'minLr', 'eps', 'monitor']);
    this.mode = options.mode ?? 'min';
    if (this.mode !== 'min' && this.mode !== 'max') throw new ArgumentError(`${where}: mode must be 'min' or 'max', got ${describeValue(this.mode)}`);
    this.thresholdMode = options.thresholdMode ?? 'rel';
    if (this.thresholdMode !== 'rel' && this.thresholdMode !== 'abs') throw new ArgumentError(`${where}: thresholdMode must be 'rel' or 'abs', got ${describeValue(this.thresholdMode)}`);
    this.factor = checkNumber(where, 'factor', options.factor ?? 0.1, { min: 0, below: 1 });
    this.patience = checkInteger(where, 'patience', options.patience ?? 10, 0);
    this.threshold = checkNumber(where, 'threshold', options.threshold ?? 1e-4, { min: 0 });
    this.cooldown = checkInteger(where, 'cooldown', options.cooldown ?? 0, 0);
    this.minLr = checkNumber(where, 'minLr', options.minLr ?? 0, { min: 0 });
    this.eps = checkNumber(where, 'eps', options.eps ?? 1e-8, { min: 0 });
    if (options.monitor !== undefined && typeof options.monitor !== 'string') throw new ArgumentError(`${where}: monitor must be a string, got ${describeValue(options.monitor)}`);
    this.monitor = options.monitor;
    this.best = this.mode === 'min' ? Infinity : -Infinity;
  }

  /** Whether `a` improves on `best` by more than the threshold (PyTorch's is_better; NaN never does). */
  isBetter(a: number, best: number): boolean {
    if (this.mode === 'min') return this.thresholdMode === 'rel' ? a < best * (1 - this.threshold) : a < best - this.threshold;
    return this.thresholdMode === 'rel' ? a > best * (this.threshold + 1) : a > best + this.threshold;
  }

  /** One epoch's monitored value. */
  step(metric: number): void {
    if (typeof metric !== 'number') throw new ArgumentError(`ReduceLROnPlateau.step: the metric must be a number, got ${describeValue(metric)}`);
    this.lastEpoch++;
    if (this.isBetter(metric, this.best)) {
      this.best = metric;
      this.numBadEpochs = 0;
    } else {
      this.numBadEpochs++;
    }
    if (this.cooldownCounter > 0) {
      this.cooldownCounter--;
      this.numBadEpochs = 0;
    }
    if (this.numBadEpochs > this.patience) {
      const old = this.optimizer.lr, next = Math.max(old * this.factor, this.minLr);
      if (old - next > this.eps) this.optimizer.lr = next;
      this.cooldownCounter = this.cooldown;
      this.numBadEpochs = 0;
    }
  }

  get lastLr(): number {
    return this.optimizer.lr;
  }
}

/** What fit() takes as `scheduler`. */
export type Scheduler = LRScheduler | ReduceLROnPlateau;
