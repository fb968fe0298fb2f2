// `rnam cv`: train's arguments and --folds to crossValidate; cv.json and oof.csv written together.
import { basename, join } from 'node:path';
import Papa from 'papaparse';
import { crossValidate, DEFAULT_QUEUE, QueueExecutor, type CrossValidateOptions, type CrossValidation } from '../index.js';
import { comparedMetric } from './compared-metric.js';
import { writeFilesAtomically } from '../io/atomic-write.js';
import type { CvArgs, QueueArgs, TrainArgs } from './args.js';
import { checkOutDir, readInput } from './files.js';
import { renderCvHtml } from './cv-html.js';
import type { Log } from './train.js';

/** train's arguments as crossValidate's (and search's) options: no test part of a file or a column of its own. */
export function crossValidateOptions(args: TrainArgs): CrossValidateOptions {
  return {
    id: args.id, time: args.time, target: args.target, features: args.features, static: args.static, categorical: args.categorical, exclude: args.exclude,
    model: args.model, task: args.task, positive: args.positive, classes: args.classes, window: args.window, horizon: args.horizon, missing: args.missing, skewed: args.skewed, ...(args.targetHistory ? { targetHistory: true } : {}), ...(args.targetChange !== undefined ? { targetChange: args.targetChange } : {}),
    split: { validation: args.validation, seed: args.splitSeed ?? args.seed },
    epochs: args.epochs, patience: args.patience, batchSize: args.batchSize, lr: args.lr, weightDecay: args.weightDecay, seed: args.seed, hiddenDim: args.hidden, blocks: args.blocks,
    members: args.members, stopping: args.stopping, refit: args.refit, coverage: args.coverage, weight: args.weight, classWeight: args.classWeight, device: args.device,
  };
}

/** Where the jobs run: the queue's workers (--queue), or local threads (--workers). */
export function jobsRunner(args: QueueArgs & { workers?: number }, log: Log): { executor: QueueExecutor } | { workers?: number } {
  if (args.queue === undefined) return { workers: args.workers };
  log(`jobs on the queue ${args.queueName ?? DEFAULT_QUEUE} at ${args.queue} (start workers with: rnam worker --queue URL${args.queueName ? ` --queue-name ${args.queueName}` : ''})`);
  return { executor: new QueueExecutor({ url: args.queue, ...(args.queueName ? { queue: args.queueName } : {}), log }) };
}

export async function crossValidateCommand(args: CvArgs, log: Log): Promise<CrossValidation> {
  checkOutDir(args.out);
  const text = readInput(args.data, 'the data file').toString('utf8');
  const cv = await crossValidate(text, { ...crossValidateOptions(args), folds: args.folds, ...jobsRunner(args, log), log });
  const { header, rows, ...report } = cv;
  await writeFilesAtomically([
    [join(args.out, 'cv.json'), JSON.stringify(report, null, 2) + '\n'],
    [join(args.out, 'oof.csv'), Papa.unparse({ fields: header, data: rows }) + '\n'],
    [join(args.out, 'cv.html'), renderCvHtml(report, `${basename(args.data)}, target ${args.target}`)],
  ]);
  const meanSd = (s: { mean: number; sd: number }) => `${s.mean.toFixed(4)} ± ${s.sd.toFixed(4)}`;
  // A fold that scores one class has no AUC: say in how many, and compare on the log loss instead.
  const { metric, undefinedAuc: oneClass } = comparedMetric(cv);
  const undefinedAuc = `auc undefined in ${oneClass} of ${cv.folds.length} folds (a fold that scores one class)`;
  log(`${cv.scheme} ${cv.folds.length}-fold: ${Object.entries(cv.summary).map(([m, s]) => (m === 'auc' && oneClass ? undefinedAuc : `${m} ${meanSd(s)}`)).join(', ')}`);
  if (cv.baselines && cv.summary[metric]) {
    log(`${oneClass ? `${undefinedAuc}; ` : ''}${metric} on the same folds: rnam ${meanSd(cv.summary[metric])}; ${Object.entries(cv.baselines).map(([name, s]) => `${name} ${s[metric] ? meanSd(s[metric]) : '-'}`).join(', ')}`);
  }
  log(`wrote ${join(args.out, 'cv.json')}, oof.csv (${rows.length} out-of-fold predictions) and cv.html`);
  return cv;
}
