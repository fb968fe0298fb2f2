// Samples with every kind of input real tables have, each feature one additive term: time-varying
// features as sequences of step inputs (the value, whether it was observed at that step, the time
// since it was last observed), numeric static features (one value per sample) and categorical static
// features (a level index per sample). What AdditiveRNAM reads.
import { DataError } from './errors.js';
import type { Standardizer } from './standardize.js';
import { taskHint, type TaskHint } from './task.js';

/** The inputs of each step of a sequence term, in this order. */
export const STEP_INPUTS = ['value', 'observed', 'gap'] as const;

export interface MixedDatasetInit {
  /** (sequenceTerms, samples, seq, STEP_INPUTS.length), right-padded with 0. */
  sequence: Float32Array;
  sequenceTerms: number;
  /** Inputs per step (value, observed, gap, seen when the data has empty cells, then the one-hot of a time-varying categorical feature); default 3. */
  stepInputs?: number;
  /** The levels of the last sequence terms, when those are time-varying categorical features. */
  sequenceLevels?: readonly (readonly string[])[];
  seq: number;
  /** Valid steps per sample (>= 1 when there are sequence terms). */
  lengths: Int32Array;
  /** (staticTerms, samples), standardized; a missing value is the training mean (0). */
  statics: Float32Array;
  staticTerms: number;
  /** Inputs per static term the model reads (default 1): 2 adds a flag that the value is missing (rawStatics NaN). */
  staticInputs?: 1 | 2;
  /** With 2 static inputs, per static term whether its flag is set where the value is missing (default: every term's); an unflagged term reads a missing value as the mean alone. */
  staticFlagged?: readonly boolean[];
  /** (categoricalTerms, samples): level indices; level 0 is 'other' (unseen, rare or missing). */
  categorical: Int32Array;
  /** Per categorical term, its levels ('other' first). */
  levels: readonly (readonly string[])[];
  targets: Float32Array;
  samples: number;
  /** Every term: sequence features, then static, then categorical. */
  featureNames: readonly string[];
  targetNames: readonly string[];
  sampleIds: readonly string[];
  sampleTimes: Float64Array;
  task?: TaskHint;
  standardizer: Standardizer;
  /** Raw values of the sequence terms' steps, for explanations: (sequenceTerms, samples, seq), NaN where not observed. */
  rawSequence: Float64Array;
  /** Raw static values, (staticTerms, samples), NaN where missing. */
  rawStatics: Float64Array;
  /** The targets as the table holds them (class indices for labels), NaN where unknown: what reports show. */
  rawTargets?: Float64Array;
  /** Per-sample weights of the loss and the metrics (finite, >= 0); absent: every sample weighs 1. */
  weights?: Float32Array | null;
  /**
   * A regression target learned as a change: per sample, the value in the target's units that the
   * model's (unstandardized) output is added to, the target's last known value (MixedStats.targetChange).
   */
  targetOffsets?: Float64Array | null;
  /** The numeric features read as log(1 + value) (their shape functions are drawn on a log axis). */
  logScaled?: readonly string[];
  /** The numeric features whose cells are dates, read as decimal years (their charts' ticks are years). */
  dates?: readonly string[];
}

export class MixedDataset {
  readonly kind = 'mixed' as const;
  readonly sequence: Float32Array;
  readonly sequenceTerms: number;
  readonly stepInputs: number;
  readonly sequenceLevels: readonly (readonly string[])[];
  readonly seq: number;
  readonly lengths: Int32Array;
  readonly statics: Float32Array;
  readonly staticTerms: number;
  readonly categorical: Int32Array;
  readonly levels: readonly (readonly string[])[];
  readonly targets: Float32Array;
  readonly samples: number;
  readonly outDim = 1;
  readonly featureNames: readonly string[];
  readonly targetNames: readonly string[];
  readonly sampleIds: readonly string[];
  readonly sampleTimes: Float64Array;
  readonly task: TaskHint;
  readonly standardizer: Standardizer;
  readonly rawSequence: Float64Array;
  readonly rawStatics: Float64Array;
  readonly rawTargets: Float64Array;
  readonly weights: Float32Array | null;
  readonly targetOffsets: Float64Array | null;
  readonly staticInputs: 1 | 2;
  readonly staticFlagged: readonly boolean[];
  readonly logScaled: readonly string[];
  readonly dates: readonly string[];

