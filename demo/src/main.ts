// The page: reads the form, talks to the training worker, and draws what it sends back.
import { CalibrationChart, LossChart, ShapeGrid, short } from './charts.js';
import { drawBars } from './bars.js';
import type { ColumnGuess } from './column-guess.js';
import type { CsvMapping, DataSpec, DeviceChoice, DeviceInfo, EpochView, ExplanationView, FromWorker, LocalView, ModelFacts, ModelKind, RoleChoice, RolesPreview, ShapeCurve, Task, ToWorker, TrainSettings } from './protocol.js';

const $ = <T extends HTMLElement>(id: string) => document.getElementById(id) as T;
const num = (id: string) => Number($<HTMLInputElement>(id).value);

const status = $('status');
const results = document.querySelector<HTMLElement>('.results')!;
const trainButton = $<HTMLButtonElement>('train'), stopButton = $<HTMLButtonElement>('stop'), downloadButton = $<HTMLButtonElement>('download');
const sampleSelect = $<HTMLSelectElement>('sample');
let task: Task = 'regression';
/** The explained model's class names (classification), index order; none: the indices are shown. */
let classNames: readonly string[] = [];
const className = (k: number) => classNames[k] ?? `class ${k}`;
/** What a binary model's logit is the log-odds of: its positive class, named when the target has names. */
const logOdds = () => (classNames.length ? `the log-odds of ${className(1)}` : 'the log-odds');
const loss = new LossChart($('loss-chart'));
const lossNames: Record<Task, string> = { regression: 'mean squared error', binary: 'binary cross-entropy', multiclass: 'cross-entropy' };
const shapes = new ShapeGrid($('shape-functions'));
let calibration: CalibrationChart | null = null;

/**
 * What the tests read: the latest predictions, the last epoch drawn (and member), finished runs
 * (trainings, loads, errors), the library's column choice for the CSV, and what the explanation shows.
 */
const demoState = {
  predictions: [] as number[], epoch: 0, member: 0, runs: 0, busy: false, device: null as DeviceInfo | null, errors: [] as string[],
  roles: null as RolesPreview | null,
  explanation: null as { kinds: Record<string, ShapeCurve['kind']>; levels: Record<string, string[]>; bands: string[]; importance: ExplanationView['importance']; facts?: ModelFacts } | null,
};
(window as unknown as { rnamDemo: typeof demoState }).rnamDemo = demoState;

const worker = new Worker(new URL('./worker.js', import.meta.url), { type: 'module' });
// With shared memory (a cross-origin isolated page) Stop reaches the worker between two batches;
// without it, the message is read at the end of the epoch.
const stopFlag = typeof SharedArrayBuffer === 'function' && crossOriginIsolated ? new Int32Array(new SharedArrayBuffer(4)) : null;
const send = (m: ToWorker, extra: Record<string, unknown> = {}) => worker.postMessage({ ...m, ...extra });

let csvText = '';
/** The file the CSV came from ('the pasted text' for the paste box). */
let csvName = '';
/** The name of the CSV whose header the worker is reading (null once read or refused). */
let pendingCsv: string | null = null;
/** The loss note once training has ended (no member is still training). */
let lossNoteDone = '';
let deviceText = '';

