// The messages between the page (main.ts) and the training worker (worker.ts). Plain data only:
// everything here crosses postMessage (structured clone).

export type DeviceChoice = 'auto' | 'wasm' | 'webgpu';
import type { Task } from 'rnam';

export type { Task };

/** Where the data comes from: the seed's generator, the shipped Seattle weather, or the user's CSV. */
export type DataSpec =
  | { kind: 'seed'; samples: number; seq: number; seed: number }
  | { kind: 'weather' }
  | { kind: 'csv'; text: string; mapping: CsvMapping };

export interface CsvMapping {
  id?: string;
  time: string;
  target: string;
  features: string[];
  task: Task;
  window: number;
}

export interface TrainSettings {
  epochs: number;
  batchSize: number;
  lr: number;
  hiddenDim: number;
  blocks: number;
  seed: number;
}

export type ToWorker =
  | { type: 'columns'; text: string }
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
  /** Samples (thinned), sorted by x. */
  x: number[];
  contribution: number[];
  /** The binned curve: mean contribution per quantile bin of x. */
  curveX: number[];
  curve: number[];
}

export interface ExplanationView {
  task: Task;
  featureNames: string[];
  intercept: number;
  importance: { feature: string; importance: number }[];
  shapes: ShapeCurve[];
  /** The x axis of the shapes: how each input sequence is summarized ('last', 'mean', 'ema'). */
  summary: string;
  /** True when x is in the data's own units, false when standardized. */
  originalUnits: boolean;
  /** Samples the local explanation can be asked for (the explained split). */
  samples: number;
  sampleLabels: string[];
}

export interface LocalView {
  sample: number;
  label: string;
  contributions: { feature: string; value: number }[];
  intercept: number;
  prediction: number;
  probability?: number;
  /** The output explained: the predicted class for multiclass, else 0. */
  output: number;
  target: number;
}

export interface EpochView {
  epoch: number;
  epochs: number;
  trainLoss: number;
  valLoss?: number;
  seconds: number;
  metrics: { train: Record<string, number>; validation?: Record<string, number> };
}

export type FromWorker =
  | { type: 'columns'; columns: string[]; rows: number; numeric: string[] }
  | { type: 'device'; info: DeviceInfo }
  | { type: 'data'; summary: string; task: Task; featureNames: string[] }
  | { type: 'epoch'; view: EpochView; explanation: ExplanationView }
  | { type: 'done'; stopped: boolean; explanation: ExplanationView; predictions: number[] }
  | { type: 'loaded'; explanation: ExplanationView; predictions: number[]; metrics: Record<string, number>; summary: string }
  | { type: 'local'; view: LocalView }
  | { type: 'model'; bytes: Uint8Array; name: string }
  | { type: 'error'; message: string };
