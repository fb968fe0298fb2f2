// The library's default model on table data, in the worker: trainTable's AdditiveRNAM over mixed
// inputs (time-varying, static and categorical features, an ensemble of members), a model file of
// one (from this page or `rnam train`) loaded onto the chosen table, and the views the page draws of
// either: shape functions by kind, importance with its spread across members, intervals, calibration.
import * as rnam from 'rnam';
import type { CsvMapping, EpochView, ExplanationView, LocalView, ModelFacts, TrainSettings } from './protocol.js';
import { rolesOf } from './roles.js';
import { tableOptions } from './data-sources.js';
import { shapeCurve } from './shape-view.js';
import { short } from './format.js';

/** A mixed-input model the page holds: trained here or loaded, with what explains it. */
export interface MixedRun {
  trained: rnam.TrainedModel;
  explanation: rnam.Explanation;
  /** The explained samples (their ids and times label the sample picker). */
  explained: rnam.MixedDataset | rnam.SeriesDataset;
  facts: ModelFacts;
  /** trainTable's report importance (with each one's sd across members); absent for a loaded file. */
  importance?: { feature: string; importance: number; sd?: number }[];
  history: rnam.EpochStats[];
  /** Trained here: the metrics per split, and whether Stop ended training early. */
  metrics?: Record<string, Record<string, number> | null>;
  stopped?: boolean;
}

/** Samples the first member's live explanation is computed on each epoch. */
const LIVE_SAMPLES = 400;

export interface MixedTrainHooks {
  device: rnam.Device;
  shouldStop(): boolean;
  /** Once the preprocessing is fitted, before the first epoch: the task and features the epochs show. */
  onStart?(preprocessing: rnam.Preprocessing): void;
  /** Each epoch: the loss and the live explanation of the ensemble as its members train. */
  onEpoch(view: EpochView, explanation?: { view: ExplanationView; explained: Explained }): Promise<void>;
}

/** The intervals with their half-width as the page says it. */
const withWidth = <T extends rnam.PredictionIntervals>(iv: T): T & { width: string } => ({ ...iv, width: rnam.describeHalfWidth(iv, short) });

export async function trainMixed(text: string, mapping: CsvMapping, s: TrainSettings, hooks: MixedTrainHooks): Promise<MixedRun> {
  let first: rnam.TableModel | null = null, live: rnam.MixedDataset | rnam.SeriesDataset | null = null, pre: rnam.Preprocessing | null = null;
  const members = s.members;
  const trained = await rnam.trainTable(text, {
    ...tableOptions(mapping, 'additive'), batchSize: s.batchSize, lr: s.lr, blocks: s.blocks, seed: s.seed, device: hooks.device,
    ...(s.epochs !== undefined ? { epochs: s.epochs } : {}), ...(s.hiddenDim !== undefined ? { hiddenDim: s.hiddenDim } : {}),
    ...(members !== undefined ? { members } : {}), ...(s.coverage !== undefined ? { coverage: s.coverage } : {}),
    shouldStop: hooks.shouldStop,
    onStart: ({ model, datasets, preprocessing }) => {
      first = model;
      pre = preprocessing;
      const shown = datasets.test ?? datasets.validation ?? datasets.train;
      live = shown.samples > LIVE_SAMPLES && shown instanceof rnam.MixedDataset ? shown.subset(Array.from({ length: LIVE_SAMPLES }, (_, i) => i)) : shown;
      hooks.onStart?.(preprocessing);
    },
    onEpoch: async (stats) => {
      // The members train side by side: the stats are those of the first member still training.
      const view: EpochView = { ...stats, epochs: s.epochs ?? 0, member: stats.member, training: stats.training, ...(members !== undefined ? { members } : {}) };
      let explanation: { view: ExplanationView; explained: Explained } | undefined;
      if (first && live) {
        const e = await rnam.explain(first, live, pre ? (pre as rnam.Preprocessing).explainOptions() : {});
        explanation = { view: explanationView(e, live, undefined, pre ?? undefined), explained: { explanation: e, explained: live } };
      }
      await hooks.onEpoch(view, explanation);
      // A macrotask turn, so a Stop message sent during the epoch is seen before the next one.
      await new Promise((ok) => setTimeout(ok, 0));
      return hooks.shouldStop() ? false : undefined;
    },
  });
  const r = trained.report;
  const explained = { train: trained.datasets.train, validation: trained.datasets.validation, test: trained.datasets.test }[r.explainedSplit]!;
  return {
    trained: { model: trained.model, preprocessing: trained.preprocessing, centering: trained.centering, ...(trained.intervals ? { intervals: trained.intervals } : {}) },
    explanation: trained.explanation, explained, importance: r.importance, history: trained.history, metrics: { ...r.metrics }, stopped: r.stopped,
    facts: {
      ...factsOf(trained.model, trained.preprocessing, r.explainedSplit), memberEpochs: r.members.map((m) => m.epochs),
      ...(r.stopping ? { stopping: r.stopping, memberBestEpochs: r.members.map((m) => m.bestEpoch ?? m.epochs) } : {}),
      ...(r.intervals ? { intervals: withWidth(r.intervals) } : {}), ...(r.calibration ? { calibration: r.calibration } : {}), ...(r.baselines ? { baselines: r.baselines } : {}),
      warnings: r.notes.filter((n) => n.kind === 'warning').map((n) => n.text),
    },
  };
}

