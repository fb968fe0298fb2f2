// Seed 004's tasks with SimpleRNN, GRU, LSTM and minGRU: (a) the next value of arange(6) * randn,
// (b) the next point of a 2D line, (c) the memory tasks at length 100, y = x[-5] + x[-1] and
// y = x[0] + x[-1]. Prints the test MSE of every model on every task and whether each model
// remembers x[0] over 100 steps (SimpleRNN does not; the gated models do).
//
//   npm run example:tasks
//   npm run example:tasks -- --device webgpu --seed 0 --ablation
//   npm run example:tasks -- --quick           # the tests' reduced scale
import { parseArgs } from 'node:util';
import * as rnam from '../src/index.js';
import { MODEL_KINDS, type ModelKind } from './tasks/models.js';
import { runTask, sequenceTasks, type TaskConfig } from './tasks/suite.js';
import { selectDevice, markdownTable, fmt } from './tasks/report.js';

const { values: args } = parseArgs({
  options: {
    device: { type: 'string', default: 'wasm' }, seed: { type: 'string', default: '0' },
    'data-seed': { type: 'string', default: '1' },
    /** The tests' reduced scale: fewer sequences and epochs (seconds instead of a minute). */
    quick: { type: 'boolean', default: false },
    /** Also run the long memory task without chrono initialisation and with a one-layer minGRU. */
    ablation: { type: 'boolean', default: false },
  },
});
const seed = Number(args.seed), dataSeed = Number(args['data-seed']);
const { device, unavailable } = await selectDevice(args.device);
console.log(`seed 004's tasks on ${device.description}; model seed ${seed}, data seed ${dataSeed}; Adam, MSE`);
for (const [kind, reason] of unavailable) if (reason) console.log(`${kind}: skipped, not available on ${device.description}: ${reason}`);

const tasks = sequenceTasks(args.quick ? 'reduced' : 'full');
const results = new Map<TaskConfig, Map<ModelKind, number>>();
const started = performance.now();
for (const task of tasks) {
  const split = task.data(new rnam.Generator(dataSeed));
  const perModel = new Map<ModelKind, number>();
  console.log(`\n${task.name}: ${split.train.samples} training / ${split.test.samples} test sequences, hidden ${task.hiddenSize}, `
    + `${task.epochs} epochs, ${task.batchSize ? `batch ${task.batchSize}` : 'full batch'}, lr ${task.lr}`
    + `${task.chronoInit ? `, chrono init ${task.chronoInit}` : ''}, minGRU ${task.minGRULayers} layers`);
  for (const [label, value] of task.baselines(split)) console.log(`  baseline, ${label}: ${fmt(value)}`);
  for (const kind of MODEL_KINDS) {
    if (unavailable.get(kind)) continue;
    const r = await runTask(task, kind, { device, seed, split });
    perModel.set(kind, r.testMse);
    console.log(`  ${kind.padEnd(9)} test MSE ${fmt(r.testMse).padStart(9)}  (train ${fmt(r.trainLoss)}, ${r.parameters} parameters, ${r.seconds.toFixed(1)} s)`);
  }
  results.set(task, perModel);
}

const header = ['task', 'baseline', ...MODEL_KINDS];
const rows = tasks.map((task) => {
  const [, base] = task.baselines(task.data(new rnam.Generator(dataSeed)))[0];
  return [task.name, fmt(base), ...MODEL_KINDS.map((k) => (unavailable.get(k) ? 'skipped' : fmt(results.get(task)!.get(k))))];
});
console.log(`\ntest MSE (baseline: the first one above; ${((performance.now() - started) / 1000).toFixed(0)} s in all)\n`);
console.log(markdownTable(header, rows));

// The long memory task: can the model remember x[0] for 100 steps?
const long = tasks[3];
const floor = long.baselines(long.data(new rnam.Generator(dataSeed)))[0][1];
console.log(`\ny = x[0] + x[-1]: without x[0] the best is y = x[-1], MSE ${fmt(floor)} (the mean square of x[0])`);
for (const [kind, value] of results.get(long)!) {
  const verdict = value > 0.5 * floor ? 'fails: does not remember x[0]' : value < 0.1 * floor ? 'solves it: remembers x[0]' : 'partly';
  console.log(`  ${kind.padEnd(9)} ${fmt(value).padStart(9)}  ${(value / floor).toFixed(3)} of it: ${verdict}`);
}

if (args.ablation) {
  console.log('\nablation on y = x[0] + x[-1]:');
  const split = long.data(new rnam.Generator(dataSeed));
  const variants: [string, TaskConfig, ModelKind[]][] = [
    ['PyTorch default init (no chrono init)', { ...long, chronoInit: undefined }, ['GRU', 'LSTM', 'minGRU']],
    ['minGRU with one layer (chrono init)', { ...long, minGRULayers: 1 }, ['minGRU']],
  ];
  for (const [label, task, kinds] of variants) {
    for (const kind of kinds) {
      if (unavailable.get(kind)) continue;
      const r = await runTask(task, kind, { device, seed, split });
      console.log(`  ${label}: ${kind.padEnd(9)} test MSE ${fmt(r.testMse)}`);
    }
  }
}
