// The seed notebook's experiment with rnam: generate the synthetic longitudinal data, train a
// FirstOrderRNAM with AdamW, print the seed's "epoch: train/val" lines, save the model
// (safetensors) and a picture of what it learned (rnam.explain: shape functions, term importance)
// with the loss curves, as SVG and, with --png, as PNG through headless Chromium.
//
//   npm start                      # default: seq 128, 10 000 samples, 10 epochs (48 s on 2 cores of an Intel Xeon, family 6 model 167)
//   npm start -- --full            # the seed's configuration: seq 1024, 25 epochs (13.5 min on the same machine)
//   npm start -- --epochs 3 --samples 2000 --split 1600 --seq 64 --out out/ --png
import { parseArgs } from 'node:util';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import os from 'node:os';
import * as rnam from '../src/index.js';
import { renderSvg } from '../src/plot/index.js';
import { svgToPng } from './svg-to-png.js';

const { values: args } = parseArgs({
  options: {
    full: { type: 'boolean', default: false },
    seq: { type: 'string' }, epochs: { type: 'string' }, samples: { type: 'string' }, split: { type: 'string' },
    'batch-size': { type: 'string', default: '128' }, lr: { type: 'string', default: '1e-3' }, seed: { type: 'string', default: '42' },
    hidden: { type: 'string', default: '8' }, blocks: { type: 'string', default: '4' }, terms: { type: 'string', default: '8' },
    device: { type: 'string', default: 'wasm' }, out: { type: 'string', default: 'out' }, png: { type: 'boolean', default: false },
  },
});
const num = (v: string | undefined, fallback: number) => (v === undefined ? fallback : Number(v));
const seq = num(args.seq, args.full ? 1024 : 128);
const epochs = num(args.epochs, args.full ? 25 : 10);
const samples = num(args.samples, 10_000);
const split = num(args.split, Math.round(samples * 0.8));
const batchSize = num(args['batch-size'], 128), lr = num(args.lr, 1e-3), seed = num(args.seed, 42);
const terms = num(args.terms, 8), hiddenDim = num(args.hidden, 8), blocks = num(args.blocks, 4);

const device = await rnam.device(args.device as rnam.DeviceKind);
console.log(`rnam seed experiment: terms ${terms}, hidden ${hiddenDim}, blocks ${blocks}, seq ${seq}, samples ${samples} (train ${split}), `
  + `batch ${batchSize}, AdamW lr ${lr}, ${epochs} epochs, seed ${seed}`);
console.log(`device: ${device.description} (${rnam.deviceReason()}); ${os.cpus()[0]?.model ?? 'CPU'}, ${os.cpus().length} cores`);

rnam.manualSeed(seed);
const model = new rnam.FirstOrderRNAM({ terms, hiddenDim, outDim: 1, blocks }).to(device); // the seed builds the model first
let started = performance.now();
const { train, validation } = rnam.generateSeedData({ terms, seq, samples, splitPoint: split });
console.log(`data: ${samples} sequences of ${seq} steps in ${((performance.now() - started) / 1000).toFixed(1)} s`);

started = performance.now();
const history = await rnam.fit(model, train, {
  epochs, batchSize, validation, optimizer: new rnam.AdamW(model.parameters(), { lr }),
});
const seconds = (performance.now() - started) / 1000;
const steps = epochs * Math.ceil(split / batchSize);
console.log(`total time: ${seconds.toFixed(1)} s (${((seconds / steps) * 1000).toFixed(0)} ms per training step incl. validation)`);
console.log(`final validation MSE: ${history.at(-1)?.valLoss?.toFixed(6)} (the target's variance is 1)`);

mkdirSync(args.out!, { recursive: true });
const modelPath = join(args.out!, 'rnam-seed.safetensors');
writeFileSync(modelPath, await rnam.safetensors.serializeAsync(model.stateDict(), {
  model: 'FirstOrderRNAM', terms: String(terms), hidden_dim: String(hiddenDim), out_dim: '1', blocks: String(blocks), seq: String(seq),
}));
// What the model learned, from its additive structure: each term's contribution against the EMA of
// its input (the target is a function of the latents' EMA with decay 0.95, so alpha 0.05).
const explanation = await rnam.explain(model, validation, { summary: 'ema', emaAlpha: 0.05, batchSize });
console.log(`term importance (mean |contribution|): ${explanation.importance.map((i) => `${i.feature} ${i.importance.toFixed(3)}`).join(', ')}`);
const charts = rnam.explanationCharts(explanation, { maxPoints: 600 });
const losses = history.flatMap((h) => [
  { epoch: h.epoch, split: 'train', mse: h.trainLoss },
  ...(h.valLoss !== undefined ? [{ epoch: h.epoch, split: 'validation', mse: h.valLoss }] : []),
]);
const inner = ({ $schema, ...rest }: rnam.VegaLiteSpec) => rest; // one $schema, at the top
const svg = await renderSvg({
  $schema: charts.shapes.$schema,
  title: `RNAM on the seed data (validation, seq ${seq}, ${epochs} epochs): final val MSE ${history.at(-1)?.valLoss?.toFixed(4)}`,
  vconcat: [inner(charts.shapes), {
    hconcat: [inner(charts.importance), {
      data: { values: losses }, width: 320, height: 160, title: 'losses',
      mark: { type: 'line', point: true },
      encoding: {
        x: { field: 'epoch', type: 'quantitative' },
        y: { field: 'mse', type: 'quantitative', title: 'MSE', scale: { type: 'log' } },
        color: { field: 'split', type: 'nominal', title: null },
      },
    }],
    resolve: { scale: { color: 'independent' } },
  }],
});
const plotPath = join(args.out!, 'rnam-seed.svg');
writeFileSync(plotPath, svg);
if (args.png) writeFileSync(join(args.out!, 'rnam-seed.png'), await svgToPng(svg));
console.log(`saved ${modelPath} (PyTorch state-dict names) and ${plotPath}${args.png ? ' (and .png)' : ''}`);
