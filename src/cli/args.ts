// The command line's arguments: node:util's parseArgs, then each value checked and typed, so a bad
// flag is a UsageError naming it (exit code 2) before any work starts.
import { parseArgs } from 'node:util';
import { RnamError, type SearchSpace, type Task } from '../index.js';

/** A wrong command line: printed with the usage, exit code 2. */
export class UsageError extends RnamError {
  override name = 'UsageError';
}

export interface TrainArgs {
  data: string;
  id?: string;
  time?: string;
  target: string;
  features?: string[];
  static?: string[];
  categorical?: string[];
  exclude?: string[];
  model: 'additive' | 'first-order';
  task?: Task;
  positive?: string;
  classes?: string[];
  window?: number;
  horizon?: number;
  epochs?: number;
  patience?: number;
  batchSize: number;
  lr: number;
  weightDecay?: number;
  seed: number;
  splitSeed?: number;
  splitColumn?: string;
  testData?: string;
  members?: number;
  refit: boolean;
  targetHistory: boolean;
  /** --target-change on|off: absent, the library's default (on wherever it applies). */
  targetChange?: boolean;
  coverage?: number;
  validation: number;
  test: number;
  hidden?: number;
  blocks: number;
  device: 'auto' | 'wasm' | 'webgpu';
  missing?: 'error' | 'carry-forward' | 'mask';
  skewed?: 'log' | 'keep';
  stopping?: 'pooled' | 'each';
  out: string;
  progress: boolean;
  weight?: string;
  classWeight?: 'balanced' | Record<string, number>;
  /** Read the file a chunk of whole ids at a time (trainStream); absent: above STREAM_ABOVE_BYTES, unless inMemory. */
  stream?: boolean;
  inMemory: boolean;
}

export interface PredictArgs {
  model: string;
  data: string;
  out: string;
  rawCells: boolean;
  device: 'auto' | 'wasm' | 'webgpu';
  batchSize: number;
  inMemory: boolean;
  /** Stream even where the ids are not together (an error then, instead of reading the file whole). */
  stream: boolean;
}

export interface WorkerArgs {
  queue: string;
  queueName?: string;
  concurrency: number;
}

