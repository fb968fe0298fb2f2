// The training worker: it owns the device, the data and the model, trains, explains and saves, and
// posts plain results to the page. Training here rather than on the page's thread keeps the page
// painting and answering clicks however long a batch takes (a wasm kernel call does not yield).
import * as rnam from 'rnam';
import * as modelApi from './model-api.js';
import { csvColumns, fromCsv, prepare, tableOptions, tableSource, type Prepared } from './data-sources.js';
import { modelFileName } from './model-file-name.js';
import { shapeCurve } from './shape-view.js';
import { explanationView as mixedView, loadMixed, mixedLocal, tablePredictions, trainMixed, type Explained, type MixedRun } from './mixed.js';
import { namedRoles, previewRoles, resolveRoles } from './roles.js';
import type { DataSpec, DeviceChoice, DeviceInfo, EpochView, ExplanationView, FromWorker, LocalView, ToWorker } from './protocol.js';

interface WorkerScope {
  postMessage(message: FromWorker, transfer?: Transferable[]): void;
  onmessage: ((event: MessageEvent<ToWorker & { stopFlag?: Int32Array }>) => void) | null;
  crossOriginIsolated?: boolean;
}
const scope = self as unknown as WorkerScope;
const post = (m: FromWorker, transfer: Transferable[] = []) => scope.postMessage(m, transfer);

/** Samples the explanation is computed on each epoch: enough for smooth curves, cheap next to an epoch. */
const EXPLAIN_SAMPLES = 400;

let model: rnam.FirstOrderRNAM | null = null;
let data: Prepared | null = null;
let explained: modelApi.Explained | null = null;
let explainSet: rnam.SequenceDataset | null = null;
let modelMetadata: Record<string, unknown> = {};
/** The model as trainTable made it or loadTrained read it (its preprocessing and centering); null for the seed's data. */
let tableModel: { model: rnam.FirstOrderRNAM; preprocessing: rnam.Preprocessing; centering: rnam.Centering } | null = null;
let history: modelApi.HistoryEntry[] = [];
/** The mixed-input model (the library's default on table data) when that is what the page holds. */
let mixed: { run: MixedRun; view: ExplanationView; spec: DataSpec } | null = null;
/** While a mixed-input model trains: the ensemble's latest explanation (for the sample picker). */
let live: { explained: Explained; view: ExplanationView } | null = null;
let stopRequested = false;
/** Set by the page through shared memory (when the page is cross-origin isolated): read between batches. */
let stopFlag: Int32Array | null = null;

/** Device, training and loading requests run one after another, in the order they came. */
let queue: Promise<void> = Promise.resolve();

scope.onmessage = (event) => {
  const m = event.data;
  const report = (err: Error) => post({ type: 'error', message: `${err.name === 'Error' ? '' : `${err.name}: `}${err.message}` });
  // Stop, a sample's explanation and a CSV header are answered at once, also during training.
  if (m.type === 'stop') stopRequested = true;
  else if (m.type === 'local' || m.type === 'columns' || m.type === 'roles') run(m).catch(report);
  else queue = queue.then(() => run(m)).catch(report);
};

async function run(m: ToWorker & { stopFlag?: Int32Array }): Promise<void> {
  switch (m.type) {
    case 'columns':
      post({ type: 'columns', ...csvColumns(m.text) });
      return;
    case 'roles':
      post({ type: 'roles', preview: previewRoles(m.text, m.mapping, namedRoles(m.mapping.overrides)), ask: m.ask });
      return;
    case 'device':
      await useDevice(m.device);
      return;
    case 'train':
      stopFlag = m.stopFlag ?? null;
      return trainModel({ ...m, data: withRoles(m.data) });
    case 'load':
      return loadModel({ ...m, data: withRoles(m.data) });
    case 'local':
      post({ type: 'local', view: mixed || live ? mixedLocalView(m.sample) : localView(m.sample) });
      return;
    case 'download': {
      if (mixed) {
        const bytes = await rnam.saveTrained(mixed.run.trained, { history: mixed.run.history, metadata: modelMetadata });
        post({ type: 'model', bytes, name: modelFileName(mixed.spec) }, [bytes.buffer]);
        return;
      }
      if (!model || !data) throw new Error('there is no model yet: train one or load a file');
      const bytes = tableModel?.model === model
        ? await rnam.saveTrained(tableModel, { history, metadata: modelMetadata })
        : await modelApi.save(model, { task: data.task, featureNames: data.modelFeatureNames, standardizer: data.standardizer, data: data.settings, history, metadata: modelMetadata });
      post({ type: 'model', bytes, name: modelFileName(data.source) }, [bytes.buffer]);
      return;
    }
  }
}

