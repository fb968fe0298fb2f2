// The messages between the page (main.ts) and the training worker (worker.ts). Plain data only:
// everything here crosses postMessage (structured clone).

export type DeviceChoice = 'auto' | 'wasm' | 'webgpu';
import type { Task } from 'rnam';
import type { ColumnGuess } from './column-guess.js';

export type { Task };

/** Where the data comes from: the seed's generator, the shipped Seattle weather, or the user's CSV. */
export type DataSpec =
  | { kind: 'seed'; samples: number; seq: number; seed: number }
  | { kind: 'weather' }
  | { kind: 'csv'; text: string; mapping: CsvMapping };

export interface CsvMapping {
  id?: string;
  /** Absent: a plain table, one sample per row. */
  time?: string;
  target: string;
  /** Absent: the library's rule infers it from the target column. */
  task?: Task;
  /** Window mode: samples are windows of this many steps; absent: one sample per id (panel) or per row (table). */
  window?: number;
  /** Panel mode: the target's earlier values are a feature too (trainTable's targetHistory). */
  targetHistory?: boolean;
  /** Every feature column's role, named (trainTable's features, static, categorical); absent: the library chooses, or see `overrides`. */
  roles?: ColumnRoles;
  /**
   * The role the user chose for each candidate column ('auto': the library's choice). The worker
   * resolves the 'auto' ones with the library's rule and names every role, as the CLI's flags do.
   */
  overrides?: Record<string, RoleChoice>;
}

export type RoleChoice = 'auto' | 'time-varying' | 'static' | 'categorical' | 'none';

/** Which columns are which kind of feature (the CLI's --features, --static, --categorical). */
export interface ColumnRoles {
  /** Time-varying features. */
  features: string[];
  static: string[];
  categorical: string[];
}

/** The roles the library chose for a mapping, as Preprocessing.fit reports them, or why it could not. */
export interface RolesPreview {
  roles?: ColumnRoles & { sequenceCategorical: string[] };
  /** 'panel', 'window' or 'table'. */
  mode?: string;
  task?: Task;
  error?: string;
}

export type ModelKind = 'additive' | 'first-order';

export interface TrainSettings {
  /** Table data: 'additive' (the library's default, mixed inputs) or 'first-order' (one value per feature and step). */
  model: ModelKind;
  /** Absent: the library's default (enough for about 600 steps, early stopping). */
  epochs?: number;
  batchSize: number;
  lr: number;
  /** Absent: the library's default (8 below 2,000 training samples, else 16). */
  hiddenDim?: number;
  blocks: number;
  seed: number;
  /** Additive model: ensemble members (absent: the library's 5). */
  members?: number;
  /** Regression: the prediction intervals' coverage (absent: 0.9). */
  coverage?: number;
}

export type ToWorker =
  | { type: 'columns'; text: string }
  /** ask: a number the answer carries back, so the page keeps the answer to its latest question only. */
  | { type: 'roles'; text: string; mapping: CsvMapping; ask: number }
  | { type: 'device'; device: DeviceChoice }
  | { type: 'train'; device: DeviceChoice; data: DataSpec; settings: TrainSettings }
  | { type: 'stop' }
  | { type: 'load'; device: DeviceChoice; data: DataSpec; bytes: Uint8Array }
  | { type: 'local'; sample: number }
  | { type: 'download' };

export interface DeviceInfo {
  kind: string;
  reason: string;
  threads: number;
  threadsReason: string | null;
  crossOriginIsolated: boolean;
}

export interface ShapeCurve {
  feature: string;
  /** Mixed inputs: a time-varying term (x: a summary of its sequence), a static one (x: its value) or a categorical one (a bar per level). */
  kind: 'sequence' | 'static' | 'categorical';
  /** Samples (thinned), sorted by x. */
  x: number[];
  contribution: number[];
  /** The binned curve: mean contribution per quantile bin of x. */
  curveX: number[];
  curve: number[];
  /** When the explanation gives a spread per bin (across ensemble members): the band's lower and upper edge at curveX. */
  band?: { lower: number[]; upper: number[] };
  /** A categorical term whose level changes in time (its x: the last observed level). */
  timeVarying?: boolean;
  /** The feature was read as log(1 + value): its x axis is logarithmic (asinh), x in the feature's units. */
  logAxis?: boolean;
  /** Categorical terms: per level present, its mean contribution, sample count and (when given) spread. */
  levels?: { level: string; contribution: number; count: number; lower?: number; upper?: number }[];
}

