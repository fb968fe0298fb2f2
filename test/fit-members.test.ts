// Ensemble members trained side by side in one AdditiveRNAM (src/train/fit-members.ts): trainTable
// with K member seeds equals, bit for bit on the CPU backend, the K one-member runs with those seeds
// gathered into one model — with cross-fitting, members early-stopped at different epochs, refit,
// window mode, no validation split, class weights, and static, categorical and masked (irregular,
// right-padded) inputs; on WebGPU within float tolerance.
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import * as rnam from '../src/index.js';
import { webgpuBackend, reportUnavailable } from './helpers/backends.js';
import { epochLimitWarning } from '../src/pipeline/train-table.js';

const quiet = { log: null, progress: false } as const;

/** Patients with 2-6 irregular visits (a lab missing at some), a numeric static age (missing for some), a ward; y continuous or a class. */
function panelCsv(patients: number, seed: number, binary = false): string {
  const gen = new rnam.Generator(seed), lines = ['patient,day,lab,age,ward,y'];
  const wards = ['north', 'south', 'east'];
  for (let p = 0; p < patients; p++) {
    const age = 40 + gen.int(40), ward = wards[gen.int(3)], risk = gen.normal(), visits = 2 + gen.int(5);
    const ageText = gen.uniform() < 0.2 ? '' : String(age);
    let day = 0;
    for (let v = 0; v < visits; v++) {
      day += 1 + gen.int(20);
      const lab = gen.uniform() < 0.3 ? '' : (risk + gen.normal() * 0.3).toFixed(3);
      const y = risk + (age - 60) / 20 + (ward === 'north' ? 1 : 0) + gen.normal() * 0.3;
      lines.push(`P${p},${day},${lab},${ageText},${ward},${binary ? (y > 0.5 ? 'yes' : 'no') : y.toFixed(3)}`);
    }
  }
  return lines.join('\n') + '\n';
}

const base = { id: 'patient', time: 'day', target: 'y', static: ['age'], categorical: ['ward'], batchSize: 16, ...quiet } as const;

async function stateOf(model: rnam.Module): Promise<Map<string, Float32Array>> {
  return new Map(await Promise.all(Object.entries(model.stateDict()).map(async ([k, t]) => [k, await t.toArray()] as const)));
}

/** The K one-member runs with the seeds, gathered into one model as the members of the ensemble. */
async function oneByOne(csv: string, options: rnam.TrainTableOptions, seeds: number[]): Promise<{ state: Map<string, Float32Array>; runs: rnam.TrainedTable[] }> {
  const runs: rnam.TrainedTable[] = [];
  for (const s of seeds) runs.push(await rnam.trainTable(csv, { ...options, memberSeeds: [s] }));
  const gathered = await rnam.AdditiveRNAM.fromMembers(runs.map((r) => r.model as rnam.AdditiveRNAM));
  return { state: await stateOf(gathered), runs };
}

function sameBits(a: Map<string, Float32Array>, b: Map<string, Float32Array>, what: string): void {
  assert.equal([...a.keys()], [...b.keys()], `${what}: parameter names`);
  for (const [k, x] of a) {
    const y = b.get(k)!;
    const differ = x.findIndex((v, i) => !Object.is(v, y[i]));
    assert.is(differ, -1, `${what}: ${k}[${differ}] ${x[differ]} side by side, ${y[differ]} one by one`);
  }
}

function close(a: Map<string, Float32Array>, b: Map<string, Float32Array>, what: string, tol: number): void {
  for (const [k, x] of a) {
    const y = b.get(k)!;
    let worst = 0;
    for (let i = 0; i < x.length; i++) worst = Math.max(worst, Math.abs(x[i] - y[i]) / (1 + Math.abs(y[i])));
    assert.ok(worst <= tol, `${what}: ${k} differs by ${worst} (tolerance ${tol})`);
  }
}

const test = suite('members side by side');

