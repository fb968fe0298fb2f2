// Error bands on shape functions across ensemble members (EBM style): zero width for identical
// members, the spread of the members' own curves otherwise (against explanations of each member
// alone), the mean curve equal to the ensemble's, null for one member, drawn in the charts, and in
// report.json. Sequence, static and categorical terms alike.
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { compile } from 'vega-lite';
import * as rnam from '../src/index.js';
import { memberContributions, memberOffsets } from '../src/explain/members.js';

const quiet = { log: null, progress: false, device: 'wasm' } as const;

/** 40 ids, 4 visits: a time-varying marker, a static age, a categorical group; outcome from all three. */
function panelCsv(): string {
  const gen = new rnam.Generator(6), lines = ['id,t,marker,age,group,y'];
  for (let p = 0; p < 40; p++) {
    const level = gen.normal(), age = 40 + gen.int(40), group = ['a', 'b', 'c'][p % 3];
    const y = level + (age - 60) / 20 + (group === 'b' ? 1 : 0) > 0.5 ? 1 : 0;
    for (let t = 0; t < 4; t++) lines.push(`p${p},${t},${(level + gen.normal() * 0.4).toFixed(3)},${age},${group},${y}`);
  }
  return lines.join('\n') + '\n';
}

const options = { id: 'id', time: 't', target: 'y', static: ['age'], categorical: ['group'], epochs: 3, ...quiet };
const one = (seed: number) => rnam.trainTable(panelCsv(), { ...options, memberSeeds: [seed] });
const [a, b] = [await one(1), await one(2)];
const ds = a.datasets.train as rnam.MixedDataset;
const explainOn = (model: rnam.AdditiveRNAM) => rnam.explain(model, ds, { center: false, bins: 5 });

const test = suite('shape function bands across ensemble members');

test('one member: no band (sd null), members 1', async () => {
  const e = await explainOn(a.model as rnam.AdditiveRNAM);
  for (const s of e.shapes) {
    assert.is(s.members, 1);
    assert.ok(s.bins.every((bin) => bin.sd === null), s.feature);
  }
});

test('identical members: a band of zero width on every term kind, the curve of the member', async () => {
  const twin = await rnam.AdditiveRNAM.fromMembers([a.model as rnam.AdditiveRNAM, a.model as rnam.AdditiveRNAM]);
  const [e, alone] = [await explainOn(twin), await explainOn(a.model as rnam.AdditiveRNAM)];
  assert.equal(e.shapes.map((s) => s.kind), ['sequence', 'static', 'categorical']);
  e.shapes.forEach((s, t) => {
    assert.is(s.members, 2);
    s.bins.forEach((bin, k) => {
      assert.ok(bin.sd !== null && bin.sd <= 1e-6, `${s.feature} bin ${k}: sd ${bin.sd}`);
      assert.ok(Math.abs(bin.contribution - alone.shapes[t].bins[k].contribution) < 1e-5, `${s.feature} bin ${k}`);
    });
  });
});

test("different members: the mean curve is the ensemble's, the band the spread of their own curves", async () => {
  const pair = await rnam.AdditiveRNAM.fromMembers([a.model as rnam.AdditiveRNAM, b.model as rnam.AdditiveRNAM]);
  const [e, ea, eb] = [await explainOn(pair), await explainOn(a.model as rnam.AdditiveRNAM), await explainOn(b.model as rnam.AdditiveRNAM)];
  const ownMean = (x: rnam.Explanation, t: number) => {
    let s = 0;
    for (let i = 0; i < x.samples; i++) s += x.contributions[t * x.samples + i];
    return s / x.samples;
  };
  let widest = 0;
  e.shapes.forEach((s, t) => {
    s.bins.forEach((bin, k) => {
      const ba = ea.shapes[t].bins[k], bb = eb.shapes[t].bins[k];
      assert.equal([ba.x0, ba.x1, ba.count], [bin.x0, bin.x1, bin.count], 'the same bins');
      assert.ok(Math.abs(bin.contribution - (ba.contribution + bb.contribution) / 2) < 1e-5, `${s.feature} bin ${k}: the mean of the members' curves`);
      // two members: sd = |d_a - d_b| / sqrt 2, each member's curve less its own mean
      const expected = Math.abs(ba.contribution - ownMean(ea, t) - (bb.contribution - ownMean(eb, t))) / Math.SQRT2;
      assert.ok(Math.abs(bin.sd! - expected) < 1e-5, `${s.feature} bin ${k}: sd ${bin.sd} vs ${expected}`);
      widest = Math.max(widest, bin.sd!);
    });
  });
  assert.ok(widest > 1e-3, `members trained from other seeds disagree somewhere (widest sd ${widest})`);
  // the charts draw the band (an area under the line) and error bars on the levels, and compile
  const charts = rnam.explanationCharts(e);
  type Layered = { spec: { layer: { mark: { type: string } }[] } };
  type Panels = { concat: { layer: { mark: { type: string } }[] }[] };
  for (const panel of (charts.shapes as unknown as Panels).concat) assert.equal(panel.layer.map((l) => l.mark.type), ['circle', 'area', 'line']);
  const levels = (charts.levels as unknown as Layered).spec.layer.map((l) => l.mark.type);
  assert.equal(levels, ['bar', 'rule']);
  compile(charts.shapes as never);
  compile(charts.levels as never);
  const single = rnam.explanationCharts(ea);
  assert.not.ok((single.shapes as unknown as Panels).concat.some((p) => p.layer.some((l) => l.mark.type === 'area')), 'no band for one member');
});

