// The page: reads the form, talks to the training worker, and draws what it sends back.
import { LossChart, ShapeGrid, short } from './charts.js';
import { drawBars } from './bars.js';
import type { CsvMapping, DataSpec, DeviceChoice, DeviceInfo, EpochView, ExplanationView, FromWorker, LocalView, Task, ToWorker } from './protocol.js';

const $ = <T extends HTMLElement>(id: string) => document.getElementById(id) as T;
const num = (id: string) => Number($<HTMLInputElement>(id).value);

const status = $('status');
const trainButton = $<HTMLButtonElement>('train'), stopButton = $<HTMLButtonElement>('stop'), downloadButton = $<HTMLButtonElement>('download');
const sampleSelect = $<HTMLSelectElement>('sample');
let task: Task = 'regression';
const loss = new LossChart($('loss-chart'));
const lossNames: Record<Task, string> = { regression: 'mean squared error', binary: 'binary cross-entropy', multiclass: 'cross-entropy' };
const shapes = new ShapeGrid($('shape-functions'));

/** What the tests read: the latest validation predictions, the last epoch drawn, finished runs (trainings, loads, errors). */
const demoState = { predictions: [] as number[], epoch: 0, runs: 0, busy: false, device: null as DeviceInfo | null, errors: [] as string[] };
(window as unknown as { rnamDemo: typeof demoState }).rnamDemo = demoState;

const worker = new Worker(new URL('./worker.js', import.meta.url), { type: 'module' });
// With shared memory (a cross-origin isolated page) Stop reaches the worker between two batches;
// without it, the message is read at the end of the epoch.
const stopFlag = typeof SharedArrayBuffer === 'function' && crossOriginIsolated ? new Int32Array(new SharedArrayBuffer(4)) : null;
const send = (m: ToWorker, extra: Record<string, unknown> = {}) => worker.postMessage({ ...m, ...extra });

let csvText = '';
let deviceText = '';

worker.onmessage = (event: MessageEvent<FromWorker>) => {
  const m = event.data;
  switch (m.type) {
    case 'columns': return showMapping(m.columns, m.numeric, m.rows);
    case 'device': return showDevice(m.info);
    case 'data':
      task = m.task;
      $('data-summary').textContent = m.summary;
      $('loss-chart').setAttribute('aria-label', `loss (${lossNames[task]}) per epoch, training and validation`);
      return;
    case 'epoch': return showEpoch(m.view, m.explanation);
    case 'done':
      demoState.predictions = m.predictions;
      showExplanation(m.explanation);
      finish(`${m.stopped ? 'Stopped' : 'Done'} after epoch ${demoState.epoch} on ${deviceText}.`);
      return;
    case 'loaded':
      demoState.predictions = m.predictions;
      loss.reset();
      showMetrics({ train: {}, validation: m.metrics });
      showExplanation(m.explanation);
      finish(`Model loaded on ${deviceText}. ${m.summary}`);
      return;
    case 'local': return showLocal(m.view);
    case 'model': return saveFile(m.bytes, m.name);
    case 'error':
      demoState.errors.push(m.message);
      finish(`Error: ${m.message}`);
      status.classList.add('error');
  }
};
worker.onerror = (e) => finish(`Error in the training worker: ${e.message}`);

function dataSpec(): DataSpec {
  const kind = (document.querySelector('input[name=data]:checked') as HTMLInputElement).value;
  if (kind === 'seed') return { kind: 'seed', samples: num('seed-samples'), seq: num('seed-seq'), seed: num('seed') };
  if (kind === 'weather') return { kind: 'weather' };
  if (!csvText) throw new Error('choose a CSV file first');
  return { kind: 'csv', text: csvText, mapping: csvMapping() };
}

function csvMapping(): CsvMapping {
  const features = [...document.querySelectorAll<HTMLInputElement>('#map-features input:checked')].map((i) => i.value);
  if (features.length === 0) throw new Error('choose at least one feature column');
  const id = $<HTMLSelectElement>('map-id').value;
  return {
    ...(id ? { id } : {}), time: $<HTMLSelectElement>('map-time').value, target: $<HTMLSelectElement>('map-target').value,
    features, task: $<HTMLSelectElement>('map-task').value as Task, window: num('map-window'),
  };
}

function busy(on: boolean): void {
  demoState.busy = on;
  trainButton.disabled = on;
  stopButton.disabled = !on;
  $<HTMLInputElement>('model-input').disabled = on;
  if (on) downloadButton.disabled = true;
}