/** What a mixed-input model's training reported beyond the explanation (trainTable's report). */
export interface ModelFacts {
  /** One line: the model class, its sizes and members. */
  model: string;
  /** The columns by role. */
  roles: ColumnRoles & { sequenceCategorical: string[] };
  mode: string;
  /** The split the explanation is on. */
  explainedSplit: string;
  /** Per member, the epochs it trained (early stopping picks each member's best). */
  memberEpochs?: number[];
  /** Per member the epoch whose weights it ends with, and whether the members stopped together (pooled) or each on its own. */
  memberBestEpochs?: number[];
  stopping?: 'pooled' | 'each';
  /** Regression: prediction +- halfWidth covers the target with this coverage (split-conformal). */
  /** width: the half-width as the page says it (the library's describeHalfWidth). */
  intervals?: { coverage: number; halfWidth: number; calibrationSamples: number; testCoverage?: number; width: string };
  /** Binary: the reliability curve and the expected calibration error. */
  calibration?: { split: string; bins: { p: number; observed: number; count: number }[]; ece: number };
  /** The simple baselines' test metrics. */
  baselines?: Record<string, Record<string, number>>;
  /** Training's warnings about the data (the report's notes of kind 'warning'). */
  warnings?: string[];
}

export interface ExplanationView {
  task: Task;
  featureNames: string[];
  intercept: number;
  /** sd: the importance's spread across ensemble members, when there are several. */
  importance: { feature: string; importance: number; sd?: number }[];
  shapes: ShapeCurve[];
  /** Mixed-input models: what training reported (absent for the first-order model). */
  facts?: ModelFacts;
  /** The x axis of the shapes: how each input sequence is summarized ('last', 'mean', 'ema'). */
  summary: string;
  /** True when x is in the data's own units, false when standardized. */
  originalUnits: boolean;
  /** Samples the local explanation can be asked for (the explained split). */
  samples: number;
  sampleLabels: string[];
  /** Classification with text labels: the label of each class index (absent: the indices are shown). */
  classes?: string[];
  /** Multiclass: every class's shape functions (`shapes` is class 0's), for the page's class choice. */
  classShapes?: ShapeCurve[][];
}

export interface LocalView {
  sample: number;
  label: string;
  contributions: { feature: string; value: number }[];
  /** Includes `from`, when there is one. */
  intercept: number;
  /** A target learned as its change: the sample's last known value, which the prediction starts from. */
  from?: number;
  prediction: number;
  probability?: number;
  /** The output explained: the predicted class for multiclass, else 0. */
  output: number;
  target: number;
}

export interface EpochView {
  epoch: number;
  /** The most epochs (early stopping may end sooner); 0 when the library chooses. */
  epochs: number;
  /**
   * Ensembles, whose members train side by side: the member whose losses these are (1-based, the
   * first still training), how many trained this epoch and how many there are (absent: the library's default count).
   */
  member?: number;
  training?: number;
  members?: number;
  trainLoss: number;
  valLoss?: number;
  /** Ensembles with validation: the mean validation loss of the members that trained this epoch. */
  meanValLoss?: number;
  seconds: number;
  metrics: { train: Record<string, number>; validation?: Record<string, number> };
}

export type FromWorker =
  | { type: 'columns'; columns: string[]; rows: number; numeric: string[]; guess: ColumnGuess }
  | { type: 'device'; info: DeviceInfo }
  | { type: 'data'; summary: string; task: Task; featureNames: string[] }
  | { type: 'roles'; preview: RolesPreview; ask: number }
  /** explanation: the ensemble's as its members train (absent when none was computed). */
  | { type: 'epoch'; view: EpochView; explanation?: ExplanationView }
  | { type: 'done'; stopped: boolean; explanation: ExplanationView; predictions: number[]; metrics?: Record<string, Record<string, number> | null> }
  /** predictions: the validation windows' (first-order) or every sample's of the chosen table (mixed inputs). */
  | { type: 'loaded'; explanation: ExplanationView; predictions: number[]; metrics: Record<string, number>; summary: string }
  | { type: 'local'; view: LocalView }
  | { type: 'model'; bytes: Uint8Array; name: string }
  | { type: 'error'; message: string };
