// Accuracy of rnam's one path (trainTable with its defaults, then predictTable) on the shipped public
// data sets, on exactly the test splits of the side-by-side baselines (bench/baselines/baselines.py,
// results in bench/baselines/results.json): mean ± sd over seeds 0..4, next to the baselines.
//   node --import tsx bench/accuracy.ts [--data csl,nafld,flchain,penguins,cps1985,chicago,ozone] [--seeds 5] [--json out.json] [--log] [option=value ...]
// --log prints each training run's log lines to stderr.
// Extra key=value pairs go to trainTable (e.g. hiddenDim=8 epochs=60; a list with commas: static=age,bmi), for trying settings.
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { execSync } from 'node:child_process';
import * as rnam from '../src/index.js';

const root = join(import.meta.dirname ?? new URL('.', import.meta.url).pathname, '..');
const dataDir = join(root, 'examples', 'data');
const args = process.argv.slice(2);
const flag = (name: string) => {
  const i = args.indexOf(`--${name}`);
  return i >= 0 ? args[i + 1] : undefined;
};
const seeds = Number(flag('seeds') ?? 5);
const which = (flag('data') ?? 'csl,nafld,flchain,penguins,cps1985,chicago,ozone').split(',');
const extra: Record<string, unknown> = Object.fromEntries(args.filter((a) => /^\w+=/.test(a)).map((a) => {
  const [k, v] = a.split('=');
  return [k, v === 'true' || v === 'false' ? v === 'true' : v.includes(',') ? v.split(',').filter(Boolean) : Number.isNaN(Number(v)) ? v : Number(v)];
}));

interface Case {
  csv: string;
  options: rnam.TrainTableOptions;
  /** Rows (CSV lines without the header) of the training part for a seed, and a filter of predicted samples to score. */
  split(seed: number, header: string[], rows: string[][]): { train: string[][]; test: string[][]; keep(p: rnam.TablePrediction, i: number): boolean };
  metrics: string[];
  baselines: string[];
}

const bySplitFile = (name: string, column: string) => (seed: number, header: string[], rows: string[][]) => {
  const ids = new Set((JSON.parse(readFileSync(join(dataDir, `${name}.splits.json`), 'utf8'))[String(seed)] as number[]).map(String));
  const c = header.indexOf(column);
  return { train: rows.filter((r) => !ids.has(r[c])), test: rows.filter((r) => ids.has(r[c])), keep: () => true };
};

const cases: Record<string, Case> = {
  csl: {
    csv: 'csl.csv', options: { id: 'id', time: 'day', target: 'died_within_3y' }, split: bySplitFile('csl', 'id'),
    metrics: ['auc', 'logLoss'], baselines: ['base_rate', 'logreg_last', 'xgb_summaries'],
  },
  nafld: {
    csv: 'nafld.csv', options: { id: 'id', time: 'day', target: 'died_within_5y' }, split: bySplitFile('nafld', 'id'),
    metrics: ['auc', 'logLoss'], baselines: ['base_rate', 'logreg_last', 'logreg_last_plain', 'xgb_summaries'],
  },
  flchain: {
    csv: 'flchain.csv', options: { id: 'row', target: 'died_within_5y' }, split: bySplitFile('flchain', 'row'),
    metrics: ['auc', 'logLoss'], baselines: ['base_rate', 'logreg', 'logreg_plain', 'xgb'],
  },
  penguins: {
    csv: 'penguins.csv', options: { id: 'row', target: 'species' }, split: bySplitFile('penguins', 'row'),
    metrics: ['logLoss', 'accuracy'], baselines: ['class_rates', 'logreg', 'xgb'],
  },
  cps1985: {
    csv: 'cps1985.csv', options: { id: 'row', target: 'wage' }, split: bySplitFile('cps1985', 'row'),
    metrics: ['rmse', 'mae'], baselines: ['mean', 'ridge', 'ridge_logwage', 'xgb'],
  },
  chicago: {
    csv: 'chicago.csv', options: { time: 'date', target: 'ridership', window: 14, horizon: 1 },
    split: (seed, header, rows) => {
      const first = Date.parse(`${JSON.parse(readFileSync(join(dataDir, 'chicago.splits.json'), 'utf8'))[String(seed)].first_test_date}T00:00:00Z`);
      const d = header.indexOf('date');
      // Train on the rows before the first test target; predict every window and score those whose target is in the test period.
      // A window is timed at its last input day; its target is the next day.
      return { train: rows.filter((r) => Date.parse(`${r[d]}T00:00:00Z`) < first), test: rows, keep: (p, i) => p.times[i] + 86_400_000 >= first };
    },
    metrics: ['rmse', 'mae'], baselines: ['persistence', 'seasonal_naive_7', 'ridge_last_step', 'xgb_lags'],
  },
  ozone: {
    csv: 'ozone.csv', options: { time: 'date', target: 'ozone', window: 7, horizon: 1 },
    split: (seed, header, rows) => {
      // Rolling origin: the seed picks the origin; train on the 153 days before it, score the targets of the 30 days from it.
      const s = JSON.parse(readFileSync(join(dataDir, 'ozone.splits.json'), 'utf8'))[String(seed)];
      const day = (v: string) => Date.parse(`${v}T00:00:00Z`), d = header.indexOf('date');
      const from = day(s.first_train_date), first = day(s.first_test_date), last = day(s.last_test_date);
      return {
        train: rows.filter((r) => day(r[d]) >= from && day(r[d]) < first),
        test: rows.filter((r) => day(r[d]) <= last),
        keep: (p, i) => p.times[i] + 86_400_000 >= first && p.times[i] + 86_400_000 <= last,
      };
    },
    metrics: ['rmse', 'mae'], baselines: ['training_mean', 'persistence', 'ridge_last_step', 'xgb_lags'],
  },
};