async function useDevice(choice: DeviceChoice): Promise<rnam.Device> {
  const device = await rnam.device(choice);
  const cpu = device as unknown as Partial<rnam.WasmBackend>;
  const info: DeviceInfo = {
    kind: device.kind, reason: device.reason,
    threads: typeof cpu.threads === 'number' ? cpu.threads : rnam.cpu.threads,
    threadsReason: typeof cpu.threads === 'number' ? cpu.threadsReason ?? null : rnam.cpu.threadsReason,
    crossOriginIsolated: scope.crossOriginIsolated === true,
  };
  post({ type: 'device', info });
  return device;
}

function useData(prepared: Prepared): Prepared {
  data = prepared;
  // The explained samples: the first EXPLAIN_SAMPLES of the validation split, the same each epoch.
  const v = prepared.validation;
  explainSet = v.samples > EXPLAIN_SAMPLES ? rnam.subset(v, 0, EXPLAIN_SAMPLES) : v;
  post({ type: 'data', summary: prepared.description, task: prepared.task, featureNames: prepared.featureNames });
  return prepared;
}

async function loadData(spec: ToWorker & { type: 'train' | 'load' }, record?: rnam.PreprocessingRecord): Promise<Prepared> {
  return useData(await prepare(spec.data, record));
}

async function trainModel(m: Extract<ToWorker, { type: 'train' }>): Promise<void> {
  stopRequested = false;
  const device = await useDevice(m.device);
  const s = m.settings;
  // The seed and the first-order model train a fixed number of epochs (the page's default 10).
  const epochs = s.epochs ?? 10;
  dropModels();
  history = [];
  const shouldStop = () => stopRequested || (stopFlag !== null && Atomics.load(stopFlag, 0) === 1);
  const onEpoch = async (entry: rnam.EpochStats) => {
    history.push(entry);
    const view: EpochView = { ...entry, epochs };
    post({ type: 'epoch', view, explanation: await explanationView(model!, data!) });
    // A macrotask turn, so a Stop message sent during the epoch is seen before the next one.
    await new Promise((ok) => setTimeout(ok, 0));
    return shouldStop() ? false : undefined;
  };
  if (m.data.kind === 'seed') {
    const d = await loadData(m);
    rnam.manualSeed(s.seed);
    model = new rnam.FirstOrderRNAM({ terms: d.train.terms, hiddenDim: s.hiddenDim ?? 8, outDim: 1, blocks: s.blocks }).to(device);
    modelMetadata = { trainedWith: 'rnam browser demo', data: d.description, epochs, lr: s.lr, batchSize: s.batchSize };
    await modelApi.train(model, d.train, {
      task: d.task, epochs, batchSize: s.batchSize, lr: s.lr, validation: d.validation, shouldStop, onEpoch: async (entry) => {
        await onEpoch(entry);
      },
    });
  } else if (s.model === 'additive') {
    return trainMixedModel(m, device, shouldStop);
  } else {
    // Table data takes the library's one path: trainTable fits the preprocessing and trains.
    const table = await tableSource(m.data);
    const trained = await rnam.trainTable(table.text, {
      // The seed's model over series inputs: one value per feature and step.
      ...tableOptions(table.mapping, 'first-order'), model: 'first-order', epochs, batchSize: s.batchSize, lr: s.lr, hiddenDim: s.hiddenDim ?? 8, blocks: s.blocks, seed: s.seed,
      patience: epochs, device, shouldStop, onEpoch,
      onStart: ({ model: built, datasets, preprocessing }) => {
        model = built as rnam.FirstOrderRNAM;
        const prepared = fromCsv(table.text, { ...table.mapping, task: preprocessing.task }, datasets as rnam.Datasets);
        useData({ ...prepared, description: table.describe(prepared.description), source: m.data });
      },
    });
    tableModel = { model: trained.model as rnam.FirstOrderRNAM, preprocessing: trained.preprocessing, centering: trained.centering };
    modelMetadata = { trainedWith: 'rnam browser demo', data: data!.description, epochs, lr: s.lr, batchSize: s.batchSize };
  }
  const trained = model!, d = data!;
  const stopped = history.length < epochs;
  post({ type: 'done', stopped, explanation: await explanationView(trained, d), predictions: [...await modelApi.predictions(trained, d.validation, d.task)] });
}

