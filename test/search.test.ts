// Jobs, the local pool and search: a job's result is plain JSON that any transport carries exactly;
// runJob's kinds and payloads are checked (JobError); a held-out test part shares no id with the rest
// and windows never train on it; a search on 2 worker threads gives the bits of the sequential run
// (every trial's metrics, the files, the saved model's bytes); a search started again reruns no
// finished job and writes the same files; a bad space or command line is a typed error.
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as rnam from '../src/index.js';
import { main } from '../src/cli/main.js';
import { holdoutPart } from '../src/pipeline/fold-plan.js';
import { describeConfig } from '../src/search/space.js';
import { parseSearchArgs, parseTrainArgs, UsageError } from '../src/cli/args.js';

const test = suite('search');
const quiet = { log: null, members: 1, epochs: 2, device: 'wasm' } as const;

function panelCsv(ids = 40): string {
  const gen = new rnam.Generator(5), lines = ['id,day,x,kind,y'];
  for (let p = 0; p < ids; p++) {
    const level = gen.normal();
    for (let t = 0; t < 3; t++) lines.push(`p${p},${t * 4 + gen.int(3)},${(level + gen.normal() * 0.5).toFixed(3)},${p % 3 ? 'a' : 'b'},${(level * 2 + gen.normal()).toFixed(3)}`);
  }
  return lines.join('\n') + '\n';
}

test('a trial\'s configuration in the log: fractions to 4 significant digits, integers and on/off as they are', () => {
  assert.is(describeConfig({ hiddenDim: 8, lr: 0.001836364679425133, weightDecay: 0.00012, targetChange: false }), 'hiddenDim 8, lr 0.001836, weightDecay 0.00012, targetChange false');
});

test('job results: NaN, ±Infinity and -0 survive JSON; the rest is left as it is', () => {
  const value = { a: [1.1, NaN, -0, 0, Infinity, -Infinity], b: 'NaN', c: { d: 3e-310 } };
  const back = rnam.fromJsonSafe(JSON.parse(JSON.stringify(rnam.toJsonSafe(value)))) as typeof value;
  assert.ok(Number.isNaN(back.a[1]) && Object.is(back.a[2], -0) && Object.is(back.a[3], 0) && back.a[4] === Infinity && back.a[5] === -Infinity);
  assert.is(back.a[0], 1.1);
  assert.is(back.b, 'NaN');
  assert.is(back.c.d, 3e-310);
});

test('runJob: an unknown kind or a malformed payload is a JobError naming it', async () => {
  const fails = async (kind: string, payload: unknown, pattern: RegExp) => {
    try {
      await rnam.runJob(kind, payload);
    } catch (err) {
      assert.instance(err, rnam.JobError);
      assert.match((err as Error).message, pattern);
      return;
    }
    assert.unreachable(`${kind} ran`);
  };
  await fails('train', {}, /unknown job kind 'train'.*fold, trial/);
  await fails('fold', null, /payload must be/);
  await fails('fold', { data: 5, options: { target: 'y' }, folds: 2, fold: 1 }, /data must be CSV text/);
  await fails('fold', { data: 'a,y\n1,2\n', options: { target: 'y', log: () => {} }, folds: 2, fold: 1 }, /options.log is not part of a job/);
  await fails('fold', { data: 'a,y\n1,2\n', options: { target: 'y', lr: NaN }, folds: 2, fold: 1 }, /options.lr is NaN/);
  await fails('fold', { data: 'a,y\n1,2\n', options: { target: 'y' }, folds: 2, fold: 3 }, /fold must be an integer in 1 ... 2/);
  await fails('trial', { data: 'a,y\n1,2\n', options: { target: 'y' }, validation: 1.5 }, /validation must be a fraction/);
});

test('the held-out test part: whole ids, none shared; for windows only times after the cut are scored and none trained on', () => {
  const table = rnam.readCsv(panelCsv());
  const part = holdoutPart(table, { id: 'id', time: 'day', target: 'y' }, 0.25, 'test');
  const ids = (t: typeof table) => new Set(t.rows.map((r) => String(r[0])));
  const kept = ids(part.train), held = ids(part.test);
  assert.is(held.size, 10);
  assert.is(kept.size + held.size, 40);
  for (const id of held) assert.not.ok(kept.has(id), `id ${id} on both sides`);
  const series = rnam.readCsv(['day,x,y', ...Array.from({ length: 40 }, (_, d) => `${d},${d % 7},${d % 5}`)].join('\n'));
  const w = holdoutPart(series, { time: 'day', target: 'y', window: 3 }, 0.25, 'test');
  assert.is(w.from, 30);
  assert.ok(w.train.rows.every((r) => Number(r[0]) < 30), 'trains on the past only');
});