const csvText = (header: string[], rows: string[][]) => [header.join(','), ...rows.map((r) => r.join(','))].join('\n') + '\n';
const stats = (xs: number[]) => {
  const m = xs.reduce((a, b) => a + b, 0) / xs.length;
  return { mean: m, sd: Math.sqrt(xs.reduce((a, b) => a + (b - m) ** 2, 0) / Math.max(1, xs.length - 1)) };
};
const fmt = (s: { mean: number; sd: number }) => `${s.mean.toFixed(3)} ± ${s.sd.toFixed(3)}`;

const baselines = JSON.parse(readFileSync(join(root, 'bench', 'baselines', 'results.json'), 'utf8')).datasets;
const device = await rnam.device('wasm');
const cpu = execSync("lscpu | sed -n 's/^Model name: *//p'").toString().trim();
const out: Record<string, unknown> = {};
console.log(`rnam defaults${Object.keys(extra).length ? ` + ${JSON.stringify(extra)}` : ''} vs baselines, ${seeds} seeds, ${cpu}, wasm (${rnam.cpu.threads} threads)\n`);
for (const name of which) {
  const c = cases[name];
  const [head, ...lines] = readFileSync(join(dataDir, c.csv), 'utf8').trim().split('\n');
  const header = head.split(','), rows = lines.map((l) => l.split(','));
  const per: Record<string, number[]> = Object.fromEntries(c.metrics.map((m) => [m, []]));
  let seconds = 0;
  for (let seed = 0; seed < seeds; seed++) {
    const s = c.split(seed, header, rows);
    const started = Date.now();
    const trained = await rnam.trainTable(csvText(header, s.train), { ...c.options, seed, split: { validation: 0.15, test: 0, seed }, device, ...(args.includes('--log') ? { log: (l: string) => console.error(`  [seed ${seed}] ${l}`) } : {}), ...extra } as rnam.TrainTableOptions);
    seconds += (Date.now() - started) / 1000;
    const p = await rnam.predictTable(trained, csvText(header, s.test));
    const idx = Array.from({ length: p.samples }, (_, i) => i).filter((i) => p.targetKnown[i] && s.keep(p, i));
    const y = idx.map((i) => p.targets[i]), yHat = idx.map((i) => p.prediction[i]);
    const task = trained.preprocessing.task, classes = trained.preprocessing.outputs;
    const probabilities = task === 'multiclass' ? idx.flatMap((i) => Array.from(p.probabilities!.subarray(i * classes, (i + 1) * classes))) : [];
    const m: Record<string, number> = task === 'binary'
      ? { auc: rnam.rocAuc(yHat, y), logLoss: rnam.logLoss(yHat, y) }
      : task === 'multiclass'
        ? { logLoss: rnam.logLoss(probabilities, y, { classes }), accuracy: rnam.accuracy(probabilities, y, { classes }) }
        : { rmse: rnam.rmse(yHat, y), mae: rnam.mae(yHat, y) };
    for (const k of c.metrics) per[k].push(m[k]);
  }
  const summary = Object.fromEntries(c.metrics.map((k) => [k, stats(per[k])]));
  out[name] = { rnam: summary, perSeed: per, trainSeconds: seconds / seeds };
  console.log(`## ${name}\n\n| model | ${c.metrics.join(' | ')} |\n|---|${c.metrics.map(() => '---').join('|')}|`);
  console.log(`| rnam (trainTable defaults) | ${c.metrics.map((k) => fmt(summary[k])).join(' | ')} |`);
  // baselines.py names the log loss 'logloss'.
  const key = (k: string) => (k === 'logLoss' ? 'logloss' : k);
  for (const b of c.baselines) {
    const r = baselines[name].models[b];
    console.log(`| ${b} | ${c.metrics.map((k) => (r?.[key(k)] ? fmt(r[key(k)]) : '–')).join(' | ')} |`);
  }
  // Seed by seed against each baseline on the first metric: the mean difference and the seeds rnam wins.
  const first = c.metrics[0], higherIsBetter = first === 'auc';
  const paired = c.baselines.filter((b) => baselines[name].models[b]?.[key(first)]?.per_seed).map((b) => {
    const theirs: number[] = baselines[name].models[b][key(first)].per_seed, d = per[first].map((v, i) => v - theirs[i]);
    return `${b} ${fmt(stats(d))} (rnam better on ${d.filter((x) => (higherIsBetter ? x > 0 : x < 0)).length} of ${d.length})`;
  });
  console.log(`\nrnam minus each baseline, seed by seed (${first}): ${paired.join('; ')}`);
  console.log(`\n(rnam: ${(seconds / seeds).toFixed(1)} s per training run)\n`);
}
const json = flag('json');
if (json) writeFileSync(json, JSON.stringify(out, null, 2) + '\n');
