// `rnam train`: arguments to trainTable (or trainStream for a file read a chunk of whole ids at a
// time), and its model, report.json and report.html written together. The first Ctrl-C (or SIGTERM)
// stops training after the running batch and writes what was trained; a second exits at once.
import { createReadStream, statSync } from 'node:fs';
import { join } from 'node:path';
import { trainTable, trainStream, saveTrained, DataError, type Report, type TrainedTable, type TrainTableOptions } from '../index.js';
import { writeFilesAtomically } from '../io/atomic-write.js';
import type { TrainArgs } from './args.js';
import { checkInputFile, checkOutDir, readInput } from './files.js';
import { renderReportHtml } from './report-html.js';
import { onSignals } from './signals.js';

export type Log = (line: string) => void;

/** Above this size `rnam train` streams unless --in-memory: a file this large held as text and parsed rows takes several times its size. */
export const STREAM_ABOVE_BYTES = 256 * 1024 * 1024;

export async function train(args: TrainArgs, log: Log): Promise<Report> {
  checkOutDir(args.out);
  checkInputFile(args.data, 'the data file');
  const name = (signal: NodeJS.Signals) => (signal === 'SIGINT' ? 'Ctrl-C' : signal);
  const signals = onSignals(
    (signal) => log(`${name(signal)}: stopping after this batch; the model keeps each member's best epoch so far and is written (${name(signal)} again stops at once, writing nothing)`),
    (signal) => log(`${name(signal)}: stopped at once, nothing written`));
  try {
    return await trainWith(args, log, { onBatch: () => signals.turn(), shouldStop: () => signals.count > 0 });
  } finally {
    signals.dispose();
  }
}

async function trainWith(args: TrainArgs, log: Log, stopping: Pick<TrainTableOptions, 'onBatch' | 'shouldStop'>): Promise<Report> {
  const options: TrainTableOptions = {
    ...stopping,
    id: args.id, time: args.time, target: args.target, features: args.features, static: args.static, categorical: args.categorical, exclude: args.exclude,
    task: args.task, positive: args.positive, classes: args.classes,
    window: args.window, horizon: args.horizon, missing: args.missing, skewed: args.skewed, ...(args.targetHistory ? { targetHistory: true } : {}), ...(args.targetChange !== undefined ? { targetChange: args.targetChange } : {}),
    split: { validation: args.validation, test: args.test, seed: args.splitSeed ?? args.seed, ...(args.splitColumn !== undefined ? { column: args.splitColumn } : {}) },
    epochs: args.epochs, patience: args.patience, batchSize: args.batchSize, lr: args.lr, weightDecay: args.weightDecay, seed: args.seed, hiddenDim: args.hidden, blocks: args.blocks, members: args.members,
    weight: args.weight, device: args.device, log, progress: args.progress,
  };
  const why = streamReason(args, statSync(args.data).size);
  if (why) {
    log(`streaming ${args.data}${why}`);
    const flags: [unknown, string][] = [[args.model === 'first-order' ? true : undefined, '--model first-order'], [args.refit || undefined, '--refit'], [args.stopping, '--stopping'], [args.testData, '--test-data'], [args.classWeight, '--class-weight'], [args.coverage, '--coverage']];
    const refused = flags.find(([v]) => v !== undefined);
    if (refused) throw new DataError('option', `${refused[1]} is not available when streaming (one additive member, no intervals, the test split from the stream): pass --in-memory to read the file whole`);
    const { members, ...rest } = options;
    if (members !== undefined && members !== 1) throw new DataError('option', `--members ${members}: streamed training trains one member (each would read the file every epoch); pass --in-memory for an ensemble`);
    try {
      const trained = await trainStream(() => ({ csv: createReadStream(args.data, { highWaterMark: 1 << 20 }) }), rest);
      await writeTrained(trained, args.out, log);
      return trained.report;
    } catch (err) {
      if (err instanceof DataError && err.code === 'unsorted-stream') log('rnam train --stream reads the file a chunk of whole ids at a time: sort it by id, or pass --in-memory to read it whole');
      throw err;
    }
  }
  const text = readInput(args.data, 'the data file').toString('utf8');
  const testData = args.testData === undefined ? undefined : readInput(args.testData, 'the test data file').toString('utf8');
  const trained = await trainTable(text, {
    ...options, model: args.model, refit: args.refit, stopping: args.stopping, coverage: args.coverage, ...(testData !== undefined ? { testData } : {}), classWeight: args.classWeight,
  });
  await writeTrained(trained, args.out, log);
  return trained.report;
}

/** Why `rnam train` streams the file (the end of the stderr line that says so), or null to read it whole. */
export function streamReason(args: Pick<TrainArgs, 'stream' | 'inMemory'>, bytes: number): string | null {
  if (args.stream) return ' (--stream): a chunk of whole ids at a time';
  if (args.inMemory || bytes <= STREAM_ABOVE_BYTES) return null;
  return `: ${(bytes / 2 ** 20).toFixed(0)} MiB is above the ${STREAM_ABOVE_BYTES / 2 ** 20} MiB read whole (--in-memory reads it whole)`;
}

/** A trained table's model.safetensors, report.json and report.html in `dir`, written together. */
export async function writeTrained(trained: Omit<TrainedTable, 'datasets'>, dir: string, log: Log, options: { history?: boolean } = {}): Promise<void> {
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
