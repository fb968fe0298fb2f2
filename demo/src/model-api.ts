// The first-order model's training, explanation and model-file calls, and what a model file holds.
// The table path (trainTable, predictTable, saveTrained, loadTrained) is called where it is used:
// worker.ts for the first-order model, mixed.ts for the additive one. Only rnam's public API (the
// package root) is used.
import * as rnam from 'rnam';
import type { Task } from './protocol.js';

type Model = rnam.FirstOrderRNAM;
type Dataset = rnam.SequenceDataset;
type Metrics = Record<string, number>;

/** One epoch of fit's history: losses, seconds, lr, and the task's metrics on both splits. */
export type HistoryEntry = rnam.EpochStats;

/** Importance, shape functions (points and quantile bins) and local explanations: rnam.explain's result. */
export type Explained = rnam.Explanation;

export interface ModelFile {
  model: Model;
  metadata: rnam.ModelFileMetadata;
  /** How the file was read: with its rnam metadata, or as a plain state dict with sizes read off its tensors. */
  how: string;
}

export interface TrainOptions {
  task: Task;
  epochs: number;
  batchSize: number;
  lr: number;
  validation: Dataset;
  /** Called after every epoch with its history entry. */
  onEpoch(entry: HistoryEntry): Promise<void> | void;
  /** Polled between batches; true stops training before the next batch. */
  shouldStop(): boolean;
}

/** Thrown from onBatch to stop fit between two batches; train() catches it. */
class Stopped extends Error {}

/** Trains with AdamW; resolves with the history of the epochs that ran (all of them unless stopped). */
export async function train(model: Model, data: Dataset, o: TrainOptions): Promise<HistoryEntry[]> {
  const history: HistoryEntry[] = [];
  try {
    await rnam.fit(model, data, {
      task: o.task, epochs: o.epochs, batchSize: o.batchSize, validation: o.validation,
      optimizer: new rnam.AdamW(model.parameters(), { lr: o.lr }), log: null, progress: false,
      onBatch: () => {
        if (o.shouldStop()) throw new Stopped('stopped');
      },
      onEpoch: async (stats) => {
        history.push(stats);
        await o.onEpoch(stats);
        return o.shouldStop() ? false : undefined;
      },
    });
  } catch (err) {
    if (!(err instanceof Stopped)) throw err;
  }
  return history;
}

/** The task's loss and metrics on a dataset. */
export async function metrics(model: Model, data: Dataset, task: Task): Promise<Metrics> {
  const r = await rnam.evaluate(model, data, { task });
  return { loss: r.loss, ...r.metrics };
}

/** The model's output per sample as a person reads it: probabilities for classification, values in the target's units for regression. */
export async function predictions(model: Model, data: Dataset, task: Task): Promise<Float32Array> {
  return (await rnam.predict(model, data, { task })).predictions;
}

/** Term importance, shape functions and local explanations of `model` on `data`. */
export function explain(model: Model, data: Dataset, task: Task, summary: rnam.SequenceSummary, offsets?: number[][]): Promise<Explained> {
  return rnam.explain(model, data, { task, summary, ...(offsets ? { offsets } : {}) });
}

/** The whole model as one safetensors file: weights under PyTorch's names, plus rnam's metadata. */
export function save(model: Model, info: rnam.SaveExtras): Promise<Uint8Array> {
  return rnam.saveAsync(model, info); // async: a model on WebGPU is read back asynchronously
}

/**
 * A model file on the given device: one written by this page or rnam.save (the CLI), or a plain
 * PyTorch state dict of a FirstOrderRNAM, whose sizes are read off its tensors' shapes.
 */
export async function load(bytes: Uint8Array, device: rnam.Device): Promise<ModelFile> {
  const plain = plainStateDictOptions(bytes);
  const file = plain ? await rnam.load(bytes, { device, class: 'FirstOrderRNAM', options: { ...plain } }) : await rnam.load(bytes, { device });
  if (!(file.model instanceof rnam.FirstOrderRNAM)) {
    file.model.parameters().forEach((p) => p.dispose());
    throw new rnam.ArgumentError(`the file holds a ${file.metadata.class}; the page explains FirstOrderRNAM and AdditiveRNAM models`);
  }
  const how = plain ? `a plain state dict (sizes from its tensors: ${JSON.stringify(plain)})` : `an rnam model file (rnam ${file.metadata.version})`;
  return { model: file.model, metadata: file.metadata, how };
}

/** For a safetensors file without rnam metadata (PyTorch's): the FirstOrderRNAM sizes its tensors imply; else null. */
function plainStateDictOptions(bytes: Uint8Array): rnam.FirstOrderRNAMOptions | null {
  const file = rnam.safetensors.parse(bytes);
  try {
    if ('rnam.class' in file.metadata) return null;
    const shape = (name: string) => {
      const t = file.tensors[name];
      if (!t) throw new rnam.FileFormatError(`the file has no rnam metadata and no '${name}' tensor, so it is not a FirstOrderRNAM state dict`);
      return t.shape;
    };
    const [terms, , hiddenDim] = shape('emb.weight');
    const [outDim] = shape('gam.bias');
    const blocks = new Set(Object.keys(file.tensors).map((k) => /^blocks\.(\d+)\./.exec(k)?.[1]).filter((b) => b !== undefined)).size;
    return { terms, hiddenDim, outDim, blocks };
  } finally {
    Object.values(file.tensors).forEach((t) => t.dispose());
  }
}

/** The model class a model file names in its rnam metadata ('AdditiveRNAM', 'FirstOrderRNAM', ...), or null for a plain state dict. */
export function fileClass(bytes: Uint8Array): string | null {
  const c = rnam.safetensors.parseHeader(bytes).metadata['rnam.class'];
  return typeof c === 'string' ? c : null;
}
