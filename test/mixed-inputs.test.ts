// Everything real tables say, through trainTable and predictTable: static numeric and categorical
// features (unseen and rare levels read as 'other'), irregular visits (the time since a feature was
// last observed is an input, so a truth that depends on the gaps is learned, and is not when only
// the order of visits is seen), missing values as information (a feature never observed still
// predicts), missing targets skipped and counted, plain tables without a time column; the
// intercept + contributions identity with every kind of term on both backends.
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import * as rnam from '../src/index.js';
import { webgpuBackend, reportUnavailable } from './helpers/backends.js';
import { chooseColumns } from '../src/pipeline/columns.js';

const quiet = { log: null, progress: false } as const;

/** Patients with irregular visits: a lab that is missing at some visits, age and ward fixed per patient. */
function clinicCsv(patients = 80, seed = 1): string {
  const gen = new rnam.Generator(seed), lines = ['patient,day,lab,age,ward,outcome'];
  const wards = ['north', 'south', 'east'];
  for (let p = 0; p < patients; p++) {
    const age = 40 + gen.int(40), ward = wards[p % 3], risk = gen.normal();
    const visits = 2 + gen.int(5);
    let day = 0;
    for (let v = 0; v < visits; v++) {
      day += 1 + gen.int(30);
      const lab = gen.uniform() < 0.3 ? '' : (risk + gen.normal() * 0.3).toFixed(3);
      lines.push(`P${p},${day},${lab},${age},${ward},${risk + (age - 60) / 20 + (ward === 'north' ? 1 : 0) > 0.5 ? 'dead' : 'alive'}`);
    }
  }
  return lines.join('\n') + '\n';
}

function sumOf(p: rnam.TablePrediction, i: number): number {
  let s = p.intercept[i];
  for (let t = 0; t < p.featureNames.length; t++) s += p.contributions[t * p.samples + i];
  return s;
}

async function identity(device: rnam.Device, what: string): Promise<void> {
  const trained = await rnam.trainTable(clinicCsv(), { id: 'patient', time: 'day', target: 'outcome', epochs: 3, members: 2, device, ...quiet });
  const r = trained.preprocessing.record;
  assert.equal(r.columns.static, ['age'], `${what}: age is constant within each patient`);
  assert.equal(r.columns.categorical, ['ward']);
  assert.equal(r.mixed!.levels[0], ['other', 'east', 'north', 'south']);
  assert.is(r.missing, 'mask');
  assert.is(trained.model.describe().kind, 'AdditiveRNAM');
  const p = await rnam.predictTable(trained, clinicCsv());
  assert.equal([...p.featureNames], ['lab', 'age', 'ward']);
  for (let i = 0; i < p.samples; i++) {
    const z = sumOf(p, i);
    assert.ok(Math.abs(z - p.output[i]) < 1e-5 * (1 + Math.abs(z)), `${what} sample ${i}: intercept + contributions ${z} vs the logit ${p.output[i]}`);
    assert.ok(Math.abs(1 / (1 + Math.exp(-z)) - p.prediction[i]) < 1e-5);
  }
  // The saved model predicts the same numbers.
  const loaded = await rnam.loadTrained(await rnam.saveTrained(trained), { device });
  const q = await rnam.predictTable(loaded, clinicCsv());
  assert.equal(Array.from(q.prediction), Array.from(p.prediction), `${what}: saved and loaded`);
  assert.equal(Array.from(q.contributions), Array.from(p.contributions));
}

/** A table whose static `dose` is missing on about a third of the rows, and missing means +3 on y. */
function missingDoseCsv(): string {
  const gen = new rnam.Generator(5), lines = ['row,dose,y'];
  for (let i = 0; i < 300; i++) {
    const dose = gen.uniform() * 2, missing = gen.uniform() < 0.35;
    lines.push(`${i},${missing ? '' : dose.toFixed(3)},${((missing ? 3 : dose) + gen.normal() * 0.2).toFixed(3)}`);
  }
  return lines.join('\n') + '\n';
}

/** A missing static value gets a learned contribution of its own (the term reads a missing flag), not the mean's. */
async function staticMissing(device: rnam.Device, what: string): Promise<void> {
  const trained = await rnam.trainTable(missingDoseCsv(), { id: 'row', target: 'y', epochs: 60, members: 1, lr: 0.01, device, ...quiet });
  assert.is(trained.preprocessing.record.mixed!.staticMissing, true);
  assert.is((trained.model.describe().config as { staticInputs?: number }).staticInputs, 2, `${what}: the static term reads a missing flag`);
  const p = await rnam.predictTable(trained, missingDoseCsv());
  const rows = missingDoseCsv().trim().split('\n').slice(1).map((l) => l.split(','));
  const missing = rows.map((r) => r[1] === '');
  const c = (i: number) => p.contributions[i];
  const gone = Array.from({ length: p.samples }, (_, i) => i).filter((i) => missing[i]);
  for (const i of gone) assert.is(c(i), c(gone[0]), `${what}: one contribution for every missing dose`);
  for (let i = 0; i < p.samples; i++) assert.ok(Math.abs(sumOf(p, i) - p.output[i]) < 1e-5 * (1 + Math.abs(p.output[i])));
  // Missing means y = 3: far above a dose at the mean (about 1), which is what the mean fill would give.
  const err = Math.sqrt(gone.reduce((a, i) => a + (p.prediction[i] - 3) ** 2, 0) / gone.length);
  assert.ok(err < 0.5, `${what}: rows with a missing dose predicted with RMSE ${err} around 3`);
  // The explanation's shape function holds the missing doses as a bin of their own, at that contribution.
  const shape = trained.explanation.shapes.find((f) => f.feature === 'dose')!;
  const bin = shape.missing![0];
  assert.ok(bin.count > 0 && bin.count <= gone.length, `${what}: missing bin of ${bin.count} samples (the explained split's)`);
  assert.ok(Math.abs(bin.contribution - c(gone[0])) < 1e-5, `${what}: missing bin ${bin.contribution} vs ${c(gone[0])}`);
  const loaded = await rnam.loadTrained(await rnam.saveTrained(trained), { device });
  assert.equal(Array.from((await rnam.predictTable(loaded, missingDoseCsv())).prediction), Array.from(p.prediction), `${what}: saved and loaded`);
}

