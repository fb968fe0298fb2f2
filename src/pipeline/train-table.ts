// trainTable: a table to a trained, explained additive model with its fitted preprocessing and a
// report, the one path the CLI, the page and library users share. Split and fit the preprocessing on
// the training split, train with early stopping on the validation split, fix the centering on the
// training split, then metrics, explanation and report in the one contribution convention.
import { FirstOrderRNAM } from '../nn/rnam.js';
import { AdamW } from '../optim/optimizer.js';
import { manualSeed } from '../random.js';
import { device as chooseDevice, type Device, type DeviceKind } from '../backend/select.js';
import { fit, type FitOptions } from '../train/fit.js';
import type { EpochStats } from '../train/history.js';
import { explain } from '../explain/explain.js';
import type { Explanation } from '../explain/types.js';
import { AdditiveRNAM } from '../nn/additive-rnam.js';
import type { TrainableModel } from '../train/model-info.js';
import type { Describable } from '../nn/describe.js';
import type { Module } from '../nn/module.js';
import { STEP_INPUTS } from '../data/mixed-dataset.js';
import { checkOptions } from '../optim/options.js';
import { ArgumentError, describeValue } from '../errors.js';
import { Preprocessing, type PreprocessingOptions, type SplitDatasets } from './preprocessing.js';
import { fitCentering, outputMetrics, tableOutputs, type Centering, type TableOutputs } from './outputs.js';
import { toTable, type TableInput } from './table-input.js';
import type { ExplainedSample, Report, SplitName } from './report.js';

/** A model trainTable builds: the mixed-input AdditiveRNAM (the default) or the seed's FirstOrderRNAM. */
export type TableModel = (AdditiveRNAM | FirstOrderRNAM) & TrainableModel & Describable & Module;

export interface TrainTableOptions extends Omit<PreprocessingOptions, 'inputs'> {
  /**
   * 'additive' (default): AdditiveRNAM over mixed inputs (time-varying features with observed flags
   * and time gaps plus a linear path over their last value, static and categorical features);
   * 'first-order': the seed's FirstOrderRNAM over one value per feature and step.
   */
  model?: 'additive' | 'first-order';
  /** Hidden units per term (default 16). */
  hiddenDim?: number;
  /** RNAM blocks (default 1). */
  blocks?: number;
  /** Default 30. */
  epochs?: number;
  /** Default 64. */
  batchSize?: number;
  /** AdamW's learning rate (default 3e-3). */
  lr?: number;
  /** Seeds the model's initialization and the shuffles (default 0). */
  seed?: number;
  /** Early-stopping patience in epochs on the validation loss (default 8; the best epoch's weights are kept). */
  patience?: number;
  /** 'auto' (default), 'wasm', 'webgpu', or a device from rnam.device(). */
  device?: DeviceKind | Device;
  /** Where progress lines go (default: none). */
  log?: ((line: string) => void) | null;
  /** A progress bar on a terminal (default false). */
  progress?: boolean;
  onEpoch?: FitOptions['onEpoch'];
  onBatch?: FitOptions['onBatch'];
  /** Called once the model is built, before training (for live views of the model as it trains). */
  onStart?: (run: { model: TableModel; preprocessing: Preprocessing; datasets: SplitDatasets }) => void | Promise<void>;
  /** Polled after every batch: true ends training there; the model keeps the weights it has and the report says so. */
  shouldStop?: () => boolean;
  /** Samples of the explained split written out in the report (default 10). */
  examples?: number;
}

export interface TrainedTable {
  model: TableModel;
  preprocessing: Preprocessing;
  centering: Centering;
  report: Report;
  /** The explanation of the explained split (test, else validation, else train) in the one convention. */
  explanation: Explanation;
  history: EpochStats[];
  datasets: SplitDatasets;
}

const optionKeys = ['id', 'time', 'target', 'features', 'static', 'categorical', 'model', 'task', 'positive', 'window', 'horizon', 'missing', 'split',
  'hiddenDim', 'blocks', 'epochs', 'batchSize', 'lr', 'seed', 'patience', 'device', 'log', 'progress', 'onEpoch', 'onBatch', 'onStart', 'shouldStop', 'examples'];

