// The model protocol: every model that can be trained, saved or explained says what it is through
// describe(). The trainer reads its layout and sizes, the model file its kind and config, predict
// and explain its intercept: no reading of constructor options by guesswork.
import type { Tensor } from '../tensor.js';

/** How a model's forward reads x: (terms, batch, seq, dim) or (batch, seq, features). */
export type InputLayout = 'terms-first' | 'batch-first';

/** A constructor config as a file stores it (JSON values only). */
export type ModelConfig = Record<string, number | string | boolean | readonly number[]>;

export interface AdditiveStructure {
  /** The terms whose contributions sum, with the intercept, to the output. */
  readonly terms: number;
  /** (outDim): yHat = intercept + sum over terms of the contributions forward returns second. */
  readonly intercept: Tensor;
}

export interface ModelDescription {
  /** The name the model registry and model files know the class by. */
  readonly kind: string;
  readonly layout: InputLayout;
  /** Features per step the forward reads (RNAM terms, a batch-first model's input size). */
  readonly inputFeatures: number;
  /** Outputs per sample (classes for a multiclass model). */
  readonly outputs: number;
  /** Everything needed to build the same model again (registry `build(config)`). */
  readonly config: ModelConfig;
  /** For additive models: the terms and the intercept; null for the others. */
  readonly additive: AdditiveStructure | null;
  /**
   * 'mixed': forward(sequence | null, lengths, { static, categorical }) over a MixedDataset's inputs
   * (AdditiveRNAM); default 'sequence': forward(x, lengths).
   */
  readonly inputs?: 'sequence' | 'mixed';
}

export interface Describable {
  describe(): ModelDescription;
}

export function isDescribable(model: unknown): model is Describable {
  return typeof (model as Partial<Describable> | null)?.describe === 'function';
}
