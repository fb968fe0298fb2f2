// The settings trainTable and trainStream share: the checked size, optimizer and callback options,
// the defaults sized from the training samples, the log lines of what the preprocessing chose, and
// the report's shape entries. One home, so the in-memory and the streamed paths cannot drift apart.
import { AdamW } from '../optim/optimizer.js';
import type { Tensor } from '../tensor.js';
import { ArgumentError, describeValue } from '../errors.js';
import type { Explanation } from '../explain/types.js';
import type { FitNote, FitNotes, Preprocessing } from './preprocessing.js';
import type { Report } from './report.js';
import { logScaledFeatures, windowNeeds } from '../data/mixed-build.js';
import { describeIds } from './short-ids.js';
import { ROW_NAMES } from '../data/table.js';

/** Default epochs: enough for about this many optimizer steps, between 30 and MAX_EPOCHS. */
export const TARGET_STEPS = 600;
export const MAX_EPOCHS = 200;

/** Below this many training samples the default hidden size is 8, else 16. */
export const SMALL_DATA = 2000;

/** An integer option >= min (`fallback` when it is not given), or an ArgumentError naming it. */
export function positiveInt(where: string, name: string, v: unknown, fallback: number, min = 1): number {
  const x = v ?? fallback;
  if (!Number.isInteger(x) || (x as number) < min) throw new ArgumentError(`${where}: ${name} must be an integer >= ${min}, got ${describeValue(v)}`);
  return x as number;
}

interface SettingOptions {
  hiddenDim?: number; blocks?: number; epochs?: number; batchSize?: number; seed?: number; patience?: number; examples?: number;
  lr?: number; weightDecay?: number; onEpoch?: unknown; onBatch?: unknown; onStart?: unknown; shouldStop?: unknown;
}

export interface TrainingSettings {
  /** The sizes the caller named; the others are sized from the data (sizedDefaults). */
  asked: { hiddenDim?: number; epochs?: number; patience?: number };
  blocks: number;
  batchSize: number;
  seed: number;
  examples: number;
  /** A fresh AdamW over `params` with the asked learning rate and weight decay. */
  optimizer(params: Iterable<Tensor>): AdamW;
}

/** The shared options, checked: `where` names the caller in every error. */
export function trainingSettings(where: string, o: SettingOptions): TrainingSettings {
  const int = (name: keyof SettingOptions, fallback: number, min = 1) => positiveInt(where, name, o[name], fallback, min);
  const maybe = (name: keyof SettingOptions, min = 1) => (o[name] === undefined ? undefined : int(name, 0, min));
  const lr = o.lr ?? 3e-3, wd = o.weightDecay;
  if (typeof lr !== 'number' || !(lr > 0 && Number.isFinite(lr))) throw new ArgumentError(`${where}: lr must be a positive number, got ${describeValue(o.lr)}`);
  if (wd !== undefined && !(typeof wd === 'number' && wd >= 0 && Number.isFinite(wd))) throw new ArgumentError(`${where}: weightDecay must be a number >= 0, got ${describeValue(wd)}`);
  for (const k of ['onEpoch', 'onBatch', 'onStart', 'shouldStop'] as const) {
    if (o[k] !== undefined && typeof o[k] !== 'function') throw new ArgumentError(`${where}: ${k} must be a function, got ${describeValue(o[k])}`);
  }
  return {
    asked: { hiddenDim: maybe('hiddenDim'), epochs: maybe('epochs'), patience: maybe('patience') },
    blocks: int('blocks', 1, 0), batchSize: int('batchSize', 64), seed: int('seed', 0, 0), examples: int('examples', 10, 0),
    optimizer: (params) => new AdamW(params, { lr, ...(wd !== undefined ? { weightDecay: wd } : {}) }),
  };
}

/**
 * Hidden size, epochs and patience: as asked, else from the training samples. Small data gets a
 * narrower model: on the shipped panel (172 patients) and table (373 rows) hidden 8 beats 16
 * (bench/accuracy.ts). Small data has few batches per epoch: 30 epochs of 2 batches left every member
 * of a 160-day series underfitted at the cap (test RMSE 1.83 against 0.72 with room for 150,
 * docs/accuracy.md), so the epochs aim at about TARGET_STEPS steps; patience is an eighth of them.
 */
export function sizedDefaults(s: TrainingSettings, samples: number, trainSamples = samples): { hiddenDim: number; epochs: number; patience: number } {
  // samples: outside the test split (they size the width); trainSamples: those one member trains on (the epochs).
  const epochs = s.asked.epochs ?? Math.min(MAX_EPOCHS, Math.max(30, Math.ceil(TARGET_STEPS / Math.ceil(trainSamples / s.batchSize))));
  return { hiddenDim: s.asked.hiddenDim ?? (samples < SMALL_DATA ? 8 : 16), epochs, patience: s.asked.patience ?? Math.max(8, Math.round(epochs / 8)) };
}