/** A model file with mixed inputs explained on a table: its own preprocessing rebuilds the inputs. */
export async function loadMixed(bytes: Uint8Array, text: string, device: rnam.Device): Promise<{ run: MixedRun; metadata: rnam.ModelFileMetadata }> {
  const loaded = await rnam.loadTrained(bytes, { device });
  try {
    const explained = loaded.preprocessing.transform(rnam.readCsv(text));
    const explanation = await rnam.explain(loaded.model as rnam.AdditiveRNAM, explained, { ...loaded.preprocessing.explainOptions(), offsets: loaded.centering.offsets });
    const trained: rnam.TrainedModel = { model: loaded.model, preprocessing: loaded.preprocessing, centering: loaded.centering, ...(loaded.intervals ? { intervals: loaded.intervals } : {}) };
    const facts: ModelFacts = { ...factsOf(loaded.model as rnam.TableModel, loaded.preprocessing, 'the chosen table'), ...(loaded.intervals ? { intervals: withWidth(loaded.intervals) } : {}) };
    return { run: { trained, explanation, explained, facts, history: (loaded.metadata.history as rnam.EpochStats[] | undefined) ?? [] }, metadata: loaded.metadata };
  } catch (err) {
    loaded.model.parameters().forEach((p) => p.dispose());
    throw err;
  }
}

function factsOf(model: rnam.TableModel, pre: rnam.Preprocessing, explainedSplit: string): ModelFacts {
  const d = model.describe();
  const o = d.config as { hiddenDim?: number; blocks?: number; members?: number };
  const parameters = model.parameters().reduce((n, p) => n + p.numel, 0);
  return {
    model: `${d.kind}: hidden ${o.hiddenDim}, ${o.blocks} block(s), ${o.members ?? 1} member(s), ${parameters.toLocaleString('en')} parameters`,
    roles: rolesOf(pre), mode: pre.record.mode, explainedSplit,
  };
}

/** The page's view of an explanation of a mixed-input model (or, live, of its first member). */
export function explanationView(e: rnam.Explanation, ds: rnam.MixedDataset | rnam.SeriesDataset, run?: Pick<MixedRun, 'facts' | 'importance'>, pre?: rnam.Preprocessing): ExplanationView {
  const time = (t: number) => (Number.isNaN(t) ? '' : String(pre ? pre.formatTime(t) : t));
  const curves = (output: number) => e.shapes.map((s) => shapeCurve(s, output)).map((s) => (pre?.record.columns.sequenceCategorical?.includes(s.feature) ? { ...s, timeVarying: true } : s));
  return {
    task: e.task, featureNames: [...e.featureNames], intercept: e.intercept[0], summary: 'last', originalUnits: true,
    importance: run?.importance ?? e.importance.map(({ feature, importance }) => ({ feature, importance })),
    shapes: curves(0), ...(e.task === 'multiclass' ? { classShapes: Array.from({ length: e.outDim }, (_, k) => curves(k)) } : {}), samples: ds.samples,
    sampleLabels: Array.from({ length: ds.samples }, (_, i) => [ds.sampleIds[i], time(ds.sampleTimes[i])].filter(Boolean).join(' · ') || `sample ${i}`),
    ...(run ? { facts: run.facts } : {}), ...(pre?.record.target.labels && pre.record.target.classes ? { classes: [...pre.record.target.classes] } : {}),
  };
}

/** An explanation and the samples it explains: a trained or loaded model's, or the first member's while it trains. */
export type Explained = Pick<MixedRun, 'explanation' | 'explained'>;

/** One sample's prediction split into the intercept and a contribution per feature. */
export function mixedLocal(run: Explained, sample: number, label: string): LocalView {
  const local = run.explanation.local(sample);
  return {
    sample, label, contributions: local.contributions.map((c) => ({ feature: c.feature, value: c.contribution })),
    intercept: local.intercept, ...(local.from !== undefined ? { from: local.from } : {}), prediction: local.prediction, probability: local.probability, output: local.output,
    target: 'rawTargets' in run.explained ? run.explained.rawTargets[sample] : run.explained.targets[sample],
  };
}

/**
 * Every sample's prediction on a table (probabilities for classification), the metrics where the
 * target is known, and notes: the levels read as 'other', the ids too short for a window.
 */
export async function tablePredictions(run: MixedRun, text: string): Promise<{ predictions: number[]; metrics: Record<string, number>; notes: string[] }> {
  const p = await rnam.predictTable(run.trained, text);
  const short = p.shortIds.count ? [`no prediction for ${rnam.describeIds(p.shortIds)}: fewer rows than a window`] : [];
  return { predictions: Array.from(p.prediction), metrics: { ...(p.metrics ?? {}) }, notes: [...rnam.describeUnseenLevels(p.unseenLevels), ...short] };
}
