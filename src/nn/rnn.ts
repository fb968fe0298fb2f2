// The classic recurrent layers with PyTorch's semantics, parameter names and shapes: SimpleRNN
// (nn.RNN, Elman), GRU (nn.GRU) and LSTM (nn.LSTM). Unidirectional, no inter-layer dropout.
// Each layer runs its whole sequence in one fused recurrent kernel per direction (src/ops/rnn.ts).
import { Module } from './module.js';
import type { Tensor } from '../tensor.js';
import { recurrentLayer } from '../ops/rnn.js';
import { recurrentCells, type RecurrentCell } from '../ops/rnn-cells.js';
import { cat, reshape, slice } from '../ops/shape.js';
import { checkLengths, lastStep, lastStepTimeMajor } from '../ops/last-step.js';
import { formatShape, shapeError } from '../shape.js';
import { ArgumentError, describeValue } from '../errors.js';
import type { ModelDescription } from './describe.js';

export interface RecurrentOptions {
  inputSize: number;
  hiddenSize: number;
  /** Stacked layers (default 1): layer k > 0 reads layer k - 1's output sequence. */
  numLayers?: number;
  /** Biases b_ih and b_hh (default true). */
  bias?: boolean;
  /** Input and output as (batch, seq, feature) instead of (seq, batch, feature) (default false). hN is (numLayers, batch, hidden) either way. */
  batchFirst?: boolean;
  /** Not supported: rnam's recurrent layers are unidirectional. */
  bidirectional?: boolean;
  /** Not supported (must be 0): no dropout between layers. */
  dropout?: number;
}

export interface SimpleRNNOptions extends RecurrentOptions {
  /** 'tanh' (default) or 'relu'. */
  nonlinearity?: 'tanh' | 'relu';
}

abstract class RecurrentBase extends Module {
  readonly inputSize: number;
  readonly hiddenSize: number;
  readonly numLayers: number;
  readonly bias: boolean;
  readonly batchFirst: boolean;
  protected readonly cell: RecurrentCell;
  /** The class name files store (not constructor.name, which a minifier may rename). */
  private readonly kind: string;

  constructor(name: string, cell: RecurrentCell, options: RecurrentOptions) {
    super();
    this.kind = name;
    const { inputSize, hiddenSize } = options;
    const numLayers = options.numLayers ?? 1;
    for (const [key, v] of Object.entries({ inputSize, hiddenSize, numLayers })) {
      if (!Number.isInteger(v) || v <= 0) throw new ArgumentError(`${name}: ${key} must be a positive integer, got ${describeValue(v)}`);
    }
    if (options.bidirectional) throw new ArgumentError(`${name}: bidirectional layers are not supported (rnam's recurrent layers are unidirectional)`);
    const dropout: unknown = options.dropout ?? 0;
    if (typeof dropout !== 'number' || !(dropout >= 0 && dropout <= 1)) {
      throw new ArgumentError(`${name}: dropout must be a number in [0, 1], got ${describeValue(dropout)}`);
    }
    if (dropout !== 0) throw new ArgumentError(`${name}: dropout between layers is not supported (got dropout ${dropout})`);
    this.cell = cell;
    this.inputSize = inputSize;
    this.hiddenSize = hiddenSize;
    this.numLayers = numLayers;
    this.bias = options.bias ?? true;
    this.batchFirst = options.batchFirst ?? false;
    // PyTorch: every parameter uniform in [-1/sqrt(hidden), 1/sqrt(hidden)], in registration order.
    const gh = recurrentCells[cell].gates * hiddenSize;
    const bound = 1 / Math.sqrt(hiddenSize);
    for (let k = 0; k < numLayers; k++) {
      this.registerParameter(`weight_ih_l${k}`, this.uniformParameter([gh, k === 0 ? inputSize : hiddenSize], bound));
      this.registerParameter(`weight_hh_l${k}`, this.uniformParameter([gh, hiddenSize], bound));
      if (this.bias) {
        this.registerParameter(`bias_ih_l${k}`, this.uniformParameter([gh], bound));
        this.registerParameter(`bias_hh_l${k}`, this.uniformParameter([gh], bound));
      }
    }
  }