  constructor(init: MixedDatasetInit) {
    this.sequence = init.sequence;
    this.sequenceTerms = init.sequenceTerms;
    this.stepInputs = init.stepInputs ?? STEP_INPUTS.length;
    this.sequenceLevels = init.sequenceLevels ?? [];
    this.seq = init.seq;
    this.lengths = init.lengths;
    this.statics = init.statics;
    this.staticTerms = init.staticTerms;
    this.staticInputs = init.staticInputs ?? 1;
    this.staticFlagged = init.staticFlagged ?? Array.from({ length: init.staticTerms }, () => this.staticInputs === 2);
    this.categorical = init.categorical;
    this.levels = init.levels;
    this.targets = init.targets;
    this.samples = init.samples;
    this.featureNames = init.featureNames;
    this.targetNames = init.targetNames;
    this.sampleIds = init.sampleIds;
    this.sampleTimes = init.sampleTimes;
    this.task = init.task ?? taskHint(init.targets);
    this.standardizer = init.standardizer;
    this.rawSequence = init.rawSequence;
    this.rawStatics = init.rawStatics;
    this.rawTargets = init.rawTargets ?? Float64Array.from(init.targets);
    this.weights = init.weights ?? null;
    this.targetOffsets = init.targetOffsets ?? null;
    this.logScaled = init.logScaled ?? [];
    this.dates = init.dates ?? [];
    const n = this.samples, checks: [string, number, number][] = [
      ['sequence', this.sequence.length, this.sequenceTerms * n * this.seq * this.stepInputs],
      ['statics', this.statics.length, this.staticTerms * n], ['categorical', this.categorical.length, this.levels.length * n],
      ['targets', this.targets.length, n], ['lengths', this.lengths.length, n], ['sampleIds', this.sampleIds.length, n],
      ['featureNames', this.featureNames.length, this.terms], ['weights', this.weights?.length ?? n, n],
      ['targetOffsets', this.targetOffsets?.length ?? n, n],
    ];
    for (const [name, got, want] of checks) if (got !== want) throw new DataError('shape', `MixedDataset: ${name} holds ${got} values, expected ${want}`);
    if (this.terms === 0) throw new DataError('option', 'MixedDataset: no feature');
  }

  /** Every additive term: sequence, static and categorical features. */
  get terms(): number {
    return this.sequenceTerms + this.staticTerms + this.levels.length;
  }

  /** The most levels of any categorical term (the one-hot width). */
  get maxLevels(): number {
    let m = 0;
    for (const l of this.levels) m = Math.max(m, l.length);
    return m;
  }

  /** The given samples, in that order, as a new dataset. */
  subset(indices: readonly number[]): MixedDataset {
    const b = indices.length, S = this.seq, D = this.stepInputs;
    const pick = <T extends Float32Array | Int32Array | Float64Array>(src: T, terms: number, row: number, make: (n: number) => T): T => {
      const out = make(terms * b * row);
      for (let t = 0; t < terms; t++) indices.forEach((s, k) => out.set(src.subarray((t * this.samples + s) * row, (t * this.samples + s + 1) * row), (t * b + k) * row));
      return out;
    };
    return new MixedDataset({
      sequence: pick(this.sequence, this.sequenceTerms, S * D, (n) => new Float32Array(n)), sequenceTerms: this.sequenceTerms, seq: S,
      stepInputs: D, sequenceLevels: this.sequenceLevels,
      lengths: Int32Array.from(indices, (i) => this.lengths[i]),
      statics: pick(this.statics, this.staticTerms, 1, (n) => new Float32Array(n)), staticTerms: this.staticTerms, staticInputs: this.staticInputs, staticFlagged: this.staticFlagged,
      categorical: pick(this.categorical, this.levels.length, 1, (n) => new Int32Array(n)), levels: this.levels,
      targets: Float32Array.from(indices, (i) => this.targets[i]), samples: b, featureNames: this.featureNames, targetNames: this.targetNames,
      sampleIds: indices.map((i) => this.sampleIds[i]), sampleTimes: Float64Array.from(indices, (i) => this.sampleTimes[i]),
      task: this.task, standardizer: this.standardizer,
      rawSequence: pick(this.rawSequence, this.sequenceTerms, S, (n) => new Float64Array(n)),
      rawStatics: pick(this.rawStatics, this.staticTerms, 1, (n) => new Float64Array(n)),
      rawTargets: Float64Array.from(indices, (i) => this.rawTargets[i]),
      weights: this.weights && Float32Array.from(indices, (i) => this.weights![i]), logScaled: this.logScaled, dates: this.dates,
      targetOffsets: this.targetOffsets && Float64Array.from(indices, (i) => this.targetOffsets![i]),
    });
  }

  /** The same samples with other weights (null: unweighted); the arrays are shared, not copied. */
  withWeights(weights: Float32Array | null): MixedDataset {
    return new MixedDataset({ ...this, weights });
  }

