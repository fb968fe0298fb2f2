// A recurrent stack with a linear head on each sequence's last valid step: the batch-first model
// fit/evaluate/predict train like the RNAM (x (batch, seq, features), optional lengths -> (batch, outDim)).
import { Module } from './module.js';
import { Linear } from './linear.js';
import { MinGRU } from './mingru.js';
import { SimpleRNN, GRU, LSTM } from './rnn.js';
import { ModuleList } from './rnam.js';
import type { Tensor } from '../tensor.js';
import { reshape } from '../ops/shape.js';
import { checkLengths, lastStep } from '../ops/last-step.js';
import { shapeError } from '../shape.js';
import { ArgumentError, describeValue } from '../errors.js';
import type { ModelDescription } from './describe.js';

export type SequenceCell = 'rnn' | 'gru' | 'lstm' | 'mingru';

export interface SequenceModelOptions {
  /** The recurrent layer: 'rnn' (SimpleRNN, tanh), 'gru', 'lstm' or 'mingru'. */
  cell: SequenceCell;
  /** Features per step. */
  inputSize: number;
  hiddenSize: number;
  /** Stacked recurrent layers (default 1). */
  numLayers?: number;
  /** Outputs: 1 for regression and binary, the class count for multiclass. */
  outDim: number;
}

const cells: readonly SequenceCell[] = ['rnn', 'gru', 'lstm', 'mingru'];

/**
 * forward(x (batch, seq, inputSize), lengths? (one per sample, right padding)) -> (batch, outDim):
 * the recurrent stack ('rnn', 'gru', 'lstm': PyTorch's layers, batch-first; 'mingru': stacked minGRU
 * layers after an input projection) and `head`, a Linear on the hidden state at each sample's last
 * valid step. The lengths reach the recurrent layers too (masked recurrences: padded steps keep the
 * state and get no gradient), so padding never changes a sequence's result.
 */
export class SequenceModel extends Module {
  readonly options: Required<SequenceModelOptions>;
  readonly inputLayout = 'batch-first' as const;
  readonly recurrent: SimpleRNN | GRU | LSTM | null;
  readonly embed: Linear | null;
  readonly layers: ModuleList<MinGRU> | null;
  readonly head: Linear;

  constructor(options: SequenceModelOptions) {
    super();
    const { cell, inputSize, hiddenSize, outDim } = options;
    const numLayers = options.numLayers ?? 1;
    if (!cells.includes(cell)) throw new ArgumentError(`SequenceModel: cell must be one of ${cells.map((c) => `'${c}'`).join(', ')}, got ${describeValue(cell)}`);
    for (const [name, v] of Object.entries({ inputSize, hiddenSize, numLayers, outDim })) {
      if (!Number.isInteger(v) || v <= 0) throw new ArgumentError(`SequenceModel: ${name} must be a positive integer, got ${describeValue(v)}`);
    }
    this.options = { cell, inputSize, hiddenSize, numLayers, outDim };
    const rnnOptions = { inputSize, hiddenSize, numLayers, batchFirst: true };
    if (cell === 'mingru') {
      this.recurrent = null;
      this.embed = this.registerModule('embed', new Linear(1, inputSize, hiddenSize));
      this.layers = this.registerModule('layers', new ModuleList(Array.from({ length: numLayers }, () => new MinGRU(1, hiddenSize))));
    } else {
      this.embed = null;
      this.layers = null;
      this.recurrent = this.registerModule('recurrent', cell === 'rnn' ? new SimpleRNN(rnnOptions) : cell === 'gru' ? new GRU(rnnOptions) : new LSTM(rnnOptions));
    }
    this.head = this.registerModule('head', new Linear(1, hiddenSize, outDim));
  }

  forward(x: Tensor, lengths?: ArrayLike<number> | null): Tensor {
    const { inputSize, hiddenSize, outDim } = this.options;
    if (x.ndim !== 3 || x.shape[2] !== inputSize || x.shape[0] < 1 || x.shape[1] < 1) {
      throw shapeError(this.toString(), 'input', `(batch >= 1, seq >= 1, ${inputSize})`, x.shape);
    }
    const [batch, seq] = x.shape;
    if (lengths != null) checkLengths(this.toString(), lengths, batch, seq);
    let hidden: Tensor;
    if (this.recurrent) {
      hidden = this.recurrent.forward(x, null, lengths)[0];
    } else {
      let h = this.embed!.forward(reshape(x, [1, batch, seq, inputSize]));
      for (const layer of this.layers!.items) h = layer.forward(h, null, lengths)[0];
      hidden = reshape(h, [batch, seq, hiddenSize]);
    }
    const last = lastStep(hidden, lengths, this.toString());
    return reshape(this.head.forward(reshape(last, [1, batch, hiddenSize])), [batch, outDim]);
  }

  describe(): ModelDescription {
    const { inputSize, outDim } = this.options;
    return { kind: 'SequenceModel', layout: this.inputLayout, inputFeatures: inputSize, outputs: outDim, config: { ...this.options }, additive: null };
  }

  override toString(): string {
    const { cell, inputSize, hiddenSize, numLayers, outDim } = this.options;
    return `SequenceModel(cell='${cell}', inputSize=${inputSize}, hiddenSize=${hiddenSize}, numLayers=${numLayers}, outDim=${outDim})`;
  }
}
