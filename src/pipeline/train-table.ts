// trainTable: a table to a trained, explained additive model with its fitted preprocessing and a
// report, the one path the CLI, the page and library users share. Split and fit the preprocessing on
// the training split, train with early stopping on the validation split, fix the centering on the
// training split, then metrics, explanation and report in the one contribution convention.
import { FirstOrderRNAM } from '../nn/rnam.js';
import { manualSeed } from '../random.js';
import { checkDeviceOption, deviceOption, type Device, type DeviceKind } from '../backend/select.js';
import { fit, type FitOptions } from '../train/fit.js';
import { fitMembers, predictMembers, shuffleGenerator } from '../train/fit-members.js';
import { preprocessingBaselines } from './baselines.js';
import type { BatchStats, EpochStats } from '../train/history.js';
import { explain } from '../explain/explain.js';
import type { Explanation } from '../explain/types.js';
import { AdditiveRNAM } from '../nn/additive-rnam.js';
import type { TrainableModel } from '../train/model-info.js';
import type { Describable } from '../nn/describe.js';
import type { Module } from '../nn/module.js';
import { MixedDataset } from '../data/mixed-dataset.js';
import { staticInputsOf, stepInputsOf } from '../data/mixed-build.js';
import { startAtPersistence } from './persistence-start.js';
import { Generator } from '../random.js';
import { spreadOrder } from '../data/split.js';
import { checkOptions } from '../optim/options.js';
import { ArgumentError, describeValue } from '../errors.js';
import { Preprocessing, type FitNote, type PreprocessingOptions, type SplitDatasets } from './preprocessing.js';
import { fitCentering, outputMetrics, tableOutputs, type Centering, type TableOutputs } from './outputs.js';
import { toTable, type TableInput } from './table-input.js';
import type { ExplainedSample, Report, SplitName, PredictionIntervals } from './report.js';
import { calibrate, describeHalfWidth, halfWidths, intervalCoverage } from './intervals.js';
import { memberContributions, memberOffsets } from '../explain/members.js';
import { StopTraining } from '../train/stop-training.js';
import { resolveClassWeights, trainingWeights, type ClassWeightOption, type WeightingRecord } from './sample-weights.js';
import { fitNoteLines, logFitNotes, positiveInt, reportShapes, sizedDefaults, SMALL_DATA, trainingSettings } from './train-settings.js';
import { describeIds, shortIdsOf } from './short-ids.js';
import { counted } from '../plural.js';
import { quotedMetric, type Task } from '../train/task.js';

/** A model trainTable builds: the mixed-input AdditiveRNAM (the default) or the seed's FirstOrderRNAM. */
export type TableModel = (AdditiveRNAM | FirstOrderRNAM) & TrainableModel & Describable & Module;

