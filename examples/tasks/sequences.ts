// Seed 004's synthetic sequence tasks, built as the seed builds them (torch.randn replaced by
// rnam.Generator's normal stream, so every data set is reproducible for a seed):
//   arange:  all = arange(6) * randn (one factor per sequence); predict the 6th value from the first 5;
//   lines:   points (x, a x + b) for x = 0..5, a ~ randn, b ~ 5 randn; predict the 6th point (x, y) from the first 5;
//   memory:  x ~ randn (seq 100, one feature); y = x[-5] + x[-1] (short memory) or x[0] + x[-1] (long memory).
import * as rnam from '../../src/index.js';
import type { SequenceData } from './train.js';
import { sliceData } from './train.js';

export interface Split {
  train: SequenceData;
  test: SequenceData;
}

function split(data: SequenceData, trainSamples: number): Split {
  return { train: sliceData(data, 0, trainSamples), test: sliceData(data, trainSamples, data.samples) };
}

/**
 * `torch.arange(6).repeat(n, 1) * torch.randn((n, 1))`: Xs = all[:, :5] as (n, 5, 1), Ys = all[:, 5]
 * as (n, 1). The seed trains on 1000 sequences and tests on 200 fresh ones.
 */
export function arangeTask(trainSamples: number, testSamples: number, generator: rnam.Generator): Split {
  const n = trainSamples + testSamples, seq = 5;
  const x = new Float32Array(n * seq), y = new Float32Array(n);
  for (let s = 0; s < n; s++) {
    const r = Math.fround(generator.normal());
    for (let k = 0; k < seq; k++) x[s * seq + k] = k * r;
    y[s] = seq * r;
  }
  return split({ x, y, samples: n, seq, features: 1, outputs: 1 }, trainSamples);
}

/**
 * The seed's 2D line trajectories: a = randn((n, 1)), b = randn((n, 1)) * 5, x = arange(6),
 * y = a x + b, dataset = stack([x, y], dim=2) (n, 6, 2); Xs = dataset[:, :-1] (n, 5, 2), Ys =
 * dataset[:, -1] (n, 2). The seed uses 1200 trajectories, the first 1000 for training.
 */
export function lineTask(trainSamples: number, testSamples: number, generator: rnam.Generator): Split {
  const n = trainSamples + testSamples, seq = 5;
  const a = Array.from({ length: n }, () => generator.normal());
  const b = Array.from({ length: n }, () => generator.normal() * 5);
  const x = new Float32Array(n * seq * 2), y = new Float32Array(n * 2);
  for (let s = 0; s < n; s++) {
    const point = (k: number) => [k, Math.fround(a[s]) * k + Math.fround(b[s])];
    for (let k = 0; k < seq; k++) x.set(point(k), (s * seq + k) * 2);
    y.set(point(seq), s * 2);
  }
  return split({ x, y, samples: n, seq, features: 2, outputs: 2 }, trainSamples);
}

export type MemoryTarget = 'x[-5] + x[-1]' | 'x[0] + x[-1]';

/**
 * The seed's memory tasks: Xs = randn((n, seq, 1)), Ys = Xs[:, i] + Xs[:, -1] with i = -5 (short
 * memory) or 0 (long memory). The seed uses seq 100 and 1200 sequences, the first 1000 for training.
 */
export function memoryTask(target: MemoryTarget, seq: number, trainSamples: number, testSamples: number,
  generator: rnam.Generator): Split {
  const n = trainSamples + testSamples;
  const x = generator.fillNormal(new Float32Array(n * seq)), y = new Float32Array(n);
  const early = target === 'x[0] + x[-1]' ? 0 : seq - 5;
  for (let s = 0; s < n; s++) y[s] = x[s * seq + early] + x[s * seq + seq - 1];
  return split({ x, y, samples: n, seq, features: 1, outputs: 1 }, trainSamples);
}

/** The MSE of predicting every target by its training mean (per output): what "learned nothing" scores. */
export function meanBaseline({ train, test }: Split): number {
  const k = train.outputs, means = new Float64Array(k);
  for (let i = 0; i < train.y.length; i++) means[i % k] += train.y[i] / train.samples;
  let s = 0;
  for (let i = 0; i < test.y.length; i++) s += (test.y[i] - means[i % k]) ** 2;
  return s / test.y.length;
}

/**
 * For the memory tasks: the MSE of y_hat = x[-1], the best a model can do without remembering the
 * early value (it equals the mean square of the early value, about Var(x) = 1).
 */
export function lastValueBaseline(test: SequenceData): number {
  let s = 0;
  for (let i = 0; i < test.samples; i++) s += (test.y[i] - test.x[(i + 1) * test.seq - 1]) ** 2;
  return s / test.samples;
}