  /** Layer k's parameters [weight_ih, weight_hh, bias_ih, bias_hh] (biases null without bias). */
  layerParameters(k: number): [Tensor, Tensor, Tensor | null, Tensor | null] {
    return [this.param(`weight_ih_l${k}`), this.param(`weight_hh_l${k}`),
      this.bias ? this.param(`bias_ih_l${k}`) : null, this.bias ? this.param(`bias_hh_l${k}`) : null];
  }

  /** Checks x and a state; returns [batch, seq, unbatched]. */
  protected checkInput(x: Tensor, states: [string, Tensor | null | undefined][]): [number, number, boolean] {
    const where = this.toString();
    const { inputSize, hiddenSize, numLayers } = this;
    const layout = this.batchFirst ? `(batch, seq, ${inputSize})` : `(seq, batch, ${inputSize})`;
    if ((x.ndim !== 3 && x.ndim !== 2) || x.shape[x.ndim - 1] !== inputSize || x.shape.some((d) => d < 1)) {
      throw shapeError(where, 'input', `${layout} or, unbatched, (seq, ${inputSize})`, x.shape);
    }
    const unbatched = x.ndim === 2;
    const batch = unbatched ? 1 : this.batchFirst ? x.shape[0] : x.shape[1];
    const seq = unbatched ? x.shape[0] : this.batchFirst ? x.shape[1] : x.shape[0];
    const expected = unbatched ? [numLayers, hiddenSize] : [numLayers, batch, hiddenSize];
    for (const [name, s] of states) {
      if (s && (s.ndim !== expected.length || s.shape.some((d, i) => d !== expected[i]))) {
        throw shapeError(where, name, formatShape(expected), s.shape);
      }
    }
    return [batch, seq, unbatched];
  }

  /**
   * Runs the stack: returns the last layer's output sequence, hN (numLayers, batch, hidden) and,
   * for the LSTM, cN. With lengths (one per batch entry, right padding), padded steps keep the
   * state and output zeros (PyTorch's packed sequences), and hN / cN are each sequence's state at
   * its last valid step.
   */
  protected runLayers(x: Tensor, h0: Tensor | null, c0: Tensor | null, lengths: ArrayLike<number> | null): [Tensor, Tensor, Tensor | null] {
    const [batch, seq, unbatched] = this.checkInput(x, [['h0', h0], ['c0', c0]]);
    if (lengths != null) checkLengths(this.toString(), lengths, batch, seq);
    const H = this.hiddenSize, L = this.numLayers;
    let input = unbatched ? reshape(x, this.batchFirst ? [1, seq, this.inputSize] : [seq, 1, this.inputSize]) : x;
    const state = (s: Tensor | null, k: number): Tensor | null => {
      if (!s) return null;
      const all = unbatched ? reshape(s, [L, 1, H]) : s;
      return L === 1 ? all : slice(all, 0, k, k + 1);
    };
    const hs: Tensor[] = [], cs: Tensor[] = [];
    for (let k = 0; k < L; k++) {
      const [weightIh, weightHh, biasIh, biasHh] = this.layerParameters(k);
      const { output, cN } = recurrentLayer({
        cell: this.cell, x: input, weightIh, weightHh, biasIh, biasHh, h0: state(h0, k), c0: state(c0, k),
        batchFirst: this.batchFirst, lengths, where: this.toString(),
      });
      hs.push(lengths == null ? (this.batchFirst ? reshape(slice(output, 1, seq - 1, seq), [1, batch, H]) : slice(output, 0, seq - 1, seq))
        : reshape(this.batchFirst ? lastStep(output, lengths, this.toString()) : lastStepTimeMajor(output, lengths, this.toString()), [1, batch, H]));
      if (cN) cs.push(cN);
      input = output;
    }
    const stack = (list: Tensor[]) => {
      const s = list.length === 1 ? list[0] : cat(list, 0);
      return unbatched ? reshape(s, [L, H]) : s;
    };
    const out = unbatched ? reshape(input, [seq, H]) : input;
    return [out, stack(hs), cs.length ? stack(cs) : null];
  }

  /** Layers, not whole models: the layout follows batchFirst, the outputs are the hidden size, nothing is additive. */
  describe(): ModelDescription {
    const config: ModelDescription['config'] = { inputSize: this.inputSize, hiddenSize: this.hiddenSize, numLayers: this.numLayers, bias: this.bias, batchFirst: this.batchFirst };
    if (this instanceof SimpleRNN) config.nonlinearity = this.nonlinearity;
    return { kind: this.kind, layout: 'batch-first', inputFeatures: this.inputSize, outputs: this.hiddenSize, config, additive: null };
  }

