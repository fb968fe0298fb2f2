// What the trainer needs to know of a model, read from its describe() (the model protocol): the
// layout its forward reads, its input features and outputs, its additive structure, its device.
import type { Module } from '../nn/module.js';
import type { Tensor } from '../tensor.js';
import type { Backend } from '../backend/backend.js';
import type { Layout } from '../data/layout.js';
import { isDescribable, type AdditiveStructure, type ModelDescription } from '../nn/describe.js';
import { ArgumentError, describeValue } from '../errors.js';

/** A mixed batch's static and categorical inputs, as forward's third argument. */
export interface BatchInputs {
  static?: Tensor | null;
  categorical?: Tensor | null;
}

/**
 * A model whose forward takes x (and optional lengths) and returns yHat or [yHat, contributions, ...],
 * and says what it is through describe() (checked when it is used, so a loaded Module can be passed).
 */
export type TrainableModel = Module & {
  forward(x: Tensor | null, lengths?: ArrayLike<number> | null, extra?: BatchInputs): Tensor | [Tensor, ...Tensor[]];
  describe?(): ModelDescription;
};

export interface ModelInfo {
  readonly name: string;
  readonly layout: Layout;
  /** Features per step the forward reads. */
  readonly inputFeatures: number;
  readonly outDim: number;
  readonly additive: AdditiveStructure | null;
  /** 'mixed': the model reads a MixedDataset's inputs (see ModelDescription.inputs). */
  readonly inputs: 'sequence' | 'mixed';
  readonly device: Backend;
}

export function modelInfo(where: string, model: TrainableModel): ModelInfo {
  if (!model || typeof model.forward !== 'function' || typeof model.parameters !== 'function' || !isDescribable(model)) {
    throw new ArgumentError(`${where}: the model must be a Module with forward() and describe() (FirstOrderRNAM, SequenceModel, ImplicitRNN, ...), got ${describeValue(model)}`);
  }
  const p = model.parameters()[0];
  if (!p) throw new ArgumentError(`${where}: the model has no parameters`);
  const d = model.describe();
  if (d.layout !== 'terms-first' && d.layout !== 'batch-first') throw new ArgumentError(`${where}: describe().layout must be 'terms-first' or 'batch-first', got ${describeValue(d.layout)}`);
  return { name: d.kind, layout: d.layout, inputFeatures: d.inputFeatures, outDim: d.outputs, additive: d.additive, inputs: d.inputs ?? 'sequence', device: p.device };
}