export const usage = `usage:
  rnam train DATA.csv --target COL --out DIR [--time COL] [--id COL] [--features a,b,c]
             [--static a,b] [--categorical a,b] [--exclude a,b] [--task regression|binary|multiclass]
             [--positive LABEL] [--classes a,b,c] [--window N [--horizon H]]
             [--validation F] [--test F] [--epochs N] [--patience N] [--batch-size N] [--lr X]
             [--weight-decay X] [--seed N] [--hidden N] [--blocks N]
             [--split-seed N | --split-column COL] [--test-data FILE] [--members K] [--refit]
             [--coverage F] [--weight COL] [--class-weight balanced|LABEL=W,...] [--stopping pooled|each]
             [--missing mask|carry-forward|error] [--skewed log|keep] [--target-history]
             [--target-change on|off]
             [--model additive|first-order]
             [--device auto|wasm|webgpu] [--no-progress] [--stream | --in-memory]
  rnam cv DATA.csv --target COL --out DIR [--folds K] [--workers N | --queue URL [--queue-name NAME]]
             [the train options]
  rnam search DATA.csv --target COL --out DIR [--trials N] [--grid] [--folds K]
             [--workers N | --queue URL [--queue-name NAME]]
             [--hidden a,b] [--blocks a,b] [--lr a,b | --lr min:max] [--weight-decay a,b | min:max]
             [--epochs a,b] [--patience a,b]
             [--batch-size a,b] [--members a,b] [--target-change on,off] [the train options]
  rnam predict MODEL.safetensors|DIR DATA.csv --out PRED.csv [--device auto|wasm|webgpu] [--batch-size N]
             [--raw-cells] [--stream | --in-memory]
  rnam worker --queue redis://HOST:PORT [--queue-name NAME] [--concurrency N]
  rnam --version

train: panel mode (one sample per id: its rows by time, the target at its last known row) unless
--window gives sliding windows of N steps with the target H steps (default 1) after each window's
last step; without --time, a plain table (one sample per row, every feature static).
--target-history (panel mode) also reads the target's earlier values as a time-varying feature, its
value at the row predicted hidden: for a target measured over time (a lab, a symptom score), never
one known only later (an outcome copied to every row would leak). A numeric target whose earlier
values the model reads (--window with the target among the features, or --target-history) is learned
as its change from the last known value, and predicted as that value plus the change, so a level
beyond the training range is followed (--target-change on, the default; off learns the level).
Features: numeric columns are time-varying, or static when they hold one value per id (--static to
name them); text columns that hold one value per id are categorical (--categorical to name them);
--exclude a,b leaves columns out of this choice (a leak, a second outcome); date columns other than
--time are numbers, decimal years (2020-07-02 is 2020.5). Each time-varying
feature also reads whether it was observed at a step, the time since it last was
and, when training has empty cells in it, whether it was observed by then (--missing mask, the
default; error refuses empty cells). A numeric feature whose training values are non-negative and
heavily right-skewed (skewness above 2, a lab such as bilirubin) is read as log(1 + value) (--skewed
log, the default; keep reads it as it is). --model first-order trains the seed's
FirstOrderRNAM on one value per feature and step instead.
--seed sets the initialization and the shuffles, --split-seed (default --seed) which ids are held
out; --split-column COL takes the split from a column (train, validation or test, one per id;
without validation rows the members validate on their own ids among the train rows);
--test-data FILE tests on a file of its own (nothing of DATA.csv is held out for testing).
--members K trains an ensemble (default 5 for the additive model); outside window mode each member
validates on its own ids, and they stop together when the mean of their validation losses stops
improving (--stopping pooled; each stops each member on its own, the default in window mode).
--refit trains each member again on its training and validation samples for the epochs early
stopping chose. Regression models carry split-conformal prediction intervals (--coverage, default
0.9): predict writes lower and upper. Binary and multiclass targets may be text labels (--positive
names the positive one of two; --classes lists them in output order, one absent from the training
rows included; cv gives every fold the whole file's).
--weight COL weights each sample's loss, every metric and the baselines by that column (finite
numbers >= 0; one per id in panel mode, the target row's in window mode; never a feature).
--class-weight balanced (n / (k n_c) on the training split) or dead=3,alive=1 multiplies the sample
weights of each class in the training and validation loss (classification only).
--validation and --test are the fractions held out (default 0.15 each; whole ids in panel mode, the
last steps of each series in window mode). Writes DIR/model.safetensors, DIR/report.json and
DIR/report.html together (the previous ones stay whole until the new ones are complete). Ctrl-C
(or SIGTERM) stops training after the running batch and writes what was trained (each member at its
best epoch so far; report.json says stopped); a second one exits at once (130), writing nothing.
--stream reads DATA.csv a chunk of whole ids at a time (a file larger than memory; each id's rows
together): two reads fit the preprocessing, each epoch reads it again; ids split by a seeded hash;
one member, no intervals (--refit, --test-data, --class-weight, --coverage, --stopping refused). Files above
256 MiB stream unless --in-memory.
cv: K-fold cross-validation (default 5) with train's options: whole ids per fold, stratified by the
label for classification; with --window, rolling origin (each fold trains on the past and tests on
the block after it). Writes DIR/cv.json (metrics per fold, their mean and sd) and DIR/oof.csv (every
scored sample once, with its fold, in predict's columns). --workers N trains N folds at a time on
worker threads (default 1), each with its share of the cores; the results are the same bits.
search: hyperparameter search. A searchable flag given a list (8,16) or a range (1e-3:1e-2; integers
uniform, --lr log-uniform; --target-change on,off) is part of the space; with one value it is fixed. --trials N draws N
configurations from --seed (default 10); --grid runs every combination of the lists (the first N
with --trials). A test part (--test, whole ids or the last times) is held out first; each trial is
scored by --folds K cross-validation on the rest, else on a validation part of it (--validation).
The jobs run on --workers threads (default: the cores), with the same results for any count.
--queue URL (cv and search) puts the jobs on a BullMQ queue in Redis for rnam worker processes on any
machines instead (docs/queue.md); the output is the same.
Writes DIR/trials.csv, DIR/search.json, DIR/search.html (a sortable table) and the best
configuration trained on everything but the test part in DIR/model/ (as train writes it). Each
finished job is kept in DIR/jobs: the same command again skips them; other arguments are an error.
predict: one row per sample: id, time (as in the input), target (empty where unknown: the target
column may be absent), target_known, prediction (p(positive class) for binary; the class label and
p_<class> columns for multiclass), intercept, contribution_<feature> per feature; intercept + the
contributions = the value (regression) or the logit of the positive or predicted class. Text cells a
spreadsheet would run as formulas (starting with =, +, -, @) get a leading ' unless --raw-cells.
predict reads DATA.csv a chunk of whole ids at a time and writes as it goes (its memory follows the
chunk, not the file size) while each id's rows are together; where an id comes back after another, a
file of at most 256 MiB is read whole instead (ids in any order), a larger one (or any with --stream)
is an error naming the id. --in-memory reads the whole file from the start.
worker: runs jobs from a queue on Redis (rediss:// for TLS, user:password@ and /DB as in any Redis URL)
until stopped; start one per machine (docs/queue.md). --queue-name (default rnam) must match the
coordinator's; --concurrency (default 1) jobs at a time. Needs the optional packages bullmq and
ioredis. Ctrl-C or SIGTERM: finishes the running job first; a second one stops at once (the job
goes back to the queue once its lock expires).`;

