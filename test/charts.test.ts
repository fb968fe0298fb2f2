// The chart layer (src/explain/charts.ts) with any feature name and with many terms: names that are
// Object.prototype keys, or hold dots, brackets, quotes and markup, render in every chart; 10,000
// terms render (capped at maxTerms, the rest named), and so do all 10,000 when asked; lossChart.
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import * as rnam from '../src/index.js';
import { renderSvg } from '../src/plot/index.js';

const test = suite('charts');
// One thread: the explanations here are of up to 10,000 terms, whose kernel calls are split by term.
const dev = new rnam.WasmBackend({ threads: 1 });

const ODD = ['constructor', 'toString', '__proto__', 'hasOwnProperty', 'valueOf', 'a.b', 'c[0]', 'd["x"]', 'q"uote', "it's", 'back\\slash', '0 zero', 'd<e>&f', 'plain'];
/** How a name appears as SVG text. */
const text = (n: string) => `>${n.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;')}<`;

async function explanation(names: string[], samples = 6, seq = 3): Promise<rnam.Explanation> {
  const T = names.length;
  const x = Array.from({ length: samples }, (_, i) => Array.from({ length: seq }, (_, t) => Array.from({ length: T }, (_, f) => Math.sin(1.7 * i + t + 0.3 * f) * (1 + (f % 5)))));
  const ds = rnam.fromArrays({ x, layout: 'batch-first', y: Array.from({ length: samples }, (_, i) => i), featureNames: names });
  rnam.manualSeed(11);
  const model = new rnam.FirstOrderRNAM({ terms: T, hiddenDim: T > 100 ? 1 : 3, outDim: 1, blocks: T > 100 ? 0 : 1 }).to(dev);
  return rnam.explain(model, ds);
}

type Data = { values: Record<string, unknown>[] };

test('every feature name renders in the importance, shape and local charts', async () => {
  const e = await explanation(ODD);
  const charts = rnam.explanationCharts(e, { sample: 2 });
  for (const [name, spec] of Object.entries(charts)) {
    const svg = await renderSvg(spec);
    for (const f of ODD) assert.ok(svg.includes(text(f)), `the ${name} chart names ${JSON.stringify(f)}`);
    assert.not.match(svg, />\d+ (constructor|plain)</, `${name}: the sort keys stay out of the labels`);
  }
  // The bars keep the importance order, the panels the feature order.
  const bars = (charts.importance.data as Data).values.map((v) => v.feature);
  assert.equal(bars, e.importance.map((i) => i.feature));
  const panels = [...new Set((charts.shapes.data as Data).values.map((v) => v.term))];
  assert.equal(panels, ODD.map((f, i) => `${i} ${f}`));
});

test('10,000 terms: the 20 most important are drawn, the rest named; the waterfall still adds up; all 10,000 render when asked', async () => {
  const names = Array.from({ length: 10_000 }, (_, i) => (i % 3 === 0 ? `f.${i}` : i % 3 === 1 ? `g[${i}]` : `h${i}`));
  const e = await explanation(names, 4, 2);
  const charts = rnam.explanationCharts(e);
  const top = e.importance.slice(0, 20).map((i) => i.feature);
  assert.equal((charts.importance.data as Data).values.map((v) => v.feature), top);
  for (const spec of [charts.importance, charts.shapes]) {
    const omitted = (spec.usermeta as { rnam: { omittedTerms: string[] } }).rnam.omittedTerms;
    assert.equal(omitted, e.importance.slice(20).map((i) => i.feature));
    assert.match(JSON.stringify(spec.title), `9980 less important terms not drawn: ${omitted.slice(0, 10).join(', ')} and 9970 more`);
  }
  assert.is(new Set((charts.shapes.data as Data).values.map((v) => v.term)).size, 20);
  const rows = (charts.local.data as Data).values as { key: string; start: number; end: number }[];
  assert.is(rows.length, 1 + 20 + 1 + 1);
  assert.is(rows.at(-2)!.key, '21 (9980 other terms)');
  const prediction = e.local(0).prediction;
  assert.ok(Math.abs(rows.at(-2)!.end - prediction) <= 1e-4 * Math.max(1, Math.abs(prediction)), `${rows.at(-2)!.end} vs ${prediction}`);
  for (const [name, spec] of Object.entries(charts)) assert.ok((await renderSvg(spec)).startsWith('<svg'), name);
  const all = rnam.explanationCharts(e, { maxTerms: Infinity });
  assert.is((all.importance.data as Data).values.length, 10_000);
  const svg = await renderSvg(all.importance);
  for (const f of [names[0], names[4_999], names[9_998]]) assert.ok(svg.includes(text(f)), f);
});