test('cross-fitted members early-stopped at different epochs: the state is the one-member runs\', bit for bit; so are the intervals', async () => {
  const csv = panelCsv(90, 1), seeds = [7, 31, 2024];
  const options = { ...base, epochs: 40, patience: 2, stopping: 'each', device: 'wasm' } as const;
  const ensemble = await rnam.trainTable(csv, { ...options, memberSeeds: seeds });
  const { state, runs } = await oneByOne(csv, options, seeds);
  const epochs = ensemble.report.members.map((m) => m.epochs);
  assert.equal(epochs, runs.map((r) => r.report.members[0].epochs), 'each member\'s epochs');
  assert.ok(new Set(epochs).size > 1 && Math.max(...epochs) < 40, `the members stop at different epochs before the cap: ${epochs}`);
  assert.is(ensemble.report.crossFitted, true);
  sameBits(await stateOf(ensemble.model), state, 'cross-fitted');
  assert.equal(ensemble.history, runs[0].history.map((h) => ({ ...h, seconds: ensemble.history[h.epoch - 1].seconds })), 'member 1\'s history');
  // The held-out residuals of every member: the same intervals as from the one-member runs' predictions.
  assert.ok(ensemble.intervals && ensemble.report.intervals!.calibrationSamples > 0);
});

test('pooled stopping (the cross-fitting default): the members stop together at the lowest mean validation loss, with the weights of the same members trained for exactly that many epochs', async () => {
  const csv = panelCsv(90, 1), seeds = [7, 31, 2024];
  const said: string[] = [];
  const options = { ...base, epochs: 40, patience: 2, device: 'wasm' } as const;
  const live: number[] = [];
  const pooled = await rnam.trainTable(csv, { ...options, memberSeeds: seeds, log: (l) => said.push(l), onEpoch: (s) => void live.push(s.meanValLoss!) });
  // The epoch of the lowest mean over the members' validation losses, from the epoch lines.
  const means = said.filter((l) => /^\d{3}: /.test(l)).map((l) => {
    const losses = l.slice(5).split(' ').map((pair) => Number(pair.split('/')[1]));
    return losses.reduce((a, b) => a + b, 0) / losses.length;
  });
  const best = means.indexOf(Math.min(...means)) + 1;
  const epochs = pooled.report.members.map((m) => m.epochs);
  assert.equal(epochs, [best + 2, best + 2, best + 2], `every member trains until the mean has not improved for 2 epochs (best ${best})`);
  assert.ok(said.includes(`members: best epoch ${best} of ${best + 2} by the mean of their validation losses`), said.join('\n'));
  // Stopped early: no word of the epoch limit. Stopped by the limit while improving: said.
  assert.not.ok(said.some((l) => l.includes('epoch limit')), said.join('\n'));
  assert.not.ok(pooled.report.notes.some((n) => n.text.includes('epoch limit')));
  const capped: string[] = [];
  const limited = await rnam.trainTable(csv, { ...options, epochs: 3, patience: 50, memberSeeds: seeds, log: (l) => capped.push(l) });
  const warning = 'warning: training reached the epoch limit (3) before the validation loss stopped improving: a higher limit may fit better';
  assert.ok(capped.includes(warning), capped.join('\n'));
  assert.ok(limited.report.notes.some((n) => n.kind === 'warning' && n.text === warning), 'the report (and so report.html and the page) carries it');
  assert.ok(said.some((l) => l.startsWith('validation: each member validates on its own') && l.includes('stop together')), said.join('\n'));
  // The report's history carries that mean per epoch, and the loss chart draws it.
  const reported = pooled.report.history.map((h) => h.meanValLoss!);
  reported.forEach((m, e) => assert.ok(Math.abs(m - means[e]) < 2e-6, `epoch ${e + 1}: ${m} reported, ${means[e]} from the log`));
  assert.is(reported.indexOf(Math.min(...reported)) + 1, best);
  assert.equal(live, reported, 'onEpoch gets the same mean as the epoch ends');
  const chart = rnam.lossChart(pooled.report.history) as unknown as { data: { values: { split: string }[] } };
  assert.equal([...new Set(chart.data.values.map((v) => v.split))], ['train', 'validation', "validation, members' mean"]);
  const each = await rnam.trainTable(csv, { ...options, memberSeeds: seeds, stopping: 'each' });
  assert.ok(each.report.members.some((m) => m.epochs !== best + 2), 'each member on its own stops elsewhere');
  // Refit trains every member again for the pooled best epoch count.
  const refitSaid: string[] = [];
  await rnam.trainTable(csv, { ...options, memberSeeds: seeds, refit: true, log: (l) => refitSaid.push(l) });
  assert.ok(refitSaid.some((l) => l.startsWith(`refit: ${best}, ${best}, ${best} epochs on `)), refitSaid.join('\n'));
});