const test = suite('mixed inputs');

test('wasm: static, categorical and masked terms; intercept + contributions = the logit; save and load', async () => {
  await identity(await rnam.device('wasm'), 'wasm');
});

test('a panel of the target alone: the error says that its own past can be read (target history, window mode)', async () => {
  const lines = ['id,t,conc'];
  for (let p = 0; p < 6; p++) for (let t = 0; t < 8; t++) lines.push(`s${p},${t},${(Math.exp(-t / 3) * (1 + p / 10)).toFixed(4)}`);
  const table = rnam.readCsv(lines.join('\n'));
  const err = (() => { try { rnam.Preprocessing.fit(table, { id: 'id', time: 't', target: 'conc' }); return null; } catch (e) { return e as rnam.DataError; } })();
  assert.instance(err, rnam.DataError);
  assert.match(err!.message, /^no feature column besides id, time and target: targetHistory reads the target's earlier values as a feature, and window mode \(a window of steps\) reads its past$/);
  const plain = (() => { try { rnam.Preprocessing.fit(rnam.readCsv('y\n1\n2\n'), { target: 'y' }); return null; } catch (e) { return e as rnam.DataError; } })();
  assert.is(plain?.message, 'no feature column besides id, time and target', 'a table without time: nothing to add');
  assert.ok(rnam.Preprocessing.fit(table, { id: 'id', time: 't', target: 'conc', targetHistory: true }).preprocessing.featureNames.includes('conc'));
});

test('a categorical term scores each level; an unseen level reads as other', async () => {
  const trained = await rnam.trainTable(clinicCsv(), { id: 'patient', time: 'day', target: 'outcome', epochs: 2, members: 1, device: 'wasm', ...quiet });
  const newcomer = 'patient,day,lab,age,ward,outcome\nX,1,0.5,50,west,\nY,1,0.5,50,north,\nZ,1,0.5,50,other,\n';
  const p = await rnam.predictTable(trained, newcomer);
  const ward = 2, n = p.samples;
  assert.is(p.contributions[ward * n + 0], p.contributions[ward * n + 2], "'west' was never seen: it scores as 'other'");
  assert.is.not(p.contributions[ward * n + 1], p.contributions[ward * n + 0], 'a known level has its own score');
  assert.ok(p.targetKnown.every((k) => !k), 'no target needed');
  // The unknown level is counted, not silently scored as 'other'; a literal 'other' is a known level.
  assert.equal(p.unseenLevels, [{ feature: 'ward', levels: [{ level: 'west', cells: 1 }] }]);
  assert.equal(rnam.describeUnseenLevels(p.unseenLevels), ["ward: 'west' (1 cell) read as 'other' (not among the model's levels)"]);
  const streamed = rnam.predictStream(trained, { csv: [newcomer + 'W,1,0.5,50,west,\n'] }, { chunkSamples: 1 });
  for await (const _row of streamed) { /* read it all */ }
  assert.equal(streamed.summary().unseenLevels, [{ feature: 'ward', levels: [{ level: 'west', cells: 2 }] }]);
  assert.equal((await rnam.predictTable(trained, clinicCsv())).unseenLevels, [], 'the training table has no unknown level');
  const e = await rnam.explain(trained.model, trained.datasets.train, { offsets: trained.centering.offsets });
  const shape = e.shapes.find((s) => s.feature === 'ward')!;
  assert.is(shape.kind, 'categorical');
  assert.equal(shape.levels, ['other', 'east', 'north', 'south']);
  assert.ok(shape.bins.every((b) => b.x0 === b.x1 && Number.isInteger(b.x)), 'one bar per level');
  assert.is(e.shapes.find((s) => s.feature === 'age')!.kind, 'static');
});

test('a feature never observed in a series still predicts (its term reads "never observed")', async () => {
  const trained = await rnam.trainTable(clinicCsv(), { id: 'patient', time: 'day', target: 'outcome', epochs: 2, members: 1, device: 'wasm', ...quiet });
  const p = await rnam.predictTable(trained, 'patient,day,lab,age,ward\nQ,1,,70,south\nQ,5,,70,south\n');
  assert.is(p.samples, 1);
  assert.ok(Number.isFinite(p.prediction[0]) && Number.isFinite(p.contributions[0]), `prediction ${p.prediction[0]}`);
  // The lab has empty cells in training, so each step also reads whether it was observed then or before:
  // a series that never measured it differs from one that measured it once at its mean.
  assert.is(trained.preprocessing.record.mixed!.seenInput, true);
  const ds = trained.preprocessing.transform(rnam.readCsv('patient,day,lab,age,ward\nQ,1,,70,south\nQ,5,,70,south\nR,1,3,70,south\nR,5,,70,south\n'));
  const b = (ds as rnam.MixedDataset).batch([0, 1]), D = b.shape[3], S = b.shape[2], seen = rnam.STEP_INPUTS.length;
  assert.equal([b.x![seen], b.x![D + seen]], [0, 0], 'never measured: not seen at either step');
  assert.equal([b.x![S * D + seen], b.x![S * D + D + seen]], [1, 1], 'measured at the first step: seen from then on');
  assert.equal([b.x![S * D + 1], b.x![S * D + D + 1]], [1, 0], 'observed only at the first step');
  // Without empty cells in training the steps keep their three inputs (the seed's data and files are unchanged).
  const full = await rnam.trainTable(clinicCsv().replace(/,,/g, ',0.1,'), { id: 'patient', time: 'day', target: 'outcome', epochs: 1, members: 1, device: 'wasm', ...quiet });
  assert.is(full.preprocessing.record.mixed!.seenInput, undefined);
  assert.is((full.model.describe().config as { stepInputs: number }).stepInputs, rnam.STEP_INPUTS.length);
});

test('the time since the last observation is an input: a truth that depends on the gaps is learned; without it, it is not', async () => {
  // The outcome: the last two visits were more than 10 days apart. Values carry nothing.
  const make = (seed: number) => {
    const gen = new rnam.Generator(seed), lines = ['id,day,x,y'];
    for (let p = 0; p < 240; p++) {
      let day = 0, gap = 0;
      const visits = 3 + gen.int(3);
      for (let v = 0; v < visits; v++) {
        gap = 1 + gen.int(20);
        day += gap;
        lines.push(`e${p},${day},${gen.normal().toFixed(3)},_`);
      }
      lines.splice(lines.length - visits, visits, ...lines.slice(lines.length - visits).map((l) => l.replace('_', gap > 10 ? '1' : '0')));
    }
    return lines.join('\n') + '\n';
  };
  const common = { id: 'id', time: 'day', target: 'y', epochs: 40, members: 1, patience: 40, lr: 0.01, device: 'wasm', ...quiet } as const;
  const withGaps = await rnam.trainTable(make(3), common);
  const gaps = await rnam.predictTable(withGaps, make(4));
  const aucGaps = rnam.rocAuc(Array.from(gaps.prediction), Array.from(gaps.targets));
  const orderOnly = await rnam.trainTable(make(3), { ...common, model: 'first-order', missing: 'error' });
  const order = await rnam.predictTable(orderOnly, make(4));
  const aucOrder = rnam.rocAuc(Array.from(order.prediction), Array.from(order.targets));
  assert.ok(aucGaps > 0.85, `with the gap input: AUC ${aucGaps}`);
  assert.ok(aucOrder < 0.7, `the first-order model sees values in order only: AUC ${aucOrder}`);
});

test('window mode: samples whose target is missing are skipped in training and counted; predicted all the same', async () => {
  const lines = ['day,x,y'];
  const gen = new rnam.Generator(8);
  for (let d = 0; d < 90; d++) lines.push(`${d},${gen.normal().toFixed(3)},${d % 7 === 3 ? '' : gen.normal().toFixed(3)}`);
  const said: string[] = [];
  const trained = await rnam.trainTable(lines.join('\n'), { time: 'day', target: 'y', window: 5, epochs: 2, members: 1, device: 'wasm', log: (l) => said.push(l) });
  const skipped = said.find((l) => /samples have no known target/.test(l));
  assert.ok(skipped, said.join('\n'));
  assert.ok(Number(skipped!.split(' ')[0]) >= 10, skipped);
  const p = await rnam.predictTable(trained, lines.join('\n'));
  assert.is(p.samples, 90 - 5 + 1);
  assert.ok(p.targetKnown.some((k) => !k) && p.targetKnown.some((k) => k));
  // The target's column is one of the window's features: new data without it is told why it needs it.
  const err = await rnam.predictTable(trained, lines.map((l) => l.split(',').slice(0, 2).join(',')).join('\n')).then(() => null, (e) => e);
  assert.instance(err, rnam.DataError);
  assert.is(err.column, 'y');
  assert.match(err.message, 'the model reads its earlier values (a window of its steps); give the column, empty where unknown');
});

test('wasm: a missing static value has a learned contribution of its own', async () => {
  await staticMissing(await rnam.device('wasm'), 'wasm');
});


test('a static value missing in fewer than MIN_MISSING_COUNT training ids reads as the mean, without a flag', async () => {
  // dose is missing on about a third of the rows (a flag of its own); age on 2 rows only.
  const withAge = (csv: string, extra: string[] = []) => {
    const gen = new rnam.Generator(9);
    const lines = csv.trim().split('\n');
    return [lines[0] + ',age', ...lines.slice(1).map((l, i) => `${l},${i === 3 || i === 7 ? '' : (30 + gen.int(40)).toString()}`), ...extra].join('\n') + '\n';
  };
  const trained = await rnam.trainTable(withAge(missingDoseCsv()), { id: 'row', target: 'y', static: ['dose', 'age'], epochs: 5, members: 1, device: 'wasm', ...quiet });
  const m = trained.preprocessing.record.mixed!;
  assert.is(m.staticMissing, true);
  assert.equal(m.staticFlagged, [true, false], 'dose is missing often enough for a flag, age is not');
  // A row without age scores exactly as a row whose age is the training mean; a missing dose does not score as the mean dose.
  const ageMean = m.static[1].mean, doseMean = m.static[0].mean;
  const rows = `row,dose,y,age\nA,1.5,0,\nB,1.5,0,${ageMean}\nC,,0,40\nD,${doseMean},0,40\n`;
  const p = await rnam.predictTable(trained, rows);
  const n = p.samples, age = 1, dose = 0, at = (term: number, i: number) => p.contributions[term * n + i];
  assert.is(at(age, 0), at(age, 1), 'missing age = age at its mean');
  assert.is.not(at(dose, 2), at(dose, 3), 'missing dose has a contribution of its own');
  const loaded = await rnam.loadTrained(await rnam.saveTrained(trained), { device: 'wasm' });
  assert.equal(Array.from((await rnam.predictTable(loaded, rows)).contributions), Array.from(p.contributions), 'saved and loaded');
});
test('a plain table without a time column trains an additive model of static and categorical terms', async () => {
  const gen = new rnam.Generator(2), lines = ['row,size,kind,price'];
  for (let i = 0; i < 150; i++) {
    const size = 20 + gen.int(100), kind = ['flat', 'house', 'loft'][gen.int(3)];
    lines.push(`${i},${size},${kind},${(size * 2 + (kind === 'house' ? 50 : 0) + gen.normal() * 5).toFixed(1)}`);
  }
  const said: string[] = [];
  const trained = await rnam.trainTable(lines.join('\n'), { id: 'row', target: 'price', epochs: 30, members: 1, lr: 0.01, device: 'wasm', log: (l) => said.push(l) });
  assert.is(trained.preprocessing.record.mode, 'table');
  assert.equal(trained.preprocessing.record.columns.static, ['size']);
  assert.equal(trained.preprocessing.record.columns.categorical, ['kind']);
  assert.ok(said.some((l) => l.includes('categorical') && l.includes('kind')), 'the choice is said');
  assert.ok(trained.report.metrics.test!.r2 > 0.8, `test r2 ${trained.report.metrics.test!.r2}`);
  // A table has no steps: its linear baseline is named for the row.
  assert.equal(Object.keys(trained.report.baselines!), ['training mean', 'ridge']);
});

test('date columns besides the time are features read as decimal years: chosen or named, saved, predicted, a bad cell named', async () => {
  const gen = new rnam.Generator(12), lines = ['id,visit,born,sampled,lab,y'];
  const iso = (ms: number) => new Date(ms).toISOString().slice(0, 10);
  for (let i = 0; i < 120; i++) {
    const born = Date.UTC(1930 + gen.int(50), gen.int(12), 1 + gen.int(28)), old = born < Date.UTC(1955, 0, 1);
    for (let v = 0; v < 3; v++) {
      const visit = Date.UTC(2020, 0, 1) + (v * 30 + gen.int(10)) * 86_400_000;
      lines.push(`p${i},${iso(visit)},${iso(born)},${iso(visit + gen.int(5) * 86_400_000)},${gen.normal().toFixed(2)},${old ? 'sick' : 'well'}`);
    }
  }
  const csv = lines.join('\n'), said: string[] = [];
  const trained = await rnam.trainTable(csv, { id: 'id', time: 'visit', target: 'y', members: 1, epochs: 60, lr: 0.01, device: 'wasm', progress: false, log: (l) => said.push(l) });
  const r = trained.preprocessing.record;
  assert.equal(r.columns.static, ['born']);
  assert.equal(r.columns.dates, ['born', 'sampled']);
  assert.ok(said.includes('dates read as decimal years (2020-07-02 is 2020.5): born, sampled'), said.join('\n'));
  assert.ok(Math.abs(r.mixed!.static[0].mean - 1955) < 6, `born's mean is a year: ${r.mixed!.static[0].mean}`);
  assert.ok(trained.report.metrics.test!.auc > 0.8, `the birth year separates the classes: test AUC ${trained.report.metrics.test!.auc}`);
  // The charts write a date's ticks as years (1989.5, not 1,989.5); a plain number keeps the default.
  assert.ok(trained.explanation.shapes.find((f) => f.feature === 'born')!.dateAxis);
  assert.is(trained.report.shapes.find((f) => f.feature === 'born')!.dateAxis, true);
  const panels = (rnam.explanationCharts(trained.explanation).shapes as unknown as { concat: { title: { text: string }; layer: { encoding: { x: { axis?: { format: string } } } }[] }[] }).concat;
  const axisOf = (name: string) => panels.find((p) => p.title.text.trim() === name)!.layer[0].encoding.x.axis;
  assert.equal(axisOf('born'), { format: '~g' });
  assert.is(axisOf('lab'), undefined);
  const p = await rnam.predictTable(trained, csv);
  const loaded = await rnam.loadTrained(await rnam.saveTrained(trained), { device: 'wasm' });
  assert.equal(Array.from((await rnam.predictTable(loaded, csv)).prediction), Array.from(p.prediction), 'saved and loaded');
  const bad = csv.replace(/^(p7,[^,]*),([^,]*),/m, '$1,unknown,');
  const err = await rnam.predictTable(trained, bad).then(() => null, (e: unknown) => e);
  assert.instance(err, rnam.DataError);
  assert.equal([(err as rnam.DataError).column, (err as rnam.DataError).row], ['born', 23]);
  assert.match((err as Error).message, /not a date like the column's others: 'unknown'/);
  // Two rows of one id at one time: an error naming both rows and what to do, on the mixed path too.
  const twice = csv.replace(/^(p4,[^,]*)(,.*)$/m, '$1$2\n$1$2');
  const dupErr = await rnam.trainTable(twice, { id: 'id', time: 'visit', target: 'y', members: 1, epochs: 1, device: 'wasm', ...quiet }).then(() => null, (e: unknown) => e);
  assert.instance(dupErr, rnam.DataError);
  assert.equal([(dupErr as rnam.DataError).code, (dupErr as rnam.DataError).id], ['duplicate-time', 'p4']);
  assert.match((dupErr as Error).message, /rows 14 and 15\): a series holds one row per time; merge the two, or drop one/);
  // A stray text among the dates is an error naming it, as among numbers.
  const typo = csv.replace(/^(p9,[^,]*),([^,]*),/m, '$1,2O20-01-01,');
  const typoErr = await rnam.trainTable(typo, { id: 'id', time: 'visit', target: 'y', members: 1, epochs: 1, device: 'wasm', ...quiet }).then(() => null, (e: unknown) => e);
  assert.instance(typoErr, rnam.DataError);
  assert.equal([(typoErr as rnam.DataError).column, (typoErr as rnam.DataError).row], ['born', 29]);
  assert.match((typoErr as Error).message, /a cell is not a date: '2O20-01-01' in a column of dates/);
  // Named, the same: a static date.
  const named = await rnam.trainTable(csv, { id: 'id', time: 'visit', target: 'y', features: ['lab'], static: ['born'], members: 1, epochs: 1, device: 'wasm', ...quiet });
  assert.equal(named.preprocessing.record.columns.dates, ['born']);
  assert.equal(chooseColumns(rnam.readCsv(csv), { mode: 'panel', id: 'id', time: 'visit', target: 'y', categorical: ['born'] }).dates, ['sampled'], 'a named categorical stays levels');
});

test('a column that numbers the rows is left out of the features, and said', async () => {
  // Sorted by the target, as R's and pandas' exports often are: the row number alone would separate the classes.
  const gen = new rnam.Generator(6), lines = ['row,index0,year,gappy,x,y'];
  for (let i = 0; i < 80; i++) lines.push(`${i + 1},${i},${1960 + i},${i === 40 ? 42 : i + 1},${(gen.normal() + (i < 40 ? 0 : 1)).toFixed(3)},${i < 40 ? 'a' : 'b'}`);
  const table = rnam.readCsv(lines.join('\n'));
  const chosen = chooseColumns(table, { mode: 'table', target: 'y' });
  assert.equal(chosen.rowNumbers, ['row', 'index0'], 'counting from 1 or from 0, in file order');
  assert.equal(chosen.static, ['year', 'gappy', 'x'], 'a count from elsewhere (a year) or with a break stays a feature');
  assert.equal(chooseColumns(table, { mode: 'table', target: 'y', features: ['row', 'x'] }).static, ['row', 'x'], 'named features are the user\'s choice');
  const said: string[] = [];
  const trained = await rnam.trainTable(lines.join('\n'), { target: 'y', epochs: 2, members: 1, device: 'wasm', log: (l) => said.push(l) });
  assert.equal([...trained.preprocessing.featureNames], ['year', 'gappy', 'x']);
  assert.ok(said.includes("left out of the features: 'row' numbers the rows (0 or 1, 2, 3, ... in file order), which tells how the file is sorted, not what a sample is (name the features to use it, the id to name the rows by it)"), said.join('\n'));
  assert.ok(trained.report.notes.some((n) => n.text.startsWith("left out of the features: 'index0' numbers the rows")));
});

test('exclude leaves columns out of the automatic choice; a typo or a clash with a named feature is an error naming it', async () => {
  const gen = new rnam.Generator(8), lines = ['x,leak,note,y'];
  for (let i = 0; i < 60; i++) {
    const y = gen.normal();
    lines.push(`${(y + gen.normal()).toFixed(3)},${y.toFixed(3)},${i % 3 ? 'a' : 'b'},${y.toFixed(3)}`);
  }
  const table = rnam.readCsv(lines.join('\n'));
  assert.equal(chooseColumns(table, { mode: 'table', target: 'y', exclude: ['leak', 'note'] }).static, ['x']);
  const trained = await rnam.trainTable(lines.join('\n'), { target: 'y', exclude: ['leak'], epochs: 1, members: 1, device: 'wasm', ...quiet });
  assert.equal([...trained.preprocessing.featureNames], ['x', 'note']);
  const error = (o: object) => rnam.trainTable(lines.join('\n'), { target: 'y', epochs: 1, members: 1, device: 'wasm', ...quiet, ...o }).then(() => null, (e) => e);
  const typo = await error({ exclude: ['lek'] });
  assert.instance(typo, rnam.DataError);
  assert.is(typo.code, 'missing-column');
  assert.is(typo.column, 'lek');
  assert.match(typo.message, 'the excluded column is not in the header');
  const clash = await error({ features: ['x', 'leak'], exclude: ['leak'] });
  assert.instance(clash, rnam.DataError);
  assert.is(clash.column, 'leak');
  assert.instance(await error({ exclude: 'leak' }), rnam.ArgumentError);
  // The seed model's inputs too.
  const series = ['t,' + lines[0], ...lines.slice(1).map((l, i) => `${i},${l.split(',').slice(0, 2).join(',')},,${l.split(',')[3]}`)].join('\n');
  const firstOrder = await rnam.trainTable(series, { model: 'first-order', time: 't', target: 'y', window: 3, exclude: ['leak'], epochs: 1, device: 'wasm', ...quiet });
  assert.equal([...firstOrder.preprocessing.featureNames], ['x', 'y']);
  const seriesTypo = await rnam.trainTable(series, { model: 'first-order', time: 't', target: 'y', window: 3, exclude: ['lek'], epochs: 1, device: 'wasm', ...quiet }).then(() => null, (e) => e);
  assert.is(seriesTypo?.column, 'lek');
});

test('row names: a CSV\'s unnamed first column, and text that no two samples share, are left out and said', async () => {
  // As R's write.csv writes a data frame with row names: an unnamed first column of names.
  const gen = new rnam.Generator(8), lines = ['"","name","ward","x","y"'];
  for (let i = 0; i < 60; i++) lines.push(`"r${i}","${['Ann', 'Bo', 'Cy'][i % 3]} ${i}","${'ABC'[i % 3]}",${(gen.normal() + (i % 2)).toFixed(3)},${i % 2 ? 'yes' : 'no'}`);
  const table = rnam.readCsv(lines.join('\n'));
  assert.equal(table.columns, ['row_names', 'name', 'ward', 'x', 'y']);
  const chosen = chooseColumns(table, { mode: 'table', target: 'y' });
  assert.equal(chosen.rowNumbers, ['row_names'], 'the unnamed first column: row names, whatever they hold');
  assert.equal(chosen.rowLabels, ['name']);
  assert.equal(chosen.categorical, ['ward'], 'a text some rows share stays levels');
  // A few numbers among the labels are labels too (car models: '900' among 'Integra', 'Legend'); more than one in ten make levels.
  const models = (every: number) => rnam.readCsv(['model,x,y', ...Array.from({ length: 60 }, (_, i) => `${i % every === 0 ? 100 + i : `M${i}`},${i % 5},${i % 2}`)].join('\n'));
  assert.equal(chooseColumns(models(10), { mode: 'table', target: 'y' }).rowLabels, ['model']);
  assert.equal(chooseColumns(models(5), { mode: 'table', target: 'y' }).categorical, ['model']);
  // R's row names of a subset (2, 4, 6, ...) do not count the rows, and are left out all the same, in every mode.
  const subset = rnam.readCsv(['"","x","y"', ...Array.from({ length: 30 }, (_, i) => `"${2 * i + 2}",${(i % 7) / 7},${i % 2}`)].join('\n'));
  assert.equal(chooseColumns(subset, { mode: 'table', target: 'y' }).rowNumbers, ['row_names']);
  assert.equal(chooseColumns(subset, { mode: 'table', target: 'y' }).static, ['x']);
  assert.equal(chooseColumns(subset, { mode: 'table', target: 'y', features: ['row_names', 'x'] }).static, ['row_names', 'x'], 'named, the user\'s choice');
  const series = ['"","t","x","y"', ...Array.from({ length: 40 }, (_, i) => `"${3 * i + 1}",${i},${Math.sin(i).toFixed(3)},${Math.cos(i).toFixed(3)}`)].join('\n');
  const firstOrder = await rnam.trainTable(series, { model: 'first-order', time: 't', target: 'y', window: 4, epochs: 1, device: 'wasm', ...quiet });
  assert.equal([...firstOrder.preprocessing.featureNames], ['x', 'y'], 'the seed model\'s inputs leave the row names out too');
  const withText = series.split('\n').map((l, i) => `${l},${i === 0 ? '"ward"' : '"ABC"'.slice(0, 1) + 'ABC'[i % 3] + '"'}`).join('\n');
  const textOut = await rnam.trainTable(withText, { model: 'first-order', time: 't', target: 'y', window: 4, epochs: 1, device: 'wasm', ...quiet });
  assert.equal([...textOut.preprocessing.featureNames], ['x', 'y']);
  const seriesSaid = textOut.report.notes.map((n) => n.text);
  assert.ok(seriesSaid.includes('left out of the features: ward (not numbers: the first-order model reads numeric columns only)'), JSON.stringify(seriesSaid));
  assert.ok(seriesSaid.some((t) => t.startsWith("left out of the features: 'row_names' is the file's unnamed first column")), JSON.stringify(seriesSaid));
  assert.equal(chooseColumns(table, { mode: 'table', target: 'y', categorical: ['name'] }).categorical, ['name', 'ward'], 'named, the user\'s choice');
  // Panel mode: a name per patient (one value per id, no two ids alike) is a label too.
  const panel = ['id,t,name,x,y'];
  for (let p = 0; p < 25; p++) for (let t = 0; t < 3; t++) panel.push(`p${p},${t},Patient ${p},${gen.normal().toFixed(3)},${p % 2}`);
  assert.equal(chooseColumns(rnam.readCsv(panel.join('\n')), { mode: 'panel', id: 'id', time: 't', target: 'y' }).rowLabels, ['name']);
  assert.equal(chooseColumns(rnam.readCsv(panel.slice(0, 31).join('\n')), { mode: 'panel', id: 'id', time: 't', target: 'y' }).rowLabels, [], 'fewer than 20 names: levels');
  const said: string[] = [];
  const trained = await rnam.trainTable(lines.join('\n'), { target: 'y', epochs: 2, members: 1, device: 'wasm', log: (l) => said.push(l) });
  assert.equal([...trained.preprocessing.featureNames], ['x', 'ward']);
  assert.ok(said.includes("left out of the features: 'row_names' is the file's unnamed first column, row names as R's write.csv and pandas' to_csv write them, which tells how the file is sorted, not what a sample is (name the features to use it, the id to name the rows by it)"), said.join('\n'));
  assert.ok(said.includes("left out of the features: no two rows share a value of 'name' (a name or a label, not a category: each level would have one sample to learn from; name it categorical to use it, the id to name the rows by it)"), said.join('\n'));
  // Named as the id, the row names name the rows of what predict writes.
  const byName = await rnam.trainTable(lines.join('\n'), { id: 'row_names', target: 'y', epochs: 1, members: 1, device: 'wasm', ...quiet });
  assert.equal((await rnam.predictTable(byName, lines.join('\n'))).ids.slice(0, 2), ['r0', 'r1']);
  // An unnamed column elsewhere, or a header that already has row_names, is still an error.
  for (const header of ['a,,y', 'row_names,,y', ',row_names,y']) {
    const err = (() => { try { rnam.readCsv(`${header}\n1,2,3\n`); return null; } catch (e) { return e as Error; } })();
    assert.instance(err, rnam.DataError, header);
    assert.match(err!.message, /of the header has no name: name it, or remove the column/);
  }
});

test('a feature whose name reads as an identifier is said (it stays a feature)', async () => {
  const names = ['Id', 'sample_id', 'record.id', 'id_code', 'patientID', 'patientId', 'valid', 'fluid', 'paid', 'idea', 'x'];
  const table = rnam.readCsv([[...names, 'y'].join(','), ...Array.from({ length: 6 }, (_, i) => [...names.map((_, j) => i * 10 + j), i % 2].join(','))].join('\n'));
  assert.equal(chooseColumns(table, { mode: 'table', target: 'y' }).idLike, ['Id', 'sample_id', 'record.id', 'id_code', 'patientID', 'patientId']);
  assert.equal(chooseColumns(table, { mode: 'table', target: 'y', features: ['Id', 'x'] }).idLike, [], 'named features are the user\'s choice');
  const gen = new rnam.Generator(4), lines = ['Id,size,price'];
  for (let i = 0; i < 60; i++) lines.push(`${1000 + i},${gen.int(100)},${gen.normal().toFixed(2)}`);
  const said: string[] = [];
  await rnam.trainTable(lines.join('\n'), { target: 'price', epochs: 1, members: 1, device: 'wasm', progress: false, log: (l) => said.push(l) });
  assert.ok(said.includes("warning: 'Id' is a feature, but its name reads as an identifier, rarely a predictor (name the features to leave it out, the id to name the rows)"), said.join('\n'));
});

test('panel mode says when the target changes within ids (a series it reads none of), and not when it is one value per id', async () => {
  const gen = new rnam.Generator(6), rows = ['id,t,lab,y'];
  for (let i = 0; i < 40; i++) for (let t = 0; t < 3; t++) rows.push(`p${i},${t},${gen.normal().toFixed(2)},${i < 10 ? (t === 2 ? 1 : 0) : i % 2}`);
  const said: string[] = [];
  await rnam.trainTable(rows.join('\n'), { id: 'id', time: 't', target: 'y', epochs: 1, members: 1, device: 'wasm', progress: false, log: (l) => said.push(l) });
  assert.ok(said.includes("note: the target 'y' changes within 10 of 40 ids: panel mode predicts each id's last known target and reads none of its earlier values; targetHistory reads them as a feature (when they are measured over time, not an outcome known later), as window mode (a window of steps) does"), said.join('\n'));
  // one value per id: '1' and '1.0' are the same number, and an empty target cell is no value
  const written = ['1', '1.0', ''], constant = ['id,t,lab,y'];
  for (let i = 0; i < 40; i++) for (let t = 0; t < 3; t++) constant.push(`p${i},${t},${gen.normal().toFixed(2)},${i % 2 ? written[t] : '0'}`);
  const quietSaid: string[] = [];
  await rnam.trainTable(constant.join('\n'), { id: 'id', time: 't', target: 'y', epochs: 1, members: 1, device: 'wasm', progress: false, log: (l) => quietSaid.push(l) });
  assert.not.ok(quietSaid.some((l) => l.startsWith('note: the target')), quietSaid.join('\n'));
});

test('a binary test split with fewer than 5 samples of a class says its AUC rests on them, in the log and the notes', async () => {
  const gen = new rnam.Generator(8), rows = ['id,t,lab,y'];
  for (let i = 0; i < 60; i++) for (let t = 0; t < 2; t++) rows.push(`p${i},${t},${(gen.normal() + (i < 12 ? 1 : 0)).toFixed(2)},${i < 12 ? 'sick' : 'well'}`);
  const said: string[] = [];
  const trained = await rnam.trainTable(rows.join('\n'), { id: 'id', time: 't', target: 'y', epochs: 1, members: 1, device: 'wasm', progress: false, log: (l) => said.push(l) });
  const counts = [0, 1].map((c) => [...trained.datasets.test!.targets].filter((y) => y === c).length);
  const rare = Math.min(...counts);   // spread-ok: two counts
  assert.ok(rare > 0 && rare < 5, `test split: ${counts}`);
  const line = said.find((l) => l.startsWith('warning: the test split holds'));
  assert.is(line, `warning: the test split holds ${rare} sample(s) of class 'sick' (of ${counts[0] + counts[1]}): its AUC rests on them; cross-validation scores every sample`);
  assert.ok(trained.report.notes.some((n) => n.kind === 'warning' && n.text === line));
});

test('the report explains samples of every class when the split is sorted by class', async () => {
  const gen = new rnam.Generator(4), rows = ['x,y'];
  // Sorted by class, as many exports are: the first 10 test rows would all be 'a'.
  for (const label of ['a', 'b', 'c']) for (let i = 0; i < 60; i++) rows.push(`${(gen.normal() + (label === 'a' ? 0 : label === 'b' ? 2 : 4)).toFixed(3)},${label}`);
  const trained = await rnam.trainTable(rows.join('\n'), { target: 'y', epochs: 1, members: 1, device: 'wasm', ...quiet });
  const shown = trained.report.examples;
  assert.is(shown.length, 10);
  assert.equal([...new Set(shown.map((e) => e.target))].sort(), ['a', 'b', 'c']);
  const order = shown.map((e) => trained.datasets.test!.sampleIds.indexOf(e.id));
  assert.equal(order, [...order].sort((p, q) => p - q), 'in split order');
});

test('a class with fewer than 5 training samples is warned of; a one-class test split compares the log loss', async () => {
  const gen = new rnam.Generator(3), rows = ['id,t,lab,y'];
  // 3 'sick' of 60 ids, all three placed in training by a split column.
  for (let i = 0; i < 60; i++) for (let t = 0; t < 2; t++) rows.push(`p${i},${t},${gen.normal().toFixed(2)},${i < 3 ? 'sick' : 'well'},${i < 45 ? 'train' : 'test'}`);
  rows[0] += ',part';
  const said: string[] = [];
  const trained = await rnam.trainTable(rows.join('\n'), { id: 'id', time: 't', target: 'y', split: { column: 'part' }, epochs: 1, members: 1, device: 'wasm', progress: false, log: (l) => said.push(l) });
  const warning = "warning: class 'sick' has 3 training samples (of 45): too few to learn it from";
  assert.ok(said.includes(warning), said.join('\n'));
  assert.ok(trained.report.notes.some((n) => n.kind === 'warning' && n.text === warning));
  assert.ok(said.some((l) => /^test auc: undefined \(the test split holds one class\); test logLoss: rnam \d\.\d{4}; base rate \d\.\d{4}, logistic regression on the last step \d\.\d{4}$/.test(l)), said.join('\n'));
  const balanced: string[] = [];
  await rnam.trainTable(rows.join('\n').replace(/,well,/g, (m, at: number) => (at % 3 ? m : ',sick,')), { id: 'id', time: 't', target: 'y', split: { column: 'part' }, epochs: 1, members: 1, device: 'wasm', progress: false, log: (l) => balanced.push(l) });
  assert.not.ok(balanced.some((l) => l.includes('too few to learn')), balanced.join('\n'));
});

test("the usual missing markers ('?', '.', '#N/A', 'NA', '<NA>') leave a column of numbers numeric, in training and prediction", async () => {
  const markers = ['?', '.', '#N/A', 'NA', '<NA>', ' ? '], rows = ['id,t,lab,y'];
  for (let i = 0; i < 30; i++) for (let t = 0; t < 3; t++) rows.push(`p${i},${t},${(i + t) % 4 === 0 ? markers[(i + t) % markers.length] : i % 2 + t / 10},${i % 2}`);
  const table = rnam.readCsv(rows.join('\n'));
  assert.equal(chooseColumns(table, { mode: 'panel', id: 'id', time: 't', target: 'y' }).sequence, ['lab']);
  const trained = await rnam.trainTable(rows.join('\n'), { id: 'id', time: 't', target: 'y', epochs: 1, members: 1, ...quiet });
  const p = await rnam.predictTable(trained, rows.join('\n'));
  assert.is(p.samples, 30);
  assert.ok(p.prediction.every(Number.isFinite));
  assert.ok(rnam.missingSpellings.includes('?') && rnam.missingSpellings.includes('#n/a'));
});

test('bad mixed inputs are errors naming the column, row or id', async () => {
  const varying = 'id,t,age,y\na,1,50,0\na,2,51,1\nb,1,40,0\nb,2,40,1\n';
  try {
    await rnam.trainTable(varying, { id: 'id', time: 't', target: 'y', static: ['age'], ...quiet });
    assert.unreachable();
  } catch (err) {
    assert.instance(err, rnam.DataError);
    assert.match((err as Error).message, /static feature 'age' changes within id 'a'/);
  }
  const typo = 'id,t,lab,y\n' + Array.from({ length: 30 }, (_, i) => `e${i},1,${i === 7 ? 'abc' : i},${i % 2}`).join('\n');
  try {
    await rnam.trainTable(typo, { id: 'id', time: 't', target: 'y', ...quiet });
    assert.unreachable();
  } catch (err) {
    assert.instance(err, rnam.DataError);
    assert.match((err as Error).message, /'abc'/);
    assert.is((err as rnam.DataError).column, 'lab');
  }
  const usDates = 'id,visit,lab,y\n' + Array.from({ length: 30 }, (_, i) => `e${i},01/${10 + (i % 9)}/2020,${i + 5},${i % 2}`).join('\n');
  try {
    await rnam.trainTable(usDates, { id: 'id', time: 'visit', target: 'y', ...quiet });
    assert.unreachable();
  } catch (err) {
    assert.instance(err, rnam.DataError);
    assert.match((err as Error).message, /'01\/10\/2020'.*YYYY-MM-DD/);
    assert.equal([(err as rnam.DataError).column, (err as rnam.DataError).row], ['visit', 2]);
  }
  // A number float32 cannot hold, in training or in new data: named, not a NaN prediction.
  const lines = ['id,t,lab,y', ...Array.from({ length: 40 }, (_, i) => `e${i},1,${(i * 7) % 11},${i % 2}`)];
  const huge = [...lines];
  huge[5] = 'e4,1,1e39,0';
  const err = await rnam.trainTable(huge.join('\n'), { id: 'id', time: 't', target: 'y', ...quiet }).then(() => null, (e) => e);
  assert.instance(err, rnam.DataError);
  assert.equal([err.column, err.row], ['lab', 6]);
  assert.match(err.message, "a cell is beyond float32's range (±3.4e38), which the model computes in: '1e39'");
  const trained = await rnam.trainTable(lines.join('\n'), { id: 'id', time: 't', target: 'y', epochs: 1, members: 1, device: 'wasm', ...quiet });
  const inNew = await rnam.predictTable(trained, huge.join('\n')).then(() => null, (e) => e);
  assert.instance(inNew, rnam.DataError);
  assert.is(inNew.column, 'lab');
  // The seed model's inputs read cells the same way: refused, not Infinity.
  const series = ['t,lab,y', ...Array.from({ length: 40 }, (_, i) => `${i},${i === 9 ? '-1e39' : (i * 7) % 11},${i % 3}`)].join('\n');
  const seeded = await rnam.trainTable(series, { model: 'first-order', time: 't', target: 'y', window: 3, features: ['lab', 'y'], epochs: 1, device: 'wasm', ...quiet }).then(() => null, (e) => e);
  assert.instance(seeded, rnam.DataError);
  assert.match(seeded.message, "'-1e39'");
});

test.run();

const gpu = await webgpuBackend();
if (typeof gpu === 'string') reportUnavailable('mixed inputs', gpu);
else {
  const g = suite('mixed inputs on WebGPU');
  g('WebGPU: static, categorical and masked terms; intercept + contributions = the logit; save and load', async () => {
    await identity(gpu as unknown as rnam.Device, 'webgpu');
  });
  g('WebGPU: a missing static value has a learned contribution of its own', async () => {
    await staticMissing(gpu as unknown as rnam.Device, 'webgpu');
  });
  g.run();
}
