// The Recurrent Neural Additive Model of the seed notebook: y = b + sum_i f_i(x_i), each f_i a
// small recurrent network, all terms run side by side as grouped layers.
import { Module } from './module.js';
import { Linear } from './linear.js';
import { MinGRU } from './mingru.js';
import { LayerNorm, ReLU, Sequential } from './layers.js';
import type { Tensor } from '../tensor.js';
import { add } from '../ops/elementwise.js';
import { addBroadcast, sumFirstAxis } from '../ops/reduce.js';
import { lastStep } from '../ops/last-step.js';
import { mingruLayer } from '../ops/mingru.js';
import { rnamBlock } from '../ops/rnamblock.js';
import { shapeError } from '../shape.js';
import { ArgumentError, RnamError } from '../errors.js';
import type { ModelDescription } from './describe.js';

/** A list of modules registered as 0, 1, 2, ... (PyTorch's nn.ModuleList). */
export class ModuleList<M extends Module = Module> extends Module {
  readonly items: readonly M[];

  constructor(items: Iterable<M>) {
    super();
    this.items = [...items];
    this.items.forEach((m, i) => this.registerModule(String(i), m));
  }

  forward(): never {
    throw new RnamError('ModuleList has no forward; iterate over .items');
  }
}

/**
 * The additive output layer: forward(input (terms, batch, dim)) returns
 * [bias + sum over terms (batch, dim), the per-term contributions (terms, batch, dim), detached].
 */
export class AdditiveLayer extends Module {
  constructor(readonly dim: number) {
    super();
    this.registerParameter('bias', this.constantParameter([dim], 0));
  }

  get bias(): Tensor {
    return this.param('bias');
  }

  forward(input: Tensor): [Tensor, Tensor] {
    if (input.ndim < 2 || input.shape[input.ndim - 1] !== this.dim) {
      throw shapeError(`AdditiveLayer(${this.dim})`, 'input', `(terms, *, ${this.dim})`, input.shape);
    }
    return [addBroadcast(sumFirstAxis(input), this.bias, `AdditiveLayer(${this.dim})`), input.detach()];
  }
}

/** Pre-norm residual block: x + ff(x + gru(x)[0]), ff = LayerNorm, Linear, ReLU, Linear. */
export class RNAMBlock extends Module {
  readonly gru: MinGRU;
  readonly ff: Sequential;

  constructor(readonly terms: number, readonly dim: number) {
    super();
    this.gru = this.registerModule('gru', new MinGRU(terms, dim));
    this.ff = this.registerModule('ff', new Sequential(
      new LayerNorm(dim), new Linear(terms, dim, dim), new ReLU(), new Linear(terms, dim, dim),
    ));
  }

  /**
   * The fused kernel when the block is the seed's (expansion 1, the ff layers as built), else the
   * unfused ops. `lengths` (fused only): each sequence's valid steps; the rows past them are 0.
   */
  forward(x: Tensor, lengths?: ArrayLike<number> | null): Tensor {
    const [norm, first, , second] = this.ff.layers as [LayerNorm, Linear, ReLU, Linear];
    const fusable = this.gru.toOut === null && this.ff.layers.length === 4 && first.bias && second.bias
      && x.ndim === 4 && x.shape[0] === this.terms && x.shape[3] === this.dim && x.shape[1] >= 1 && x.shape[2] >= 1;
    if (!fusable) return this.forwardUnfused(x);
    return rnamBlock(x, {
      wg: this.gru.toHiddenAndGate.weight, lnw: norm.weight, lnb: norm.bias,
      w1: first.weight, b1: first.bias!, w2: second.weight, b2: second.bias!,
    }, norm.eps, `RNAMBlock(terms=${this.terms}, dim=${this.dim})`, lengths);
  }

  /** The block op by op (the reference the fused kernel is tested against, bit for bit on the CPU). */
  forwardUnfused(x: Tensor): Tensor {
    return add(x, this.ff.forward(add(x, this.gru.forward(x)[0])));
  }
}

/**
 * The last block read at each sequence's last valid step only: x (terms, batch, seq, dim) ->
 * (terms, batch, dim), equal to lastStep(block.forward(x), lengths). The block is
 * x + ff(x + gru(x)) with ff applied to each step on its own, so the recurrence runs over every
 * step but the feed-forward half (and both residuals) only at the step the model reads: the same
 * operations on the same values as the fused kernel at that step (the fused kernel is bitwise the
 * unfused ops on the CPU), a 1/seq share of the feed-forward work of the block.
 */
