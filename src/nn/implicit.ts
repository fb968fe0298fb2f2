// ImplicitRNN: torchidl's ImplicitRNN(input_dim, output_dim, implicit_hidden_dim, hidden_dim, **kwargs),
// with its module tree and state-dict names:
//   recurrent.layer.A (n, n), recurrent.layer.B (n, p + h), recurrent.layer.C (h, n),
//   recurrent.layer.D (h, p + h)   -- the implicit layer, each initialised randn / n
//   linear.weight (q, h), linear.bias (q)   -- PyTorch nn.Linear layout and init
// Input (batch, seq, p), batch first; output (batch, q) = linear(h_T).
import { Module } from './module.js';
import { Tensor } from '../tensor.js';
import { untracked } from '../memory.js';
import { cpu } from '../backend/default-device.js';
import { defaultGenerator, type Generator } from '../random.js';
import { shapeError } from '../shape.js';
import { implicitRnn, transpose2d, type ImplicitSolveStats } from '../ops/implicit.js';
import { linear } from '../ops/linear.js';
import { lastStep } from '../ops/last-step.js';
import { reshape } from '../ops/shape.js';
import { ArgumentError, RnamError, describeValue } from '../errors.js';
import type { ModelDescription } from './describe.js';

export type { ImplicitSolveStats } from '../ops/implicit.js';

/** A fixed-point solve that did not converge: the statistics of the call and a one-line message. */
export interface ImplicitWarning extends ImplicitSolveStats {
  message: string;
}

export interface ImplicitRNNOptions {
  /** p: input features. */
  inputDim: number;
  /** q: output features. */
  outputDim: number;
  /** n: units of the implicit layer (A is n x n). */
  implicitHiddenDim: number;
  /** h: size of the recurrent hidden state. */
  hiddenDim: number;
  /** Picard iterations per forward solve (default 300). */
  maxIter?: number;
  /** Forward stopping tolerance on the infinity norm of the step (default 3e-6). */
  tol?: number;
  /** Iterations per adjoint (backward) solve (default maxIter). */
  gradMaxIter?: number;
  /** Backward stopping tolerance (default tol). */
  gradTol?: number;
  /** A is scaled onto ||A||_inf <= kappa before solving (default 0.99). */
  kappa?: number;
  /** Receives each non-convergence warning; without one (and without on('warning')) they go to console.warn. */
  onWarning?: (warning: ImplicitWarning) => void;
  /** The generator for the initial weights (default: the global one, rnam.manualSeed). */
  generator?: Generator;
}

function normalParameter(shape: number[], divisor: number, gen: Generator): Tensor {
  const values = gen.fillNormal(new Float32Array(shape[0] * shape[1]));
  for (let i = 0; i < values.length; i++) values[i] = values[i] / divisor;
  return untracked(() => Tensor.fromArray(values, shape, cpu, true));
}

/** torchidl's ImplicitModel without bias: parameters A, B, C, D (randn / n). */
class ImplicitLayer extends Module {
  constructor(readonly n: number, readonly inDim: number, readonly outDim: number, gen: Generator) {
    super();
    this.registerParameter('A', normalParameter([n, n], n, gen));
    this.registerParameter('B', normalParameter([n, inDim], n, gen));
    this.registerParameter('C', normalParameter([outDim, n], n, gen));
    this.registerParameter('D', normalParameter([outDim, inDim], n, gen));
  }

  get A(): Tensor { return this.param('A'); }
  get B(): Tensor { return this.param('B'); }
  get C(): Tensor { return this.param('C'); }
  get D(): Tensor { return this.param('D'); }

  forward(): never {
    throw new RnamError('ImplicitLayer is run by ImplicitRNN through the fused implicitRnn op');
  }
}

/** The recurrent part (torchidl's ImplicitRNNCell): holds the implicit layer as `layer`. */
class ImplicitRNNCell extends Module {
  readonly layer: ImplicitLayer;
  constructor(p: number, n: number, h: number, gen: Generator) {
    super();
    this.layer = this.registerModule('layer', new ImplicitLayer(n, p + h, h, gen));
  }

  forward(): never {
    throw new RnamError('ImplicitRNNCell is run by ImplicitRNN.forwardHidden');
  }
}

/** PyTorch's nn.Linear(inFeatures, outFeatures): weight (out, in), bias (out), uniform within 1/sqrt(in). */
class DenseLinear extends Module {
  constructor(readonly inFeatures: number, readonly outFeatures: number, gen: Generator) {
    super();
    const bound = 1 / Math.sqrt(inFeatures);
    this.registerParameter('weight', this.uniformParameter([outFeatures, inFeatures], bound, gen));
    this.registerParameter('bias', this.uniformParameter([outFeatures], bound, gen));
  }

  get weight(): Tensor { return this.param('weight'); }
  get bias(): Tensor { return this.param('bias'); }

  /** x (rows, in) -> (rows, out). */
  forward(x: Tensor): Tensor {
    const rows = x.shape[0];
    const wt = reshape(transpose2d(this.weight, 'ImplicitRNN.linear'), [1, this.inFeatures, this.outFeatures]);
    const y = linear(reshape(x, [1, rows, this.inFeatures]), wt, reshape(this.bias, [1, 1, this.outFeatures]), 'ImplicitRNN.linear');
    return reshape(y, [rows, this.outFeatures]);
  }
}