test('a multiclass model\'s categorical bars stand side by side per level, each class a bar a few pixels wide', async () => {
  const gen = new rnam.Generator(2), lines = ['size,colour,y'];
  for (let i = 0; i < 90; i++) lines.push(`${gen.normal().toFixed(2)},${['red', 'green', 'blue'][i % 3]},${['a', 'b', 'c'][(i + (i % 7 === 0 ? 1 : 0)) % 3]}`);
  const trained = await rnam.trainTable(lines.join('\n'), { target: 'y', epochs: 3, members: 2, device: 'wasm', log: null });
  const svg = await renderSvg(rnam.explanationCharts(trained.explanation).levels!);
  const widths = [...svg.matchAll(/aria-roledescription="bar"[^>]*d="M[-0-9.e]+,[-0-9.e]+h([0-9.e]+)/g)].map((m) => Number(m[1]));
  const bins = trained.explanation.shapes.find((f) => f.feature === 'colour')!.bins;
  assert.is(bins.length, 3 * 3, 'blue, green, red: three classes each');
  assert.is(widths.length, bins.length);
  assert.ok(widths.every((w) => w > 5), `bar widths ${widths.join(' ')}`);
});

test('maxTerms: a positive integer or Infinity', async () => {
  const e = await explanation(['a', 'b', 'c']);
  assert.is((rnam.explanationCharts(e, { maxTerms: 1 }).importance.data as Data).values.length, 1);
  for (const bad of [0, -1, 1.5, NaN, '3']) {
    assert.throws(() => rnam.explanationCharts(e, { maxTerms: bad as number }), (err: Error) => err instanceof rnam.ArgumentError && /maxTerms/.test(err.message));
  }
});

test('lossChart: train and validation lines per epoch, non-finite losses left out and counted; typed errors', async () => {
  const history = [
    { epoch: 1, trainLoss: 1.5, valLoss: 1.7, seconds: 1 },
    { epoch: 2, trainLoss: 0.9, valLoss: NaN },
    { epoch: 3, trainLoss: 0.5, valLoss: 0.8 },
  ];
  const spec = rnam.lossChart(history);
  assert.equal((spec.data as Data).values, [
    { epoch: 1, split: 'train', loss: 1.5 }, { epoch: 1, split: 'validation', loss: 1.7 },
    { epoch: 2, split: 'train', loss: 0.9 }, { epoch: 2, split: 'validation', loss: null },
    { epoch: 3, split: 'train', loss: 0.5 }, { epoch: 3, split: 'validation', loss: 0.8 },
  ]);
  assert.equal(spec.title, { text: 'Loss per epoch', subtitle: '1 non-finite loss (NaN or infinite) not drawn' });
  assert.is(JSON.stringify(spec), JSON.stringify(JSON.parse(JSON.stringify(spec))), 'plain JSON');
  const svg = await renderSvg(spec);
  for (const label of ['train', 'validation', 'Loss per epoch']) assert.ok(svg.includes(`>${label}<`), label);
  assert.equal(rnam.lossChart([{ epoch: 1, trainLoss: 2 }], { title: 'fit' }).title, 'fit');
  assert.throws(() => rnam.lossChart(null as never), (err: Error) => err instanceof rnam.ArgumentError && /history must be an array/.test(err.message));
  assert.throws(() => rnam.lossChart([{ epoch: 1 }] as never), (err: Error) => err instanceof rnam.ArgumentError && /history\[0\]/.test(err.message));
});

test.after(() => dev.dispose());
test.run();
