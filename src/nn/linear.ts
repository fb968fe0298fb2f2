import { Module } from './module.js';
import type { Tensor } from '../tensor.js';
import { linear } from '../ops/linear.js';
import { ArgumentError, describeValue } from '../errors.js';

export interface LinearOptions {
  bias?: boolean;
}

/**
 * A grouped ("terms") linear layer, as the seed's rnam.Linear: weight (terms, inDim, outDim), bias
 * (terms, 1, outDim), both uniform within 1/sqrt(inDim) like PyTorch's nn.Linear. Input
 * (terms, *, inDim) -> output (terms, *, outDim).
 */
export class Linear extends Module {
  readonly terms: number;
  readonly inDim: number;
  readonly outDim: number;

  constructor(terms: number, inDim: number, outDim: number, options: LinearOptions = {}) {
    super();
    for (const [name, v] of Object.entries({ terms, inDim, outDim })) {
      if (!Number.isInteger(v) || v <= 0) throw new ArgumentError(`Linear: ${name} must be a positive integer, got ${describeValue(v)}`);
    }
    this.terms = terms;
    this.inDim = inDim;
    this.outDim = outDim;
    const bound = 1 / Math.sqrt(inDim);
    this.registerParameter('weight', this.uniformParameter([terms, inDim, outDim], bound));
    if (options.bias ?? true) this.registerParameter('bias', this.uniformParameter([terms, 1, outDim], bound));
  }

  get weight(): Tensor {
    return this.param('weight');
  }

  get bias(): Tensor | null {
    return this.param('bias') ?? null;
  }

  forward(x: Tensor): Tensor {
    return linear(x, this.weight, this.bias, this.toString());
  }

  override toString(): string {
    return `Linear(terms=${this.terms}, inDim=${this.inDim}, outDim=${this.outDim}, bias=${this.bias !== null})`;
  }
}