/** What the preprocessing chose without being told and what it warns of, in the order train says them. */
export function fitNoteLines(notes: FitNotes, pre: Preprocessing, target: string): FitNote[] {
  const out: FitNote[] = [];
  const choice = (text: string) => out.push({ kind: 'choice', text }), warning = (text: string) => out.push({ kind: 'warning', text });
  const r = pre.record;
  if (notes.taskInferred) choice(`task: ${pre.task} (inferred from column '${target}')`);
  if (r.target.labels) choice(`classes: ${r.target.classes!.join(', ')}${pre.task === 'binary' ? ` (positive: '${pre.classLabel(1)}')` : ''}`);
  if (notes.autoStatic.length) choice(`static (one value per id): ${notes.autoStatic.join(', ')} (name the static features to choose)`);
  if (notes.autoCategorical.length) choice(`categorical (text): ${notes.autoCategorical.join(', ')}${r.columns.sequenceCategorical?.length ? ` (time-varying: ${r.columns.sequenceCategorical.join(', ')})` : ''} (name the categorical features to choose)`);
  if (notes.dates.length) choice(`dates read as decimal years (2020-07-02 is 2020.5): ${notes.dates.join(', ')}`);
  if (notes.nonNumeric.length) warning(`left out of the features: ${notes.nonNumeric.join(', ')} (${r.inputs === 'series' ? 'not numbers: the first-order model reads numeric columns only' : 'no value at all'})`);
  for (const c of notes.rowNumbers) {
    const what = c === ROW_NAMES ? `'${c}' is the file's unnamed first column, row names as R's write.csv and pandas' to_csv write them` : `'${c}' numbers the rows (0 or 1, 2, 3, ... in file order)`;
    warning(`left out of the features: ${what}, which tells how the file is sorted, not what a sample is (name the features to use it${r.mode === 'table' ? ', the id to name the rows by it' : ''})`);
  }
  for (const c of notes.rowLabels) {
    warning(`left out of the features: no two ${r.mode === 'table' ? 'rows' : 'ids'} share a value of '${c}' (a name or a label, not a category: each level would have one sample to learn from; name it categorical to use it${r.mode === 'table' ? ', the id to name the rows by it' : ''})`);
  }
  for (const c of notes.idLike) warning(`warning: '${c}' is a feature, but its name reads as an identifier, rarely a predictor (name the features to leave it out${r.mode === 'table' ? ', the id to name the rows' : ''})`);
  const logScaled = r.mixed ? logScaledFeatures(r.mixed) : [];
  if (logScaled.length) choice(`read as log(1 + value), heavily right-skewed: ${logScaled.join(', ')} (skewed 'keep' reads them as they are)`);
  if (notes.skippedTargets) warning(`${notes.skippedTargets} samples have no known target: left out of training and evaluation`);
  const within = notes.targetWithinIds;
  if (within?.changing && !r.targetHistory) {
    warning(`note: the target '${target}' changes within ${within.changing} of ${within.ids} ids: panel mode predicts each id's last known target and reads none of its earlier values; targetHistory reads them as a feature (when they are measured over time, not an outcome known later), as window mode (a window of steps) does`);
  }
  if (r.targetHistory) choice(`target history: the target '${target}' is also a time-varying feature, its value at the row predicted hidden`);
  if (r.mixed?.targetChange) choice(`target change: the model learns how '${target}' changes from its last known value, and predicts that value plus the change (targetChange false learns the value itself)`);
  if (notes.shortIds.count) warning(`no sample from ${describeIds(notes.shortIds)}: fewer than ${windowNeeds({ window: r.window!, horizon: r.horizon ?? 1 }, true)}`);
  const timeVarying = pre.featureNames.length - (r.columns.static?.length ?? 0) - (r.columns.categorical?.length ?? 0);
  if (r.inputs === 'mixed' && notes.missingDefaulted && timeVarying > 0) choice(`missing values: 'mask' (each time-varying feature also reads whether it was observed and the time since${r.mixed?.seenInput ? ', and whether it was seen by then' : ''})`);
  return out;
}

/** Logs fitNoteLines. */
export function logFitNotes(log: ((line: string) => void) | null, lines: readonly FitNote[]): void {
  if (log) for (const l of lines) log(l.text);
}

/** The report's shape functions: each explained shape without its samples. */
export function reportShapes(explanation: Explanation): Report['shapes'] {
  return explanation.shapes.map((sh) => ({
    feature: sh.feature, summary: sh.summary, ...(sh.kind ? { kind: sh.kind } : {}), ...(sh.levels ? { levels: sh.levels } : {}), ...(sh.logAxis ? { logAxis: sh.logAxis } : {}),
    ...(sh.dateAxis ? { dateAxis: sh.dateAxis } : {}), members: sh.members, bins: sh.bins, ...(sh.missing ? { missing: sh.missing } : {}),
  }));
}