function finish(text: string): void {
  busy(false);
  demoState.runs++;
  status.textContent = text;
  downloadButton.disabled = demoState.predictions.length === 0;
}

$('settings').addEventListener('submit', (event) => {
  event.preventDefault();
  let data: DataSpec;
  try {
    data = dataSpec();
  } catch (err) {
    status.textContent = `Error: ${(err as Error).message}`;
    return;
  }
  status.classList.remove('error');
  stopFlag && Atomics.store(stopFlag, 0, 0);
  busy(true);
  demoState.epoch = 0;
  demoState.predictions = [];
  loss.reset();
  status.textContent = 'Preparing the data and the device...';
  const settings = { epochs: num('epochs'), batchSize: num('batch'), lr: num('lr'), hiddenDim: num('hidden'), blocks: num('blocks'), seed: num('seed') };
  send({ type: 'train', device: deviceChoice(), data, settings }, stopFlag ? { stopFlag } : {});
});

stopButton.addEventListener('click', () => {
  stopFlag && Atomics.store(stopFlag, 0, 1);
  send({ type: 'stop' });
  status.textContent = `Stopping after this batch (epoch ${demoState.epoch + 1})...`;
});

downloadButton.addEventListener('click', () => send({ type: 'download' }));

$<HTMLInputElement>('model-input').addEventListener('change', async (event) => {
  const file = (event.target as HTMLInputElement).files?.[0];
  if (!file) return;
  let data: DataSpec;
  try {
    data = dataSpec();
  } catch (err) {
    status.textContent = `Error: ${(err as Error).message}`;
    return;
  }
  status.classList.remove('error');
  busy(true);
  status.textContent = `Loading ${file.name}...`;
  const bytes = new Uint8Array(await file.arrayBuffer());
  worker.postMessage({ type: 'load', device: deviceChoice(), data, bytes } satisfies ToWorker, [bytes.buffer]);
});

$<HTMLInputElement>('csv-input').addEventListener('change', async (event) => {
  const file = (event.target as HTMLInputElement).files?.[0];
  if (!file) return;
  csvText = await file.text();
  $('csv-info').textContent = `${file.name}: reading the header...`;
  send({ type: 'columns', text: csvText });
});

sampleSelect.addEventListener('change', () => send({ type: 'local', sample: Number(sampleSelect.value) }));

for (const radio of document.querySelectorAll<HTMLInputElement>('input[name=data]')) radio.addEventListener('change', showDataOptions);
function showDataOptions(): void {
  const kind = (document.querySelector('input[name=data]:checked') as HTMLInputElement).value;
  for (const el of document.querySelectorAll<HTMLElement>('.for-seed')) el.hidden = kind !== 'seed';
  for (const el of document.querySelectorAll<HTMLElement>('.for-csv')) el.hidden = kind !== 'csv';
}
showDataOptions();

// The device panel is filled at once (and again when the choice changes), before any training.
$('device-choice').addEventListener('change', () => send({ type: 'device', device: deviceChoice() }));
send({ type: 'device', device: deviceChoice() });

function deviceChoice(): DeviceChoice {
  return $<HTMLSelectElement>('device-choice').value as DeviceChoice;
}

function showDevice(info: DeviceInfo): void {
  demoState.device = info;
  const threads = info.kind === 'wasm' ? `${info.threads} thread${info.threads === 1 ? '' : 's'}` : '';
  deviceText = info.kind === 'wasm' ? `wasm, ${threads}` : 'WebGPU';
  const lines = [`Device: <strong>${info.kind}</strong>${threads ? ` · ${threads}` : ''}`, escape(info.reason)];
  if (info.kind === 'wasm') {
    lines.push(info.threadsReason ? `One thread because ${escape(info.threadsReason)}` : `Cross-origin isolated: ${info.crossOriginIsolated ? 'yes' : 'no'}, so the CPU kernels run on ${threads}.`);
  }
  $('device').innerHTML = lines.map((l) => `<p>${l}</p>`).join('');
}

function showEpoch(view: EpochView, explanation: ExplanationView): void {
  demoState.epoch = view.epoch;
  loss.add(view.epoch, view.trainLoss, view.valLoss);
  const val = view.valLoss === undefined ? '' : `, validation ${short(view.valLoss)}`;
  status.textContent = `Training on ${deviceText}: epoch ${view.epoch} of ${view.epochs}, train loss ${short(view.trainLoss)}${val} (${view.seconds.toFixed(1)} s)`;
  showMetrics(view.metrics);
  showExplanation(explanation);
}