/** Thrown from onBatch when shouldStop() says so; caught by trainTable, which goes on with what was trained. */
class StopTraining extends Error {}

function positiveInt(name: string, v: unknown, fallback: number, min = 1): number {
  const x = v ?? fallback;
  if (!Number.isInteger(x) || (x as number) < min) throw new ArgumentError(`trainTable: ${name} must be an integer >= ${min}, got ${describeValue(v)}`);
  return x as number;
}

export async function trainTable(data: TableInput, options: TrainTableOptions): Promise<TrainedTable> {
  const started = Date.now();
  checkOptions('trainTable', options, optionKeys);
  const hiddenDim = positiveInt('hiddenDim', options.hiddenDim, 16), blocks = positiveInt('blocks', options.blocks, 1, 0);
  const epochs = positiveInt('epochs', options.epochs, 30), batchSize = positiveInt('batchSize', options.batchSize, 64);
  const seed = positiveInt('seed', options.seed, 0, 0), patience = positiveInt('patience', options.patience, 8);
  const examples = positiveInt('examples', options.examples, 10, 0);
  const lr = options.lr ?? 3e-3;
  if (typeof lr !== 'number' || !(lr > 0 && Number.isFinite(lr))) throw new ArgumentError(`trainTable: lr must be a positive number, got ${describeValue(options.lr)}`);
  const log = options.log ?? null;

  const table = toTable('trainTable', data);
  const kind = options.model ?? 'additive';
  if (kind !== 'additive' && kind !== 'first-order') throw new ArgumentError(`trainTable: model must be 'additive' or 'first-order', got ${describeValue(options.model)}`);
  const { model: _model, ...rest } = options;
  const { preprocessing: pre, datasets, notes } = Preprocessing.fit(table, { ...rest, inputs: kind === 'additive' ? 'mixed' : 'series' });
  const { train, validation, test } = datasets;
  const task = pre.task;
  if (notes.taskInferred) log?.(`task: ${task} (inferred from column '${options.target}')`);
  if (pre.record.target.labels) log?.(`classes: ${pre.record.target.classes!.join(', ')}${task === 'binary' ? ` (positive: '${pre.classLabel(1)}')` : ''}`);
  if (notes.autoStatic.length) log?.(`static (one value per id): ${notes.autoStatic.join(', ')} (name the static features to choose)`);
  if (notes.autoCategorical.length) log?.(`categorical (text, one level per ${pre.record.mode === 'table' ? 'row' : 'id'}): ${notes.autoCategorical.join(', ')} (name the categorical features to choose)`);
  if (notes.nonNumeric.length) log?.(`left out of the features: ${notes.nonNumeric.join(', ')} (empty, or text that changes within an id; name the features to choose)`);
  if (notes.skippedTargets) log?.(`${notes.skippedTargets} samples have no known target: left out of training and evaluation`);
  if (pre.record.inputs === 'mixed' && notes.missingDefaulted) log?.("missing values: 'mask' (each time-varying feature also reads whether it was observed and the time since)");
  log?.(`data: ${pre.featureNames.length} features (${pre.featureNames.join(', ')}), ${pre.record.mode} mode; samples: train ${train.samples}, validation ${validation?.samples ?? 0}, test ${test?.samples ?? 0}`);

  const dev = typeof options.device === 'object' && options.device !== null ? options.device : await chooseDevice(options.device ?? 'auto');
  log?.(`device: ${dev.reason}`);
  manualSeed(seed);
  const model = buildModel(pre, hiddenDim, blocks);
  await model.toAsync(dev);
  for (const k of ['onEpoch', 'onBatch', 'onStart', 'shouldStop'] as const) {
    if (options[k] !== undefined && typeof options[k] !== 'function') throw new ArgumentError(`trainTable: ${k} must be a function, got ${describeValue(options[k])}`);
  }
  await options.onStart?.({ model, preprocessing: pre, datasets });
  const history: EpochStats[] = [];
  let stopped = false;
  try {
    await fit(model, train, {
      epochs, batchSize, optimizer: new AdamW(model.parameters(), { lr }), validation, task, progress: options.progress ?? false, log,
      onEpoch: (stats) => {
        history.push(stats);
        return options.onEpoch?.(stats);
      },
      onBatch: async (stats) => {
        await options.onBatch?.(stats);
        if (options.shouldStop?.()) throw new StopTraining();
      },
      ...(validation ? { earlyStopping: { monitor: 'valLoss', patience, restoreBestWeights: true } } : {}),
    });
  } catch (err) {
    if (!(err instanceof StopTraining)) throw err;
    stopped = true;
    log?.(`stopped during epoch ${history.length + 1}`);
  }

  const centering = await fitCentering(model, train);
  const splits: [SplitName, SplitDatasets['train'] | undefined][] = [['train', train], ['validation', validation], ['test', test]];
  const metrics: Report['metrics'] = { train: null, validation: null, test: null };
  const outputs: Partial<Record<SplitName, TableOutputs>> = {};
  for (const [name, ds] of splits) {
    if (!ds) continue;
    outputs[name] = await tableOutputs(model, ds, pre, centering);
    metrics[name] = outputMetrics(pre, outputs[name]!);
  }
  const explainedSplit: SplitName = test ? 'test' : validation ? 'validation' : 'train';
  const explained = { train, validation, test }[explainedSplit]!;
  const explanation = await explain(model, explained, { task, offsets: centering.offsets });
  const report: Report = {
    task, target: options.target, features: [...pre.featureNames], ...(pre.record.target.classes ? { classes: [...pre.record.target.classes] } : {}),
    preprocessing: pre.toRecord(),
    samples: { train: train.samples, validation: validation?.samples ?? 0, test: test?.samples ?? 0 },
    metrics, importance: explanation.importance.map((e) => ({ feature: e.feature, importance: e.importance })), explainedSplit,
    examples: explainedSamples(explainedSplit, outputs[explainedSplit]!, pre, examples),
    history: history.map((h) => ({ epoch: h.epoch, trainLoss: h.trainLoss, valLoss: h.valLoss, seconds: h.seconds })),
    model: { class: model.describe().kind, options: { ...model.describe().config }, parameters: model.parameters().reduce((s, p) => s + p.numel, 0) },
    device: dev.reason, seconds: (Date.now() - started) / 1000, stopped,
  };
  return { model, preprocessing: pre, centering, report, explanation, history, datasets };
}