async function loadModel(m: Extract<ToWorker, { type: 'load' }>): Promise<void> {
  const device = await useDevice(m.device);
  if (modelApi.fileClass(m.bytes) === 'AdditiveRNAM') return loadMixedModel(m, device);
  const file = await modelApi.load(m.bytes, device);
  // A file from trainTable, `rnam train` or this page carries its preprocessing: the columns, the
  // window and the scales its inputs had (older files: the same facts in their data settings).
  let pre: rnam.Preprocessing | null = null;
  let d: Prepared;
  try {
    if (m.data.kind !== 'seed' && (file.metadata.preprocessing !== undefined || file.metadata.data !== undefined)) pre = rnam.Preprocessing.fromModelFile(file.metadata);
    d = await loadData(m, pre?.toRecord());
  } catch (err) {
    file.model.parameters().forEach((p) => p.dispose());
    throw err;
  }
  const { terms } = file.model.options, names = file.metadata.featureNames, task = file.metadata.task;
  const problem = terms !== d.train.terms ? `the model has ${terms} terms but the chosen data has ${d.train.terms} features (${d.featureNames.join(', ')})`
    : names && names.join('\n') !== d.modelFeatureNames.join('\n') ? `the model was trained on the features ${names.join(', ')}; the chosen data has ${d.modelFeatureNames.join(', ')}`
      : task && task !== d.task ? `the model was trained for ${task}; the chosen data is a ${d.task} task` : null;
  if (problem) {
    file.model.parameters().forEach((p) => p.dispose());
    throw new Error(`${problem}: choose the data it was trained on`);
  }
  dropModels();
  model = file.model;
  const offsets = file.metadata.centering?.offsets;
  tableModel = pre ? { model, preprocessing: pre, centering: { offsets: offsets ?? pre.featureNames.map(() => new Array<number>(pre!.outputs).fill(0)) } } : null;
  history = (file.metadata.history as modelApi.HistoryEntry[] | undefined) ?? [];
  modelMetadata = file.metadata.metadata ?? {};
  post({
    type: 'loaded', explanation: await explanationView(model, d), predictions: [...await modelApi.predictions(model, d.validation, d.task)],
    metrics: await modelApi.metrics(model, d.validation, d.task),
    summary: `${file.how}: FirstOrderRNAM ${JSON.stringify(model.options)}, explained on the validation data.`,
  });
}

async function explanationView(m: rnam.FirstOrderRNAM, d: Prepared): Promise<ExplanationView> {
  // Centered on the training data when the model's centering is known (trained or loaded from a table), else on these samples.
  explained = await modelApi.explain(m, explainSet!, d.task, d.summary, tableModel?.model === m ? tableModel.centering.offsets : undefined);
  const shapes = explained.shapes.map((s) => shapeCurve(s));
  return {
    task: d.task, featureNames: d.featureNames, intercept: explained.intercept[0], summary: d.summary, originalUnits: explained.shapes.every((sh) => sh.originalUnits),
    importance: explained.importance.map(({ feature, importance }) => ({ feature: label(d, feature), importance })),
    shapes: shapes.map((s) => ({ ...s, feature: label(d, s.feature) })), samples: explainSet!.samples, sampleLabels: d.sampleLabels.slice(0, explainSet!.samples),
  };
}

/** The page's name of a feature (the seed's terms have descriptive names). */
function label(d: Prepared, feature: string): string {
  const i = explained!.featureNames.indexOf(feature);
  return i >= 0 && d.featureNames[i] ? d.featureNames[i] : feature;
}

function localView(sample: number): LocalView {
  if (!explained || !explainSet || !data) throw new Error('there is no explanation yet: train a model or load one');
  if (!(Number.isInteger(sample) && sample >= 0 && sample < explainSet.samples)) throw new Error(`sample must be 0..${explainSet.samples - 1}, got ${sample}`);
  const d = data, local = explained.local(sample);
  return {
    sample, label: d.sampleLabels[sample] ?? `sample ${sample}`,
    contributions: local.contributions.map((c) => ({ feature: label(d, c.feature), value: c.contribution })),
    intercept: local.intercept, prediction: local.prediction, probability: local.probability, output: local.output, target: explainSet.targets[sample],
  };
}