function integer(flag: string, text: string | undefined, fallback: number, min: number): number {
  if (text === undefined) return fallback;
  const v = Number(text);
  if (!/^[+-]?\d+$/.test(text.trim()) || !Number.isSafeInteger(v) || v < min) throw new UsageError(`--${flag} must be an integer >= ${min}, got '${text}'`);
  return v;
}

function nonNegative(flag: string, text: string): number {
  const v = Number(text);
  if (text.trim() === '' || !(v >= 0 && Number.isFinite(v))) throw new UsageError(`--${flag} must be a number >= 0, got '${text}'`);
  return v;
}

function positive(flag: string, text: string | undefined, fallback: number): number {
  if (text === undefined) return fallback;
  const v = Number(text);
  if (text.trim() === '' || !Number.isFinite(v) || v <= 0) throw new UsageError(`--${flag} must be a positive number, got '${text}'`);
  return v;
}

function fraction(flag: string, text: string | undefined, fallback: number): number {
  if (text === undefined) return fallback;
  const v = Number(text);
  if (text.trim() === '' || !(v >= 0 && v < 1)) throw new UsageError(`--${flag} must be a fraction in [0, 1), got '${text}'`);
  return v;
}

function openFraction(flag: string, text: string): number {
  const v = Number(text);
  if (text.trim() === '' || !(v > 0 && v < 1)) throw new UsageError(`--${flag} must be a number in (0, 1), got '${text}'`);
  return v;
}

function oneOf<T extends string>(flag: string, text: string | undefined, allowed: readonly T[], fallback?: T): T | undefined {
  if (text === undefined) return fallback;
  if (!allowed.includes(text as T)) throw new UsageError(`--${flag} must be one of ${allowed.join(', ')}, got '${text}'`);
  return text as T;
}

function required(flag: string, text: string | undefined): string {
  if (text === undefined || text === '') throw new UsageError(`--${flag} is required`);
  return text;
}

function parse(argv: string[], options: Record<string, { type: 'string' | 'boolean' }>, positionals: string[]) {
  let parsed;
  try {
    parsed = parseArgs({ args: argv, options, allowPositionals: true, strict: true });
  } catch (err) {
    throw new UsageError((err as Error).message.replace(/^.*?: /, '').replace(/\. To specify a positional.*$/s, ''));
  }
  if (parsed.positionals.length !== positionals.length) {
    throw new UsageError(`expected ${positionals.join(' ')}, got ${parsed.positionals.length ? parsed.positionals.join(' ') : 'nothing'}`);
  }
  return { values: parsed.values as Record<string, string | boolean | undefined>, positionals: parsed.positionals };
}

const devices = ['auto', 'wasm', 'webgpu'] as const;

/** --class-weight: 'balanced', or LABEL=W pairs separated by commas (W a finite number >= 0). */
function classWeight(text: string): 'balanced' | Record<string, number> {
  if (text.trim() === 'balanced') return 'balanced';
  const out: Record<string, number> = {};
  for (const pair of text.split(',')) {
    const at = pair.lastIndexOf('=');
    const label = pair.slice(0, at).trim(), w = Number(pair.slice(at + 1));
    if (at < 0 || label === '' || pair.slice(at + 1).trim() === '' || !(w >= 0 && Number.isFinite(w))) {
      throw new UsageError(`--class-weight must be 'balanced' or LABEL=W pairs like dead=3,alive=1 (W a number >= 0), got '${text}'`);
    }
    if (Object.hasOwn(out, label)) throw new UsageError(`--class-weight names '${label}' twice`);
    out[label] = w;
  }
  return out;
}