worker.onmessage = (event: MessageEvent<FromWorker>) => {
  const m = event.data;
  switch (m.type) {
    case 'columns':
      pendingCsv = null;
      return showMapping(m.columns, m.rows, m.guess);
    case 'roles': return m.ask === rolesAsked ? showRoles(m.preview) : undefined;
    case 'device': return showDevice(m.info);
    case 'data':
      results.hidden = false;
      task = m.task;
      $('data-summary').textContent = m.summary;
      $('loss-chart').setAttribute('aria-label', `loss (${lossNames[task]}) per epoch, training and validation`);
      return;
    case 'epoch':
      results.hidden = false;
      return showEpoch(m.view, m.explanation);
    case 'done':
      $('loss-note').textContent = lossNoteDone;
      demoState.predictions = m.predictions;
      if (m.metrics) showMetrics(m.metrics);
      showExplanation(m.explanation);
      {
        const epochs = m.explanation.facts?.memberEpochs;
        finish(epochs && epochs.length > 1
          ? `${m.stopped ? 'Stopped' : 'Done'}: ${epochs.length} members trained on ${deviceText} (${epochs.join(', ')} epochs).`
          : `${m.stopped ? 'Stopped' : 'Done'} after epoch ${demoState.epoch} on ${deviceText}.`);
      }
      return;
    case 'loaded':
      results.hidden = false;
      demoState.predictions = m.predictions;
      loss.reset();
      $('loss-note').hidden = true;
      showMetrics({ [m.explanation.facts ? 'chosen table' : 'validation']: m.metrics });
      showExplanation(m.explanation);
      finish(`Model loaded on ${deviceText}. ${m.summary}`);
      return;
    case 'local': return showLocal(m.view);
    case 'model': return saveFile(m.bytes, m.name);
    case 'error':
      if (pendingCsv !== null) {
        // The file chosen cannot be read: said where the file is, and nothing of the file before stays.
        $('csv-info').textContent = `${pendingCsv} cannot be used: ${m.message}`;
        pendingCsv = null;
        csvText = '';
      }
      demoState.errors.push(m.message);
      // Results shown before this run began are not its results: hidden until a run shows its own.
      if (demoState.epoch === 0) results.hidden = true;
      finish(`Error: ${asPageLabels(m.message)}`);
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

/** The mapping without the roles: the columns and the sample layout. */
function baseMapping(): CsvMapping {
  const id = $<HTMLSelectElement>('map-id').value, time = $<HTMLSelectElement>('map-time').value, task = $<HTMLSelectElement>('map-task').value as Task | '';
  const window = $<HTMLInputElement>('map-window').value.trim(), history = $<HTMLInputElement>('map-history').checked;
  return {
    ...(id ? { id } : {}), ...(time ? { time } : {}), target: $<HTMLSelectElement>('map-target').value,
    ...(task ? { task } : {}), ...(window ? { window: Number(window) } : {}), ...(history ? { targetHistory: true } : {}),
  };
}

/** The mapping and, when the user changed any column's role, every column's choice (the worker resolves the 'auto' ones). */
function csvMapping(): CsvMapping {
  const selects = [...document.querySelectorAll<HTMLSelectElement>('#map-roles select')];
  const changed = selects.some((s) => s.value !== 'auto');
  return { ...baseMapping(), ...(changed ? { overrides: Object.fromEntries(selects.map((s) => [s.dataset.column!, s.value as RoleChoice])) } : {}) };
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

// The form checks only the fields in sight: an invalid value in a hidden one (another data source's)
// would otherwise block Train with no message anyone can see.
$<HTMLFormElement>('settings').noValidate = true;
$('settings').addEventListener('submit', (event) => {
  event.preventDefault();
  const invalid = [...document.querySelectorAll<HTMLInputElement>('#settings input, #settings select')].find((el) => el.closest('[hidden]') === null && !el.checkValidity());
  if (invalid) {
    invalid.reportValidity();
    return;
  }
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
  demoState.member = 0;
  demoState.predictions = [];
  loss.reset();
  $('loss-note').hidden = true;
  status.textContent = 'Preparing the data and the device...';
  const optional = (id: string) => ($<HTMLInputElement>(id).value.trim() === '' ? undefined : num(id));
  const model = modelKind();
  const settings: TrainSettings = {
    model, batchSize: num('batch'), lr: num('lr'), blocks: num('blocks'), seed: num('seed'),
    ...(optional('epochs') !== undefined ? { epochs: optional('epochs') } : {}), ...(optional('hidden') !== undefined ? { hiddenDim: optional('hidden') } : {}),
    ...(model === 'additive' && data.kind !== 'seed' ? { members: optional('members'), coverage: optional('coverage') } : {}),
  };
  send({ type: 'train', device: deviceChoice(), data, settings }, stopFlag ? { stopFlag } : {});
});

stopButton.addEventListener('click', () => {
  stopFlag && Atomics.store(stopFlag, 0, 1);
  send({ type: 'stop' });
  status.textContent = `Stopping after this batch (epoch ${demoState.epoch + 1})...`;
});

downloadButton.addEventListener('click', () => send({ type: 'download' }));

// Each file input is emptied once its file is taken, so choosing the same file again (a model for
// another CSV, a CSV edited since) is a change too.
$<HTMLInputElement>('model-input').addEventListener('change', async (event) => {
  const input = event.target as HTMLInputElement, file = input.files?.[0];
  input.value = '';
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
  const input = event.target as HTMLInputElement, file = input.files?.[0];
  input.value = '';
  if (!file) return;
  useCsv(await file.text(), file.name);
});
$('csv-text-use').addEventListener('click', () => useCsv($<HTMLTextAreaElement>('csv-text').value, 'the pasted text'));

function useCsv(text: string, name: string): void {
  csvText = text;
  pendingCsv = csvName = name;
  $('mapping').hidden = true;
  $('csv-info').textContent = `${name}: reading the header...`;
  send({ type: 'columns', text: csvText });
}

sampleSelect.addEventListener('change', () => send({ type: 'local', sample: Number(sampleSelect.value) }));

for (const radio of document.querySelectorAll<HTMLInputElement>('input[name=data]')) radio.addEventListener('change', showDataOptions);
$('model').addEventListener('change', showDataOptions);
function showDataOptions(): void {
  const kind = (document.querySelector('input[name=data]:checked') as HTMLInputElement).value;
  for (const el of document.querySelectorAll<HTMLElement>('.for-seed')) el.hidden = kind !== 'seed';
  for (const el of document.querySelectorAll<HTMLElement>('.for-csv')) el.hidden = kind !== 'csv';
  for (const el of document.querySelectorAll<HTMLElement>('.for-table')) el.hidden = kind === 'seed';
  for (const el of document.querySelectorAll<HTMLElement>('.for-additive')) el.hidden = modelKind() !== 'additive';
}

/** The model table data trains (the synthetic data always trains the first-order model). */
function modelKind(): ModelKind {
  const seed = (document.querySelector('input[name=data]:checked') as HTMLInputElement).value === 'seed';
  return seed ? 'first-order' : $<HTMLSelectElement>('model').value as ModelKind;
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

function showEpoch(view: EpochView, explanation?: ExplanationView): void {
  demoState.epoch = view.epoch;
  // The curve is one member's (the first still training): another member's starts afresh.
  if (view.member !== undefined && view.member !== demoState.member) loss.reset();
  const of = (n?: number) => (n ? ` of ${n}` : '');
  // An ensemble's note (one model, the first-order one among them, has none).
  $('loss-note').hidden = view.member === undefined || !(view.members !== undefined && view.members > 1);
  const mean = view.meanValLoss === undefined ? '' : '; the dashed curve is the mean validation loss of the members still training';
  $('loss-note').textContent = `The members train side by side, each from its own seed; the solid curves are member ${view.member}'s${view.training !== undefined ? ` (${view.training}${of(view.members)} still training)` : ''}${mean}.`;
  lossNoteDone = `The members trained side by side, each from its own seed; the solid curves are member ${view.member}'s, the last to finish${view.meanValLoss === undefined ? '' : '; the dashed curve is the mean validation loss of the members training at each epoch'}.`;
  demoState.member = view.member ?? 0;
  loss.add(view.epoch, view.trainLoss, view.valLoss, view.meanValLoss);
  const val = view.valLoss === undefined ? '' : `, validation ${short(view.valLoss)}`;
  const member = view.member !== undefined && view.members !== 1 ? `member ${view.member}${of(view.members)}, ` : '';
  status.textContent = `Training on ${deviceText}: ${member}epoch ${view.epoch}${of(view.epochs)}, train loss ${short(view.trainLoss)}${val} (${view.seconds.toFixed(1)} s)`;
  showMetrics(view.metrics);
  if (explanation) showExplanation(explanation);
}

/** A metrics table: one column per split (train, validation, test, ...), a missing split left out. */
function showMetrics(metrics: Record<string, Record<string, number> | null | undefined>): void {
  const splits = Object.keys(metrics).filter((k) => metrics[k] && Object.keys(metrics[k]!).length > 0);
  if (splits.length === 0) splits.push(...Object.keys(metrics));
  const names = [...new Set(splits.flatMap((k) => Object.keys(metrics[k] ?? {})))];
  const cell = (v: number | undefined) => `<td>${v === undefined ? '-' : short(v)}</td>`;
  $('metrics').innerHTML = `<thead><tr><th scope="col">metric</th>${splits.map((k) => `<th scope="col">${escape(k)}</th>`).join('')}</tr></thead><tbody>${
    names.map((n) => `<tr><th scope="row">${escape(n)}</th>${splits.map((k) => cell(metrics[k]?.[n])).join('')}</tr>`).join('')}</tbody>`;
}

function showExplanation(e: ExplanationView): void {
  const withSd = e.importance.some((i) => i.sd !== undefined);
  $('importance-sd').hidden = !withSd;
  drawBars($('importance'), e.importance.map((i) => ({ label: i.feature, value: i.importance, ...(i.sd !== undefined ? { sd: i.sd } : {}) })),
    { caption: `term importance, largest first${withSd ? ', with its standard deviation across ensemble members' : ''}` });
  classNames = e.classes ?? [];
  shownExplanation = e;
  showClassChoice(e);
  drawShapes(e);
  const bands = e.shapes.filter((s) => s.band || s.levels?.some((l) => l.lower !== undefined)).map((s) => s.feature);
  $('shape-legend').hidden = false;
  $('band-legend').hidden = bands.length === 0;
  showFacts(e.facts);
  demoState.explanation = {
    kinds: Object.fromEntries(e.shapes.map((s) => [s.feature, s.kind])), levels: Object.fromEntries(e.shapes.filter((s) => s.levels).map((s) => [s.feature, s.levels!.map((l) => l.level)])),
    bands, importance: e.importance, ...(e.facts ? { facts: e.facts } : {}),
  };
  if (sampleSelect.options.length !== e.samples) {
    sampleSelect.replaceChildren(...e.sampleLabels.map((label, i) => new Option(label, String(i))));
  }
  sampleSelect.disabled = false;
  send({ type: 'local', sample: Number(sampleSelect.value || 0) });
}

/** The explanation on show, kept so that the class choice can redraw its shape functions. */
let shownExplanation: ExplanationView | null = null;
const classSelect = $<HTMLSelectElement>('shape-class');
classSelect.addEventListener('change', () => shownExplanation && drawShapes(shownExplanation));

/** Multiclass: a choice of the class whose logit the shape functions show (kept across epochs). */
function showClassChoice(e: ExplanationView): void {
  const multi = e.task === 'multiclass' && (e.classShapes?.length ?? 0) > 1;
  $('shape-class-row').hidden = !multi;
  if (!multi) return;
  const labels = e.classShapes!.map((_, k) => className(k));
  if ([...classSelect.options].map((o) => o.text).join('\n') !== labels.join('\n')) classSelect.replaceChildren(...labels.map((l, k) => new Option(l, String(k))));
}

/** The shape functions of the chosen class (multiclass) or the one output, and their caption. */
function drawShapes(e: ExplanationView): void {
  const k = e.task === 'multiclass' && e.classShapes ? Math.min(Number(classSelect.value || 0), e.classShapes.length - 1) : 0;
  const curves = k > 0 ? e.classShapes![k] : e.shapes;
  const unit = e.task === 'regression' ? 'the prediction' : e.task === 'binary' ? logOdds() : `the logit of ${className(k)}`;
  const x = `${summaryName[e.summary] ?? e.summary}${e.originalUnits ? '' : ' (standardized)'}`;
  const xOf = (s: ShapeCurve) => `${s.kind === 'static' ? 'value' : x}${s.logAxis ? ', log axis' : ''}`;
  shapes.draw(curves, `contribution to ${unit}`, xOf);
  const kinds = new Set(curves.map((s) => s.kind)), banded = curves.some((s) => s.band || s.levels?.some((l) => l.lower !== undefined));
  const on = e.facts ? `sample of the ${e.facts.explainedSplit === 'the chosen table' ? 'chosen table' : `${e.facts.explainedSplit} split`}` : 'validation sample';
  $('shape-caption').textContent = [
    `Each dot: one ${on}'s contribution to ${unit} (y, one scale for all terms) against its input (x: ${kinds.has('static') ? 'a static feature\'s value, ' : ''}a time-varying feature's ${x}). Line: the mean per quantile bin.`,
    kinds.has('categorical') ? 'Categorical features: one bar per level, its mean contribution (hover for the sample count).' : '',
    banded ? 'Band: ± the spread across ensemble members.' : '',
  ].filter(Boolean).join(' ');
}

const summaryName: Record<string, string> = { last: 'last value', mean: 'mean', ema: 'EMA (decay 0.95)' };

function showLocal(v: LocalView): void {
  const sum = v.contributions.reduce((a, c) => a + c.value, 0);
  const binary = task === 'binary';
  // The sums are on the logit scale for classification, so the bars show logits too.
  const prob = (z: number) => 1 / (1 + Math.exp(-z));
  const percent = (p: number) => `${(p * 100).toFixed(0)}%`;
  const prediction = binary ? `${logOdds().slice(4)} ${short(v.prediction)} (probability ${percent(v.probability ?? prob(v.prediction))})`
    : task === 'multiclass' ? `${className(v.output)}, logit ${short(v.prediction)} (probability ${percent(v.probability ?? NaN)})` : short(v.prediction);
  const actual = Number.isNaN(v.target) ? 'unknown' : task === 'regression' ? short(v.target)
    : binary && !classNames.length ? (v.target === 1 ? '1 (yes)' : '0 (no)') : className(v.target);
  // A target learned as its change: the prediction starts from the last known value, and the bars explain the change.
  const intercept = v.intercept - (v.from ?? 0);
  const start = v.from !== undefined ? `last value ${short(v.from)} + ` : '';
  $('local-summary').textContent = `${v.label}: prediction ${prediction} = ${start}intercept ${short(intercept)} + contributions ${short(sum)}; actual: ${actual}`;
  drawBars($('local'), [{ label: 'intercept', value: intercept }, ...v.contributions.map((c) => ({ label: c.feature, value: c.value }))],
    { diverging: true, caption: `contributions to ${v.from !== undefined ? `the change of ${v.label} from its last value` : v.label}` });
}

/** The library's option names in a message, as the page's fields name them. */
function asPageLabels(message: string): string {
  return message.replace(/\btargetHistory\b/g, "'Target history'");
}

let csvColumnNames: string[] = [];

function showMapping(columns: string[], rows: number, guess: ColumnGuess): void {
  csvColumnNames = columns;
  $('csv-info').textContent = `${csvName}: ${rows} rows, ${columns.length} columns. Map them:`;
  const options = (sel: string, none: string | null, guessed: string | undefined) => {
    const el = $<HTMLSelectElement>(sel);
    el.replaceChildren(...(none !== null ? [new Option(none, '')] : []), ...columns.map((c) => new Option(c, c)));
    if (guessed) el.value = guessed;
  };
  options('map-id', '(none)', guess.id);
  options('map-time', '(none: one row per sample)', guess.time);
  options('map-target', null, guess.target);
  // A new file starts from its own guesses: nothing of the last file's window, task or roles stays.
  $<HTMLInputElement>('map-window').value = '';
  $<HTMLInputElement>('map-history').checked = false;
  $<HTMLSelectElement>('map-task').value = '';
  $('map-roles').replaceChildren();
  rolesShownFor = '';
  $('mapping').hidden = false;
  showRoleChoices();
}

/** One role choice per feature column (not the id, time or target; the target too in window mode, where its past is an input). */
function showRoleChoices(): void {
  const m = baseMapping();
  // A change event that changes nothing (the window field losing focus to a click on Train) asks
  // nothing again, so nothing above the button moves under the click.
  const key = JSON.stringify([csvColumnNames, m]);
  if (key === rolesShownFor) return;
  rolesShownFor = key;
  const candidates = csvColumnNames.filter((c) => c !== m.id && c !== m.time && (c !== m.target || m.window !== undefined || m.targetHistory === true));
  const before = new Map([...document.querySelectorAll<HTMLSelectElement>('#map-roles select')].map((s) => [s.dataset.column!, s.value]));
  $('map-roles').replaceChildren(...candidates.map((c) => {
    const label = document.createElement('label');
    label.className = 'role';
    const select = document.createElement('select');
    select.dataset.column = c;
    for (const [value, text] of [['auto', 'auto'], ['time-varying', 'time-varying'], ['static', 'static'], ['categorical', 'categorical'], ['none', 'not used']]) select.append(new Option(text, value));
    select.value = before.get(c) ?? 'auto';
    const name = document.createElement('span');
    name.textContent = c;
    label.append(name, select);
    return label;
  }));
  askRoles();
}

/** The columns and mapping the role list shows. */
let rolesShownFor = '';

/** Asks the library's choice for the columns left on auto, given the roles the user named; the last answer stays (dimmed) until this one comes. */
function askRoles(): void {
  demoState.roles = null;
  $('roles-info').classList.add('stale');
  send({ type: 'roles', text: csvText, mapping: csvMapping(), ask: ++rolesAsked });
}
$('map-roles').addEventListener('change', askRoles);

/** The latest question about the roles: an answer to an earlier one is stale. */
let rolesAsked = 0;

for (const id of ['map-id', 'map-time', 'map-target', 'map-task', 'map-window', 'map-history']) $(id).addEventListener('change', showRoleChoices);
// The list and the library's answer follow the window as it is typed, so the change event when the
// field loses focus (to a click on Train) finds nothing new and the button does not move under the click.
$('map-window').addEventListener('input', showRoleChoices);

/** The library's choice for the mapping, shown on each 'auto' and above the list. */
function showRoles(preview: RolesPreview): void {
  demoState.roles = preview;
  const info = $('roles-info');
  info.classList.remove('stale');
  if (!preview.roles) {
    info.textContent = `The library cannot use this mapping: ${asPageLabels(preview.error ?? '')}`;
    return;
  }
  const r = preview.roles;
  const roleOf = (c: string) => (r.static.includes(c) ? 'static' : r.categorical.includes(c) ? 'categorical' : r.sequenceCategorical.includes(c) ? 'time-varying categorical' : r.features.includes(c) ? 'time-varying' : 'not used');
  for (const s of document.querySelectorAll<HTMLSelectElement>('#map-roles select')) s.options[0].text = `auto: ${roleOf(s.dataset.column!)}`;
  info.textContent = `auto: the library's choice (${preview.mode} mode, ${preview.task}). Change one to name every role, as rnam train's --features, --static and --categorical do.`;
}

/** What a mixed-input model's training reported: its size, the columns by role, the members, the intervals or the calibration. */
function showFacts(f: ModelFacts | undefined): void {
  $('facts-panel').hidden = !f;
  if (!f) return;
  const list = (cols: string[]) => (cols.length ? cols.map(escape).join(', ') : '-');
  const lines = [
    `<p><strong>${escape(f.model)}</strong> · ${escape(f.mode)} mode</p>`,
    `<p>${[['time-varying', f.roles.features], ['time-varying categorical', f.roles.sequenceCategorical], ['static', f.roles.static], ['categorical', f.roles.categorical]]
      .filter(([, cols]) => cols.length).map(([name, cols]) => `${name}: ${list(cols as string[])}`).join(' · ')}</p>`,
  ];
  if (f.warnings?.length) lines.push(`<ul class="warnings" data-testid="warnings">${f.warnings.map((w) => `<li>${escape(w)}</li>`).join('')}</ul>`);
  if (f.memberEpochs && f.memberEpochs.length > 1) {
    const how = f.stopping === 'pooled'
      ? `each validating on its own samples; they stopped together and kept epoch ${f.memberBestEpochs![0]}, where the mean of their validation losses was lowest`
      : f.memberBestEpochs ? `each early-stopped on its own validation samples, keeping epochs ${f.memberBestEpochs.join(', ')}` : 'without early stopping';
    lines.push(`<p>The ${f.memberEpochs.length} members trained ${f.memberEpochs.join(', ')} epochs (${how}); the prediction and each contribution are their mean.</p>`);
  }
  if (f.intervals) {
    const i = f.intervals;
    const test = i.testCoverage !== undefined ? `; ${(i.testCoverage * 100).toFixed(1)}% of the test targets lie inside` : '';
    lines.push(`<p data-testid="intervals">Prediction interval: <strong>${i.width}</strong> for ${(i.coverage * 100).toFixed(0)}% coverage (split-conformal, ${i.calibrationSamples} held-out residuals${test}).</p>`);
  }
  if (f.calibration) lines.push(`<p data-testid="ece">Expected calibration error on the ${escape(f.calibration.split)} split: <strong>${short(f.calibration.ece)}</strong></p>`);
  if (f.baselines && Object.keys(f.baselines).length) {
    lines.push(`<p>Baselines on the test split: ${Object.entries(f.baselines).map(([name, m]) => `${escape(name)} ${Object.entries(m).map(([k, v]) => `${escape(k)} ${short(v)}`).join(', ')}`).join('; ')}</p>`);
  }
  $('facts').innerHTML = lines.join('');
  $('calibration').hidden = !f.calibration;
  if (f.calibration) (calibration ??= new CalibrationChart($('calibration-chart'))).draw(f.calibration.bins);
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