test('refit: each member trains again for its own best epoch count, side by side', async () => {
  const csv = panelCsv(90, 2), seeds = [5, 6, 7];
  const options = { ...base, epochs: 30, patience: 2, refit: true, stopping: 'each', device: 'wasm' } as const;
  const said: string[] = [];
  const ensemble = await rnam.trainTable(csv, { ...options, memberSeeds: seeds, log: (l) => said.push(l) });
  const { state, runs } = await oneByOne(csv, options, seeds);
  const best = runs.map((r) => r.history.reduce((b, h) => (h.valLoss! < r.history[b - 1].valLoss! ? h.epoch : b), 1));
  assert.ok(new Set(best).size > 1, `the members' best epochs differ: ${best}`);
  assert.ok(said.some((l) => l.startsWith(`refit: ${best.join(', ')} epochs on `)), said.join('\n'));
  sameBits(await stateOf(ensemble.model), state, 'refit');
});

test('class weights and a binary target without a validation split (every member on the same samples, no early stopping): bit for bit', async () => {
  const csv = panelCsv(90, 3, true), seeds = [1, 2];
  const options = { ...base, epochs: 6, classWeight: 'balanced', split: { validation: 0, test: 0.2 }, device: 'wasm' } as const;
  const ensemble = await rnam.trainTable(csv, { ...options, memberSeeds: seeds });
  const { state } = await oneByOne(csv, options, seeds);
  assert.is(ensemble.report.crossFitted, false);
  assert.equal(ensemble.report.members.map((m) => m.epochs), [6, 6]);
  sameBits(await stateOf(ensemble.model), state, 'class weights');
});

test('window mode: the members share one validation block and early-stop on it each: bit for bit', async () => {
  const gen = new rnam.Generator(8), lines = ['day,x,y'];
  let y = 0;
  for (let d = 0; d < 260; d++) {
    const x = Math.sin(d / 5) + gen.normal() * 0.2;
    y = 0.6 * y + x + gen.normal() * 0.1;
    lines.push(`2020-${String(1 + Math.floor(d / 28)).padStart(2, '0')}-${String(1 + (d % 28)).padStart(2, '0')},${gen.uniform() < 0.1 ? '' : x.toFixed(3)},${y.toFixed(3)}`);
  }
  const csv = lines.join('\n') + '\n', seeds = [3, 4];
  const options = { time: 'day', target: 'y', window: 6, epochs: 25, patience: 2, batchSize: 32, device: 'wasm', ...quiet } as const;
  const ensemble = await rnam.trainTable(csv, { ...options, memberSeeds: seeds });
  const { state, runs } = await oneByOne(csv, options, seeds);
  assert.is(ensemble.report.crossFitted, false);
  assert.equal(ensemble.report.members.map((m) => m.epochs), runs.map((r) => r.report.members[0].epochs));
  assert.ok(ensemble.report.members.some((m) => m.epochs < 25), `early stopping stops a member: ${JSON.stringify(ensemble.report.members)}`);
  sameBits(await stateOf(ensemble.model), state, 'window mode');
});

