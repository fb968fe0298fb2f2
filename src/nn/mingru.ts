import { Module } from './module.js';
import { Linear } from './linear.js';
import type { Tensor } from '../tensor.js';
import { mingruLayer } from '../ops/mingru.js';
import { slice } from '../ops/shape.js';
import { formatShape, shapeError } from '../shape.js';
import { ArgumentError, describeValue } from '../errors.js';
import type { ModelDescription } from './describe.js';

export interface MinGRUOptions {
  expansionFactor?: number;
}

/**
 * A grouped minGRU ("Were RNNs All We Needed?"), as the seed's rnam.minGRU: to_hidden_and_gate
 * (terms, dim -> 2 * dimInner, no bias), the fused recurrence, and to_out (dimInner -> dim, no bias)
 * when expansionFactor != 1. forward(x (terms, batch, seq, dim), prevHidden? (terms, batch, 1,
 * dimInner)) returns [output (terms, batch, seq, dim), lastHidden (terms, batch, 1, dimInner)].
 * The whole sequence, one step (seq 1) and chunks carried by prevHidden all run the same kernel.
 * lengths (one integer in [1, seq] per batch entry, right padding): padded steps carry the state
 * (a_t = 1, b_t = 0), so lastHidden is each sequence's state at its last valid step, and the
 * outputs at padded steps repeat it.
 */
export class MinGRU extends Module {
  readonly terms: number;
  readonly dim: number;
  readonly dimInner: number;
  readonly expansionFactor: number;
  readonly toHiddenAndGate: Linear;
  readonly toOut: Linear | null;

  constructor(terms: number, dim: number, options: MinGRUOptions = {}) {
    super();
    const expansionFactor = options.expansionFactor ?? 1;
    const dimInner = Math.trunc(dim * expansionFactor);
    if (!Number.isInteger(terms) || terms <= 0) throw new ArgumentError(`MinGRU: terms must be a positive integer, got ${describeValue(terms)}`);
    if (!Number.isInteger(dim) || dim <= 0) throw new ArgumentError(`MinGRU: dim must be a positive integer, got ${describeValue(dim)}`);
    if (!(dimInner > 0)) throw new ArgumentError(`MinGRU: dim * expansionFactor = ${dim} * ${expansionFactor} leaves no hidden units`);
    this.terms = terms;
    this.dim = dim;
    this.dimInner = dimInner;
    this.expansionFactor = expansionFactor;
    this.toHiddenAndGate = this.registerModule('to_hidden_and_gate', new Linear(terms, dim, dimInner * 2, { bias: false }));
    this.toOut = expansionFactor !== 1 ? this.registerModule('to_out', new Linear(terms, dimInner, dim, { bias: false })) : null;
  }

  forward(x: Tensor, prevHidden?: Tensor | null, lengths?: ArrayLike<number> | null): [Tensor, Tensor] {
    const where = this.toString();
    const { terms, dim, dimInner } = this;
    if (x.ndim !== 4 || x.shape[0] !== terms || x.shape[3] !== dim || x.shape[1] < 1 || x.shape[2] < 1) {
      throw shapeError(where, 'input', `(${terms}, batch >= 1, seq >= 1, ${dim})`, x.shape);
    }
    const [, batch, seq] = x.shape;
    if (prevHidden && (prevHidden.ndim !== 4 || prevHidden.shape[0] !== terms || prevHidden.shape[1] !== batch
      || prevHidden.shape[2] !== 1 || prevHidden.shape[3] !== dimInner)) {
      throw shapeError(where, 'prevHidden', formatShape([terms, batch, 1, dimInner]), prevHidden.shape);
    }
    const hidden = mingruLayer(x, this.toHiddenAndGate.weight, prevHidden ?? null, where, lengths);
    const last = slice(hidden, 2, seq - 1, seq);
    return [this.toOut ? this.toOut.forward(hidden) : hidden, last];
  }

  describe(): ModelDescription {
    return {
      kind: 'MinGRU', layout: 'terms-first', inputFeatures: this.terms, outputs: this.dim, additive: null,
      config: { terms: this.terms, dim: this.dim, expansionFactor: this.expansionFactor },
    };
  }

  override toString(): string {
    return `MinGRU(terms=${this.terms}, dim=${this.dim}, expansionFactor=${this.expansionFactor})`;
  }
}
