// The data an explanation of an additive model hands out: plain numbers and arrays, ready to print,
// store as JSON (all but local()) or plot.
import type { Scale } from '../data/standardize.js';
import type { Task } from '../train/task.js';

/** What the model's outputs mean: values (regression), one logit (binary), one logit per class (multiclass). */
export type ExplainTask = Task;

/** How a term's input sequence is summarized on a shape function's x axis, over its valid steps. */
export type SequenceSummary = 'last' | 'mean' | 'ema';

export interface ExplainOptions {
  /** Default: 'multiclass' when the model has several outputs and the dataset one (class indices), 'binary' for one output and 0/1 targets (a SeriesDataset's task hint), else 'regression'. */
  task?: ExplainTask;
  /** The x axis of the shape functions (default 'last': each sequence's last valid step). */
  summary?: SequenceSummary;
  /** For summary 'ema': ema = alpha * x_t + (1 - alpha) * ema, started at the first valid step's value (default 0.05, the seed's decay 0.95). */
  emaAlpha?: number;
  /** Quantile bins per shape function (default 20; fewer when there are fewer samples). */
  bins?: number;
  /**
   * Center each term's contributions on this data (default true): its mean contribution over the
   * samples (per output) moves into the intercept, as GAM tools show shape functions. Without it the
   * contributions are the model's own and the intercept is model.gam.bias.
   */
  center?: boolean;
  /** Samples per forward pass (default 128). */
  batchSize?: number;
  /**
   * The centering to use, (terms, outDim): each term's mean contribution over the training data (a
   * trained model's `centering.offsets`). Default: the means over this data.
   */
  offsets?: number[][];
  /**
   * An ensemble's centering member by member, (terms, members, outDim): each member's mean
   * contribution over the training data (what `offsets` is for the ensemble; with `offsets`). The
   * shape functions' bands then also show where the members disagree on a level's or a value's
   * contribution relative to the training data. Default: each member is aligned on this data's mean.
   */
  memberOffsets?: number[][][];
  /** Regression on a standardized target: outputs, intercept and contributions in the target's units (default true). */
  targetUnits?: boolean;
  /** The name of each output, as charts and local explanations show it (a multiclass model's class labels); default 'class k', or the dataset's target names. */
  outputNames?: readonly string[];
}

/** Global importance of one term: the mean absolute contribution over the samples. */
export interface TermImportance {
  feature: string;
  /** Mean |contribution| over samples (and over classes or outputs when there are several). */
  importance: number;
  /** Mean |contribution| per class (multiclass) or per output (multi-output regression); absent for one output. */
  perClass?: number[];
}

/** One sample on a shape function: its input summary and the term's contribution to one output. */
export interface ShapePoint {
  sample: number;
  output: number;
  x: number;
  contribution: number;
}

/** Samples with neighbouring x (a quantile bin): their x range, mean x and mean contribution. */
export interface ShapeBin {
  output: number;
  x0: number;
  x1: number;
  x: number;
  contribution: number;
  count: number;
  /**
   * An ensemble's spread: the standard deviation across its members of their own mean contribution
   * over the bin's samples (each member's curve centered on its own mean: over the training data
   * with `memberOffsets`, else over these samples); the band is contribution ± sd, contribution
   * being the members' mean. null for a single model (one member): no band.
   */
  sd: number | null;
}

/** A term's shape function as data: contribution against the summary of its input sequence. */
export interface ShapeFunction {
  feature: string;
  term: number;
  summary: SequenceSummary;
  /** Set for summary 'ema'. */
  emaAlpha?: number;
  /** True when x is in the data's original units (the dataset's standardizer was inverted). */
  originalUnits: boolean;
  /** One per sample and output, in sample order. */
  points: ShapePoint[];
  /** Per output, ordered by x (for a categorical term: one bin per level present, x the level's index). */
  bins: ShapeBin[];
  /** The ensemble members the bins' sd is taken over (1: a single model, every sd null). */
  members: number;
  /** Mixed inputs: the kind of term (its x is a sequence summary, a static value, or a level index). */
  kind?: 'sequence' | 'static' | 'categorical';
  /** A categorical term's levels ('other' first): x indexes them. */
  levels?: string[];
  /** The feature was read as log(1 + value): charts draw its x on a log axis (x stays in the feature's units). */
  logAxis?: true;
  /** The feature's cells are dates and x a decimal year (2020.5): charts write its ticks as years, without a thousands separator. */
  dateAxis?: true;
  /**
   * Mixed inputs: per output, the samples without an x (a missing static value, a time-varying feature
   * never observed in the sample) as one bin, which the bins by x leave out; absent when every sample has one.
   */
  missing?: Omit<ShapeBin, 'x0' | 'x1' | 'x'>[];
}

export interface LocalContribution {
  feature: string;
  contribution: number;
}

/** One sample's prediction split into the intercept and one contribution per term. */
export interface LocalExplanation {
  sample: number;
  /** The output (class for multiclass) explained. */
  output: number;
  /** In feature order; intercept + their sum = prediction (up to float32 rounding). */
  contributions: LocalContribution[];
  /** The explanation's intercept, plus, for a target learned as a change, the sample's last known value (`from`). */
  intercept: number;
  /** A target learned as a change: the sample's last known value, which `intercept` includes. */
  from?: number;
  /** The model's output: a value (regression) or a logit (binary, multiclass). */
  prediction: number;
  /** 'logit' for binary and multiclass: contributions add up on the logit scale, not the probability. */
  scale: 'output' | 'logit';
  /** Binary: sigmoid(prediction); multiclass: the softmax probability of `output`. */
  probability?: number;
  /** Multiclass: the softmax over all classes. */
  probabilities?: number[];
}

export interface LocalOptions {
  /** The output (class) to explain; default 0, for multiclass the predicted class. */
  output?: number;
}

export interface Explanation {
  task: ExplainTask;
  featureNames: string[];
  /** One name per output: the dataset's target names, 'class k' for multiclass, else 'output k'. */
  outputNames: string[];
  /** Per output (class): the additive layer's bias, plus the terms' mean contributions when centered. */
  intercept: number[];
  /** model.gam.bias, per output. */
  bias: number[];
  /** Whether the contributions were centered (options.center). */
  centered: boolean;
  /** (terms, outDim): each term's mean contribution moved into the intercept (zeros when not centered). */
  offsets: number[][];
  /** Largest first. */
  importance: TermImportance[];
  /** In feature order. */
  shapes: ShapeFunction[];
  samples: number;
  outDim: number;
  /** The model's outputs (samples, outDim), row-major: values (in the target's units, see targetUnits, each sample's `from` added) or logits. */
  predictions: Float64Array;
  /** Per-term contributions (terms, samples, outDim), row-major, centered unless center was false. */
  contributions: Float64Array;
  /**
   * A regression target learned as a change (MixedDataset.targetOffsets): per sample, the last known
   * value the prediction adds to intercept + contributions (in the units of `predictions`).
   */
  from?: Float64Array;
  /** The dataset's target standardization, when it has one (regression). */
  targetScale?: Scale;
  /** With a targetScale: true when outputs, intercept and contributions were put back in the target's units (the default), false when they are in its standardized units. */
  targetUnits?: boolean;
  /** One sample's explanation (computed from the stored contributions, no model run). */
  local(sample: number, options?: LocalOptions): LocalExplanation;
}