test("with each member's training centering: a level constant on the explained samples still shows the members' disagreement", async () => {
  const pair = await rnam.AdditiveRNAM.fromMembers([a.model as rnam.AdditiveRNAM, b.model as rnam.AdditiveRNAM]);
  // Explained on group 'b' alone: its categorical term is one value there.
  const sub = ds.subset(Array.from({ length: ds.samples }, (_, i) => i).filter((i) => ds.sampleIds[i] && Number(ds.sampleIds[i].slice(1)) % 3 === 1));
  const own = (await rnam.memberOffsets(pair, ds))!;
  assert.is(await rnam.memberOffsets(a.model, ds), null, 'one member: no members\' centering');
  const offsets = own.map((term) => [term.reduce((s, row) => s + row[0], 0) / term.length]);
  const [aligned, trained] = [await rnam.explain(pair, sub, { bins: 5 }), await rnam.explain(pair, sub, { bins: 5, offsets, memberOffsets: own })];
  const [ea, eb] = [await rnam.explain(a.model as rnam.AdditiveRNAM, sub, { center: false, bins: 5 }), await rnam.explain(b.model as rnam.AdditiveRNAM, sub, { center: false, bins: 5 })];
  const group = 2;
  assert.is(trained.shapes[group].bins.length, 1, 'one level on the explained samples');
  assert.ok(aligned.shapes[group].bins[0].sd! < 1e-6, 'aligned on these samples, the members agree on a constant term');
  // Each member less its own training mean: sd = |(c_a - m_a) - (c_b - m_b)| / sqrt 2.
  const expected = Math.abs(ea.shapes[group].bins[0].contribution - own[group][0][0] - (eb.shapes[group].bins[0].contribution - own[group][1][0])) / Math.SQRT2;
  assert.ok(expected > 1e-3, `the members disagree on the level (${expected})`);
  assert.ok(Math.abs(trained.shapes[group].bins[0].sd! - expected) < 1e-5, `sd ${trained.shapes[group].bins[0].sd} vs ${expected}`);
  // The mean curve is still the ensemble's, centered on its training mean.
  assert.ok(Math.abs(trained.shapes[group].bins[0].contribution - (ea.shapes[group].bins[0].contribution + eb.shapes[group].bins[0].contribution) / 2 + offsets[group][0]) < 1e-5);
  const bad = await rnam.explain(pair, sub, { offsets, memberOffsets: own.map((term) => term.slice(0, 1)) }).then(() => null, (e) => e);
  assert.instance(bad, rnam.ArgumentError);
  assert.match(bad.message, /memberOffsets has 1 members for a model of 2/);
  const alone = await rnam.explain(pair, sub, { memberOffsets: own }).then(() => null, (e) => e);
  assert.match(alone?.message ?? '', /need the ensemble's offsets/);
});

test('report.json carries the bins with their sd; centered, in the target units', async () => {
  const trained = await rnam.trainTable(panelCsv(), { ...options, memberSeeds: [1, 2] });
  const shapes = trained.report.shapes;
  assert.equal(shapes.map((s) => s.feature), ['marker', 'age', 'group']);
  assert.ok(shapes.every((s) => s.members === 2 && s.bins.every((bin) => typeof bin.sd === 'number' && bin.sd >= 0)));
  assert.equal(shapes[2].levels, trained.explanation.shapes[2].levels);
  assert.equal(JSON.parse(JSON.stringify(shapes[0].bins)), JSON.parse(JSON.stringify(trained.explanation.shapes[0].bins)));
  assert.ok(a.report.shapes.every((s) => s.members === 1 && s.bins.every((bin) => bin.sd === null)));
  // Each importance's sd: the spread of the members' mean |contribution - their own training mean|.
  const own = (await memberOffsets(trained.model, trained.datasets.train as rnam.MixedDataset))!;
  own.forEach((term, t) => assert.ok(Math.abs((term[0][0] + term[1][0]) / 2 - trained.centering.offsets[t][0]) < 1e-6, 'the members\' centering averages to the ensemble\'s'));
  const explained = trained.datasets[trained.report.explainedSplit] as rnam.MixedDataset;
  const each = (await memberContributions(trained.model, explained))!, n = explained.samples;
  for (const entry of trained.report.importance) {
    const t = explained.featureNames.indexOf(entry.feature);
    const [ia, ib] = [0, 1].map((m) => { let s = 0; for (let i = 0; i < n; i++) s += Math.abs(each.values[(t * 2 + m) * n + i] - own[t][m][0]) / n; return s; });
    assert.ok(Math.abs(entry.sd! - Math.abs(ia - ib) / Math.SQRT2) < 1e-6, `${entry.feature}: sd ${entry.sd} vs ${Math.abs(ia - ib) / Math.SQRT2}`);
  }
  for (const m of [trained, a, b]) for (const p of m.model.parameters()) p.dispose();
});

test.run();