export interface TrainTableOptions extends Omit<PreprocessingOptions, 'inputs'> {
  /**
   * 'additive' (default): AdditiveRNAM over mixed inputs (time-varying features with observed flags
   * and time gaps plus a linear path over their last value, static and categorical features);
   * 'first-order': the seed's FirstOrderRNAM over one value per feature and step.
   */
  model?: 'additive' | 'first-order';
  /** Hidden units per term (default: 8 below 2,000 training samples, else 16; said in the log and the report). */
  hiddenDim?: number;
  /** RNAM blocks (default 1). */
  blocks?: number;
  /** The most epochs (default: enough for about 600 optimizer steps, from 30 to 200: small data gets more epochs; said in the log). */
  epochs?: number;
  /** Default 64. */
  batchSize?: number;
  /** AdamW's learning rate (default 3e-3). */
  lr?: number;
  /** AdamW's decoupled weight decay (default 0.01, AdamW's own); 0 turns it off. */
  weightDecay?: number;
  /** Seeds the model's initialization and the shuffles (default 0). */
  seed?: number;
  /** Early-stopping patience in epochs on the validation loss (default: an eighth of the epochs, at least 8; the best epoch's weights are kept). */
  patience?: number;
  /**
   * Ensemble members (additive model; default 5): one AdditiveRNAM whose members train side by side
   * in the same grouped kernels (terms x members groups), each from its own seed on its own
   * training split and shuffles, early-stopped as `stopping` says; its prediction and
   * per-feature contributions are the members' means, so the ensemble stays exactly additive; the
   * report gives each importance's spread across members.
   */
  members?: number;
  /**
   * How the members early-stop (additive model): 'pooled', the default when they cross-fit (each
   * validates on its own ids), stops them together when the mean of their validation losses stops
   * improving, each ending with that epoch's weights; 'each', the default otherwise (window mode:
   * one validation block for all), stops each member on its own validation loss.
   */
  stopping?: 'pooled' | 'each';
  /**
   * One seed per member (default: seed * 1000 + m): member m trains exactly as a one-member run with
   * memberSeeds [memberSeeds[m]] (with stopping 'each'; pooled, up to the epoch the members stop).
   */
  memberSeeds?: number[];
  /** 'auto' (default), 'wasm', 'webgpu', or a device from rnam.device(). */
  device?: DeviceKind | Device;
  /** Where progress lines go (default: none). */
  log?: ((line: string) => void) | null;
  /** A progress bar on a terminal (default false). */
  progress?: boolean;
  /**
   * After every epoch of the members training side by side: the stats of the first member still
   * training, which member that is (from 1) and how many still train; false ends training (each
   * member keeps its best epoch's weights).
   */
  onEpoch?: (stats: TableEpochStats) => void | boolean | Promise<void | boolean>;
  /** After every side-by-side step of the members; loss is the mean of their batch losses. */
  onBatch?: FitOptions['onBatch'];
  /** Called once the model is built, before training (for live views of the model as it trains). */
  onStart?: (run: { model: TableModel; preprocessing: Preprocessing; datasets: SplitDatasets }) => void | Promise<void>;
  /** Polled after every batch: true ends training there; members still training keep the weights they have (finished ones their best), and the report says so. */
  shouldStop?: () => boolean;
  /** Samples of the explained split written out in the report (default 10). */
  examples?: number;
  /**
   * After early stopping found each member's best epoch count, train it again from its seed on its
   * training and validation samples together for that many epochs, the members again side by side
   * (additive model; default false).
   */
  refit?: boolean;
  /** Regression: the coverage of the prediction intervals, split-conformal on held-out residuals (default 0.9). */
  coverage?: number;
  /** A test table of its own (CSV text, a table or rows): nothing of the training table is held out for testing; the test metrics and explanations are on it. */
  testData?: TableInput;
  /**
   * Classification: class weights multiplying the sample weights in the training and validation
   * loss: 'balanced' (n / (k n_c) from the training split's class counts) or a weight per class
   * label (classes left out weigh 1). The reported metrics stay weighted by the weight column only.
   */
  classWeight?: ClassWeightOption;
}

/** An epoch's stats as trainTable's onEpoch gets them. */
export interface TableEpochStats extends EpochStats {
  /** The member (from 1) whose stats these are: the first still training. */
  member: number;
  /** How many members trained this epoch. */
  training: number;
  /** Two or more members with validation data: the mean validation loss of those that trained this epoch (what pooled stopping watches). */
  meanValLoss?: number;
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
  /** Regression: the split-conformal prediction intervals (saved with the model; predictTable writes lower and upper). */
  intervals?: PredictionIntervals;
}

export const optionKeys = ['id', 'time', 'target', 'features', 'static', 'categorical', 'sequenceCategorical', 'exclude', 'model', 'task', 'positive', 'classes', 'window', 'horizon', 'missing', 'skewed', 'targetHistory', 'targetChange', 'split',
  'hiddenDim', 'blocks', 'epochs', 'batchSize', 'lr', 'weightDecay', 'seed', 'patience', 'members', 'memberSeeds', 'stopping', 'device', 'log', 'progress', 'onEpoch', 'onBatch', 'onStart', 'shouldStop', 'examples', 'refit', 'coverage', 'testData', 'weight', 'classWeight'];