/** A CSV's mapping with the roles the user changed resolved against the library's choice. */
function withRoles(spec: DataSpec): DataSpec {
  return spec.kind === 'csv' ? { ...spec, mapping: resolveRoles(spec.text, spec.mapping) } : spec;
}

/** Frees the model the page holds, whichever kind it is. */
function dropModels(): void {
  model?.parameters().forEach((p) => p.dispose());
  mixed?.run.trained.model.parameters().forEach((p) => p.dispose());
  model = null;
  tableModel = null;
  mixed = null;
  live = null;
}

/** Table data with the library's default model: trainTable's AdditiveRNAM over mixed inputs, its members and its report. */
async function trainMixedModel(m: Extract<ToWorker, { type: 'train' }>, device: rnam.Device, shouldStop: () => boolean): Promise<void> {
  const s = m.settings;
  if (m.data.kind === 'seed') throw new Error('the seed data trains the first-order model');
  const table = await tableSource(m.data);
  const run = await trainMixed(table.text, table.mapping, s, {
    device, shouldStop,
    // The page shows this run's task and features from its first epoch on (the roles follow at the end).
    onStart: (pre) => post({ type: 'data', summary: `${table.describe('')}${pre.record.mode} mode, target ${pre.record.columns.target} (${pre.task}).`, task: pre.task, featureNames: [...pre.featureNames] }),
    onEpoch: async (view, explanation) => {
      if (explanation) live = { explained: explanation.explained, view: explanation.view };
      post({ type: 'epoch', view, ...(explanation ? { explanation: explanation.view } : {}) });
    },
  }).finally(() => {
    live = null;
  });
  const r = run.trained.preprocessing;
  const view = mixedView(run.explanation, run.explained, run, r);
  mixed = { run, view, spec: m.data };
  modelMetadata = { trainedWith: 'rnam browser demo', epochs: s.epochs ?? 'auto', lr: s.lr, batchSize: s.batchSize };
  const { predictions } = await tablePredictions(run, table.text);
  post({ type: 'data', summary: describeRun(run, table.describe('')), task: r.task, featureNames: [...r.featureNames] });
  post({ type: 'done', stopped: run.stopped ?? false, explanation: view, predictions, ...(run.metrics ? { metrics: run.metrics } : {}) });
}

/** A model file with mixed inputs (from this page or `rnam train`), explained on the chosen table. */
async function loadMixedModel(m: Extract<ToWorker, { type: 'load' }>, device: rnam.Device): Promise<void> {
  if (m.data.kind === 'seed') throw new Error('this file holds an AdditiveRNAM over table columns: choose the table it was trained on (your CSV), not the synthetic data');
  const table = await tableSource(m.data);
  const { run, metadata } = await loadMixed(m.bytes, table.text, device);
  dropModels();
  const view = mixedView(run.explanation, run.explained, run, run.trained.preprocessing);
  mixed = { run, view, spec: m.data };
  modelMetadata = metadata.metadata ?? {};
  const { predictions, metrics, notes } = await tablePredictions(run, table.text);
  const pre = run.trained.preprocessing;
  post({ type: 'data', summary: describeRun(run, table.describe('')), task: pre.task, featureNames: [...pre.featureNames] });
  post({ type: 'loaded', explanation: view, predictions, metrics, summary: `an rnam model file (rnam ${metadata.version}): ${run.facts.model}, explained on every sample of the chosen table.${notes.length ? ` ${notes.join('; ')}.` : ''}` });
}

function describeRun(run: MixedRun, prefix: string): string {
  const f = run.facts, r = f.roles, pre = run.trained.preprocessing;
  const list = (name: string, cols: string[]) => (cols.length ? [`${name}: ${cols.join(', ')}`] : []);
  return `${prefix}${pre.record.mode} mode, target ${pre.record.columns.target} (${pre.task}). ${[
    ...list('time-varying', r.features), ...list('time-varying categorical', r.sequenceCategorical), ...list('static', r.static), ...list('categorical', r.categorical),
  ].join('; ')}.`;
}

function mixedLocalView(sample: number): LocalView {
  const { explained, view } = mixed ? { explained: mixed.run, view: mixed.view } : live!;
  if (!(Number.isInteger(sample) && sample >= 0 && sample < view.samples)) throw new Error(`sample must be 0..${view.samples - 1}, got ${sample}`);
  return mixedLocal(explained, sample, view.sampleLabels[sample]);
}