/** --classes a,b,c: two or more distinct labels. */
function classList(text: string): string[] {
  const labels = text.split(',').map((l) => l.trim());
  if (labels.length < 2 || labels.some((l) => l === '')) throw new UsageError(`--classes must list two or more class labels, comma-separated, got '${text}'`);
  const twice = labels.find((l, i) => labels.indexOf(l) !== i);
  if (twice !== undefined) throw new UsageError(`--classes names '${twice}' twice`);
  return labels;
}

export function parseTrainArgs(argv: string[]): TrainArgs {
  const names = ['id', 'time', 'target', 'features', 'static', 'categorical', 'exclude', 'model', 'task', 'positive', 'classes', 'window', 'horizon', 'validation', 'test', 'epochs', 'patience', 'batch-size', 'lr', 'weight-decay', 'seed', 'split-seed', 'split-column', 'test-data', 'members', 'coverage', 'hidden', 'blocks', 'device', 'missing', 'skewed', 'stopping', 'out', 'weight', 'class-weight', 'target-change'];
  const options = Object.fromEntries([...names.map((n) => [n, { type: 'string' as const }]), ['no-progress', { type: 'boolean' as const }], ['refit', { type: 'boolean' as const }], ['target-history', { type: 'boolean' as const }],
    ['stream', { type: 'boolean' as const }], ['in-memory', { type: 'boolean' as const }]]);
  const { values: v, positionals } = parse(argv, options, ['DATA.csv']);
  if (v.stream && v['in-memory']) throw new UsageError('--stream and --in-memory exclude each other');
  const s = (k: string) => v[k] as string | undefined;
  const list = (flag: string) => {
    const names = s(flag)?.split(',').map((f) => f.trim());
    if (names && names.some((f) => f === '')) throw new UsageError(`--${flag} must be a comma-separated list of column names, got '${s(flag)}'`);
    return names;
  };
  const features = list('features');
  if (s('horizon') !== undefined && s('window') === undefined) throw new UsageError('--horizon needs --window (panel mode has no horizon)');
  if (s('window') !== undefined && s('time') === undefined) throw new UsageError('--window needs --time (windows follow the time column)');
  if (s('time') !== undefined && s('window') === undefined && s('id') === undefined) {
    throw new UsageError('panel mode (no --window) makes one sample per --id: name the id column, or give --window N for sliding windows over the table');
  }
  const model = oneOf('model', s('model'), ['additive', 'first-order'] as const, 'additive')!;
  if (s('split-column') !== undefined && (s('split-seed') !== undefined || s('validation') !== undefined || s('test') !== undefined)) {
    throw new UsageError('--split-column gives the split itself: leave out --split-seed, --validation and --test');
  }
  if (model === 'first-order' && s('time') === undefined) throw new UsageError('--model first-order reads sequences: it needs --time');
  return {
    data: positionals[0], id: s('id'), time: s('time'), target: required('target', s('target')), features,
    static: list('static'), categorical: list('categorical'), ...(s('exclude') !== undefined ? { exclude: list('exclude') } : {}), model,
    task: oneOf('task', s('task'), ['regression', 'binary', 'multiclass'] as const), positive: s('positive'),
    ...(s('classes') !== undefined ? { classes: classList(s('classes')!) } : {}),
    window: s('window') === undefined ? undefined : integer('window', s('window'), 0, 1),
    horizon: s('horizon') === undefined ? undefined : integer('horizon', s('horizon'), 1, 0),
    epochs: s('epochs') === undefined ? undefined : integer('epochs', s('epochs'), 30, 1),
    patience: s('patience') === undefined ? undefined : integer('patience', s('patience'), 8, 1), batchSize: integer('batch-size', s('batch-size'), 64, 1),
    lr: positive('lr', s('lr'), 3e-3), seed: integer('seed', s('seed'), 0, 0),
    ...(s('weight-decay') === undefined ? {} : { weightDecay: nonNegative('weight-decay', s('weight-decay')!) }),
    validation: fraction('validation', s('validation'), 0.15), test: fraction('test', s('test'), 0.15),
    members: s('members') === undefined ? undefined : integer('members', s('members'), 1, 1),
    splitSeed: s('split-seed') === undefined ? undefined : integer('split-seed', s('split-seed'), 0, 0),
    splitColumn: s('split-column'), testData: s('test-data'),
    refit: v.refit === true, targetHistory: v['target-history'] === true,
    ...(s('target-change') !== undefined ? { targetChange: oneOf('target-change', s('target-change'), ['on', 'off'] as const) === 'on' } : {}),
    coverage: s('coverage') === undefined ? undefined : openFraction('coverage', s('coverage')!),
    hidden: s('hidden') === undefined ? undefined : integer('hidden', s('hidden'), 16, 1), blocks: integer('blocks', s('blocks'), 1, 0),
    device: oneOf('device', s('device'), devices, 'auto')!, missing: oneOf('missing', s('missing'), ['error', 'carry-forward', 'mask'] as const),
    skewed: oneOf('skewed', s('skewed'), ['log', 'keep'] as const), stopping: oneOf('stopping', s('stopping'), ['pooled', 'each'] as const),
    out: required('out', s('out')), progress: !v['no-progress'],
    ...(s('weight') !== undefined ? { weight: required('weight', s('weight')) } : {}),
    ...(s('class-weight') !== undefined ? { classWeight: classWeight(s('class-weight')!) } : {}),
    ...(v.stream ? { stream: true } : {}), inMemory: v['in-memory'] === true,
  };
}