export async function trainTable(data: TableInput, options: TrainTableOptions): Promise<TrainedTable> {
  const started = Date.now();
  checkOptions('trainTable', options, optionKeys);
  if (options.device !== undefined) checkDeviceOption('trainTable', options.device);
  if (options.stopping !== undefined && options.stopping !== 'pooled' && options.stopping !== 'each') throw new ArgumentError(`trainTable: stopping must be 'pooled' or 'each', got ${describeValue(options.stopping)}`);
  const settings = trainingSettings('trainTable', options), { blocks, batchSize, seed, examples } = settings;
  const askedSeeds = options.memberSeeds;
  if (askedSeeds !== undefined && !(Array.isArray(askedSeeds) && askedSeeds.length >= 1 && askedSeeds.every((s) => Number.isSafeInteger(s) && s >= 0))) {
    throw new ArgumentError(`trainTable: memberSeeds must be a list of non-negative integers, got ${describeValue(askedSeeds)}`);
  }
  const members = positiveInt('trainTable', 'members', options.members ?? askedSeeds?.length, (options.model ?? 'additive') === 'additive' ? DEFAULT_MEMBERS : 1);
  if (askedSeeds && askedSeeds.length !== members) throw new ArgumentError(`trainTable: ${askedSeeds.length} memberSeeds for ${members} members`);
  if (members > 1 && options.model === 'first-order') throw new ArgumentError('trainTable: members need the additive model (the first-order model is one network)');
  const refit = options.refit ?? false, coverage = options.coverage ?? 0.9;
  if (typeof refit !== 'boolean') throw new ArgumentError(`trainTable: refit must be true or false, got ${describeValue(options.refit)}`);
  if (!(typeof coverage === 'number' && coverage > 0 && coverage < 1)) throw new ArgumentError(`trainTable: coverage must be a number in (0, 1), got ${describeValue(options.coverage)}`);
  if (refit && options.model === 'first-order') throw new ArgumentError('trainTable: refit needs the additive model');
  const adamw = settings.optimizer;
  const log = options.log ?? null;

  const table = toTable('trainTable', data);
  const kind = options.model ?? 'additive';
  if (kind !== 'additive' && kind !== 'first-order') throw new ArgumentError(`trainTable: model must be 'additive' or 'first-order', got ${describeValue(options.model)}`);
  const { model: _model, testData: _testData, classWeight: _classWeight, ...rest } = options;
  if (kind === 'first-order' && (options.weight !== undefined || options.classWeight !== undefined)) {
    throw new ArgumentError('trainTable: weights (a weight column, class weights) need the additive model');
  }
  // Mixed inputs outside window mode cross-fit: the preprocessing is fitted on every sample but the
  // test split, and each member validates on its own ids drawn from them, so no single small
  // validation split decides every member (on the shipped clinical panel a fixed 26-patient split
  // stopped all five members at epoch 1 for one seed); by default they stop together on the mean of
  // their validation losses, which reads every member's ids. A split column with validation rows
  // decides the validation samples itself; one without them leaves its training rows to cross-fit.
  const validationShare = options.split?.validation ?? 0.15, testShare = options.split?.test ?? 0.15;
  const column = options.split?.column !== undefined;
  const crossFits = kind === 'additive' && options.window === undefined && validationShare > 0;
  const testTable = options.testData === undefined ? null : toTable('trainTable: testData', options.testData);
  const { preprocessing: pre, datasets, notes } = Preprocessing.fit(table, {
    ...rest, inputs: kind === 'additive' ? 'mixed' : 'series',
    // A test table of its own: every sample of this one trains (or validates).
    ...((crossFits && !column) || testTable ? { split: { ...options.split, ...(crossFits && !column ? { validation: 0 } : {}), ...(testTable ? { test: 0 } : {}) } } : {}),
  });
  const crossFit = crossFits && (!column || !datasets.validation?.samples);
  const testParts = testTable ? pre.transformParts(testTable, { weights: true }) : null;
  if (testParts && !testParts.dataset) throw pre.noSampleError();
  const test = testParts ? testParts.dataset! : datasets.test;
  const pool = datasets.train;
  const memberSplit = (memberSeed: number): { train: SplitDatasets['train']; validation?: SplitDatasets['train']; held?: number[] } => {
    if (!crossFit) return { train: datasets.train, validation: datasets.validation };
    // Classification: each member's validation samples hold every class in its share.
    const strata = pre.task === 'regression' ? null : Array.from(pool.targets, String);
    const n = pool.samples, order = spreadOrder(Array.from({ length: n }, (_, i) => i), strata, new Generator(memberSeed));
    const nVal = Math.min(n - 1, Math.max(1, Math.round((validationShare / (1 - testShare)) * n)));
    const sorted = (idx: number[]) => idx.sort((a, b) => a - b);
    const held = sorted(order.slice(0, nVal));
    return { train: (pool as MixedDataset).subset(sorted(order.slice(nVal))), validation: (pool as MixedDataset).subset(held), held };
  };
  const { train: train0, validation: validation0 } = memberSplit(options.memberSeeds?.[0] ?? seed * 1000);
  const train = crossFit ? pool : train0, validation = crossFit ? undefined : validation0;
  const { hiddenDim, epochs, patience } = sizedDefaults(settings, pool.samples, train0.samples);
  log?.(`model: ${kind === 'additive' ? 'AdditiveRNAM' : 'FirstOrderRNAM'}, hidden ${hiddenDim}${settings.asked.hiddenDim === undefined ? ` (${pool.samples < SMALL_DATA ? 'fewer than' : 'at least'} ${SMALL_DATA} training samples)` : ''}, ${blocks} block(s), ${members} member(s), patience ${patience}, at most ${epochs} epochs`);
  const task = pre.task;
  const classWeights = resolveClassWeights('trainTable', options.classWeight, task, pre.record.target.classes ?? [], pool.targets);
  const weighting: WeightingRecord | undefined = options.weight !== undefined || classWeights ? {
    ...(options.weight !== undefined ? { column: options.weight } : {}),
    ...(classWeights ? { classWeight: options.classWeight === 'balanced' ? 'balanced' : 'given', classWeights: Object.fromEntries(pre.record.target.classes!.map((l, k) => [l, classWeights[k]])) } : {}),
  } : undefined;
  if (weighting?.column) log?.(`weights: column '${weighting.column}' weights the loss, every metric and the baselines`);
  if (weighting?.classWeights) log?.(`class weights (${weighting.classWeight}): ${Object.entries(weighting.classWeights).map(([l, w]) => `${l} ${w.toPrecision(4)}`).join(', ')} (training and validation loss)`);
  const noteLines = fitNoteLines(notes, pre, options.target);
  const rare = task === 'regression' ? null : rareTrainingClasses(pool.targets, pre);
  if (rare) noteLines.push(rare);
  logFitNotes(log, noteLines);
  if (testParts?.shortIds.length) log?.(`test data: no sample from ${describeIds(shortIdsOf(testParts.shortIds))}: fewer rows than a window of ${pre.record.window} steps`);
  log?.(`data: ${counted(pre.featureNames.length, 'feature')} (${pre.featureNames.join(', ')}), ${pre.record.mode} mode; samples: ${crossFit ? `train and validation ${pool.samples}` : `train ${train.samples}, validation ${validation?.samples ?? 0}`}, test ${test?.samples ?? 0}`);

  const dev = await deviceOption('trainTable', options.device ?? 'auto');
  log?.(`device: ${dev.reason}`);
  // Each member from its own seed: member m of the ensemble is what a one-member run with that seed trains.
  const memberSeeds = askedSeeds ? [...askedSeeds] : Array.from({ length: members }, (_, m) => seed * 1000 + m);
  const stopping = options.stopping ?? (crossFit && members > 1 ? 'pooled' : 'each');
  if (crossFit) {
    log?.(`validation: each member ${stopping === 'pooled' && members > 1 ? 'validates' : 'early-stops'} on its own ${validation0!.samples} of the ${pool.samples} samples outside the test split${stopping === 'pooled' && members > 1 ? '; the members stop together when the mean of their validation losses stops improving' : ''}`);
  }
  // Held-out residuals for the intervals: per pool sample the predictions of the members that did not train on it.
  const heldSum = new Float64Array(pool.samples), heldCount = new Int32Array(pool.samples);
  const memberSplits = memberSeeds.map((s) => memberSplit(s));
  const own0 = memberSplits[0];
  // Pooled stopping watches every member's validation ids: the distinct ones count.
  const watched = stopping === 'pooled' && members > 1 && own0.held ? new Set(memberSplits.flatMap((own) => own.held ?? [])).size : own0.validation?.samples ?? 0;
  if (own0.validation && watched < SMALL_VALIDATION) {
    log?.(`warning: early stopping watches ${watched} validation samples (${own0.train.samples} train${watched !== own0.validation.samples ? ` per member, ${own0.validation.samples} validation` : ''}): few to steer it; more data, a larger validation share or more members help`);
  }
  const progress = options.progress ?? false;
  const histories: EpochStats[][] = memberSeeds.map(() => []);
  let stopped = false;
  manualSeed(memberSeeds[0]);
  let model = buildModel(pre, hiddenDim, blocks, memberSeeds);
  await model.toAsync(dev);
  await options.onStart?.({ model, preprocessing: pre, datasets });
  const onBatch = async (stats: BatchStats) => {
    await options.onBatch?.(stats);
    if (options.shouldStop?.()) throw new StopTraining();
  };
  let bestEpochs: number[] | null = null;
  try {
    if (model instanceof AdditiveRNAM) {
      // Every member side by side in the one model (src/train/fit-members.ts), each on its own split and shuffles.
      bestEpochs = (await fitMembers(model, memberSplits.map((own, m) => ({
        train: trainingWeights(own.train, classWeights) as MixedDataset, validation: trainingWeights(own.validation, classWeights) as MixedDataset | undefined,
        generator: shuffleGenerator(memberSeeds[m]), epochs,
      })), {
        batchSize, optimizer: adamw(model.parameters()), task, progress, log, ...(own0.validation ? { patience, stopping } : {}), onBatch,
        onEpoch: ({ stats }) => {
          stats.forEach((st, m) => st && histories[m].push(st));
          const first = stats.findIndex((st) => st !== null), at = stats[first]!.epoch - 1;
          return options.onEpoch?.({ ...stats[first]!, member: first + 1, training: stats.filter((st) => st !== null).length, ...meanValidationLoss(histories, at) });
        },
      })).bestEpochs;
    } else {
      await fit(model, own0.train, {
        epochs, batchSize, optimizer: adamw(model.parameters()), validation: own0.validation, task, progress, log, onBatch,
        onEpoch: (stats) => {
          histories[0].push(stats);
          return options.onEpoch?.({ ...stats, member: 1, training: 1 });
        },
        ...(own0.validation ? { earlyStopping: { monitor: 'valLoss', patience, restoreBestWeights: true } } : {}),
      });
    }
  } catch (err) {
    if (!(err instanceof StopTraining)) throw err;
    stopped = true;
    log?.(`stopped during epoch ${histories.reduce((most, h) => Math.max(most, h.length), 0) + 1}`);
  }
  if (crossFit && task === 'regression') {
    const held = await predictMembers(model as AdditiveRNAM, memberSplits.map((own) => own.validation as MixedDataset), task);
    memberSplits.forEach((own, m) => own.held!.forEach((i, k) => {
      heldSum[i] += held[m][k];
      heldCount[i]++;
    }));
  }
  if (refit && own0.validation && !stopped && histories[0].length) {
    // Each member's best epoch (what early stopping restored; pooled, the same for all), then the same seed on every sample it may see.
    const best = bestEpochs!.map((e) => Math.max(1, e));
    for (const p of model.parameters()) p.dispose();
    model = buildModel(pre, hiddenDim, blocks, memberSeeds) as TableModel;
    await model.toAsync(dev);
    const all = own0.held ? pool : MixedDataset.concat(own0.train as MixedDataset, own0.validation as MixedDataset);
    log?.(`refit: ${best.join(', ')} epochs on ${all.samples} samples`);
    await fitMembers(model as AdditiveRNAM, memberSeeds.map((s, m) => ({ train: trainingWeights(all, classWeights) as MixedDataset, generator: shuffleGenerator(s), epochs: best[m] })),
      { batchSize, optimizer: adamw(model.parameters()), task, progress, log });
  }
  // The additive members early-stopped (on validation data): each ends with its best epoch's weights.
  const earlyStopped = bestEpochs !== null && own0.validation !== undefined;
  const limit = epochLimitWarning(histories, stopping === 'pooled' && members > 1, own0.validation !== undefined && !stopped, epochs, patience);
  if (limit) {
    log?.(limit.text);
    noteLines.push(limit);
  }
  const history = histories[0];

  const centering = await fitCentering(model, train, task);
  const intervals = task === 'regression' ? await conformal(model, pre, centering, coverage, crossFit ? { pool, heldSum, heldCount } : { validation }) : undefined;
  if (intervals && Number.isFinite(intervals.halfWidth)) log?.(`intervals: ±${intervals.halfWidth.toPrecision(4)} for ${coverage * 100}% coverage (${intervals.calibrationSamples} held-out residuals${intervals.recent ? '; rolling: each series\' known targets update it' : ''})`);
  else if (intervals) log?.(`intervals: ${describeHalfWidth(intervals, String)}`);
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
  const memberCentering = train instanceof MixedDataset ? await memberOffsets(model, train) : null;
  const explanation = await explain(model, explained, { ...pre.explainOptions(), offsets: centering.offsets, ...(memberCentering ? { memberOffsets: memberCentering } : {}) });
  const report: Report = {
    task, target: options.target, features: [...pre.featureNames], ...(pre.record.target.classes ? { classes: [...pre.record.target.classes] } : {}),
    preprocessing: pre.toRecord(),
    samples: { train: crossFit ? train0.samples : train.samples, validation: (crossFit ? validation0 : validation)?.samples ?? 0, test: test?.samples ?? 0 },
    metrics, explainedSplit,
    importance: await withMemberSpread(model, explained, memberCentering, explanation.importance.map((e) => ({ feature: e.feature, importance: e.importance })),
      task === 'regression' ? pre.record.standardizer.target?.std ?? 1 : 1),
    shapes: reportShapes(explanation),
    examples: explainedSamples(explainedSplit, outputs[explainedSplit]!, pre, examples),
    history: history.map((h, e) => ({ epoch: h.epoch, trainLoss: h.trainLoss, valLoss: h.valLoss, ...meanValidationLoss(histories, e), seconds: h.seconds })),
    members: histories.map((h, m) => ({ epochs: h.length, ...(earlyStopped ? { bestEpoch: bestEpochs![m] } : {}) })), crossFitted: crossFit,
    ...(earlyStopped ? { stopping } : {}),
    model: { class: model.describe().kind, options: { ...model.describe().config }, parameters: model.parameters().reduce((s, p) => s + p.numel, 0) },
    device: dev.reason, seconds: (Date.now() - started) / 1000, stopped, ...(weighting ? { weighting } : {}),
    notes: [...noteLines],
  };
  if (test && pre.record.inputs === 'mixed') {
    report.baselines = preprocessingBaselines(pre, pool, test);
    if (metrics.test && Object.keys(report.baselines).length) {
      const { metric, undefinedAuc } = quotedMetric(task, metrics.test);
      const shown = (v: number | undefined) => (v === undefined ? '-' : Number.isFinite(v) ? v.toFixed(4) : 'undefined');
      log?.(`${undefinedAuc}test ${metric}: rnam ${shown(metrics.test[metric])}; ${Object.entries(report.baselines).map(([name, m]) => `${name} ${shown(m[metric])}`).join(', ')}`);
    }
  }
  const few = task === 'binary' && outputs.test ? fewOfAClass(outputs.test.targets, pre) : null;
  if (few) {
    log?.(few);
    report.notes.push({ kind: 'warning', text: few });
  }
  if (intervals && outputs.test) {
    const testCoverage = intervalCoverage(outputs.test, halfWidths(intervals, outputs.test, pre.record.horizon));
    report.intervals = { ...intervals, testCoverage };
    const short = coverageShortfall(testCoverage, intervals.coverage, outputs.test.targets);
    if (short) {
      log?.(short);
      report.notes.push({ kind: 'warning', text: short });
    }
  }
  if (task === 'binary') {
    const split: SplitName = outputs.test ? 'test' : 'train';
    report.calibration = { split, ...reliability(outputs[split]!) };
  }
  return { model, preprocessing: pre, centering, report, explanation, history, datasets, ...(intervals ? { intervals } : {}) };
}

