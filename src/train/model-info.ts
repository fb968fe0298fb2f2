// What the trainer needs to know of a model: the layout its forward reads, its input features and
// outputs (from the constructor options every trainable model keeps), and its device.
import type { Module } from '../nn/module.js';
import type { Tensor } from '../tensor.js';
import type { Backend } from '../backend/backend.js';
import type { Layout } from '../data/layout.js';
import { ArgumentError } from '../errors.js';

/** A model whose forward takes x (and optional lengths) and returns yHat or [yHat, contributions, ...]. */
export type TrainableModel = Module & {
  forward(x: Tensor, lengths?: ArrayLike<number> | null): Tensor | [Tensor, ...Tensor[]];
  readonly inputLayout?: Layout;
};

export interface ModelInfo {
  readonly name: string;
  /** terms-first when the model does not say (the seed's models). */
  readonly layout: Layout;
  /** Features per step (RNAM terms, SequenceModel inputSize, ImplicitRNN inputDim); null when unknown. */
  readonly inputFeatures: number | null;
  readonly outDim: number | null;
  readonly device: Backend;
}

const int = (v: unknown): number | null => (Number.isInteger(v) ? (v as number) : null);

export function modelInfo(where: string, model: TrainableModel): ModelInfo {
  if (!model || typeof model.forward !== 'function' || typeof model.parameters !== 'function') {
    throw new ArgumentError(`${where}: the model must be a Module with a forward (FirstOrderRNAM, SequenceModel, ImplicitRNN, ...)`);
  }
  const p = model.parameters()[0];
  if (!p) throw new ArgumentError(`${where}: the model has no parameters`);
  const layout = model.inputLayout ?? 'terms-first';
  if (layout !== 'terms-first' && layout !== 'batch-first') throw new ArgumentError(`${where}: model.inputLayout must be 'terms-first' or 'batch-first', got ${String(layout)}`);
  const o = ((model as { options?: Record<string, unknown> }).options ?? {}) as Record<string, unknown>;
  const own = model as unknown as Record<string, unknown>;
  return {
    name: model.constructor.name,
    layout,
    inputFeatures: int(o.terms) ?? int(o.inputSize) ?? int(own.inputDim),
    outDim: int(o.outDim) ?? int(own.outputDim),
    device: p.device,
  };
}
