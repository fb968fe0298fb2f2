// trainStream: trainTable for a CSV larger than memory. The preprocessing is fitted in two reads
// (stream-preprocessing.ts), then each epoch reads the file again a chunk of whole ids at a time,
// trains on the chunk's training samples (shuffled within the chunk) and, for early stopping, reads it
// once more for the validation loss; one last read gives the centering, the validation and test
// metrics and the chunk the explanation is of. No read holds more than a chunk of rows. Held in memory: the
// model, one chunk, and per validation and test sample its prediction and target (the metrics'
// inputs, AUC included). One member; cross-fitting, refit, intervals, class weights and a separate
// test file are trainTable's (in memory) and refused here with an error naming the option.
import { manualSeed, Generator } from '../random.js';
import { checkDeviceOption, deviceOption } from '../backend/select.js';
import { fit } from '../train/fit.js';
import type { EpochStats } from '../train/history.js';
import { explain } from '../explain/explain.js';
import type { MixedDataset } from '../data/mixed-dataset.js';
import type { RowSource } from '../data/row-source.js';
import type { SplitPart } from '../data/mixed-build.js';
import { checkOptions } from '../optim/options.js';
import { ArgumentError, describeValue } from '../errors.js';
import { DataError } from '../data/errors.js';
import { fitStreamPreprocessing } from './stream-preprocessing.js';
import { CenteringAccumulator, KnownTargets, tableOutputs, type Centering } from './outputs.js';
import type { Report, SplitName } from './report.js';
import { buildModel, explainedSamples, optionKeys, type TrainedTable, type TrainTableOptions } from './train-table.js';
import { StopTraining } from '../train/stop-training.js';
import { fitNoteLines, logFitNotes, positiveInt, reportShapes, sizedDefaults, trainingSettings } from './train-settings.js';
import { counted } from '../plural.js';
import { quotedMetric } from '../train/task.js';

export interface TrainStreamOptions extends Omit<TrainTableOptions, 'onStart'> {
  /** Whole ids per chunk (panel mode; rows in window and table modes), default 4096: memory follows the chunk. */
  chunkSamples?: number;
}

/** trainTable's result without the in-memory datasets and intervals; its explanation is of the first chunk of the explained split. */
export type TrainedStream = Omit<TrainedTable, 'datasets' | 'intervals'>;

/** trainTable's options a stream cannot honour, each with why. */
const REFUSED: [keyof TrainStreamOptions, string][] = [
  ['refit', 'a refit trains again on training and validation samples together'],
  ['testData', 'the test split is a hashed share of the stream (give the rows in the stream)'],
  ['classWeight', "the stream's statistics read does not count the classes"],
  ['coverage', 'prediction intervals need every held-out residual in memory'],
];

const DEFAULT_CHUNK_SAMPLES = 4096;

/**
 * `open` returns a fresh stream of the same rows at each call (each read: a file opened again, e.g.
 * () => ({ csv: fs.createReadStream(path) })); each id's rows must be together in it.
 */
