// A small training loop for (batch, seq, feature) -> (batch, out) models: shuffled mini-batches
// (or the full batch, as seed 004 trains), Adam, MSE, optional gradient clipping; prediction and
// MSE in float64 on the host.
import * as rnam from '../../src/index.js';
import type { SequenceRegressor } from './models.js';

/** Sequences x (samples, seq, features) and targets y (samples, outputs), row-major float32. */
export interface SequenceData {
  x: Float32Array;
  y: Float32Array;
  samples: number;
  seq: number;
  features: number;
  outputs: number;
}

export interface TrainOptions {
  epochs: number;
  /** Mini-batch size; the full training set (the seed's full-batch training) when omitted. */
  batchSize?: number;
  lr: number;
  /** Clip the global gradient norm to this value before each step. */
  clipGradNorm?: number;
  /** Shuffling stream (default: a Generator seeded with 0). */
  generator?: rnam.Generator;
  /** Called after each epoch with the mean training loss. */
  onEpoch?: (epoch: number, trainLoss: number) => void;
}

/** The samples `indices` of `data` as host arrays x (b, seq, features), y (b, outputs). */
export function gather(data: SequenceData, indices: readonly number[]): { x: Float32Array; y: Float32Array } {
  const rowX = data.seq * data.features, rowY = data.outputs;
  const x = new Float32Array(indices.length * rowX), y = new Float32Array(indices.length * rowY);
  indices.forEach((s, i) => {
    x.set(data.x.subarray(s * rowX, (s + 1) * rowX), i * rowX);
    y.set(data.y.subarray(s * rowY, (s + 1) * rowY), i * rowY);
  });
  return { x, y };
}

/** The samples [start, end) of `data`. */
export function sliceData(data: SequenceData, start: number, end: number): SequenceData {
  const rowX = data.seq * data.features, rowY = data.outputs;
  return { ...data, samples: end - start, x: data.x.slice(start * rowX, end * rowX), y: data.y.slice(start * rowY, end * rowY) };
}

function deviceOf(model: rnam.Module): rnam.Backend {
  return model.parameters()[0].device;
}

/** Trains `model` (already on its device) with Adam; returns the mean training loss of each epoch. */
export async function train(model: SequenceRegressor, data: SequenceData, options: TrainOptions): Promise<number[]> {
  const device = deviceOf(model);
  const optimizer = new rnam.Adam(model.parameters(), { lr: options.lr });
  const generator = options.generator ?? new rnam.Generator(0);
  const batchSize = options.batchSize ?? data.samples;
  const fullBatch = batchSize >= data.samples;
  // Full-batch training uploads the data once.
  const whole = fullBatch ? [
    rnam.tensor(data.x, [data.samples, data.seq, data.features], { device }),
    rnam.tensor(data.y, [data.samples, data.outputs], { device }),
  ] : null;
  const history: number[] = [];
  model.train();
  try {
    for (let epoch = 1; epoch <= options.epochs; epoch++) {
      const batches = fullBatch ? [[]] : rnam.batchIndices(data.samples, batchSize, true, generator);
      const losses: rnam.Tensor[] = [];
      for (const indices of batches) {
        losses.push(rnam.tidy(() => {
          optimizer.zeroGrad();
          let x: rnam.Tensor, y: rnam.Tensor;
          if (whole) {
            [x, y] = whole;
          } else {
            const b = gather(data, indices);
            x = rnam.tensor(b.x, [indices.length, data.seq, data.features], { device });
            y = rnam.tensor(b.y, [indices.length, data.outputs], { device });
          }
          const loss = rnam.mseLoss(model.forward(x), y);
          loss.backward();
          if (options.clipGradNorm !== undefined) rnam.clipGradNorm(optimizer.params, options.clipGradNorm).dispose();
          optimizer.step();
          return loss;
        }));
      }
      // One read per epoch (on WebGPU one submit per epoch's worth of recorded steps).
      let total = 0;
      for (const l of losses) {
        total += await l.item();
        l.dispose();
      }
      const mean = total / losses.length;
      if (!Number.isFinite(mean)) throw new Error(`${model.kind}: the training loss is ${mean} at epoch ${epoch}`);
      history.push(mean);
      options.onEpoch?.(epoch, mean);
    }
  } finally {
    whole?.forEach((t) => t.dispose());
    optimizer.zeroGrad();
  }
  return history;
}

/** The model's predictions (samples, outputs) for every sample, in order, without gradients. */
export async function predict(model: SequenceRegressor, data: SequenceData, batchSize = 1024): Promise<Float32Array> {
  const device = deviceOf(model);
  const out = new Float32Array(data.samples * data.outputs);
  model.eval();
  for (let start = 0; start < data.samples; start += batchSize) {
    const end = Math.min(start + batchSize, data.samples);
    const part = sliceData(data, start, end);
    const y = rnam.noGrad(() => rnam.tidy(() =>
      model.forward(rnam.tensor(part.x, [part.samples, data.seq, data.features], { device }))));
    out.set(await y.toArray(), start * data.outputs);
    y.dispose();
  }
  model.train();
  return out;
}

/** Mean squared error over all elements (PyTorch's MSELoss), in float64; `scale` multiplies each error. */
export function mse(prediction: ArrayLike<number>, target: ArrayLike<number>, scale = 1): number {
  if (prediction.length !== target.length) throw new Error(`mse: ${prediction.length} predictions for ${target.length} targets`);
  let s = 0;
  for (let i = 0; i < target.length; i++) s += ((prediction[i] - target[i]) * scale) ** 2;
  return s / target.length;
}

/** The test MSE of `model` on `data`. */
export async function evaluate(model: SequenceRegressor, data: SequenceData): Promise<number> {
  return mse(await predict(model, data), data.y);
}