  override toString(): string {
    return `${this.constructor.name}(inputSize=${this.inputSize}, hiddenSize=${this.hiddenSize}, numLayers=${this.numLayers}`
      + `${this.bias ? '' : ', bias=false'}${this.batchFirst ? ', batchFirst=true' : ''}${this.extraRepr()})`;
  }

  protected extraRepr(): string {
    return '';
  }
}

/**
 * PyTorch's nn.RNN (Elman): h_t = act(W_ih x_t + b_ih + W_hh h_{t-1} + b_hh), act = tanh or relu.
 * forward(x, h0?, lengths?) with x (seq, batch, inputSize) (batch-first: (batch, seq, inputSize)) or,
 * unbatched, (seq, inputSize), and h0 (numLayers, batch, hiddenSize) (default zeros) returns
 * [output (seq, batch, hiddenSize) or batch-first (batch, seq, hiddenSize), hN (numLayers, batch, hiddenSize)].
 * lengths (one integer in [1, seq] per batch entry) marks right padding: see runLayers.
 * Parameters weight_ih_l{k} (hidden, in), weight_hh_l{k} (hidden, hidden), bias_ih_l{k}, bias_hh_l{k} (hidden).
 */
export class SimpleRNN extends RecurrentBase {
  readonly nonlinearity: 'tanh' | 'relu';

  constructor(options: SimpleRNNOptions) {
    const nonlinearity = options.nonlinearity ?? 'tanh';
    if (nonlinearity !== 'tanh' && nonlinearity !== 'relu') {
      throw new ArgumentError(`SimpleRNN: nonlinearity must be 'tanh' or 'relu', got '${String(nonlinearity)}'`);
    }
    super('SimpleRNN', nonlinearity === 'relu' ? 'rnn_relu' : 'rnn_tanh', options);
    this.nonlinearity = nonlinearity;
  }

  forward(x: Tensor, h0?: Tensor | null, lengths?: ArrayLike<number> | null): [Tensor, Tensor] {
    const [out, hN] = this.runLayers(x, h0 ?? null, null, lengths ?? null);
    return [out, hN];
  }

  protected override extraRepr(): string {
    return this.nonlinearity === 'relu' ? ", nonlinearity='relu'" : '';
  }
}

/**
 * PyTorch's nn.GRU, gates (r, z, n): r = sigmoid(W_ir x + b_ir + W_hr h + b_hr), z likewise,
 * n = tanh(W_in x + b_in + r * (W_hn h + b_hn)), h' = (1 - z) * n + z * h. Shapes as SimpleRNN,
 * with weight_ih_l{k} (3 * hidden, in), weight_hh_l{k} (3 * hidden, hidden), biases (3 * hidden).
 */
export class GRU extends RecurrentBase {
  constructor(options: RecurrentOptions) {
    super('GRU', 'gru', options);
  }

  forward(x: Tensor, h0?: Tensor | null, lengths?: ArrayLike<number> | null): [Tensor, Tensor] {
    const [out, hN] = this.runLayers(x, h0 ?? null, null, lengths ?? null);
    return [out, hN];
  }
}

/**
 * PyTorch's nn.LSTM, gates (i, f, g, o): c' = f * c + i * g, h' = o * tanh(c'). forward(x, [h0, c0]?)
 * returns [output, [hN, cN]], states (numLayers, batch, hidden); weight_ih_l{k} (4 * hidden, in),
 * weight_hh_l{k} (4 * hidden, hidden), biases (4 * hidden). No projections (proj_size 0).
 */
export class LSTM extends RecurrentBase {
  constructor(options: RecurrentOptions) {
    super('LSTM', 'lstm', options);
  }

  forward(x: Tensor, state?: [Tensor | null, Tensor | null] | null, lengths?: ArrayLike<number> | null): [Tensor, [Tensor, Tensor]] {
    if (state != null && (!Array.isArray(state) || state.length !== 2)) {
      throw new ArgumentError(`${this.toString()}: the initial state must be [h0, c0]`);
    }
    const [out, hN, cN] = this.runLayers(x, state?.[0] ?? null, state?.[1] ?? null, lengths ?? null);
    return [out, [hN, cN!]];
  }
}