/**
 * The implicit recurrent network of torchidl (seed 003). At each step, with U_t = [x_t, h_{t-1}]
 * (h_0 = 0): X_t = relu(A X_t + B U_t) solved by Picard iteration, h_t = C X_t + D U_t; the output is
 * linear(h_T). Before solving, A is scaled onto ||A||_inf <= kappa (the whole matrix times
 * kappa / ||A||_inf when the norm is larger, as torchidl's project_onto_Linf_ball), which makes the
 * iteration a contraction. The backward pass is implicit differentiation through the fixed point;
 * A's gradient is that of the projected matrix, passed straight through (torchidl's choice).
 * A solve that reaches maxIter (forward) or gradMaxIter (backward) without converging is reported
 * as a 'warning' event, never silently.
 */
export class ImplicitRNN extends Module {
  readonly inputDim: number;
  readonly outputDim: number;
  readonly implicitHiddenDim: number;
  readonly hiddenDim: number;
  maxIter: number;
  tol: number;
  gradMaxIter: number;
  gradTol: number;
  kappa: number;
  readonly recurrent: ImplicitRNNCell;
  readonly linear: DenseLinear;
  /** The statistics of the latest forward and backward solves. */
  lastStats: { forward: ImplicitSolveStats | null; backward: ImplicitSolveStats | null } = { forward: null, backward: null };
  private readonly listeners = new Set<(w: ImplicitWarning) => void>();

  constructor(options: ImplicitRNNOptions) {
    super();
    const { inputDim, outputDim, implicitHiddenDim, hiddenDim } = options;
    for (const [name, v] of Object.entries({ inputDim, outputDim, implicitHiddenDim, hiddenDim })) {
      if (!Number.isInteger(v) || v <= 0) throw new ArgumentError(`ImplicitRNN: ${name} must be a positive integer, got ${describeValue(v)}`);
    }
    this.inputDim = inputDim;
    this.outputDim = outputDim;
    this.implicitHiddenDim = implicitHiddenDim;
    this.hiddenDim = hiddenDim;
    this.maxIter = options.maxIter ?? 300;
    this.tol = options.tol ?? 3e-6;
    this.gradMaxIter = options.gradMaxIter ?? this.maxIter;
    this.gradTol = options.gradTol ?? this.tol;
    this.kappa = options.kappa ?? 0.99;
    if (options.onWarning) this.listeners.add(options.onWarning);
    const gen = options.generator ?? defaultGenerator;
    this.recurrent = this.registerModule('recurrent', new ImplicitRNNCell(inputDim, implicitHiddenDim, hiddenDim, gen));
    this.linear = this.registerModule('linear', new DenseLinear(hiddenDim, outputDim, gen));
  }

  /** Listens for non-convergence warnings (replacing the console.warn default). */
  on(event: 'warning', fn: (w: ImplicitWarning) => void): this {
    if (event !== 'warning') throw new ArgumentError(`ImplicitRNN.on: unknown event '${event}' (only 'warning')`);
    this.listeners.add(fn);
    return this;
  }

  off(event: 'warning', fn: (w: ImplicitWarning) => void): this {
    if (event === 'warning') this.listeners.delete(fn);
    return this;
  }

  private onStats = (s: ImplicitSolveStats): void => {
    this.lastStats[s.phase] = s;
    if (s.unconverged === 0) return;
    const what = s.phase === 'forward' ? 'fixed-point' : 'gradient (adjoint) fixed-point';
    const warning: ImplicitWarning = {
      ...s,
      message: `${this.toString()}: ${s.unconverged} of ${s.solves} ${what} solves did not converge in ${s.maxIter} iterations `
        + `(largest residual ${s.maxResidual.toExponential(3)}, tol ${s.tol})`,
    };
    if (this.listeners.size === 0) console.warn(warning.message);
    for (const fn of this.listeners) fn(warning);
  };

  /** Every hidden state (batch, seq, hiddenDim) and the last one (batch, hiddenDim). */
  forwardHidden(x: Tensor, lengths?: ArrayLike<number> | null): [Tensor, Tensor] {
    const where = this.toString();
    if (x.ndim !== 3 || x.shape[2] !== this.inputDim || x.shape[0] < 1 || x.shape[1] < 1) {
      throw shapeError(where, 'input', `(batch >= 1, seq >= 1, ${this.inputDim})`, x.shape);
    }
    const { A, B, C, D } = this.recurrent.layer;
    const h = implicitRnn(x, A, B, C, D, {
      maxIter: this.maxIter, tol: this.tol, gradMaxIter: this.gradMaxIter, gradTol: this.gradTol, kappa: this.kappa,
      onStats: this.onStats,
    }, where);
    return [h, lastStep(h, lengths, where)];
  }

  /** The model reads x (batch, seq, inputDim). */
  readonly inputLayout = 'batch-first' as const;

  /** x (batch, seq, inputDim) and optional lengths (right padding; the solve is causal) -> (batch, outputDim). */
  forward(x: Tensor, lengths?: ArrayLike<number> | null): Tensor {
    return this.linear.forward(this.forwardHidden(x, lengths)[1]);
  }

  describe(): ModelDescription {
    return {
      kind: 'ImplicitRNN', layout: this.inputLayout, inputFeatures: this.inputDim, outputs: this.outputDim, additive: null,
      config: { inputDim: this.inputDim, outputDim: this.outputDim, implicitHiddenDim: this.implicitHiddenDim, hiddenDim: this.hiddenDim,
        maxIter: this.maxIter, tol: this.tol, gradMaxIter: this.gradMaxIter, gradTol: this.gradTol, kappa: this.kappa },
    };
  }

  override toString(): string {
    return `ImplicitRNN(inputDim=${this.inputDim}, outputDim=${this.outputDim}, implicitHiddenDim=${this.implicitHiddenDim}, `
      + `hiddenDim=${this.hiddenDim})`;
  }
}