function showMetrics(metrics: EpochView['metrics']): void {
  const names = [...new Set([...Object.keys(metrics.train), ...Object.keys(metrics.validation ?? {})])];
  const cell = (v: number | undefined) => `<td>${v === undefined ? '-' : short(v)}</td>`;
  $('metrics').innerHTML = `<thead><tr><th scope="col">metric</th><th scope="col">train</th><th scope="col">validation</th></tr></thead><tbody>${
    names.map((n) => `<tr><th scope="row">${escape(n)}</th>${cell(metrics.train[n])}${cell(metrics.validation?.[n])}</tr>`).join('')}</tbody>`;
}

function showExplanation(e: ExplanationView): void {
  drawBars($('importance'), e.importance.map((i) => ({ label: i.feature, value: i.importance })), { caption: 'term importance, largest first' });
  const unit = e.task === 'regression' ? 'the prediction' : e.task === 'binary' ? 'the log-odds' : "class 0's logit";
  const x = `${summaryName[e.summary] ?? e.summary}${e.originalUnits ? '' : ' (standardized)'}`;
  shapes.draw(e.shapes, `contribution to ${unit}`, x);
  $('shape-caption').textContent = `Each dot: one validation sample's contribution to ${unit} (y, one scale for all terms) against its input's ${x} (x). Line: the mean per quantile bin.`;
  if (sampleSelect.options.length !== e.samples) {
    sampleSelect.replaceChildren(...e.sampleLabels.map((label, i) => new Option(label, String(i))));
  }
  sampleSelect.disabled = false;
  send({ type: 'local', sample: Number(sampleSelect.value || 0) });
}

const summaryName: Record<string, string> = { last: 'last value', mean: 'mean', ema: 'EMA (decay 0.95)' };

function showLocal(v: LocalView): void {
  const sum = v.contributions.reduce((a, c) => a + c.value, 0);
  const binary = task === 'binary';
  // The sums are on the logit scale for classification, so the bars show logits too.
  const prob = (z: number) => 1 / (1 + Math.exp(-z));
  const percent = (p: number) => `${(p * 100).toFixed(0)}%`;
  const prediction = binary ? `log-odds ${short(v.prediction)} (probability ${percent(v.probability ?? prob(v.prediction))})`
    : task === 'multiclass' ? `class ${v.output}, logit ${short(v.prediction)} (probability ${percent(v.probability ?? NaN)})` : short(v.prediction);
  const actual = binary ? (v.target === 1 ? '1 (yes)' : '0 (no)') : short(v.target);
  $('local-summary').textContent = `${v.label}: prediction ${prediction} = intercept ${short(v.intercept)} + contributions ${short(sum)}; actual: ${actual}`;
  drawBars($('local'), [{ label: 'intercept', value: v.intercept }, ...v.contributions.map((c) => ({ label: c.feature, value: c.value }))], { diverging: true, caption: `contributions to ${v.label}` });
}

function showMapping(columns: string[], numeric: string[], rows: number): void {
  $('csv-info').textContent = `${rows} rows, ${columns.length} columns. Map them:`;
  const options = (sel: string, allowNone: boolean, pick: (c: string) => boolean) => {
    const el = $<HTMLSelectElement>(sel);
    el.replaceChildren(...(allowNone ? [new Option('(none: one series)', '')] : []), ...columns.map((c) => new Option(c, c)));
    const guess = columns.find(pick);
    if (guess) el.value = guess;
  };
  const like = (...words: string[]) => (c: string) => words.some((w) => c.toLowerCase().includes(w));
  options('map-id', true, like('id', 'station', 'sensor', 'patient', 'entity'));
  options('map-time', false, like('time', 'date', 'day', 'step'));
  options('map-target', false, (c) => numeric.includes(c) && c === numeric[numeric.length - 1]);
  const box = $('map-features');
  box.replaceChildren(...numeric.map((c) => {
    const label = document.createElement('label');
    const input = document.createElement('input');
    input.type = 'checkbox';
    input.value = c;
    input.checked = c !== $<HTMLSelectElement>('map-id').value && c !== $<HTMLSelectElement>('map-time').value;
    label.append(input, ` ${c}`);
    return label;
  }));
  $('mapping').hidden = false;
}

function saveFile(bytes: Uint8Array, name: string): void {
  const url = URL.createObjectURL(new Blob([bytes as Uint8Array<ArrayBuffer>], { type: 'application/octet-stream' }));
  const a = document.createElement('a');
  a.href = url;
  a.download = name;
  a.click();
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}

function escape(text: string): string {
  return text.replace(/[&<>"]/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;' })[c]!);
}
