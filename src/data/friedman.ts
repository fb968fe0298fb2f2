// The seed's synthetic longitudinal data: latents z ~ U(0, 1) per term and time step; the target is
// a Friedman-like function of each latent's EMA over time; the features are the output of a wide,
// shallow, randomly initialised minGRU generator fed with z (after a warm-up), z-scored.
import type { Tensor } from '../tensor.js';
import { linear } from '../ops/linear.js';
import { mingruLayer } from '../ops/mingru.js';
import { tensor } from '../creation.js';
import { noGrad } from '../autograd.js';
import { tidy } from '../memory.js';
import { slice } from '../ops/shape.js';
import { cos, sin } from '../hostmath.js';
import { defaultGenerator, type Generator } from '../random.js';
import { subset, type SequenceDataset } from './dataset.js';

export interface SeedDataOptions {
  terms?: number;
  warmup?: number;
  seq?: number;
  latentDecay?: number;
  samples?: number;
  splitPoint?: number;
  generatorBatchSize?: number;
  /** The generator network's width (the seed: HIDDEN_DIM * BLOCKS = 32). */
  generatorDim?: number;
  /** Random stream for the generator's weights and the latents (default: the global one). */
  generator?: Generator;
}

export const seedDataDefaults = {
  terms: 8, warmup: 8, seq: 1024, latentDecay: 0.95, samples: 10_000, splitPoint: 8_000, generatorBatchSize: 100, generatorDim: 32,
} as const;

/**
 * The seed's Generator network, per term: emb (1 -> dim), minGRU(dim), proj (dim -> 1). Its weights
 * are drawn as rnam.Linear and rnam.MinGRU draw them, in the order the seed's modules are built
 * (emb weight and bias, the minGRU's to_hidden_and_gate, proj weight and bias), each uniform within
 * 1/sqrt(fan-in) from the global generator; the forward is the ops those modules run.
 */
function featureGenerator(terms: number, dim: number) {
  const uniform = (shape: number[], fanIn: number): Tensor => {
    const bound = 1 / Math.sqrt(fanIn);
    return tensor(defaultGenerator.fillUniform(new Float32Array(shape.reduce((a, b) => a * b, 1)), -bound, bound), shape);
  };
  const embW = uniform([terms, 1, dim], 1), embB = uniform([terms, 1, dim], 1);
  const gate = uniform([terms, dim, 2 * dim], dim);
  const projW = uniform([terms, dim, 1], dim), projB = uniform([terms, 1, 1], dim);
  return {
    forward(z: Tensor, prevHidden?: Tensor | null): [Tensor, Tensor] {
      const h = mingruLayer(linear(z, embW, embB), gate, prevHidden ?? null);
      const seq = h.shape[2];
      return [linear(h, projW, projB), slice(h, 2, seq - 1, seq)];
    },
    dispose(): void {
      for (const w of [embW, embB, gate, projW, projB]) w.dispose();
    },
  };
}

/** friedman(ema) = sin(ema_0) + cos(ema_1) + sqrt(|ema_2|) + ema_3^2, float32 like the seed. */
function friedmanTargets(z: Float32Array, terms: number, batch: number, steps: number, decay: number): Float32Array {
  const f = Math.fround;
  const ema = new Float32Array(terms * batch);
  for (let t = 0; t < terms; t++)
    for (let b = 0; b < batch; b++) {
      let e = 0;
      const base = (t * batch + b) * steps;
      for (let s = 0; s < steps; s++) e = f(f(decay * e) + f(f(1 - decay) * z[base + s]));
      ema[t * batch + b] = e;
    }
  const y = new Float32Array(batch);
  for (let b = 0; b < batch; b++) {
    // sin and cos from src/hostmath.ts: identical on every engine, unlike Math.sin/Math.cos
    const parts = [f(sin(ema[b])), f(cos(ema[batch + b])), f(Math.sqrt(Math.abs(ema[2 * batch + b]))), f(ema[3 * batch + b] * ema[3 * batch + b])];
    y[b] = f(f(f(parts[0] + parts[1]) + parts[2]) + parts[3]);
  }
  return y;
}

/** Generates the seed's train and validation datasets (features z-scored over everything, targets standardized). */
export function generateSeedData(options: SeedDataOptions = {}): { train: SequenceDataset; validation: SequenceDataset } {
  const o = { ...seedDataDefaults, ...options };
  const gen = options.generator ?? defaultGenerator;
  if (o.terms < 4) throw new Error(`generateSeedData: the target uses 4 terms, got terms=${o.terms}`);
  if (o.samples % o.generatorBatchSize !== 0) throw new Error('generateSeedData: samples must be a multiple of generatorBatchSize');
  if (!(o.splitPoint > 0 && o.splitPoint < o.samples)) throw new Error('generateSeedData: splitPoint must lie inside (0, samples)');

  const generatorNet = featureGenerator(o.terms, o.generatorDim);
  const steps = o.warmup + o.seq, B = o.generatorBatchSize;
  const features = new Float32Array(o.terms * o.samples * o.seq);
  const targets = new Float32Array(o.samples);
  for (let k = 0; k < o.samples / B; k++) {
    const z = gen.fillUniform(new Float32Array(o.terms * B * steps), 0, 1);
    targets.set(friedmanTargets(z, o.terms, B, steps, o.latentDecay), k * B);
    // The seed runs the generator one step at a time with prevHidden; the fused kernel gives the same
    // values for a warm-up chunk followed by the rest with prevHidden (tested: scan == step by step).
    const out = noGrad(() => tidy(() => {
      const zt = tensor(z, [o.terms, B, steps, 1]);
      let warm: Tensor | null = null;
      if (o.warmup > 0) [, warm] = generatorNet.forward(slice(zt, 2, 0, o.warmup));
      const [h] = generatorNet.forward(o.warmup > 0 ? slice(zt, 2, o.warmup) : zt, warm);
      return h.toArraySync();
    }));
    for (let t = 0; t < o.terms; t++) features.set(out.subarray(t * B * o.seq, (t + 1) * B * o.seq), (t * o.samples + k * B) * o.seq);
  }
  generatorNet.dispose();

  standardize(features, 0);
  standardize(targets, 1);
  const all: SequenceDataset = { features, targets, terms: o.terms, samples: o.samples, seq: o.seq, featureDim: 1, outDim: 1 };
  return { train: subset(all, 0, o.splitPoint), validation: subset(all, o.splitPoint, o.samples) };
}

/** In place (x - mean) / std, the std with the given correction (0: population, 1: sample). */
function standardize(values: Float32Array, correction: number): void {
  let sum = 0;
  for (const v of values) sum += v;
  const mean = sum / values.length;
  let sq = 0;
  for (const v of values) sq += (v - mean) ** 2;
  const std = Math.sqrt(sq / (values.length - correction));
  for (let i = 0; i < values.length; i++) values[i] = (values[i] - mean) / std;
}