test('fitMembers with early stopping is fit() per member: the same history and weights, bit for bit', async () => {
  const trained = await rnam.trainTable(panelCsv(80, 7), { ...base, epochs: 1, members: 1, device: 'wasm' });
  const ds = trained.datasets.train as rnam.MixedDataset, n = ds.samples, half = Math.floor(n / 2);
  const idx = (from: number, to: number, seed: number) => {
    const order = Array.from({ length: n }, (_, i) => i), g = new rnam.Generator(seed);
    for (let i = n - 1; i > 0; i--) { const j = g.int(i + 1); [order[i], order[j]] = [order[j], order[i]]; }
    return order.slice(from, to);
  };
  const seeds = [12, 13], options = { ...trained.model.options } as rnam.ResolvedAdditiveRNAMOptions;
  const data = seeds.map((s) => ({ train: ds.subset(idx(0, half, s)), validation: ds.subset(idx(half, 2 * half, s)), generator: rnam.shuffleGenerator(s), epochs: 40 }));
  const both = new rnam.AdditiveRNAM({ ...options, members: 2, memberSeeds: seeds });
  const fitted = await rnam.fitMembers(both, data, { batchSize: 8, optimizer: new rnam.AdamW(both.parameters(), { lr: 0.03 }), task: 'regression', patience: 1 });
  const alone: rnam.AdditiveRNAM[] = [];
  for (const [m, s] of seeds.entries()) {
    const one = new rnam.AdditiveRNAM({ ...options, members: 1, memberSeeds: [s] });
    rnam.manualSeed(s);
    const history = await rnam.fit(one, data[m].train, {
      epochs: 40, batchSize: 8, optimizer: new rnam.AdamW(one.parameters(), { lr: 0.03 }), task: 'regression', validation: data[m].validation,
      earlyStopping: { monitor: 'valLoss', patience: 1, restoreBestWeights: true }, log: null, progress: false,
    });
    const strip = (h: rnam.EpochStats[]) => h.map(({ seconds: _s, ...rest }) => rest);
    assert.equal(strip(fitted.histories[m]), strip(history), `member ${m}: the history`);
    alone.push(one);
  }
  assert.ok(fitted.histories[0].length !== fitted.histories[1].length, `stopped at different epochs: ${fitted.histories.map((h) => h.length)}`);
  sameBits(await stateOf(both), await stateOf(await rnam.AdditiveRNAM.fromMembers(alone)), 'fitMembers against fit');
});

test('fitMembers with pooled stopping: every member ends with the weights of the same members trained for exactly the best epoch count, bit for bit', async () => {
  const trained = await rnam.trainTable(panelCsv(80, 7), { ...base, epochs: 1, members: 1, device: 'wasm' });
  const ds = trained.datasets.train as rnam.MixedDataset, n = ds.samples, half = Math.floor(n / 2);
  const idx = (from: number, to: number, seed: number) => {
    const order = new rnam.Generator(seed).shuffle(Array.from({ length: n }, (_, i) => i));
    return order.slice(from, to);
  };
  const seeds = [12, 13, 14], options = { ...trained.model.options } as rnam.ResolvedAdditiveRNAMOptions;
  const data = (epochs: number) => seeds.map((s) => ({ train: ds.subset(idx(0, half, s)), validation: ds.subset(idx(half, 2 * half, s)), generator: rnam.shuffleGenerator(s), epochs }));
  const fitAll = async (epochs: number, stopping?: { patience: number; stopping: 'pooled' }) => {
    const model = new rnam.AdditiveRNAM({ ...options, members: 3, memberSeeds: seeds });
    const fitted = await rnam.fitMembers(model, data(epochs), { batchSize: 8, optimizer: new rnam.AdamW(model.parameters(), { lr: 0.03 }), task: 'regression', ...stopping });
    return { model, fitted };
  };
  const pooled = await fitAll(40, { patience: 2, stopping: 'pooled' });
  const best = pooled.fitted.bestEpochs[0];
  assert.equal(pooled.fitted.bestEpochs, [best, best, best]);
  const means = pooled.fitted.histories[0].map((_, e) => pooled.fitted.histories.reduce((a, h) => a + h[e].valLoss!, 0) / 3);
  assert.is(means.indexOf(Math.min(...means)) + 1, best, 'the best epoch is that of the lowest mean validation loss');
  assert.ok(pooled.fitted.histories.every((h) => h.length === best + 2) && best + 2 < 40, `all stop 2 epochs after it: ${pooled.fitted.histories.map((h) => h.length)}`);
  const exact = await fitAll(best);
  sameBits(await stateOf(pooled.model), await stateOf(exact.model), 'pooled against trained for the best epoch count');
});

