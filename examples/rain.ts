// Will it rain in Seattle tomorrow? A binary RNAM on 14 days of precipitation, temperatures and wind
// (vega-datasets' weather.csv), split in time, against two simple baselines; then its explanation:
// which features matter, and how each one's recent history moves the odds of rain.
//
//   npm run example:rain
//   npm run example:rain -- --device webgpu --epochs 40 --seed 1
import { parseArgs } from 'node:util';
import { readFileSync, writeFileSync, mkdirSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import * as rnam from '../src/index.js';
import { renderSvg } from '../src/plot/index.js';
import { svgToPng } from './svg-to-png.js';

const { values: args } = parseArgs({
  options: {
    device: { type: 'string', default: 'wasm' }, epochs: { type: 'string', default: '30' }, seed: { type: 'string', default: '0' },
    out: { type: 'string', default: 'examples' },
  },
});
// vega-datasets exports no file paths: its data folder sits beside the entry's build/ folder.
const csvPath = join(dirname(createRequire(import.meta.url).resolve('vega-datasets')), '..', 'data', 'weather.csv');
// The table has Seattle and New York; `rain` (1 when any precipitation fell) is the day's label.
const rows = (rnam.readCsv(readFileSync(csvPath, 'utf8')).rows);
const seattle = rows.filter((r) => r[0] === 'Seattle').map((r) => ({
  date: r[1], precipitation: r[2], temp_max: r[3], temp_min: r[4], wind: r[5], rain: Number(r[2]) > 0 ? 1 : 0,
}));
const features = ['precipitation', 'temp_max', 'temp_min', 'wind'];
// 14 days in, tomorrow's label out; the last 15% of days for test, the 15% before for validation.
const data = rnam.datasetsFromRows(seattle, {
  time: 'date', target: 'rain', features, mode: 'window', window: 14, horizon: 1, split: { by: 'time', validation: 0.15, test: 0.15 },
});
const { train, validation, test } = data as Required<rnam.Datasets>;
console.log(`Seattle, ${seattle.length} days: ${train.samples}/${validation.samples}/${test.samples} windows of 14 days (train/validation/test, in time order)`);

const device = await rnam.device(args.device as rnam.DeviceKind);
rnam.manualSeed(Number(args.seed));
const model = new rnam.FirstOrderRNAM({ terms: features.length, hiddenDim: 16, outDim: 1, blocks: 1 }).to(device);
const history = await rnam.fit(model, train, {
  epochs: Number(args.epochs), batchSize: 64, optimizer: new rnam.AdamW(model.parameters(), { lr: 3e-3 }), validation, task: 'binary',
  earlyStopping: { monitor: 'valLoss', patience: 6, restoreBestWeights: true }, log: null,
});
console.log(`trained ${history.length} epochs on ${device.kind} (${device.reason})`);

// Baselines on the test windows: the training split's rain rate for every day, and persistence
// (tomorrow as today: today's precipitation as the score).
const y = Array.from(test.targets);
const rate = Array.from(train.targets).reduce((s, v) => s + v, 0) / train.samples;
const today = Array.from({ length: test.samples }, (_, i) => test.at(i, test.lengths[i] - 1, 0));
const todayRained = (() => {
  // Standardized precipitation back in mm (recorded in 0.1 mm steps, so float32 rounding stays far below 0.05).
  const s = test.standardizer.features![0];
  return today.map((v) => (v * s.std + s.mean > 0.05 ? 1 : 0));
})();
const rnamOut = await rnam.predict(model, test, { task: 'binary' });
const p = Array.from(rnamOut.probabilities as Float32Array);
const table = [
  ['base rate (p = training rain rate)', 0.5, rnam.accuracy(y.map(() => rate), y), rnam.logLoss(y.map(() => rate), y)],
  ['persistence (rain tomorrow if it rained today)', rnam.rocAuc(today, y), rnam.accuracy(todayRained, y), rnam.logLoss(todayRained.map((r) => (r ? 0.8 : 0.2)), y)],
  ['RNAM, 14 days of 4 features', rnam.rocAuc(p, y), rnam.accuracy(p, y), rnam.logLoss(p, y)],
];
console.log('\n| test days | ROC AUC | accuracy | log-loss |\n|---|---:|---:|---:|');
for (const [name, auc, acc, ll] of table) console.log(`| ${name} | ${(auc as number).toFixed(3)} | ${(acc as number).toFixed(3)} | ${(ll as number).toFixed(3)} |`);
console.log('(persistence\'s log-loss scores its yes/no as p = 0.8 / 0.2)');

const explanation = await rnam.explain(model, test, { summary: 'mean' });
console.log(`\nimportance (mean |contribution| to the logit): ${explanation.importance.map((e) => `${e.feature} ${e.importance.toFixed(3)}`).join(', ')}`);
const charts = rnam.explanationCharts(explanation);
mkdirSync(args.out!, { recursive: true });
const svg = await renderSvg(charts.shapes);
writeFileSync(join(args.out!, 'rain-explanation.svg'), svg);
writeFileSync(join(args.out!, 'rain-explanation.png'), await svgToPng(svg));
console.log(`picture: ${join(args.out!, 'rain-explanation.png')} (and .svg)`);