test('crossValidate on 2 worker threads gives the bits of the sequential run', async () => {
  const csv = panelCsv(24), o = { id: 'id', time: 'day', target: 'y', folds: 3, ...quiet };
  const tagged = (x: unknown) => JSON.stringify(rnam.toJsonSafe(x));
  const one = await rnam.crossValidate(csv, o), two = await rnam.crossValidate(csv, { ...o, workers: 2 });
  assert.is(tagged(two), tagged(one));
});

const dir = mkdtempSync(join(tmpdir(), 'rnam-search-')), csvPath = join(dir, 'panel.csv');
writeFileSync(csvPath, panelCsv());
const command = (out: string, workers: number) => ['search', csvPath, '--id', 'id', '--time', 'day', '--target', 'y', '--members', '1', '--epochs', '2',
  '--hidden', '2,4', '--lr', '1e-3:3e-2', '--trials', '6', '--folds', '2', '--workers', String(workers), '--device', 'wasm', '--out', out];
const files = (out: string) => ['trials.csv', 'search.json', join('model', 'model.safetensors')].map((f) => readFileSync(join(out, f)));

test('rnam search: 6 trials on 2 workers equal the sequential run bitwise; started again it reruns nothing finished', async () => {
  const seqLog: string[] = [], parLog: string[] = [];
  assert.is(await main(command(join(dir, 'seq'), 1), (l) => seqLog.push(l)), 0, seqLog.join('\n'));
  assert.is(await main(command(join(dir, 'par'), 2), (l) => parLog.push(l)), 0, parLog.join('\n'));
  assert.is(seqLog.filter((l) => /^trial \d/.test(l)).length, 6, 'a line per finished trial');
  const seq = JSON.parse(readFileSync(join(dir, 'seq', 'search.json'), 'utf8')), par = JSON.parse(readFileSync(join(dir, 'par', 'search.json'), 'utf8'));
  assert.is(seq.trials.length, 6);
  seq.trials.forEach((t: { metrics: unknown }, i: number) => assert.is(JSON.stringify(par.trials[i].metrics), JSON.stringify(t.metrics), `trial ${i + 1}`));
  files(join(dir, 'seq')).forEach((bytes, i) => assert.ok(bytes.equals(files(join(dir, 'par'))[i]), `file ${i} differs`));
  assert.ok(readFileSync(join(dir, 'seq', 'search.html'), 'utf8').includes('<table class="sortable">'));
  // The baselines on the same folds (the first trial's jobs score them): in the log, search.json and search.html.
  assert.ok(seqLog.some((l) => /^best: trial \d .*; on the same folds: .*\d\.\d{4}/.test(l)), seqLog.join('\n'));
  assert.ok(Object.keys(seq.baselines).length >= 2, JSON.stringify(seq.baselines));
  assert.match(readFileSync(join(dir, 'seq', 'search.html'), 'utf8'), 'The simple baselines on the same folds: ');
  assert.ok(existsSync(join(dir, 'seq', 'model', 'report.html')));
  assert.is(readdirSync(join(dir, 'seq', 'jobs')).filter((f) => f !== 'arguments.json').length, 12, 'trials x folds jobs kept');

  // Started again: nothing to run, the same files.
  const before = files(join(dir, 'seq'));
  const again: string[] = [];
  assert.is(await main(command(join(dir, 'seq'), 1), (l) => again.push(l)), 0, again.join('\n'));
  assert.ok(again.includes(`jobs: 0 run, 12 finished before (${join(dir, 'seq', 'jobs')})`), again.join('\n'));
  files(join(dir, 'seq')).forEach((bytes, i) => assert.ok(bytes.equals(before[i]), `file ${i} changed`));

  // Interrupted after some jobs: only the missing ones run, and the output is the uninterrupted run's.
  const jobs = join(dir, 'seq', 'jobs');
  readdirSync(jobs).filter((f) => f !== 'arguments.json').slice(0, 5).forEach((f) => rmSync(join(jobs, f)));
  const resumed: string[] = [];
  assert.is(await main(command(join(dir, 'seq'), 1), (l) => resumed.push(l)), 0, resumed.join('\n'));
  assert.ok(resumed.some((l) => l.startsWith('jobs: 5 run, 7 finished before')), resumed.join('\n'));
  files(join(dir, 'seq')).forEach((bytes, i) => assert.ok(bytes.equals(before[i]), `file ${i} differs after resuming`));

  // Other arguments with the same folder: an error naming the difference.
  const other: string[] = [];
  assert.is(await main(command(join(dir, 'seq'), 1).map((a) => (a === '6' ? '5' : a)), (l) => other.push(l)), 1);
  assert.match(other.join('\n'), /holds a run with other arguments \(trials: 6 there, 5 now\)/);
});