test('split: the pieces are slices; its backward writes each piece\'s gradient into its rows, zeros where a piece has none', async () => {
  const x = rnam.tensor(Array.from({ length: 24 }, (_, i) => i - 11.5), [2, 3, 4], { requiresGrad: true });
  const parts = rnam.split(x, 1, 3);
  for (let i = 0; i < 3; i++) assert.equal(await parts[i].toArray(), await rnam.slice(x, 1, i, i + 1).toArray(), `piece ${i}`);
  rnam.sum(rnam.add(rnam.mulScalar(parts[0], 2), parts[2])).backward();
  assert.equal(Array.from(await x.grad!.toArray()), Array.from({ length: 24 }, (_, i) => [2, 0, 1][Math.floor(i / 4) % 3]));
  assert.throws(() => rnam.split(x, 1, 2), /3 rows along axis 1 do not cut into 2 equal parts/);
});

test('a bad stopping rule is an ArgumentError before any data is read', async () => {
  // Three rows cannot be split; the option is refused first.
  const failure = await rnam.trainTable('x,y\n1,2\n2,3\n3,4\n', { target: 'y', stopping: 'sometimes' as 'each', log: null }).then(() => null, (e: Error) => e);
  assert.ok(failure instanceof rnam.ArgumentError && failure.message.startsWith("trainTable: stopping must be 'pooled' or 'each', got 'sometimes'"), String(failure));
});

test('callbacks: onEpoch names the member it reports, shouldStop ends every member at once', async () => {
  const csv = panelCsv(60, 4), seen: { epoch: number; member: number; training: number }[] = [];
  let batches = 0;
  const trained = await rnam.trainTable(csv, {
    ...base, epochs: 5, memberSeeds: [1, 2, 3], device: 'wasm',
    onEpoch: (s) => void seen.push({ epoch: s.epoch, member: s.member, training: s.training }),
    onBatch: () => void batches++, shouldStop: () => batches >= 7,
  });
  assert.is(trained.report.stopped, true);
  assert.equal(trained.report.members.length, 3);
  assert.ok(seen.every((s) => s.member === 1 && s.training === 3), JSON.stringify(seen));
  assert.is(batches, 7, 'one onBatch per side-by-side step');
});

