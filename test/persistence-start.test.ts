// A forecast whose target is also an input starts at persistence: each member's linear path maps the
// target's last value to the standardized target, and everything else starts as before.
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import * as rnam from '../src/index.js';
import { buildModel } from '../src/pipeline/train-table.js';

const test = suite('forecasts start at persistence');

/** A random walk with a noise input: the best forecast of the next value is the last one. */
function walkCsv(steps: number, seed: number): string {
  const gen = new rnam.Generator(seed), lines = ['day,level,noise'];
  let level = 100;
  for (let t = 0; t < steps; t++) {
    level += gen.normal() * 3;
    lines.push(`${t},${level.toFixed(3)},${gen.normal().toFixed(3)}`);
  }
  return lines.join('\n');
}

test('the target term of every member reads its last value with the ratio of the scales; the rest is the seeded start', () => {
  const table = rnam.readCsv(walkCsv(200, 1));
  const { preprocessing: pre } = rnam.Preprocessing.fit(table, { time: 'day', target: 'level', window: 4, targetChange: false });
  const seeds = [3, 8, 13];
  const model = buildModel(pre, 8, 1, seeds) as rnam.AdditiveRNAM;
  const plain = new rnam.AdditiveRNAM({ ...model.options, memberSeeds: seeds });
  const r = pre.record, term = r.mixed!.sequence.findIndex((s) => s.name === 'level');
  const ratio = Math.fround(r.mixed!.sequence[term].std / r.mixed!.target!.std);
  const got = model.linear!.weight.toArraySync(), start = plain.linear!.weight.toArraySync();
  const [, inputs] = model.linear!.weight.shape;
  const set = seeds.map((_, m) => (term * seeds.length + m) * inputs);
  got.forEach((v, i) => assert.is(v, set.includes(i) ? ratio : start[i], `weight ${i}`));
  assert.ok(Math.abs(ratio - 1) < 0.05, `the input and target scales of one column nearly agree: ${ratio}`);
  for (const [name, p] of Object.entries(model.stateDict())) if (name !== 'linear.weight') assert.equal(p.toArraySync(), plain.stateDict()[name].toArraySync(), name);
});

test('a target learned as a change starts at persistence already (a change of 0): the model starts as seeded', () => {
  const { preprocessing: pre } = rnam.Preprocessing.fit(rnam.readCsv(walkCsv(200, 1)), { time: 'day', target: 'level', window: 4 });
  assert.ok(pre.record.mixed!.targetChange);
  const model = buildModel(pre, 8, 1, [5]) as rnam.AdditiveRNAM;
  const plain = new rnam.AdditiveRNAM({ ...model.options, memberSeeds: [5] });
  assert.equal(model.linear!.weight.toArraySync(), plain.linear!.weight.toArraySync());
});

test('a classifier, or a model without the target among its inputs, starts as seeded', () => {
  const text = walkCsv(200, 2).split('\n').map((l, i) => (i === 0 ? `${l},up` : `${l},${Number(l.split(',')[1]) > 100 ? 1 : 0}`)).join('\n');
  const table = rnam.readCsv(text);
  for (const options of [{ time: 'day', target: 'up', window: 4 }, { time: 'day', target: 'level', window: 4, features: ['noise'] }]) {
    const { preprocessing: pre } = rnam.Preprocessing.fit(table, options);
    const model = buildModel(pre, 8, 1, [5]) as rnam.AdditiveRNAM;
    const plain = new rnam.AdditiveRNAM({ ...model.options, memberSeeds: [5] });
    assert.equal(model.linear!.weight.toArraySync(), plain.linear!.weight.toArraySync(), JSON.stringify(options));
  }
});

test('a window reads its own target on the target\'s scale, a heavily skewed one too, so that the start at persistence applies', () => {
  // Counts with bursts: non-negative and heavily right-skewed, as is the 'spikes' input beside them.
  const gen = new rnam.Generator(4), lines = ['day,count,spikes'];
  let level = 0;
  for (let t = 0; t < 300; t++) {
    level = 0.9 * level + gen.normal();
    lines.push(`${t},${Math.round(Math.exp(1.5 * level))},${Math.exp(2 * gen.normal()).toFixed(3)}`);
  }
  const { preprocessing: pre } = rnam.Preprocessing.fit(rnam.readCsv(lines.join('\n')), { time: 'day', target: 'count', window: 4, targetChange: false });
  const scale = (name: string) => pre.record.mixed!.sequence.find((s) => s.name === name)!;
  assert.not.ok(scale('count').log, 'the target\'s history as it is');
  assert.ok(scale('spikes').log, 'another skewed input on the log scale');
  const model = buildModel(pre, 8, 1, [5]) as rnam.AdditiveRNAM;
  const plain = new rnam.AdditiveRNAM({ ...model.options, memberSeeds: [5] });
  assert.not.equal(model.linear!.weight.toArraySync(), plain.linear!.weight.toArraySync(), 'started at persistence');
});

test('on a random walk, the defaults forecast about as well as persistence (starting from the seeded weights alone: 2.4 times its RMSE)', async () => {
  const trained = await rnam.trainTable(walkCsv(400, 3), { time: 'day', target: 'level', window: 4, members: 1, device: 'wasm', log: null });
  const rmse = trained.report.metrics.test!.rmse, persistence = trained.report.baselines!.persistence.rmse;
  assert.ok(rmse < 1.15 * persistence, `rnam ${rmse} against persistence ${persistence}`);
});

test.run();
