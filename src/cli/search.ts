// `rnam search`: train's arguments and the space to search; trials.csv, search.json and search.html
// written together, the best configuration's model and report in DIR/model/ (as train writes them).
import { join } from 'node:path';
import { mkdirSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import Papa from 'papaparse';
import { describeConfig, search, type SearchResult } from '../index.js';
import { writeFilesAtomically } from '../io/atomic-write.js';
import type { SearchArgs } from './args.js';
import { crossValidateOptions, jobsRunner } from './cv.js';
import { checkOutDir, readInput } from './files.js';
import { renderSearchHtml } from './search-html.js';
import { writeTrained, type Log } from './train.js';

export async function searchCommand(args: SearchArgs, log: Log): Promise<SearchResult> {
  checkOutDir(args.out);
  const text = readInput(args.data, 'the data file').toString('utf8');
  const options: Record<string, unknown> = { ...crossValidateOptions(args), split: { validation: args.validation, test: args.test, seed: args.splitSeed ?? args.seed } };
  for (const key of Object.keys(args.space)) delete options[key];
  const runner = jobsRunner({ ...args, workers: args.workers ?? availableParallelism() }, log);
  const started = Date.now();
  const result = await search(text, args.space, {
    ...(options as unknown as Parameters<typeof search>[2]), trials: args.trials, grid: args.grid, folds: args.folds, ...runner, dir: args.out, log,
    onTrial: (t, done, total) => log(`trial ${t.trial} (${done} of ${total} done, ${((Date.now() - started) / 1000).toFixed(0)} s): ${describeConfig(t.config)}: ${
      Object.entries(t.metrics).map(([m, v]) => `${m} ${v.toFixed(4)}${t.sd ? ` ± ${t.sd[m].toFixed(4)}` : ''}`).join(', ')}`),
  });
  log(`jobs: ${result.jobs.ran} run, ${result.jobs.reused} finished before (${join(args.out, 'jobs')})`);
  const { trained, jobs: _jobs, ...summary } = result;
  const keys = [...new Set(result.trials.flatMap((t) => Object.keys(t.config)))], metrics = Object.keys(result.trials[0].metrics);
  const header = ['trial', ...keys, ...metrics, ...(result.trials[0].sd ? metrics.map((m) => `${m}_sd`) : []), 'samples'];
  const rows = result.trials.map((t) => [t.trial, ...keys.map((k) => t.config[k as keyof typeof t.config] ?? ''), ...metrics.map((m) => t.metrics[m]), ...(t.sd ? metrics.map((m) => t.sd![m]) : []), t.samples]);
  const test = trained?.report.metrics.test ?? null;
  await writeFilesAtomically([
    [join(args.out, 'trials.csv'), Papa.unparse({ fields: header, data: rows }) + '\n'],
    [join(args.out, 'search.json'), JSON.stringify({ ...summary, ...(trained ? { test } : {}) }, null, 2) + '\n'],
    [join(args.out, 'search.html'), renderSearchHtml(summary, test)],
  ]);
  log(`wrote ${join(args.out, 'trials.csv')}, search.json, search.html`);
  if (trained) {
    mkdirSync(join(args.out, 'model'), { recursive: true });
    // Without the history's timings, the model file is the same bytes for the same arguments.
    await writeTrained(trained, join(args.out, 'model'), log, { history: false });
  }
  return result;
}
