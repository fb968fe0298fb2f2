// `rnam predict`: a saved model and a CSV to one row per sample: id, time, the prediction and each
// feature's contribution. The columns, windows and preprocessing come from the model file.
import { readFileSync, writeFileSync } from 'node:fs';
import Papa from 'papaparse';
import { device as chooseDevice, load, predictionDatasetFromCsv, FirstOrderRNAM, type Standardizer } from '../index.js';
import type { PredictArgs, Task } from './args.js';
import { UsageError } from './args.js';
import { modelOutputs } from './outputs.js';
import type { CliMetadata, DataSettings } from './report.js';
import type { Log } from './train.js';

function readBytes(path: string, what: string): Buffer {
  try {
    return readFileSync(path);
  } catch (err) {
    throw new UsageError(`cannot read ${what} '${path}': ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`);
  }
}

export async function predictCommand(args: PredictArgs, log: Log): Promise<number> {
  const dev = await chooseDevice(args.device);
  const { model, metadata } = await load(new Uint8Array(readBytes(args.model, 'the model file')), { device: dev });
  const settings = metadata.data as DataSettings | undefined;
  const task = metadata.task as Task | undefined;
  if (!(model instanceof FirstOrderRNAM) || !settings || !task) {
    throw new UsageError(`'${args.model}' is not a model written by rnam train (it lacks the data settings or the task)`);
  }
  const standardizer = (metadata.standardizer ?? {}) as Standardizer;
  const cli = (metadata.metadata?.cli ?? { timeKind: 'number', featureMeans: undefined }) as Partial<CliMetadata>;
  const ds = predictionDatasetFromCsv(readBytes(args.data, 'the data file').toString('utf8'), {
    id: settings.id, time: settings.time, target: settings.target, features: settings.features, mode: settings.mode,
    ...(settings.mode === 'window' ? { window: settings.window, horizon: settings.horizon } : { maxLength: settings.maxLength }),
    missing: settings.missing, standardizer, featureMeans: cli.featureMeans,
  });
  const out = await modelOutputs(model, ds, task, standardizer, args.batchSize);
  const classes = task === 'multiclass' ? (metadata.classes as string[] | undefined) ?? Array.from({ length: out.classes }, (_, k) => String(k)) : [];
  const header = ['id', 'time', 'prediction', ...classes.map((c) => `p_${c}`), ...settings.features.map((f) => `contribution_${f}`)];
  const time = (ms: number) => (cli.timeKind === 'date' ? new Date(ms).toISOString() : ms);
  const rows = Array.from({ length: out.samples }, (_, i) => [
    ds.sampleIds[i], time(ds.sampleTimes[i]), task === 'multiclass' ? classes[out.prediction[i]] : out.prediction[i],
    ...classes.map((_, k) => out.classProbabilities![i * out.classes + k]),
    ...settings.features.map((_, t) => out.contributions[t * out.samples + i]),
  ]);
  writeFileSync(args.out, Papa.unparse({ fields: header, data: rows }) + '\n');
  log(`wrote ${out.samples} predictions to ${args.out}`);
  return out.samples;
}