/**
 * A warning when the intervals hold clearly fewer test targets than asked (more than three binomial sd
 * below, and at least 5 points): the test split's errors are not those of the held-out residuals.
 */
function coverageShortfall(covered: number, asked: number, targets: Float64Array): string | null {
  const known = targets.reduce((n, y) => n + (Number.isNaN(y) ? 0 : 1), 0);
  if (!known || !(covered < asked - Math.max(0.05, 3 * Math.sqrt((asked * (1 - asked)) / known)))) return null;
  return `warning: the prediction intervals hold ${(covered * 100).toFixed(1)}% of the ${known} test targets, for ${(asked * 100).toFixed(0)}% asked: the test split's errors are larger than the held-out residuals the width comes from (a trend, levels outside the training range); read the intervals as too narrow`;
}

/**
 * Split-conformal prediction intervals from residuals of samples the predicting model did not train on
 * (cross-fitting: each sample's held-out members; else the validation split). Window mode keeps them in
 * time order, so the width can roll with each series' recent errors (./intervals.ts).
 */
async function conformal(model: TableModel, pre: Preprocessing, centering: Centering, coverage: number,
  from: { pool: SplitDatasets['train']; heldSum: Float64Array; heldCount: Int32Array } | { validation?: SplitDatasets['train'] }): Promise<PredictionIntervals | undefined> {
  const residuals: number[] = [];
  if ('pool' in from) {
    const std = pre.record.standardizer.target?.std ?? 1;
    for (let i = 0; i < from.pool.samples; i++) {
      if (from.heldCount[i] > 0) residuals.push(Math.abs(from.heldSum[i] / from.heldCount[i] - from.pool.targets[i]) * std);
    }
  } else if (from.validation) {
    const o = await tableOutputs(model, from.validation, pre, centering);
    const known = Array.from({ length: o.samples }, (_, i) => i).filter((i) => !Number.isNaN(o.targets[i]));
    // Oldest first across series (a stable sort keeps each series' order on equal times).
    if (pre.record.mode === 'window') known.sort((a, b) => o.times[a] - o.times[b]);
    for (const i of known) residuals.push(Math.abs(o.prediction[i] - o.targets[i]));
  }
  return calibrate(residuals, coverage, pre.record.mode === 'window');
}

