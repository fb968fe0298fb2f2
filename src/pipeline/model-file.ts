// A trained table model in one file: weights, the preprocessing record, the centering, the history
// (and the facts older readers look for: task, feature names, classes, standardizer, data settings).
// loadTrained reads it back, including files written before the preprocessing record existed.
import { saveAsync, load, type LoadOptions } from '../io/model-file.js';
import type { ModelFileMetadata } from '../io/model-metadata.js';
import type { EpochStats } from '../train/history.js';
import type { TrainableModel } from '../train/model-info.js';
import { isDescribable } from '../nn/describe.js';
import { ArgumentError, FileFormatError } from '../errors.js';
import { Preprocessing } from './preprocessing.js';
import type { Centering } from './outputs.js';
import type { PredictionIntervals } from './report.js';

export interface TrainedModel {
  model: TrainableModel;
  preprocessing: Preprocessing;
  centering: Centering;
  /** Regression: prediction intervals (predictTable writes lower and upper). */
  intervals?: PredictionIntervals;
}

export interface SaveTrainedOptions {
  history?: readonly EpochStats[];
  /** Anything else to keep (JSON). */
  metadata?: Record<string, unknown>;
}

export function saveTrained(trained: TrainedModel, options: SaveTrainedOptions = {}): Promise<Uint8Array> {
  const r = trained.preprocessing.record;
  return saveAsync(trained.model, {
    task: r.target.task, featureNames: r.columns.features, targetNames: [r.columns.target],
    ...(r.target.classes ? { classes: r.target.classes } : {}),
    // Readers that predate the preprocessing record find series models' settings here too.
    ...(r.inputs === 'series' ? {
      standardizer: r.standardizer,
      data: { id: r.columns.id, time: r.columns.time, target: r.columns.target, features: r.columns.features, mode: r.mode as 'panel' | 'window', missing: r.missing as 'error' | 'carry-forward',
        ...(r.mode === 'window' ? { window: r.window, horizon: r.horizon } : { maxLength: r.maxLength }) },
    } : {}),
    preprocessing: trained.preprocessing.toRecord(), centering: { offsets: trained.centering.offsets },
    ...(options.history ? { history: options.history } : {}),
    ...(options.metadata || trained.intervals ? { metadata: { ...options.metadata, ...(trained.intervals ? { intervals: trained.intervals } : {}) } } : {}),
  });
}

export interface LoadedTrained extends TrainedModel {
  metadata: ModelFileMetadata;
  /** False for a file without a stored centering (its contributions are the model's own, uncentered). */
  centered: boolean;
}

/** A model file written by trainTable, saveTrained or `rnam train`, with its preprocessing and centering. */
export async function loadTrained(bytes: Uint8Array, options: Pick<LoadOptions, 'device'> = {}): Promise<LoadedTrained> {
  const { model, metadata } = await load(bytes, options);
  if (!isDescribable(model) || typeof (model as Partial<TrainableModel>).forward !== 'function') {
    throw new ArgumentError(`loadTrained: the file holds a ${metadata.class}, which cannot predict a table`);
  }
  const d = model.describe();
  if (!d.additive) throw new FileFormatError(`loadTrained: the file holds a ${d.kind}, which is not additive (no per-feature contributions to report)`);
  const preprocessing = Preprocessing.fromModelFile(metadata);
  if (preprocessing.featureNames.length !== d.inputFeatures) {
    throw new FileFormatError(`loadTrained: the preprocessing names ${preprocessing.featureNames.length} features, the ${d.kind} reads ${d.inputFeatures}`);
  }
  if (preprocessing.outputs !== d.outputs) throw new FileFormatError(`loadTrained: the preprocessing's task needs ${preprocessing.outputs} outputs, the ${d.kind} has ${d.outputs}`);
  const stored = metadata.centering;
  const centered = stored !== undefined;
  const offsets = stored?.offsets ?? Array.from({ length: d.additive.terms }, () => new Array<number>(d.outputs).fill(0));
  if (offsets.length !== d.additive.terms || offsets.some((row) => row.length !== d.outputs)) {
    throw new FileFormatError(`loadTrained: the centering has ${offsets.length} rows for ${d.additive.terms} terms of ${d.outputs} outputs`);
  }
  const intervals = metadata.metadata?.intervals as PredictionIntervals | undefined;
  if (intervals !== undefined && !(typeof intervals === 'object' && intervals !== null && typeof intervals.coverage === 'number' && typeof intervals.halfWidth === 'number' && intervals.halfWidth >= 0
    && (intervals.recent === undefined || (Array.isArray(intervals.recent) && intervals.recent.length > 0 && intervals.recent.every((r) => typeof r === 'number' && r >= 0))))) {
    throw new FileFormatError('loadTrained: metadata.intervals must be { coverage, halfWidth >= 0, calibrationSamples, recent?: residuals >= 0 }');
  }
  return { model: model as TrainableModel, preprocessing, centering: { offsets }, metadata, centered, ...(intervals ? { intervals } : {}) };
}
