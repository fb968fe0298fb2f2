// A panel of patients with stays of different lengths (3 to 30 daily rows each), one outcome per
// patient: the RNAM reads each stay to its last day (no padding effect), against a logistic
// regression on the last day's values. The data are simulated with a known additive truth, so the
// explanation can be checked: the outcome's log-odds rise with the stay's mean lactate and with
// age, and with the heart rate of the last day; `noise` carries nothing.
//
//   npm run example:patients
//   npm run example:patients -- --device webgpu --patients 6000
import { parseArgs } from 'node:util';
import { writeFileSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import * as rnam from '../src/index.js';
import { renderSvg } from '../src/plot/index.js';
import { svgToPng } from './svg-to-png.js';

const { values: args } = parseArgs({
  options: {
    device: { type: 'string', default: 'wasm' }, epochs: { type: 'string', default: '30' }, seed: { type: 'string', default: '0' },
    patients: { type: 'string', default: '3000' }, out: { type: 'string', default: 'examples' },
  },
});

/** The simulated ward: a long table, one row per patient-day, rows of a patient in any order. */
function simulate(patients: number, gen: rnam.Generator): string {
  const lines = ['patient,day,heart_rate,lactate,age,noise,outcome'];
  for (let p = 0; p < patients; p++) {
    const days = 3 + gen.int(28), age = 30 + gen.int(60), baseLactate = 1 + Math.abs(gen.normal()) * 1.5;
    let hr = 80 + gen.normal() * 10, lactateSum = 0;
    const rows: string[] = [];
    for (let d = 0; d < days; d++) {
      hr += gen.normal() * 4;
      // Day-to-day swings twice the spread of the stay's level: the last day alone is a noisy reading of it.
      const lactate = Math.max(0.3, baseLactate + gen.normal() * 1.0);
      lactateSum += lactate;
      rows.push(`${p},${d},${hr.toFixed(1)},${lactate.toFixed(2)},${age},${gen.normal().toFixed(3)}`);
    }
    const logit = 1.3 * (lactateSum / days - 2.2) + 0.05 * (age - 60) + 0.04 * (hr - 85);
    const outcome = gen.uniform() < 1 / (1 + Math.exp(-logit)) ? 1 : 0;
    lines.push(...rows.map((r) => `${r},${outcome}`));
  }
  return lines.join('\n') + '\n';
}

const gen = new rnam.Generator(Number(args.seed) + 100);
const csv = simulate(Number(args.patients), gen);
const data = rnam.datasetsFromCsv(csv, {
  id: 'patient', time: 'day', target: 'outcome', features: ['heart_rate', 'lactate', 'age', 'noise'], mode: 'panel',
  split: { by: 'entity', validation: 0.15, test: 0.15, seed: Number(args.seed) },
});
const { train, validation, test } = data as Required<rnam.Datasets>;
const lengths = Array.from(train.lengths);
console.log(`${args.patients} patients, stays of ${Math.min(...lengths)} to ${Math.max(...lengths)} days: ${train.samples}/${validation.samples}/${test.samples} (train/validation/test)`);

const device = await rnam.device(args.device as rnam.DeviceKind);
rnam.manualSeed(Number(args.seed));
const model = new rnam.FirstOrderRNAM({ terms: 4, hiddenDim: 16, outDim: 1, blocks: 1 }).to(device);
const history = await rnam.fit(model, train, {
  epochs: Number(args.epochs), batchSize: 64, optimizer: new rnam.AdamW(model.parameters(), { lr: 3e-3 }), validation, task: 'binary',
  earlyStopping: { monitor: 'valLoss', patience: 8, restoreBestWeights: true }, log: null,
});
console.log(`trained ${history.length} epochs on ${device.kind}`);

/** The last day's standardized values of each sample: (samples, 4). */
const lastDay = (ds: rnam.SeriesDataset) => Float32Array.from({ length: ds.samples * 4 }, (_, k) => ds.at(Math.floor(k / 4), ds.lengths[Math.floor(k / 4)] - 1, k % 4));

// The baseline: logistic regression on the last day's values, full-batch AdamW on the same loss.
const lr = new rnam.Linear(1, 4, 1).to(device);
const opt = new rnam.AdamW(lr.parameters(), { lr: 0.05 });
const xTrain = rnam.tensor(lastDay(train), [1, train.samples, 4], { device }), yTrain = rnam.tensor(train.targets, [1, train.samples, 1], { device });
for (let step = 0; step < 300; step++) {
  opt.zeroGrad();
  rnam.tidy(() => rnam.bceWithLogitsLoss(lr.forward(xTrain), yTrain)).backward();
  opt.step();
}
const logits = await rnam.noGrad(() => lr.forward(rnam.tensor(lastDay(test), [1, test.samples, 4], { device }))).toArray();
const pBaseline = Array.from(logits, (z) => 1 / (1 + Math.exp(-z)));
const p = Array.from((await rnam.predict(model, test, { task: 'binary' })).probabilities as Float32Array);
const y = Array.from(test.targets);
console.log('\n| test patients | ROC AUC | accuracy | log-loss |\n|---|---:|---:|---:|');
for (const [name, q] of [['logistic regression on the last day', pBaseline], ['RNAM over the whole stay', p]] as const) {
  console.log(`| ${name} | ${rnam.rocAuc(q, y).toFixed(3)} | ${rnam.accuracy(q, y).toFixed(3)} | ${rnam.logLoss(q, y).toFixed(3)} |`);
}

const explanation = await rnam.explain(model, test, { summary: 'mean' });
console.log(`\nimportance: ${explanation.importance.map((e) => `${e.feature} ${e.importance.toFixed(3)}`).join(', ')}`);
const one = explanation.local(0);
console.log(`patient ${test.sampleIds[0]}: logit ${one.prediction.toFixed(3)} = intercept ${one.intercept.toFixed(3)} + ${one.contributions.map((c) => `${c.feature} ${c.contribution.toFixed(3)}`).join(' + ')} (p = ${one.probability?.toFixed(3)})`);
mkdirSync(args.out!, { recursive: true });
const svg = await renderSvg(rnam.explanationCharts(explanation).shapes);
writeFileSync(join(args.out!, 'patients-explanation.svg'), svg);
writeFileSync(join(args.out!, 'patients-explanation.png'), await svgToPng(svg));
console.log(`picture: ${join(args.out!, 'patients-explanation.png')} (and .svg)`);