/**
 * Each importance's spread across ensemble members (EBM style): per member, the mean absolute
 * contribution of each term over the samples, centered on the member's own training mean (`own`,
 * raw units) as the ensemble's is on its; the standard deviation of those over the members.
 * Unchanged for one member or a series model.
 */
async function withMemberSpread(model: TableModel, ds: SplitDatasets['train'], own: number[][][] | null, importance: Report['importance'], unit: number): Promise<Report['importance']> {
  if (!(ds instanceof MixedDataset) || !own) return importance;
  const each = await memberContributions(model, ds);
  if (!each) return importance;
  const M = each.members, T = ds.terms, n = ds.samples, per = each.outDim;
  const abs = new Float64Array(T * M);
  // the first output of each member's contributions
  for (let t = 0; t < T; t++) for (let m = 0; m < M; m++) {
    const g = t * M + m;
    for (let i = 0; i < n; i++) abs[g] += Math.abs(each.values[(g * n + i) * per] - own[t][m][0]) / n;
  }
  const scale = model.options.outDim === 1 ? unit : NaN; // multiclass importance is over every class: no spread of the first alone
  return importance.map((e) => {
    const t = ds.featureNames.indexOf(e.feature);
    const xs = Array.from({ length: M }, (_, m) => abs[t * M + m]);
    const mean = xs.reduce((a, b) => a + b, 0) / M;
    const sd = Math.sqrt(xs.reduce((a, b) => a + (b - mean) ** 2, 0) / (M - 1)) * scale;
    return Number.isFinite(sd) ? { ...e, sd } : e;
  });
}