  /** The samples of `a`, then those of `b` (same terms, levels and padded length), as one dataset. */
  static concat(a: MixedDataset, b: MixedDataset): MixedDataset {
    if (a.seq !== b.seq || !a.targetOffsets !== !b.targetOffsets || a.sequenceTerms !== b.sequenceTerms || a.staticTerms !== b.staticTerms || a.staticInputs !== b.staticInputs || a.staticFlagged.some((f, t) => f !== b.staticFlagged[t]) || a.levels.length !== b.levels.length) {
      throw new DataError('shape', 'MixedDataset.concat: the datasets hold different terms or lengths');
    }
    const n = a.samples + b.samples;
    const join = <T extends Float32Array | Int32Array | Float64Array>(x: T, y: T, terms: number, row: number, make: (n: number) => T): T => {
      const out = make(terms * n * row);
      for (let t = 0; t < terms; t++) {
        out.set(x.subarray(t * a.samples * row, (t + 1) * a.samples * row), t * n * row);
        out.set(y.subarray(t * b.samples * row, (t + 1) * b.samples * row), (t * n + a.samples) * row);
      }
      return out;
    };
    const S = a.seq, D = a.stepInputs;
    const cat = <T extends Float32Array | Int32Array | Float64Array>(x: T, y: T, make: (n: number) => T): T => {
      const out = make(x.length + y.length);
      out.set(x);
      out.set(y, x.length);
      return out;
    };
    return new MixedDataset({
      sequence: join(a.sequence, b.sequence, a.sequenceTerms, S * D, (k) => new Float32Array(k)), sequenceTerms: a.sequenceTerms, seq: S,
      stepInputs: D, sequenceLevels: a.sequenceLevels,
      lengths: cat(a.lengths, b.lengths, (k) => new Int32Array(k)),
      statics: join(a.statics, b.statics, a.staticTerms, 1, (k) => new Float32Array(k)), staticTerms: a.staticTerms, staticInputs: a.staticInputs, staticFlagged: a.staticFlagged,
      categorical: join(a.categorical, b.categorical, a.levels.length, 1, (k) => new Int32Array(k)), levels: a.levels,
      targets: cat(a.targets, b.targets, (k) => new Float32Array(k)), samples: n, featureNames: a.featureNames, targetNames: a.targetNames,
      sampleIds: [...a.sampleIds, ...b.sampleIds], sampleTimes: cat(a.sampleTimes, b.sampleTimes, (k) => new Float64Array(k)),
      task: a.task, standardizer: a.standardizer,
      rawSequence: join(a.rawSequence, b.rawSequence, a.sequenceTerms, S, (k) => new Float64Array(k)),
      rawStatics: join(a.rawStatics, b.rawStatics, a.staticTerms, 1, (k) => new Float64Array(k)),
      rawTargets: cat(a.rawTargets, b.rawTargets, (k) => new Float64Array(k)),
      weights: a.weights || b.weights ? cat(a.weights ?? new Float32Array(a.samples).fill(1), b.weights ?? new Float32Array(b.samples).fill(1), (k) => new Float32Array(k)) : null,
      logScaled: a.logScaled, dates: a.dates,
      targetOffsets: a.targetOffsets && cat(a.targetOffsets, b.targetOffsets!, (k) => new Float64Array(k)),
    });
  }

  /** Host arrays of a batch: the sequence (terms, b, seq, D) or null, static (terms, b, staticInputs), one-hot categorical (terms, b, maxLevels). */
  batch(indices: readonly number[]): MixedBatch {
    const b = indices.length, S = this.seq, D = this.stepInputs, L = this.maxLevels, C = this.levels.length;
    // A batch is built every step: plain loops, and only each sample's valid steps (the padding
    // after them is zero in the dataset and in a new array alike).
    let x: Float32Array | null = null;
    if (this.sequenceTerms > 0) {
      const row = S * D, src = this.sequence, out = x = new Float32Array(this.sequenceTerms * b * row);
      for (let t = 0; t < this.sequenceTerms; t++) {
        for (let k = 0; k < b; k++) {
          const s = indices[k], from = (t * this.samples + s) * row, to = (t * b + k) * row, valid = this.lengths[s] * D;
          for (let j = 0; j < valid; j++) out[to + j] = src[from + j];
        }
      }
    }
    const P = this.staticInputs, statics = this.staticTerms > 0 ? new Float32Array(this.staticTerms * b * P) : null;
    if (statics) {
      for (let t = 0; t < this.staticTerms; t++) {
        const flagged = P === 2 && this.staticFlagged[t];
        for (let k = 0; k < b; k++) {
          const at = t * this.samples + indices[k];
          statics[(t * b + k) * P] = this.statics[at];
          if (flagged) statics[(t * b + k) * P + 1] = Number.isNaN(this.rawStatics[at]) ? 1 : 0;
        }
      }
    }
    const oneHot = C > 0 ? new Float32Array(C * b * L) : null;
    if (oneHot) for (let c = 0; c < C; c++) for (let k = 0; k < b; k++) oneHot[(c * b + k) * L + this.categorical[c * this.samples + indices[k]]] = 1;
    return {
      x, shape: [this.sequenceTerms, b, S, D], lengths: Int32Array.from(indices, (i) => this.lengths[i]),
      static: statics && { data: statics, shape: [this.staticTerms, b, P] },
      categorical: oneHot && { data: oneHot, shape: [C, b, L] },
      y: Float32Array.from(indices, (i) => this.targets[i]),
      weights: this.weights && Float32Array.from(indices, (i) => this.weights![i]),
    };
  }
}

export interface MixedBatch {
  x: Float32Array | null;
  shape: number[];
  lengths: Int32Array;
  static: { data: Float32Array; shape: number[] } | null;
  categorical: { data: Float32Array; shape: number[] } | null;
  y: Float32Array;
  /** The samples' weights, null when the dataset has none. */
  weights: Float32Array | null;
}
