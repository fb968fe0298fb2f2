// A host batch as device tensors for the model and the loss, and the model's outputs apart.
import type { Tensor } from '../tensor.js';
import { tensor } from '../creation.js';
import type { Backend } from '../backend/backend.js';
import type { HostBatch } from './data-source.js';
import type { BatchInputs } from './model-info.js';
import { targetShape, type Task } from './task.js';

export function batchTensors(b: HostBatch, task: Task, device: Backend): { x: Tensor | null; y: Tensor; extra: BatchInputs | undefined } {
  const e = b.extra;
  return {
    x: b.x ? tensor(b.x, b.shape, { device }) : null,
    y: tensor(b.y, targetShape(task, b.batch, b.outDim), { device }),
    extra: e && {
      static: e.static ? tensor(e.static.data, e.static.shape, { device }) : null,
      categorical: e.categorical ? tensor(e.categorical.data, e.categorical.shape, { device }) : null,
    },
  };
}

/** yHat and, for additive models, the per-term contributions. */
export function outputs(out: Tensor | Tensor[]): { yHat: Tensor; contributions: Tensor | null } {
  return Array.isArray(out) ? { yHat: out[0], contributions: out[1] ?? null } : { yHat: out, contributions: null };
}