/** A reliability curve (10 equal-width probability bins) and the expected calibration error. */
function reliability(o: TableOutputs): { bins: { p: number; observed: number; count: number }[]; ece: number } {
  const sums = Array.from({ length: 10 }, () => ({ p: 0, y: 0, n: 0 }));
  let known = 0;
  for (let i = 0; i < o.samples; i++) {
    if (Number.isNaN(o.targets[i])) continue;
    const b = sums[Math.min(9, Math.floor(o.prediction[i] * 10))];
    b.p += o.prediction[i];
    b.y += o.targets[i];
    b.n++;
    known++;
  }
  const bins = sums.filter((b) => b.n > 0).map((b) => ({ p: b.p / b.n, observed: b.y / b.n, count: b.n }));
  return { bins, ece: bins.reduce((e, b) => e + (b.count / known) * Math.abs(b.p - b.observed), 0) };
}

/** Fewer validation samples than this draw a warning: early stopping on them is noisy. */
export const SMALL_VALIDATION = 30;

/** Below this many test samples of a class, a binary test metric rests on a handful of samples: said. */
const FEW_OF_A_CLASS = 5;

/**
 * Which samples of a split the report explains, in split order: the first `count`, or for a
 * classifier the classes in turn (the first of each, then the second of each, ...), so a split
 * sorted by class does not show one class only; samples without a known target come last.
 */
