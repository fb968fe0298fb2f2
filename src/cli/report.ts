// The shape of report.json (the CLI's contract: task, features, samples, metrics, importance, history).
import type { Task } from './args.js';
import type { DataSettings } from './train.js';

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