function lastBlockAtLastStep(block: RNAMBlock, x: Tensor, lengths: ArrayLike<number> | null | undefined, where: string): Tensor {
  if (block.gru.toOut !== null || block.gru.terms !== block.terms) return lastStep(block.forward(x), lengths, where);
  // The minGRU of expansion 1 as RNAMBlock.forwardUnfused runs it (no h0, every step: the blocks are
  // causal, so padding after a sequence's last valid step does not reach it).
  const g = mingruLayer(x, block.gru.toHiddenAndGate.weight, null, block.gru.toString());
  const xLast = lastStep(x, lengths, where);
  return add(xLast, block.ff.forward(add(xLast, lastStep(g, lengths, where))));
}

export interface FirstOrderRNAMOptions {
  terms: number;
  hiddenDim: number;
  outDim: number;
  blocks: number;
}

/**
 * The seed's first-order additive sequence regressor: emb (1 -> hiddenDim per term), `blocks`
 * RNAM blocks, proj (Linear, ReLU, Linear) on the last time step, and the additive layer.
 * forward(x (terms, batch, seq, 1)) returns [yHat (batch, outDim), contributions (terms, batch, outDim)].
 */
export class FirstOrderRNAM extends Module {
  readonly options: FirstOrderRNAMOptions;
  readonly emb: Linear;
  readonly blocks: ModuleList<RNAMBlock>;
  readonly proj: Sequential;
  readonly gam: AdditiveLayer;

  constructor(options: FirstOrderRNAMOptions) {
    super();
    const { terms, hiddenDim, outDim, blocks } = options;
    for (const [name, v] of Object.entries({ terms, hiddenDim, outDim, blocks })) {
      if (!Number.isInteger(v) || v < (name === 'blocks' ? 0 : 1)) throw new ArgumentError(`FirstOrderRNAM: ${name} must be a${name === 'blocks' ? ' non-negative' : ' positive'} integer, got ${v}`);
    }
    this.options = { terms, hiddenDim, outDim, blocks };
    this.emb = this.registerModule('emb', new Linear(terms, 1, hiddenDim));
    this.blocks = this.registerModule('blocks', new ModuleList(Array.from({ length: blocks }, () => new RNAMBlock(terms, hiddenDim))));
    this.proj = this.registerModule('proj', new Sequential(
      new Linear(terms, hiddenDim, hiddenDim), new ReLU(), new Linear(terms, hiddenDim, outDim),
    ));
    this.gam = this.registerModule('gam', new AdditiveLayer(outDim));
  }

  /** The model reads x (terms, batch, seq, 1): one term per feature. */
  readonly inputLayout = 'terms-first' as const;

  /**
   * x (terms, batch, seq, 1) and, for right-padded sequences of different lengths, one length per
   * sample: the model reads each sequence's last valid step (the blocks are causal, so padding
   * after it changes nothing).
   */
  forward(x: Tensor, lengths?: ArrayLike<number> | null): [Tensor, Tensor] {
    const { terms } = this.options;
    if (x.ndim !== 4 || x.shape[0] !== terms || x.shape[3] !== 1 || x.shape[1] < 1 || x.shape[2] < 1) {
      throw shapeError(this.toString(), 'input', `(${terms}, batch >= 1, seq >= 1, 1)`, x.shape);
    }
    let h = this.emb.forward(x);
    const blocks = this.blocks.items;
    for (const block of blocks.slice(0, -1)) h = block.forward(h);
    const last = blocks.length ? lastBlockAtLastStep(blocks[blocks.length - 1], h, lengths, this.toString()) : lastStep(h, lengths, this.toString());
    return this.gam.forward(this.proj.forward(last));
  }

  describe(): ModelDescription {
    const { terms, outDim } = this.options;
    return {
      kind: 'FirstOrderRNAM', layout: this.inputLayout, inputFeatures: terms, outputs: outDim,
      config: { ...this.options }, additive: { terms, intercept: this.gam.bias },
    };
  }

  override toString(): string {
    const { terms, hiddenDim, outDim, blocks } = this.options;
    return `FirstOrderRNAM(terms=${terms}, hiddenDim=${hiddenDim}, outDim=${outDim}, blocks=${blocks})`;
  }
}