function shownSamples(targets: ArrayLike<number>, task: Task, count: number): number[] {
  const n = targets.length;
  if (task === 'regression') return Array.from({ length: Math.min(count, n) }, (_, i) => i);
  const groups = new Map<number, number[]>(), unknown: number[] = [];
  for (let i = 0; i < n; i++) {
    if (Number.isNaN(targets[i])) {
      unknown.push(i);
      continue;
    }
    const group = groups.get(targets[i]);
    if (group) group.push(i);
    else groups.set(targets[i], [i]);
  }
  const ordered = [...groups.keys()].sort((a, b) => a - b).map((k) => groups.get(k)!);
  const known = n - unknown.length, chosen: number[] = [];
  for (let k = 0; chosen.length < Math.min(count, known); k++) for (const g of ordered) if (k < g.length && chosen.length < count) chosen.push(g[k]);
  chosen.sort((a, b) => a - b);
  return [...chosen, ...unknown.slice(0, count - chosen.length)];   // spread-ok: at most count
}

/** How many of the targets are each of `classes` class indices (missing targets left out). */
function classCounts(targets: ArrayLike<number>, classes: number): number[] {
  const counts = new Array<number>(classes).fill(0);
  for (let i = 0; i < targets.length; i++) if (targets[i] >= 0 && targets[i] < classes) counts[targets[i]]++;
  return counts;
}

/** The warning when a class has fewer than FEW_OF_A_CLASS training samples (train and validation): too few to learn it from. */
function rareTrainingClasses(targets: ArrayLike<number>, pre: Preprocessing): FitNote | null {
  const counts = classCounts(targets, pre.record.target.classes?.length ?? 2);
  const rare = counts.map((n, k) => ({ n, k })).filter(({ n }) => n < FEW_OF_A_CLASS);
  if (!rare.length) return null;
  const said = rare.map(({ n, k }) => `class '${pre.classLabel(k)}' has ${counted(n, 'training sample')}`).join(', ');
  return { kind: 'warning', text: `warning: ${said} (of ${targets.length}): too few to learn ${rare.length > 1 ? 'them' : 'it'} from` };
}

/** The warning for a binary test split with 1 to FEW_OF_A_CLASS - 1 samples of a class, else null (none at all is said with the metrics). */
function fewOfAClass(targets: ArrayLike<number>, pre: Preprocessing): string | null {
  const counts = classCounts(targets, 2);
  const rare = counts[0] <= counts[1] ? 0 : 1;
  if (counts[rare] === 0 || counts[rare] >= FEW_OF_A_CLASS) return null;
  return `warning: the test split holds ${counts[rare]} sample(s) of class '${pre.classLabel(rare)}' (of ${counts[0] + counts[1]}): its AUC rests on them; cross-validation scores every sample`;
}

