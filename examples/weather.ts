// Seed 002's task on real data: predict tomorrow's maximum temperature in Seattle from 7 days of
// max, min and precipitation (vega-datasets' seattle-weather.csv), with SimpleRNN, GRU, LSTM and
// minGRU, against the persistence forecast (tomorrow's max = today's).
//
//   npm run example:weather
//   npm run example:weather -- --device webgpu --epochs 60 --hidden 16 --lr 3e-3 --batch-size 32 --seed 0 --seeds 5
import { parseArgs } from 'node:util';
import * as rnam from '../src/index.js';
import { MODEL_KINDS, createModel } from './tasks/models.js';
import { train, predict, mse } from './tasks/train.js';
import { loadSeattleWeather, weatherTask, persistence, seattleWeatherPath } from './tasks/weather.js';
import { selectDevice, markdownTable, fmt } from './tasks/report.js';

const { values: args } = parseArgs({
  options: {
    device: { type: 'string', default: 'wasm' }, epochs: { type: 'string', default: '60' },
    hidden: { type: 'string', default: '16' }, lr: { type: 'string', default: '3e-3' },
    'batch-size': { type: 'string', default: '32' }, seed: { type: 'string', default: '0' },
    /** Train each model from this many seeds (seed, seed + 1, ...) and report mean ± sd. */
    seeds: { type: 'string', default: '5' },
  },
});
const epochs = Number(args.epochs), hiddenSize = Number(args.hidden), lr = Number(args.lr);
const batchSize = Number(args['batch-size']), seed = Number(args.seed), seeds = Number(args.seeds);

const { device, unavailable } = await selectDevice(args.device);
const data = weatherTask(loadSeattleWeather());
const { train: trainSet, validation, test, targetStd } = data;
console.log(`weather: ${seattleWeatherPath().replace(/.*node_modules\//, '')}, ${data.days.join('/')} days `
  + `(train ${data.ranges[0].join('..')}, validation ${data.ranges[1].join('..')}, test ${data.ranges[2].join('..')}), `
  + `${trainSet.samples}/${validation.samples}/${test.samples} sequences of ${trainSet.seq} days`);
console.log(`inputs tmax, tmin, precipitation standardized with the training days' statistics; target: the next day's tmax `
  + `(training mean ${data.targetMean.toFixed(2)} °C, std ${targetStd.toFixed(2)} °C)`);
console.log(`models: hidden ${hiddenSize}, one layer, linear head on the last step; Adam lr ${lr}, batch ${batchSize}, `
  + `${epochs} epochs, seeds ${seed}..${seed + seeds - 1}; device: ${device.description}`);

const scale = targetStd;               // standardized error * std = error in °C
const rows: (string | number)[][] = [];
const persist = [persistence(validation), persistence(test)];
rows.push(['persistence (tomorrow = today)', '-', fmt(mse(persist[0], validation.y, scale)), fmt(mse(persist[1], test.y, scale)),
  fmt(mse(persist[1], test.y)), '-']);

for (const kind of MODEL_KINDS) {
  const reason = unavailable.get(kind);
  if (reason) {
    console.log(`${kind}: skipped, not available on ${device.description}: ${reason}`);
    rows.push([kind, '-', 'skipped', 'skipped', 'skipped', '-']);
    continue;
  }
  const runs: { val: number; test: number; std: number }[] = [];
  let params = 0, seconds = 0;
  for (let s = seed; s < seed + seeds; s++) {
    rnam.manualSeed(s);
    const model = createModel(kind, { inputSize: 3, hiddenSize, outputSize: 1 }).to(device);
    params = model.parameters().reduce((n, p) => n + p.numel, 0);
    const started = performance.now();
    const history = await train(model, trainSet, { epochs, batchSize, lr, generator: new rnam.Generator(s) });
    seconds += (performance.now() - started) / 1000;
    const [val, tst] = [await predict(model, validation), await predict(model, test)];
    runs.push({ val: mse(val, validation.y, scale), test: mse(tst, test.y, scale), std: mse(tst, test.y) });
    console.log(`${kind}, seed ${s}: final training MSE ${fmt(history.at(-1)! * scale ** 2)} °C², `
      + `validation ${fmt(runs.at(-1)!.val)} °C², test ${fmt(runs.at(-1)!.test)} °C²`);
  }
  const stat = (key: 'val' | 'test' | 'std') => {
    const v = runs.map((r) => r[key]), m = v.reduce((a, b) => a + b, 0) / v.length;
    const sd = Math.sqrt(v.reduce((a, b) => a + (b - m) ** 2, 0) / Math.max(1, v.length - 1));
    return v.length > 1 ? `${fmt(m)} ± ${sd.toPrecision(2)}` : fmt(m);
  };
  rows.push([kind, params, stat('val'), stat('test'), stat('std'), (seconds / seeds).toFixed(1)]);
}

console.log('\n' + markdownTable(
  ['model', 'parameters', 'validation MSE (°C²)', 'test MSE (°C²)', 'test MSE (standardized)', 'training s per seed'], rows));
if (seeds > 1) console.log(`(mean ± standard deviation over ${seeds} seeds: initialisation and shuffling)`);
