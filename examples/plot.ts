// The picture of a trained additive model: each term's contribution f_i against a summary of its
// input sequence (the model's shape functions), and the loss curves. Vega-Lite, rendered to SVG.
import * as vega from 'vega';
import { compile, type TopLevelSpec } from 'vega-lite';
import type { EpochStats, SequenceDataset } from '../src/index.js';

/** EMA over time (decay 0.95, as the seed's target uses for the latents) of each term's input. */
export function inputSummary(ds: SequenceDataset, decay = 0.95): Float32Array {
  const out = new Float32Array(ds.terms * ds.samples);
  for (let i = 0; i < ds.terms * ds.samples; i++) {
    let ema = 0;
    for (let s = 0; s < ds.seq; s++) ema = decay * ema + (1 - decay) * ds.features[(i * ds.seq + s) * ds.featureDim];
    out[i] = ema;
  }
  return out;
}

export async function renderReport(options: {
  validation: SequenceDataset; contributions: Float32Array; history: EpochStats[]; title: string; maxPoints?: number;
}): Promise<string> {
  const { validation: ds, contributions, history } = options;
  const summary = inputSummary(ds);
  const step = Math.max(1, Math.floor(ds.samples / (options.maxPoints ?? 600)));
  const points: { term: string; input: number; contribution: number }[] = [];
  for (let t = 0; t < ds.terms; t++) {
    for (let n = 0; n < ds.samples; n += step) {
      points.push({ term: `f${t + 1}(x${t + 1})`, input: summary[t * ds.samples + n], contribution: contributions[(t * ds.samples + n) * ds.outDim] });
    }
  }
  const losses = history.flatMap((h) => [
    { epoch: h.epoch, split: 'train', mse: h.trainLoss },
    ...(h.valLoss !== undefined ? [{ epoch: h.epoch, split: 'validation', mse: h.valLoss }] : []),
  ]);
  const spec: TopLevelSpec = {
    $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
    title: options.title,
    vconcat: [
      {
        data: { values: points },
        facet: { field: 'term', type: 'nominal', title: null },
        columns: 4,
        spec: {
          width: 160, height: 120,
          mark: { type: 'circle', size: 8, opacity: 0.5 },
          encoding: {
            x: { field: 'input', type: 'quantitative', title: 'EMA of the input over time', scale: { zero: false } },
            y: { field: 'contribution', type: 'quantitative', title: 'contribution' },
          },
        },
        resolve: { scale: { x: 'independent' } },
      },
      {
        data: { values: losses },
        width: 400, height: 160,
        mark: { type: 'line', point: true },
        encoding: {
          x: { field: 'epoch', type: 'quantitative' },
          y: { field: 'mse', type: 'quantitative', title: 'MSE', scale: { type: 'log' } },
          color: { field: 'split', type: 'nominal' },
        },
      },
    ],
  };
  const view = new vega.View(vega.parse(compile(spec).spec), { renderer: 'none' });
  return view.toSVG();
}