export async function trainStream(open: () => RowSource, options: TrainStreamOptions): Promise<TrainedStream> {
  const started = Date.now();
  checkOptions('trainStream', options, [...optionKeys.filter((k) => k !== 'onStart'), 'chunkSamples']);
  if (options.device !== undefined) checkDeviceOption('trainStream', options.device);
  if ((options.model ?? 'additive') !== 'additive') throw new ArgumentError(`trainStream: a stream trains the additive model, got model ${describeValue(options.model)}`);
  for (const [key, why] of REFUSED) if (options[key] !== undefined) throw new ArgumentError(`trainStream: ${key} is not available when streaming (${why}); train in memory (trainTable, --in-memory)`);
  if ((options.members ?? options.memberSeeds?.length ?? 1) !== 1) throw new ArgumentError(`trainStream: a stream trains one member (each member would read the file for every epoch), got members ${describeValue(options.members ?? options.memberSeeds?.length)}`);
  const settings = trainingSettings('trainStream', options), { blocks, batchSize, seed, examples } = settings;
  const chunkSamples = positiveInt('trainStream', 'chunkSamples', options.chunkSamples, DEFAULT_CHUNK_SAMPLES);
  if (typeof open !== 'function') throw new ArgumentError(`trainStream: the source must be a function returning a fresh stream of rows at each call (() => ({ csv: fs.createReadStream(path) })), got ${describeValue(open)}`);
  const log = options.log ?? null;

  const { model: _m, members: _n, memberSeeds: _s, chunkSamples: _c, ...rest } = options;
  const plan = await fitStreamPreprocessing(open, { ...rest, inputs: 'mixed' }, chunkSamples);
  const pre = plan.preprocessing, task = pre.task, counts = plan.samples;
  log?.(`stream: preprocessing fitted in two reads (columns and target, then statistics); ids split by a seeded hash of the id${options.split?.column !== undefined ? ' (here: the split column)' : ''}; chunks of ${chunkSamples} ${pre.record.mode === 'panel' ? 'ids' : 'rows'}`);
  if (plan.gapSampled) log?.('stream: the time gaps take too many distinct values to count: the gap unit is the median of a seeded sample of them');
  const noteLines = fitNoteLines(plan.notes, pre, options.target);
  logFitNotes(log, noteLines);
  log?.(`data: ${counted(pre.featureNames.length, 'feature')} (${pre.featureNames.join(', ')}), ${pre.record.mode} mode; samples: train ${counts.train}, validation ${counts.validation}, test ${counts.test}`);

  const { hiddenDim, epochs, patience } = sizedDefaults(settings, counts.train);
  log?.(`model: AdditiveRNAM, hidden ${hiddenDim}, ${blocks} block(s), 1 member (streamed), patience ${patience}, at most ${epochs} epochs`);
  const dev = await deviceOption('trainStream', options.device ?? 'auto');
  log?.(`device: ${dev.reason}`);

  async function* part(name: SplitPart, shuffle: Generator | null): AsyncGenerator<MixedDataset> {
    for await (const chunk of plan.chunks()) {
      const ds = chunk[name];
      if (!ds) continue;
      if (!shuffle) yield ds;
      else {
        // A file is often sorted (by id, by time): shuffle the samples within each chunk.
        yield ds.subset(shuffle.shuffle(Array.from({ length: ds.samples }, (_, i) => i)));
      }
    }
  }

  const memberSeed = options.memberSeeds?.[0] ?? seed * 1000;
  manualSeed(memberSeed);
  const model = buildModel(pre, hiddenDim, blocks, [memberSeed]);
  await model.toAsync(dev);
  const shuffle = new Generator(memberSeed);
  const history: EpochStats[] = [];
  let stopped = false;
  try {
    await fit(model, () => part('train', shuffle), {
      epochs, batchSize, optimizer: settings.optimizer(model.parameters()), task, trainMetrics: false,
      ...(counts.validation ? { validation: () => part('validation', null), earlyStopping: { monitor: 'valLoss', patience, restoreBestWeights: true } } : {}),
      progress: options.progress ?? false, log,
      onEpoch: (stats) => {
        history.push(stats);
        return options.onEpoch?.({ ...stats, member: 1, training: 1 });
      },
      onBatch: async (stats) => {
        await options.onBatch?.(stats);
        if (options.shouldStop?.()) throw new StopTraining();
      },
    });
  } catch (err) {
    if (!(err instanceof StopTraining)) throw err;
    stopped = true;
    log?.(`stopped during epoch ${history.length + 1}`);
  }

  // One read for the centering (training samples) and the validation and test metrics: the metrics
  // read predictions, which the centering does not change, so they are taken with a zero one.
  const centeringAcc = new CenteringAccumulator(), uncentered: Centering = { offsets: pre.featureNames.map(() => new Array<number>(pre.outputs).fill(0)) };
  const explainedSplit: SplitName = counts.test ? 'test' : counts.validation ? 'validation' : 'train';
  const known = { validation: new KnownTargets(pre), test: new KnownTargets(pre) };
  // The explained split's first chunk is kept for the explanation.
  let explained: MixedDataset | null = null;
  for await (const chunk of plan.chunks()) {
    if (chunk.train) await centeringAcc.add(model, chunk.train, pre.task);
    for (const name of ['validation', 'test'] as const) if (chunk[name]) known[name].add(await tableOutputs(model, chunk[name]!, pre, uncentered));
    explained ??= chunk[explainedSplit];
  }
  const centering = centeringAcc.finish();
  if (!explained) throw new DataError('empty', `the stream held no ${explainedSplit} sample in its last read: was the file changed while training?`);
  const explanation = await explain(model, explained, { ...pre.explainOptions(), offsets: centering.offsets });
  const describe = model.describe();
  const report: Report = {
    task, target: options.target, features: [...pre.featureNames], ...(pre.record.target.classes ? { classes: [...pre.record.target.classes] } : {}),
    preprocessing: pre.toRecord(), samples: counts,
    metrics: { train: null, validation: known.validation.metrics(), test: known.test.metrics() }, explainedSplit,
    importance: explanation.importance.map((e) => ({ feature: e.feature, importance: e.importance })),
    shapes: reportShapes(explanation),
    examples: explainedSamples(explainedSplit, await tableOutputs(model, explained, pre, centering), pre, examples),
    history: history.map((h) => ({ epoch: h.epoch, trainLoss: h.trainLoss, valLoss: h.valLoss, seconds: h.seconds })),
    members: [{ epochs: history.length }], crossFitted: false,
    model: { class: describe.kind, options: { ...describe.config }, parameters: model.parameters().reduce((s, p) => s + p.numel, 0) },
    device: dev.reason, seconds: (Date.now() - started) / 1000, stopped,
    notes: [...noteLines],
  };
  const test = report.metrics.test;
  if (test) {
    const { metric, undefinedAuc } = quotedMetric(task, test);
    log?.(`${undefinedAuc}test ${metric}: ${test[metric]?.toFixed(4)} (${counts.test} samples, streamed)`);
  }
  return { model, preprocessing: pre, centering, report, explanation, history };
}