/** cv and search read their data in memory: --stream and --in-memory are train's. */
function notStreamed(command: string, a: TrainArgs): void {
  if (a.stream || a.inMemory) throw new UsageError(`--${a.stream ? 'stream' : 'in-memory'} is for rnam train and predict; rnam ${command} reads its data in memory`);
}

/** Where a command's jobs run when not on this machine: a BullMQ queue on Redis and its name. */
export interface QueueArgs {
  queue?: string;
  queueName?: string;
}

export interface CvArgs extends TrainArgs, QueueArgs {
  folds: number;
  /** Worker threads the folds train on (1: this thread). */
  workers: number;
}

/** --queue URL [--queue-name NAME] out of argv; --queue and --workers exclude each other. */
function queueArgs(values: Record<string, string | undefined>): QueueArgs {
  if (values['queue-name'] !== undefined && values.queue === undefined) throw new UsageError('--queue-name needs --queue');
  if (values.queue !== undefined && values.workers !== undefined) throw new UsageError('--queue runs the jobs on the queue\'s workers (rnam worker): leave out --workers');
  return { ...(values.queue !== undefined ? { queue: values.queue } : {}), ...(values['queue-name'] !== undefined ? { queueName: values['queue-name'] } : {}) };
}

/** A command's own flags with a value (--folds K, --workers N, ...) taken out of argv before train's flags are parsed. */
export function takeFlags(argv: readonly string[], flags: readonly string[]): { values: Record<string, string | undefined>; rest: string[] } {
  const values: Record<string, string | undefined> = {}, rest: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const flag = argv[i].startsWith('--') ? argv[i].slice(2) : undefined;
    if (flag !== undefined && flags.includes(flag)) {
      if (i + 1 >= argv.length || argv[i + 1].startsWith('--')) throw new UsageError(`--${flag} needs a value`);
      values[flag] = argv[++i];
    } else rest.push(argv[i]);
  }
  return { values, rest };
}

export function parseCvArgs(argv: string[]): CvArgs {
  for (const flag of ['--test', '--test-data', '--split-column']) {
    if (argv.includes(flag)) throw new UsageError(`${flag} is for train: cv holds out each fold in turn`);
  }
  const { values, rest } = takeFlags(argv, ['folds', 'workers', 'queue', 'queue-name']);
  const train = parseTrainArgs(rest);
  notStreamed('cv', train);
  return { ...train, folds: integer('folds', values.folds, 5, 2), workers: integer('workers', values.workers, 1, 1), ...queueArgs(values) };
}

export interface SearchArgs extends TrainArgs, QueueArgs {
  space: SearchSpace;
  trials?: number;
  grid: boolean;
  folds?: number;
  /** Worker threads (default: the cores). */
  workers?: number;
}

