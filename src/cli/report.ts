// The shape of report.json (the CLI's contract: task, features, samples, metrics, importance, history).
import type { Task } from './args.js';

export interface Report {
  task: Task;
  target: string;
  features: string[];
  data: DataSettings;
  samples: { train: number; validation: number; test: number };
  /** Per split: binary auc, accuracy, logLoss; regression rmse, mae, r2; multiclass accuracy, logLoss. Null for an empty split. */
  metrics: Record<'train' | 'validation' | 'test', Record<string, number> | null>;
  /** Mean absolute contribution per feature, largest first. */
  importance: { feature: string; importance: number }[];
  history: { epoch: number; trainLoss: number; valLoss?: number; seconds: number }[];
  model: { class: string; options: object; parameters: number };
  device: string;
  seconds: number;
}

/** The data settings stored with the model (its `data` and `metadata`): predict rebuilds the same samples from them. */
export interface DataSettings {
  id?: string;
  time: string;
  target: string;
  features: string[];
  mode: 'panel' | 'window';
  window?: number;
  horizon?: number;
  missing: 'error' | 'carry-forward';
  maxLength?: number;
}

/** What the data layer's options do not hold: how to print times, and the carry-forward fill values. */
export interface CliMetadata {
  timeKind: 'number' | 'date';
  /** Per feature, its training mean (fills leading gaps under carry-forward). */
  featureMeans: number[];
}
