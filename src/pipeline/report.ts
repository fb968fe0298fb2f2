// The report of a trainTable run (report.json's contract): the task and columns, the preprocessing,
// samples and metrics per split, importance, a few samples explained in the one contribution
// convention, the history, the model and where it ran.
import type { Task } from '../train/task.js';
import type { ShapeBin, ShapeFunction } from '../explain/types.js';
import type { FitNote, PreprocessingRecord } from './preprocessing.js';
import type { WeightingRecord } from './sample-weights.js';

export type SplitName = 'train' | 'validation' | 'test';

/** prediction ± halfWidth covers the target with probability `coverage` (split conformal, in the target's units). */
export interface PredictionIntervals {
  coverage: number;
  halfWidth: number;
  /** The held-out residuals the width was read from. */
  calibrationSamples: number;
  /**
   * Window mode: those residuals, oldest first. Each series' width then rolls: the residual of every
   * target that becomes known replaces the oldest one (src/pipeline/intervals.ts).
   */
  recent?: number[];
}

/** One sample's prediction as intercept + contributions (their sum is `output`: value or logit). */
export interface ExplainedSample {
  split: SplitName;
  id: string;
  time: number | string;
  /** The known target (a class label for classification), or null. */
  target: number | string | null;
  /** Regression: the value; binary: p(positive class); multiclass: the predicted label. */
  prediction: number | string;
  /** The explained output: the value (regression) or the logit of the positive / predicted class. */
  output: number;
  intercept: number;
  contributions: Record<string, number>;
}

export interface Report {
  task: Task;
  target: string;
  features: string[];
  /** Classification: the labels in output order (binary: [negative, positive]). */
  classes?: string[];
  preprocessing: PreprocessingRecord;
  samples: Record<SplitName, number>;
  /**
   * Per split: binary auc, accuracy, logLoss; regression rmse, mae, r2; multiclass accuracy, logLoss.
   * Null for an empty split. Weighted by the weight column when there is one (see weighting).
   */
  metrics: Record<SplitName, Record<string, number> | null>;
  /** Mean absolute centered contribution per feature over the explained split, largest first. */
  importance: { feature: string; importance: number; /** Ensembles: the importance's standard deviation across members (each centered on its own training mean). */ sd?: number }[];
  /**
   * Per feature, its binned shape function on the explained split (explain()'s bins: centered
   * contribution per quantile bin or level). For an ensemble each bin's sd is the spread of the
   * members' own curves there (the band is contribution ± sd); null for one member (no band).
   */
  shapes: ({ feature: string; members: number; bins: ShapeBin[] } & Pick<ShapeFunction, 'kind' | 'levels' | 'summary' | 'missing' | 'logAxis' | 'dateAxis'>)[];
  /** The split the importance and shape functions are computed on. */
  explainedSplit: SplitName;
  /** The first samples of the explained split, in the one contribution convention. */
  examples: ExplainedSample[];
  /** The first member's history (every member trains on the same data from its own seed). */
  history: { epoch: number; trainLoss: number; valLoss?: number; meanValLoss?: number; seconds: number }[];
  /**
   * True when each member validated on its own ids (mixed inputs outside window mode):
   * then samples.train and samples.validation are one member's, and metrics.train is over all of them.
   */
  crossFitted: boolean;
  /** The simple baselines on the same test split, fitted on the same training samples (mixed inputs): name -> metrics. */
  baselines?: Record<string, Record<string, number>>;
  /** Regression: the prediction intervals and the share of test targets inside them. */
  intervals?: PredictionIntervals & { testCoverage?: number };
  /** Binary: the reliability curve of the predicted probabilities and the expected calibration error. */
  calibration?: { split: SplitName; bins: { p: number; observed: number; count: number }[]; ece: number };
  /** Per ensemble member, the epochs it trained and, with early stopping, the epoch whose weights it ends with. */
  members: { epochs: number; bestEpoch?: number }[];
  /** How the members early-stopped (additive model with validation data): 'pooled', together on the mean of their validation losses, or 'each' on its own. */
  stopping?: 'pooled' | 'each';
  model: { class: string; options: object; parameters: number };
  device: string;
  seconds: number;
  /** True when shouldStop ended training early (the model has the weights of that moment). */
  stopped: boolean;
  /** Weighted training: the weight column (weighting every loss, metric and baseline) and the class weights (the loss only); absent when unweighted. */
  weighting?: WeightingRecord;
  /** What the preprocessing chose without being told, and its warnings about the data, as train's log says them. */
  notes: FitNote[];
}
