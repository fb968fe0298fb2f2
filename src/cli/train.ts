// `rnam train`: a CSV to a trained, explained, saved RNAM, with the public API only: datasets from
// the table, fit with early stopping on the validation split, metrics per split, the explanation,
// model.safetensors with everything predict needs, report.json and report.html.
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  AdamW, FirstOrderRNAM, datasetsFromTable, device as chooseDevice, explain, fit, manualSeed, readCsv, saveAsync,
  type Datasets, type TableDatasetOptions,
} from '../index.js';
import type { TrainArgs, Task } from './args.js';
import { UsageError } from './args.js';
import { checkTask, inferTask } from './task.js';
import { modelOutputs } from './outputs.js';
import { rawTargets, splitMetrics, type SplitMetrics } from './metrics.js';
import { renderReportHtml } from './report-html.js';
import type { CliMetadata, DataSettings, Report } from './report.js';

export type { Task };
export type Log = (line: string) => void;

/** Numbers, or ISO-8601 dates (the data layer has checked every cell already). */
function timeKindOf(cell: unknown): 'number' | 'date' {
  return typeof cell === 'number' || (typeof cell === 'string' && cell.trim() !== '' && Number.isFinite(Number(cell))) ? 'number' : 'date';
}

function readText(path: string, what: string): string {
  try {
    return readFileSync(path, 'utf8');
  } catch (err) {
    throw new UsageError(`cannot read ${what} '${path}': ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`);
  }
}

export async function train(args: TrainArgs, log: Log): Promise<Report> {
  const started = Date.now();
  const table = readCsv(readText(args.data, 'the data file'), {});
  const mode = args.window !== undefined ? 'window' : 'panel';
  const options: TableDatasetOptions = {
    id: args.id, time: args.time, target: args.target, features: args.features, mode, missing: args.missing,
    ...(mode === 'window' ? { window: args.window, horizon: args.horizon ?? 1 } : {}),
    // Panel: whole ids to each split; window: each id's series cut in time, so no training window sees the future.
    split: mode === 'panel' ? { by: 'entity', validation: 0.15, test: 0.15, seed: args.seed } : { by: 'time', validation: 0.15, test: 0.15 },
    standardize: { features: true, target: false },
  };
  const unscaled = datasetsFromTable(table, options);
  // The hint is read over every split's targets.
  const hint = unscaled.train.task;
  const task: Task = args.task ?? inferTask(hint);
  if (args.task) checkTask(args.task, hint, args.target);
  else log(`task: ${task} (inferred from column '${args.target}'; --task to choose)`);
  // A regression target is standardized for training too (predictions come back in its units).
  const data: Datasets = task === 'regression' ? datasetsFromTable(table, { ...options, standardize: { features: true, target: true } }) : unscaled;
  const { train: trainSet, validation, test } = data;
  const features = [...trainSet.featureNames];
  const classes = task === 'multiclass' ? Math.max(...[trainSet, validation, test].map((d) => d?.task.classes ?? 0)) : task === 'binary' ? 2 : 1;
  log(`data: ${features.length} features (${features.join(', ')}), ${mode} mode; samples: train ${trainSet.samples}, validation ${validation?.samples ?? 0}, test ${test?.samples ?? 0}`);

  const dev = await chooseDevice(args.device);
  log(`device: ${dev.reason}`);
  manualSeed(args.seed);
  const model = new FirstOrderRNAM({ terms: features.length, hiddenDim: args.hidden, outDim: task === 'multiclass' ? classes : 1, blocks: args.blocks });
  model.to(dev);
  const optimizer = new AdamW(model.parameters(), { lr: args.lr });
  const history = await fit(model, trainSet, {
    epochs: args.epochs, batchSize: args.batchSize, optimizer, validation, task, progress: args.progress, log,
    ...(validation ? { earlyStopping: { monitor: 'valLoss', patience: 8, restoreBestWeights: true } } : {}),
  });

  const metrics: Record<'train' | 'validation' | 'test', SplitMetrics | null> = { train: null, validation: null, test: null };
  for (const [name, ds] of [['train', trainSet], ['validation', validation], ['test', test]] as const) {
    if (!ds) continue;
    const out = await modelOutputs(model, ds, task, data.standardizer);
    metrics[name] = splitMetrics(task, out, rawTargets(ds, task, data.standardizer));
  }
  const explanation = await explain(model, test ?? validation ?? trainSet);
  const settings: DataSettings = {
    id: args.id, time: args.time, target: args.target, features, mode, missing: args.missing,
    ...(mode === 'window' ? { window: args.window, horizon: args.horizon ?? 1 } : { maxLength: trainSet.seq }),
  };
  mkdirSync(args.out, { recursive: true });
  const cli: CliMetadata = { timeKind: timeKindOf(table.rows[0]?.[table.columns.indexOf(args.time)]), featureMeans: data.featureMeans };
  const bytes = await saveAsync(model, {
    task, featureNames: features, targetNames: [args.target], classes: task === 'multiclass' ? Array.from({ length: classes }, (_, k) => String(k)) : undefined,
    standardizer: data.standardizer, data: settings, history, metadata: { cli },
  });
  writeFileSync(join(args.out, 'model.safetensors'), bytes);

  const report: Report = {
    task, target: args.target, features, data: settings,
    samples: { train: trainSet.samples, validation: validation?.samples ?? 0, test: test?.samples ?? 0 },
    metrics, importance: explanation.importance.map((e) => ({ feature: e.feature, importance: e.importance })),
    history: history.map((h) => ({ epoch: h.epoch, trainLoss: h.trainLoss, valLoss: h.valLoss, seconds: h.seconds })),
    model: { class: 'FirstOrderRNAM', options: model.options, parameters: model.parameters().reduce((s, p) => s + p.numel, 0) },
    device: dev.reason, seconds: (Date.now() - started) / 1000,
  };
  writeFileSync(join(args.out, 'report.json'), JSON.stringify(report, null, 2) + '\n');
  writeFileSync(join(args.out, 'report.html'), await renderReportHtml(report, explanation));
  log(`wrote ${join(args.out, 'model.safetensors')}, report.json, report.html (${report.seconds.toFixed(1)} s)`);
  return report;
}
