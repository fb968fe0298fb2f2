// `rnam train`: arguments to trainTable, and its model, report.json and report.html written together.
import { join } from 'node:path';
import { trainTable, saveTrained, type Report, type TrainedTable } from '../index.js';
import { writeFilesAtomically } from '../io/atomic-write.js';
import type { TrainArgs } from './args.js';
import { checkOutDir, readInput } from './files.js';
import { renderReportHtml } from './report-html.js';

export type Log = (line: string) => void;

export async function train(args: TrainArgs, log: Log): Promise<Report> {
  checkOutDir(args.out);
  const text = readInput(args.data, 'the data file').toString('utf8');
  const testData = args.testData === undefined ? undefined : readInput(args.testData, 'the test data file').toString('utf8');
  const trained = await trainTable(text, {
    id: args.id, time: args.time, target: args.target, features: args.features, static: args.static, categorical: args.categorical,
    model: args.model, task: args.task, positive: args.positive,
    window: args.window, horizon: args.horizon, missing: args.missing,
    split: { validation: args.validation, test: args.test, seed: args.splitSeed ?? args.seed, ...(args.splitColumn !== undefined ? { column: args.splitColumn } : {}) },
    refit: args.refit, coverage: args.coverage, ...(testData !== undefined ? { testData } : {}),
    epochs: args.epochs, patience: args.patience, batchSize: args.batchSize, lr: args.lr, weightDecay: args.weightDecay, seed: args.seed, hiddenDim: args.hidden, blocks: args.blocks, members: args.members,
    weight: args.weight, classWeight: args.classWeight, device: args.device, log, progress: args.progress,
  });
  await writeTrained(trained, args.out, log);
  return trained.report;
}

/** A trained table's model.safetensors, report.json and report.html in `dir`, written together. */
export async function writeTrained(trained: TrainedTable, dir: string, log: Log, options: { history?: boolean } = {}): Promise<void> {
  const { report } = trained;
  const model = await saveTrained(trained, options.history === false ? {} : { history: trained.history });
  const html = await renderReportHtml(report, trained.explanation);
  await writeFilesAtomically([
    [join(dir, 'model.safetensors'), model],
    [join(dir, 'report.json'), JSON.stringify(report, null, 2) + '\n'],
    [join(dir, 'report.html'), html],
  ]);
  log(`wrote ${join(dir, 'model.safetensors')}, report.json, report.html (${report.seconds.toFixed(1)} s)`);
}