test('forwardEachMember: member-specific inputs with their own lengths; unequal member data is an error', async () => {
  const model = new rnam.AdditiveRNAM({ sequenceTerms: 2, stepInputs: 3, staticTerms: 1, categoricalLevels: [3], hiddenDim: 4, blocks: 1, outDim: 1, members: 2, memberSeeds: [3, 4] });
  const ones = [3, 4].map((s) => new rnam.AdditiveRNAM({ ...model.options, members: 1, memberSeeds: [s] }));
  const gen = new rnam.Generator(9), B = 3, S = 5;
  const x = [0, 1].map(() => gen.fillNormal(new Float32Array(2 * B * S * 3))), st = [0, 1].map(() => gen.fillNormal(new Float32Array(B)));
  const cat = [0, 1].map(() => Float32Array.from({ length: B * 3 }, (_, i) => (i % 3 === i % 2 ? 1 : 0)));
  const lengths = [Int32Array.from([5, 2, 3]), null];
  const join = (parts: Float32Array[], terms: number) => {
    const per = parts[0].length / terms, out = new Float32Array(parts[0].length * 2);
    parts.forEach((p, m) => { for (let t = 0; t < terms; t++) out.set(p.subarray(t * per, (t + 1) * per), (t * 2 + m) * per); });
    return out;
  };
  const both = model.forwardEachMember({
    sequence: rnam.tensor(join(x, 2), [4, B, S, 3]), lengths, static: rnam.tensor(join(st, 1), [2, B, 1]), categorical: rnam.tensor(join(cat, 1), [2, B, 3]),
  });
  const all = await both.yHat.toArray();
  for (let m = 0; m < 2; m++) {
    const [y] = ones[m].forward({ sequence: rnam.tensor(x[m], [2, B, S, 3]), lengths: lengths[m], static: rnam.tensor(st[m], [1, B, 1]), categorical: rnam.tensor(cat[m], [1, B, 3]) });
    assert.equal(Array.from(all.subarray(m * B, (m + 1) * B)), Array.from(await y.toArray()), `member ${m}`);
  }
  assert.throws(() => model.forwardEachMember({ sequence: rnam.tensor(x[0], [2, B, S, 3]), static: rnam.tensor(st[0], [1, B, 1]), categorical: rnam.tensor(cat[0], [1, B, 3]) }), /\(4, batch, seq >= 1, 3\)/);
  const ds = (await rnam.trainTable(panelCsv(40, 5), { ...base, epochs: 1, members: 1, device: 'wasm' })).datasets.train as rnam.MixedDataset;
  const small = new rnam.AdditiveRNAM({ sequenceTerms: 1, stepInputs: ds.stepInputs, staticTerms: 1, ...(ds.staticInputs === 2 ? { staticInputs: 2 } : {}), categoricalLevels: ds.levels.map((l) => l.length), hiddenDim: 4, blocks: 1, outDim: 1, members: 2, memberSeeds: [1, 2] });
  let failed = '';
  await rnam.fitMembers(small, [
    { train: ds.subset([0, 1, 2, 3]), generator: new rnam.Generator(1), epochs: 1 },
    { train: ds.subset([0, 1, 2]), generator: new rnam.Generator(2), epochs: 1 },
  ], { batchSize: 2, optimizer: new rnam.AdamW(small.parameters()), task: 'regression' }).catch((err: Error) => (failed = `${err.name}: ${err.message}`));
  assert.match(failed, /ArgumentError: fitMembers: the members' training data must hold the same number of samples/);
});

test('the epoch-limit warning needs the watched loss still falling by more than 1% of its first value over the last patience epochs', () => {
  const curve = (losses: number[]): rnam.EpochStats[] => losses.map((valLoss, e) => ({ epoch: e + 1, trainLoss: valLoss, valLoss, seconds: 0, lr: 1e-3, metrics: { train: {} } }));
  // 10 epochs, patience 4: the last 4 against the 6 before.
  const creeping = curve([1, 0.8, 0.7, 0.65, 0.62, 0.6, 0.599, 0.598, 0.597, 0.596]);   // best at the end, 0.4% of the first value lower
  const falling = curve([1, 0.8, 0.7, 0.65, 0.62, 0.6, 0.59, 0.58, 0.57, 0.56]);         // 4% lower
  // Near 0 a small gain is a large share of the loss, not of where it started: 0.04 -> 0.032 of 1.
  const nearZero = curve([1, 0.3, 0.1, 0.06, 0.05, 0.04, 0.039, 0.037, 0.034, 0.032]);
  const flat = curve([1, 0.8, 0.7, 0.65, 0.62, 0.6, 0.61, 0.6, 0.605, 0.62]);            // no lower
  assert.is(epochLimitWarning([creeping, creeping], true, true, 10, 4), null);
  assert.match(epochLimitWarning([falling, creeping], true, true, 10, 4)!.text, /epoch limit \(10\)/, 'the pooled mean falls 2.2%');
  assert.is(epochLimitWarning([nearZero], false, true, 10, 4), null, 'a fall of a fifth of a loss near 0, 0.8% of the first');
  assert.is(epochLimitWarning([flat, flat], true, true, 10, 4), null);
  assert.ok(epochLimitWarning([flat, falling], false, true, 10, 4), 'stopping on its own: any member still falling');
  assert.is(epochLimitWarning([falling, falling], true, false, 10, 4), null, 'nothing validated');
  assert.is(epochLimitWarning([falling.slice(0, 8)], false, true, 10, 4), null, 'stopped before the limit');
});

test.run();

const gpu = suite('members side by side on WebGPU');
gpu('WebGPU: the side-by-side members equal the one-member runs within float tolerance', async () => {
  const g = await webgpuBackend();
  if (typeof g === 'string') return;
  const csv = panelCsv(60, 6), seeds = [8, 9];
  const options = { ...base, epochs: 3, patience: 10, device: g as unknown as rnam.Device } as const;
  const ensemble = await rnam.trainTable(csv, { ...options, memberSeeds: seeds });
  const { state } = await oneByOne(csv, options, seeds);
  close(await stateOf(ensemble.model), state, 'WebGPU', 1e-4);
});
if (typeof (await webgpuBackend()) === 'string') reportUnavailable('members side by side', await webgpuBackend() as string);
else gpu.run();
