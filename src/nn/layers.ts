// Small PyTorch-compatible layers: LayerNorm, ReLU, Sequential.
import { Module } from './module.js';
import { Tensor } from '../tensor.js';
import { layerNorm } from '../ops/layernorm.js';
import { relu } from '../ops/elementwise.js';
import { checkLayerNormEps } from '../ops/common.js';
import { ArgumentError, describeValue } from '../errors.js';

/** LayerNorm over the last dimension (PyTorch's nn.LayerNorm(dim)): weight ones, bias zeros, eps 1e-5. */
export class LayerNorm extends Module {
  constructor(readonly dim: number, readonly eps = 1e-5) {
    super();
    if (!Number.isInteger(dim) || dim <= 0) throw new ArgumentError(`LayerNorm: dim must be a positive integer, got ${describeValue(dim)}`);
    checkLayerNormEps('LayerNorm', eps);
    this.registerParameter('weight', this.constantParameter([dim], 1));
    this.registerParameter('bias', this.constantParameter([dim], 0));
  }

  get weight(): Tensor {
    return this.param('weight');
  }

  get bias(): Tensor {
    return this.param('bias');
  }

  forward(x: Tensor): Tensor {
    return layerNorm(x, this.weight, this.bias, this.eps, this.toString());
  }

  override toString(): string {
    return `LayerNorm(${this.dim})`;
  }
}

export class ReLU extends Module {
  forward(x: Tensor): Tensor {
    return relu(x);
  }
}

/** Runs its children in order; they are named 0, 1, 2, ... as in PyTorch (state-dict keys ff.0.weight, ...). */
export class Sequential extends Module {
  readonly layers: readonly Module[];

  constructor(...layers: Module[]) {
    super();
    this.layers = layers;
    layers.forEach((layer, i) => this.registerModule(String(i), layer));
  }

  forward(x: Tensor): Tensor {
    let out = x;
    for (const layer of this.layers) out = layer.forward(out);
    return out;
  }
}