function buildModel(pre: Preprocessing, hiddenDim: number, blocks: number): TableModel {
  const r = pre.record;
  if (r.inputs === 'series') return new FirstOrderRNAM({ terms: pre.featureNames.length, hiddenDim, outDim: pre.outputs, blocks }) as TableModel;
  const stat = r.columns.static ?? [], levels = r.mixed!.levels;
  return new AdditiveRNAM({
    sequenceTerms: pre.featureNames.length - stat.length - levels.length, stepInputs: STEP_INPUTS.length, staticTerms: stat.length,
    categoricalLevels: levels.map((l) => l.length), hiddenDim, blocks, outDim: pre.outputs,
  }) as TableModel;
}

/** The first `count` samples of a split, each as intercept + contributions. */
export function explainedSamples(split: SplitName, o: TableOutputs, pre: Preprocessing, count: number): ExplainedSample[] {
  return Array.from({ length: Math.min(count, o.samples) }, (_, i) => ({
    split, id: o.ids[i], time: pre.formatTime(o.times[i]),
    target: Number.isNaN(o.targets[i]) ? null : pre.task === 'regression' ? o.targets[i] : pre.classLabel(o.targets[i]),
    prediction: pre.task === 'multiclass' ? pre.classLabel(o.prediction[i]) : o.prediction[i],
    output: o.output[i], intercept: o.intercept[i],
    contributions: Object.fromEntries(o.featureNames.map((f, t) => [f, o.contributions[t * o.samples + i]])),
  }));
}