/**
 * Below this gain of the watched validation loss over the last patience epochs, as a share of its
 * first epoch's value, a run that reached the epoch limit is called done: on mid-sized tables
 * (churn, attrition, HMDA) the loss still crept down at 30 epochs, yet 100 epochs moved
 * cross-validated AUC by under 0.001; on penguins a loss near 0 fell by a fifth of itself while
 * 400 epochs did no better than 150. The first epoch's value keeps a loss near 0 from magnifying
 * a small gain.
 */
const LIMIT_GAIN = 0.01;

/**
 * The warning when the epoch limit, not early stopping, ended training and the watched validation
 * loss (the members' mean when pooled, else each member's) still fell by more than LIMIT_GAIN of its
 * first epoch's value over the last patience epochs.
 */
export function epochLimitWarning(histories: readonly EpochStats[][], pooled: boolean, validated: boolean, epochs: number, patience: number): FitNote | null {
  if (!validated || !histories.every((h) => h.length === epochs)) return null;
  const curves = pooled ? [histories[0].map((_, e) => meanValidationLoss(histories, e).meanValLoss!)] : histories.map((h) => h.map((s) => s.valLoss!));
  const window = Math.min(patience, epochs - 1);
  const gain = (curve: number[]): number => {
    const lowest = (part: number[]): number => part.reduce((a, b) => Math.min(a, b), Infinity);
    const before = lowest(curve.slice(0, epochs - window)), recent = lowest(curve.slice(epochs - window));
    return (before - recent) / Math.abs(curve[0]);
  };
  if (!curves.some((c) => gain(c) > LIMIT_GAIN)) return null;
  return { kind: 'warning', text: `warning: training reached the epoch limit (${epochs}) before the validation loss stopped improving: a higher limit may fit better` };
}

/** Ensemble members by default: on the shipped clinical panel 5 members against 1 narrow the spread of test AUC over seeds from 0.062 to 0.045 (docs/accuracy.md). */
export const DEFAULT_MEMBERS = 5;

/** An ensemble's mean validation loss at epoch index e over the members that trained it (none for one member or without validation). */
function meanValidationLoss(histories: readonly EpochStats[][], e: number): { meanValLoss?: number } {
  const losses = histories.filter((h) => h[e]?.valLoss !== undefined).map((h) => h[e].valLoss!);
  return histories.length > 1 && losses.length ? { meanValLoss: losses.reduce((a, b) => a + b, 0) / losses.length } : {};
}

/** The model of every member, member m from memberSeeds[m] (a one-member model built from that seed alone has its bits). */
export function buildModel(pre: Preprocessing, hiddenDim: number, blocks: number, memberSeeds: number[]): TableModel {
  const r = pre.record;
  if (r.inputs === 'series') return new FirstOrderRNAM({ terms: pre.featureNames.length, hiddenDim, outDim: pre.outputs, blocks }) as TableModel;
  const stat = r.columns.static ?? [], levels = r.mixed!.levels;
  const model = new AdditiveRNAM({
    sequenceTerms: pre.featureNames.length - stat.length - levels.length, stepInputs: stepInputsOf(r.mixed!), staticTerms: stat.length,
    ...(staticInputsOf(r.mixed!) === 2 ? { staticInputs: 2 as const } : {}),
    categoricalLevels: levels.map((l) => l.length), hiddenDim, blocks, outDim: pre.outputs, members: memberSeeds.length, memberSeeds: [...memberSeeds],
  });
  startAtPersistence(model, pre, memberSeeds.length);
  return model as TableModel;
}

/** `count` samples of a split (shownSamples), each as intercept + contributions. */
export function explainedSamples(split: SplitName, o: TableOutputs, pre: Preprocessing, count: number): ExplainedSample[] {
  return shownSamples(o.targets, pre.task, count).map((i) => ({
    split, id: o.ids[i], time: pre.formatTime(o.times[i]),
    target: Number.isNaN(o.targets[i]) ? null : pre.task === 'regression' ? o.targets[i] : pre.classLabel(o.targets[i]),
    prediction: pre.task === 'multiclass' ? pre.classLabel(o.prediction[i]) : o.prediction[i],
    output: o.output[i], intercept: o.intercept[i],
    contributions: Object.fromEntries(o.featureNames.map((f, t) => [f, o.contributions[t * o.samples + i]])),
  }));
}