test('search without folds: one trial job per trial, scored on a validation part of what the test part leaves', async () => {
  // An executor of the caller's (as a remote queue's client would be) runs every job.
  const ran: string[] = [];
  const executor = { run: (kind: string, payload: unknown) => (ran.push(kind), rnam.runJob(kind, JSON.parse(JSON.stringify(payload)))) };
  const r = await rnam.search(panelCsv(), { hiddenDim: [2, 3] }, { id: 'id', time: 'day', target: 'y', ...quiet, grid: true, final: false, executor });
  assert.equal(ran, ['trial', 'trial']);
  assert.equal(r.scoring, { kind: 'validation', share: 0.15 });
  assert.equal(r.trials.map((t) => t.config), [{ hiddenDim: 2 }, { hiddenDim: 3 }]);
  // 40 ids: 6 held out for the test, 5 of the other 34 for validation.
  assert.equal(r.trials.map((t) => t.samples), [5, 5]);
  assert.equal(r.jobs, { ran: 2, reused: 0 });
  assert.is(r.metric, 'rmse');
  assert.is(r.best.metrics.rmse, Math.min(...r.trials.map((t) => t.metrics.rmse)));
  // The first trial's job also scored the baselines on that part; the second did not repeat them.
  assert.equal(Object.keys(r.baselines!), ['training mean', 'ridge on the last step']);
  assert.ok(r.baselines!['training mean'].rmse > 0);
});

test('weight decay: a trainTable option (0 turns it off), searched over a list or log-uniformly over a range', async () => {
  const csv = panelCsv(24), o = { id: 'id', time: 'day', target: 'y', ...quiet, epochs: 3 };
  const off = await rnam.trainTable(csv, { ...o, weightDecay: 0 }), on = await rnam.trainTable(csv, { ...o, weightDecay: 0.5 });
  const byDefault = await rnam.trainTable(csv, o), atDefault = await rnam.trainTable(csv, { ...o, weightDecay: 0.01 });
  const weights = async (t: rnam.TrainedTable) => Promise.all(t.model.parameters().map((p) => p.toArray()));
  assert.not.equal(await weights(off), await weights(on), 'the decay changes the weights');
  assert.equal(await weights(byDefault), await weights(atDefault), "the default is AdamW's 0.01");
  for (const bad of [-1, NaN, '0.1']) {
    try {
      await rnam.trainTable(csv, { ...o, weightDecay: bad as number });
      assert.unreachable(`weightDecay ${String(bad)}`);
    } catch (err) {
      assert.match((err as Error).message, /trainTable: weightDecay must be a number >= 0/);
    }
  }
  const drawn = rnam.randomConfigs({ weightDecay: { min: 1e-4, max: 1e-1 } }, 200, 3).map((c) => c.weightDecay!);
  assert.ok(drawn.every((w) => w >= 1e-4 && w <= 1e-1));
  assert.ok(drawn.filter((w) => w < 1e-2).length > 100, 'log-uniform: two of the three decades lie below 0.01');
  const r = await rnam.search(csv, { weightDecay: [0, 0.5] }, { ...o, grid: true, final: false });
  assert.equal(r.trials.map((t) => t.config), [{ weightDecay: 0 }, { weightDecay: 0.5 }]);
  // The command line: --weight-decay X for train and cv, a list or a range for search.
  const base = ['d.csv', '--target', 'y', '--out', 'o'];
  assert.is(parseTrainArgs([...base, '--weight-decay', '0']).weightDecay, 0);
  assert.is(parseTrainArgs(base).weightDecay, undefined);
  assert.throws(() => parseTrainArgs([...base, '--weight-decay=-1']), (e: Error) => e instanceof UsageError && /--weight-decay must be a number >= 0/.test(e.message));
  assert.equal(parseSearchArgs([...base, '--weight-decay', '0,0.1']).space, { weightDecay: [0, 0.1] });
  assert.equal(parseSearchArgs([...base, '--weight-decay', '1e-4:1e-1']).space, { weightDecay: { min: 1e-4, max: 1e-1 } });
});