/** The searchable flags and the option each sets. */
const spaceFlags = {
  hidden: 'hiddenDim', blocks: 'blocks', lr: 'lr', 'weight-decay': 'weightDecay', epochs: 'epochs', patience: 'patience', 'batch-size': 'batchSize', members: 'members',
  'target-change': 'targetChange',
} as const;

/** A searchable flag's value: a list 'a,b,c', or a range 'min:max' (random search); --target-change a list of on and off. */
function spaceEntry(flag: string, text: string): number[] | boolean[] | { min: number; max: number } {
  if (flag === 'target-change') {
    const values = text.split(',').map((t) => t.trim());
    if (values.some((t) => t !== 'on' && t !== 'off')) throw new UsageError(`--target-change searched must be a list of on and off ('on,off'), got '${text}'`);
    return values.map((t) => t === 'on');
  }
  const number = (t: string) => {
    const v = Number(t);
    if (t.trim() === '' || !Number.isFinite(v)) throw new UsageError(`--${flag} must be a list 'a,b,c' or a range 'min:max' of numbers, got '${text}'`);
    return v;
  };
  if (text.includes(':')) {
    const parts = text.split(':');
    if (parts.length !== 2) throw new UsageError(`--${flag} must be a range 'min:max', got '${text}'`);
    return { min: number(parts[0]), max: number(parts[1]) };
  }
  return text.split(',').map(number);
}

export function parseSearchArgs(argv: string[]): SearchArgs {
  for (const flag of ['--test-data', '--split-column']) {
    if (argv.includes(flag)) throw new UsageError(`${flag} is for train: search holds out its own test part (--test)`);
  }
  const grid = argv.includes('--grid');
  const { values, rest } = takeFlags(argv.filter((a) => a !== '--grid'), ['trials', 'folds', 'workers', 'queue', 'queue-name']);
  // A searchable flag with a list or a range is part of the space; with one value it is a fixed option.
  const space: Record<string, unknown> = {};
  const { values: searched, rest: trainArgv } = takeFlags(rest, Object.keys(spaceFlags).filter((f) => {
    const at = rest.indexOf(`--${f}`);
    return at >= 0 && /[,:]/.test(rest[at + 1] ?? '');
  }));
  for (const [flag, text] of Object.entries(searched)) space[spaceFlags[flag as keyof typeof spaceFlags]] = spaceEntry(flag, text!);
  if (Object.keys(space).length === 0) throw new UsageError(`give the space: at least one of ${Object.keys(spaceFlags).map((f) => `--${f}`).join(', ')} with a list (a,b,c) or a range (min:max)`);
  const args = parseTrainArgs(trainArgv);
  notStreamed('search', args);
  return {
    ...args, space: space as SearchSpace, grid,
    trials: values.trials === undefined ? undefined : integer('trials', values.trials, 10, 1),
    folds: values.folds === undefined ? undefined : integer('folds', values.folds, 5, 2),
    workers: values.workers === undefined ? undefined : integer('workers', values.workers, 1, 1), ...queueArgs(values),
  };
}

export function parsePredictArgs(argv: string[]): PredictArgs {
  const options = { ...Object.fromEntries(['out', 'device', 'batch-size'].map((n) => [n, { type: 'string' as const }])), 'raw-cells': { type: 'boolean' as const }, 'in-memory': { type: 'boolean' as const }, stream: { type: 'boolean' as const } };
  const { values: v, positionals } = parse(argv, options, ['MODEL.safetensors', 'DATA.csv']);
  const s = (k: string) => v[k] as string | undefined;
  if (v.stream && v['in-memory']) throw new UsageError('--stream and --in-memory exclude each other');
  return {
    model: positionals[0], data: positionals[1], out: required('out', s('out')), rawCells: v['raw-cells'] === true,
    device: oneOf('device', s('device'), devices, 'auto')!, batchSize: integer('batch-size', s('batch-size'), 256, 1), inMemory: v['in-memory'] === true,
    stream: v.stream === true,
  };
}

export function parseWorkerArgs(argv: string[]): WorkerArgs {
  const options = Object.fromEntries(['queue', 'queue-name', 'concurrency'].map((n) => [n, { type: 'string' as const }]));
  const { values: v } = parse(argv, options, []);
  const s = (k: string) => v[k] as string | undefined;
  return { queue: required('queue', s('queue')), queueName: s('queue-name'), concurrency: integer('concurrency', s('concurrency'), 1, 1) };
}