test('search: a bad space or option is a typed error naming it', async () => {
  const csv = panelCsv(12), o = { id: 'id', time: 'day', target: 'y', ...quiet };
  const fails = async (space: unknown, options: object, pattern: RegExp) => {
    try {
      await rnam.search(csv, space as rnam.SearchSpace, { ...o, ...options });
    } catch (err) {
      assert.instance(err, rnam.ArgumentError);
      assert.match((err as Error).message, pattern);
      return;
    }
    assert.unreachable('searched');
  };
  await fails({ dropout: [0.1] }, {}, /space.dropout is not a searchable option \(hiddenDim, blocks, lr, weightDecay,/);
  await fails({ weightDecay: [0, -0.1] }, {}, /space.weightDecay\[1\] must be a number >= 0/);
  await fails({ weightDecay: { min: 0, max: 0.1 } }, {}, /space.weightDecay.min must be a positive number/);
  await fails({ hiddenDim: [] }, {}, /space.hiddenDim is an empty list/);
  await fails({ hiddenDim: [4, 2.5] }, {}, /space.hiddenDim\[1\] must be an integer >= 1, got 2.5/);
  await fails({ lr: { min: 1e-2, max: 1e-3 } }, {}, /space.lr has max 0.001 < min 0.01/);
  await fails({ lr: { min: 1e-3, max: 1e-2 } }, { grid: true }, /a grid search needs a list/);
  await fails({ lr: [1e-3, -1] }, {}, /space.lr\[1\] must be a positive number/);
  await fails({ hiddenDim: [4] }, { hiddenDim: 8 }, /hiddenDim is both an option and in the space/);
  await fails({ hiddenDim: [4] }, { trials: 0 }, /trials must be an integer >= 1/);
  await fails({ hiddenDim: [4] }, { folds: 1 }, /folds must be an integer >= 2/);
  await fails({ hiddenDim: [4] }, { workers: 0 }, /workers must be an integer >= 1/);
  assert.equal(rnam.gridConfigs({ hiddenDim: [2, 4], blocks: [0, 1] }), [{ hiddenDim: 2, blocks: 0 }, { hiddenDim: 2, blocks: 1 }, { hiddenDim: 4, blocks: 0 }, { hiddenDim: 4, blocks: 1 }]);
  const drawn = rnam.randomConfigs({ lr: { min: 1e-4, max: 1e-1 }, hiddenDim: { min: 2, max: 5 } }, 200, 3);
  assert.ok(drawn.every((c) => c.lr! >= 1e-4 && c.lr! <= 1e-1 && Number.isInteger(c.hiddenDim) && c.hiddenDim! >= 2 && c.hiddenDim! <= 5));
  // Log-uniform: about a third of the draws in each decade.
  assert.ok(drawn.filter((c) => c.lr! < 1e-3).length > 40 && drawn.filter((c) => c.lr! > 1e-2).length > 40);
  assert.equal(rnam.randomConfigs({ lr: { min: 1e-4, max: 1e-1 } }, 5, 3), rnam.randomConfigs({ lr: { min: 1e-4, max: 1e-1 } }, 5, 3), 'seeded');
  const usage = (argv: string[]) => main(argv, () => {});
  assert.is(await usage(['search', csvPath, '--target', 'y', '--id', 'id', '--out', join(dir, 'x')]), 2, 'no space');
  assert.is(await usage(['search', csvPath, '--target', 'y', '--id', 'id', '--lr', '1:2:3', '--out', join(dir, 'x')]), 2, 'bad range');
  assert.is(await usage(['search', csvPath, '--target', 'y', '--id', 'id', '--hidden', '2,4', '--test-data', csvPath, '--out', join(dir, 'x')]), 2, '--test-data');
  assert.is(await usage(['search', csvPath, '--target', 'y', '--id', 'id', '--hidden', '2,4', '--workers', '0', '--out', join(dir, 'x')]), 2, '--workers 0');
});

test.run();
