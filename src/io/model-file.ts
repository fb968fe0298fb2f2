// Whole-model files: safetensors holding the model's state dict under its PyTorch names (so
// PyTorch's load_state_dict reads the same file), the class and options to rebuild it, what the
// caller knows about its data (task, feature names, standardizer, dataset settings, history) and,
// optionally, the optimizer state to resume training exactly. No Node built-ins: browsers too.
import type { Backend } from '../backend/backend.js';
import { deviceOption, type DeviceKind } from '../backend/select.js';
import type { Module } from '../nn/module.js';
import type { Optimizer } from '../optim/optimizer.js';
import type { OptimizerParamGroup, OptimizerParamState, OptimizerStateDict } from '../optim/state-dict.js';
import type { SeriesDataset } from '../data/series-dataset.js';
import { Tensor } from '../tensor.js';
import { cpu } from '../backend/default-device.js';
import { NonFiniteTensorError, parseHeader, readTensors, serialize, serializeAsync, type SafetensorsHeader } from './safetensors.js';
import { buildModel, describeModel, modelClassNames, modelClassOf } from './model-registry.js';
import { isDescribable } from '../nn/describe.js';
import { expectedShapes, type ShapeEntries } from './model-shapes.js';
import { formatShape } from '../shape.js';
import {
  KEY_PREFIX, MODEL_FILE_FORMAT, decodeJson, encodeJson, infoKeys, infoProblem,
  type ModelFileMetadata, type ModelInfo,
} from './model-metadata.js';
import { VERSION } from '../version.js';
import { ArgumentError, FileFormatError, StateDictError, describeValue } from '../errors.js';

/** The tensor-name prefix of the optimizer's buffers: `__optimizer__.<parameter index>.<slot>`. */
export const OPTIMIZER_PREFIX = '__optimizer__.';

export interface SaveExtras extends ModelInfo {
  /** Store this optimizer's state (its parameters must be the model's) to resume training. */
  optimizer?: Optimizer;
  /** Fills featureNames, targetNames and standardizer from a dataset when they are not given. */
  dataset?: SeriesDataset;
}

export interface LoadOptions {
  /** Where the model (and optimizer state) are placed: a device or its kind ('wasm', 'webgpu', 'auto'); default: the CPU (wasm), or where a given model is. A given model is moved here. */
  device?: Backend | DeviceKind;
  /** Load the weights into this model (a plain PyTorch state dict, or to reuse a model). */
  model?: Module;
  /** Or build this registered class with `options` (a file without rnam metadata). */
  class?: string;
  options?: Record<string, unknown>;
  /** Missing or unexpected tensors are errors (default true). */
  strict?: boolean;
  /**
   * Load tensors holding NaN or infinities (default false: a NonFiniteTensorError naming the
   * tensor). For looking at a diverged model; its predictions are NaN.
   */
  allowNonFinite?: boolean;
}

/**
 * The most floats a model built by load() may hold beyond those its file provides (strict: false
 * leaves the missing parameters at their initial values): 2^20, 4 MB. A file cannot make load()
 * allocate much more than its own size.
 */
export const MAX_MISSING_PARAMETER_FLOATS = 2 ** 20;
/** How deeply a metadata JSON value may nest (arrays and objects); deeper is a FileFormatError. */
export const MAX_METADATA_DEPTH = 64;
/**
 * The most ',' and ':' separators the rnam metadata values may hold together (a standardizer of
 * 100,000 features takes about 600,000); more is a FileFormatError before any is parsed.
 */
export const MAX_METADATA_SEPARATORS = 1_000_000;
/** The problems one error message lists before it says how many more there are. */
const LISTED_PROBLEMS = 8;

/** The optimizer state of a file: pass it to `optimizer.loadStateDict`. `paramNames` maps indices to model names. */
export interface SavedOptimizerState extends OptimizerStateDict {
  paramNames: string[];
}

export interface LoadedModel<M extends Module = Module> {
  model: M;
  metadata: ModelFileMetadata;
  optimizerState?: SavedOptimizerState;
}

interface Prepared {
  tensors: Record<string, Tensor>;
  metadata: Record<string, string>;
}

function prepare(model: Module, extras: SaveExtras): Prepared {
  const where = 'save';
  if (typeof extras !== 'object' || extras === null) throw new ArgumentError(`${where}: extras must be an object, got ${describeValue(extras)}`);
  const described = describeModel(where, model);
  const known = new Set<string>([...infoKeys, 'optimizer', 'dataset']);
  for (const key of Object.keys(extras)) if (!known.has(key)) throw new ArgumentError(`${where}: unknown extra ${key} (known: ${[...known].join(', ')})`);
  const info: ModelInfo = { ...extras };
  delete (info as SaveExtras).optimizer;
  delete (info as SaveExtras).dataset;
  if (extras.dataset) {
    info.featureNames ??= extras.dataset.featureNames;
    info.targetNames ??= extras.dataset.targetNames;
    info.standardizer ??= extras.dataset.standardizer;
  }

  const metadata: Record<string, string> = {
    format: 'pt', // the safetensors convention for a PyTorch state dict
    [`${KEY_PREFIX}format`]: String(MODEL_FILE_FORMAT),
    [`${KEY_PREFIX}version`]: VERSION,
    [`${KEY_PREFIX}class`]: described.kind,
    [`${KEY_PREFIX}options`]: encodeJson(`${where}: options`, described.config),
  };
  for (const key of infoKeys) {
    const v = info[key];
    if (v === undefined) continue;
    const problem = infoProblem(key, v);
    if (problem) throw new ArgumentError(`${where}: extras.${key} ${problem}, got ${describeValue(v)}`);
    metadata[`${KEY_PREFIX}${key}`] = encodeJson(`${where}: extras.${key}`, v);
  }
  const inputs = described.inputFeatures;
  if (info.featureNames && info.featureNames.length !== inputs) {
    throw new ArgumentError(`${where}: ${info.featureNames.length} featureNames for a model reading ${inputs} features`);
  }

  const scaled = info.standardizer?.features?.map((f) => f.name);
  if (scaled && info.featureNames && scaled.join('\u0000') !== info.featureNames.join('\u0000')) {
    throw new ArgumentError(`${where}: the standardizer scales features [${scaled.join(', ')}], featureNames are [${info.featureNames.join(', ')}]`);
  }

  const tensors: Record<string, Tensor> = { ...model.stateDict() };
  if (extras.optimizer !== undefined) {
    const opt = extras.optimizer;
    if (typeof opt?.stateDict !== 'function') throw new ArgumentError(`${where}: extras.optimizer must be an Optimizer, got ${describeValue(opt)}`);
    const names = new Map(model.namedParameters().map(([name, p]) => [p, name] as const));
    const paramNames = opt.params.map((p, i) => {
      const name = names.get(p);
      if (name === undefined) throw new ArgumentError(`${where}: the optimizer's params[${i}] is not a parameter of the model`);
      return name;
    });
    const sd = opt.stateDict();
    const steps: Record<string, number> = {};
    for (const [i, s] of Object.entries(sd.state)) {
      steps[i] = s.step;
      for (const [slot, t] of Object.entries(s.slots)) tensors[`${OPTIMIZER_PREFIX}${i}.${slot}`] = t;
    }
    metadata[`${KEY_PREFIX}optimizer`] = encodeJson(`${where}: optimizer`, { optimizer: sd.optimizer, paramGroups: sd.paramGroups, steps, paramNames });
  }
  return { tensors, metadata };
}

/**
 * The model as safetensors bytes: its state dict under the PyTorch names, and metadata to rebuild
 * it (class, options, rnam version) with `extras` (task, feature names, standardizer, data
 * settings, history, free metadata; `optimizer` adds its state). Synchronous, so the parameters
 * must be on the CPU; saveAsync reads them from any device.
 */
export function save(model: Module, extras: SaveExtras = {}): Uint8Array {
  const { tensors, metadata } = prepare(model, extras);
  const stuck = Object.values(tensors).find((t) => !t.device.syncRead);
  if (stuck) throw new ArgumentError(`save: the model is on ${stuck.device.kind}, which cannot be read synchronously; use await rnam.saveAsync(model, extras)`);
  return serialize(tensors, metadata);
}

/** save() for a model on any device (WebGPU included): reads the tensors asynchronously. */
export function saveAsync(model: Module, extras: SaveExtras = {}): Promise<Uint8Array> {
  try {
    const { tensors, metadata } = prepare(model, extras);
    return serializeAsync(tensors, metadata);
  } catch (err) {
    return Promise.reject(err);
  }
}

/**
 * How deeply `text` (JSON) nests and how many separators (',' and ':') it holds, counted on the text
 * outside strings: JSON.parse's reviver recurses once per level, and parsing costs about a
 * microsecond and a hundred bytes per value.
 */
function jsonExtent(text: string): { depth: number; separators: number } {
  let depth = 0, deepest = 0, separators = 0, inString = false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (inString) {
      if (c === 0x5c) i++;
      else if (c === 0x22) inString = false;
    } else if (c === 0x22) inString = true;
    else if (c === 0x5b || c === 0x7b) deepest = Math.max(deepest, ++depth);
    else if (c === 0x5d || c === 0x7d) depth--;
    else if (c === 0x2c || c === 0x3a) separators++;
  }
  return { depth: deepest, separators };
}

/**
 * The rnam metadata values load decodes, checked on their text before any is parsed: each nested at
 * most MAX_METADATA_DEPTH levels, all together at most MAX_METADATA_SEPARATORS separators.
 */
function checkMetadataExtent(metadata: Record<string, string>): void {
  let total = 0;
  for (const key of ['options', 'optimizer', ...infoKeys]) {
    const text = metadata[`${KEY_PREFIX}${key}`];
    if (text === undefined) continue;
    const { depth, separators } = jsonExtent(text);
    if (depth > MAX_METADATA_DEPTH) throw new FileFormatError(`load: metadata ${KEY_PREFIX}${key}: nested more than ${MAX_METADATA_DEPTH} levels deep`);
    total += separators;
    if (total > MAX_METADATA_SEPARATORS) {
      throw new FileFormatError(`load: the rnam metadata holds more than ${MAX_METADATA_SEPARATORS} values (',' and ':' separators, counted up to ${KEY_PREFIX}${key}); rnam refuses metadata this large`);
    }
  }
}

function decodeMetadata(key: string, text: string): unknown {
  return decodeJson(`load: metadata ${KEY_PREFIX}${key}`, text);
}

function readInfo(metadata: Record<string, string>): ModelInfo {
  const info: Record<string, unknown> = {};
  for (const key of infoKeys) {
    const text = metadata[`${KEY_PREFIX}${key}`];
    if (text === undefined) continue;
    const v = decodeMetadata(key, text);
    const problem = infoProblem(key, v);
    if (problem) throw new FileFormatError(`load: metadata ${KEY_PREFIX}${key} ${problem}`);
    info[key] = v;
  }
  return info as ModelInfo;
}

function readOptimizer(metadata: Record<string, string>, tensors: Record<string, Tensor>, device: Backend): SavedOptimizerState | undefined {
  const names = Object.keys(tensors).filter((n) => n.startsWith(OPTIMIZER_PREFIX));
  const text = metadata[`${KEY_PREFIX}optimizer`];
  if (text === undefined) {
    if (names.length) throw new FileFormatError(`load: the file has optimizer tensors (${names[0]}, ...) but no ${KEY_PREFIX}optimizer metadata`);
    return undefined;
  }
  const where = `load: metadata ${KEY_PREFIX}optimizer`;
  const saved = decodeMetadata('optimizer', text) as { optimizer?: unknown; paramGroups?: unknown; steps?: unknown; paramNames?: unknown };
  if (typeof saved !== 'object' || saved === null || typeof saved.optimizer !== 'string' || !Array.isArray(saved.paramGroups)
    || typeof saved.steps !== 'object' || saved.steps === null || Array.isArray(saved.steps) || !Array.isArray(saved.paramNames)) {
    throw new FileFormatError(`${where}: expected { optimizer, paramGroups, steps, paramNames }`);
  }
  // Every tensor checked against the step counts before any copy is made; `__optimizer__.<i>.<slot>`
  // belongs to parameter i, looked up by name (a map, so the work is linear in the file).
  const steps = Object.entries(saved.steps as Record<string, unknown>);
  for (const [i, step] of steps) {
    if (!/^(0|[1-9][0-9]{0,8})$/.test(i) || typeof step !== 'number' || !Number.isSafeInteger(step) || step < 0) {
      throw new FileFormatError(`${where}: steps must map parameter indices to step counts (non-negative integers), got ${JSON.stringify(i)}: ${describeValue(step)}`);
    }
  }
  const slots = new Map<string, [slot: string, name: string][]>(steps.map(([i]) => [i, []]));
  for (const n of names) {
    const rest = n.slice(OPTIMIZER_PREFIX.length), dot = rest.indexOf('.');
    const owned = dot > 0 ? slots.get(rest.slice(0, dot)) : undefined;
    if (!owned || dot === rest.length - 1) throw new FileFormatError(`${where}: tensor ${n} belongs to no parameter with a step count`);
    owned.push([rest.slice(dot + 1), n]);
  }
  const bare = [...slots].find(([, list]) => list.length === 0);
  if (bare) throw new FileFormatError(`${where}: parameter ${bare[0]} has a step count but no ${OPTIMIZER_PREFIX}${bare[0]}.* tensors`);
  const state: Record<number, OptimizerParamState> = {};
  for (const [i, step] of steps) {
    const entry: OptimizerParamState = { step: step as number, slots: {} };
    // A copy on the target device: the parsed tensors are freed when load returns.
    for (const [slot, n] of slots.get(i)!) entry.slots[slot] = Tensor.fromArray(tensors[n].toArraySync(), tensors[n].shape, device);
    state[Number(i)] = entry;
  }
  return { optimizer: saved.optimizer, state, paramGroups: saved.paramGroups as OptimizerParamGroup[], paramNames: saved.paramNames as string[] };
}

/** `Class(a=1, b='x')` from options (a caller's may hold any value). */
function describeBuild(className: string, options: Record<string, unknown>): string {
  const show = (v: unknown) => (typeof v === 'string' ? JSON.stringify(v) : typeof v === 'object' && v !== null ? describeValue(v) : String(v));
  return `${className}(${Object.entries(options).map(([k, v]) => `${k}=${show(v)}`).join(', ')})`;
}

/**
 * The shapes the options imply against the file's tensors, before the model exists: in strict mode
 * the same names with the same shapes; otherwise the shared names with the same shapes, and the
 * parameters the file lacks within MAX_MISSING_PARAMETER_FLOATS. The expected entries are walked
 * lazily and the walk stops at the limit, so options asking for billions of parameters cost nothing.
 */
function checkShapes(expected: ShapeEntries, file: Map<string, readonly number[]>, strict: boolean, what: string): void {
  const problems: string[] = [];
  let more = 0;
  const problem = (text: string) => (problems.length < LISTED_PROBLEMS ? problems.push(text) : more++);
  const seen = new Set<string>();
  let missing = 0;
  for (const [name, shape] of expected) {
    const have = file.get(name);
    if (have === undefined) {
      missing += shape.reduce((a, b) => a * b, 1);
      if (strict) problem(`missing ${name} (expected shape ${formatShape(shape)})`);
      if (missing > MAX_MISSING_PARAMETER_FLOATS) {
        const listed = problems.length ? `: ${problems.join('; ')}` : '';
        throw new StateDictError(`load: ${what} needs more than ${MAX_MISSING_PARAMETER_FLOATS} parameter values the file does not hold${listed}`);
      }
      continue;
    }
    seen.add(name);
    if (have.length !== shape.length || have.some((d, i) => d !== shape[i])) problem(`${name}: expected shape ${formatShape(shape)}, got ${formatShape(have)}`);
  }
  if (strict) for (const name of file.keys()) if (!seen.has(name)) problem(`unexpected ${name}`);
  if (problems.length) {
    throw new StateDictError(`load: the file's tensors do not fit ${what}: ${problems.join('; ')}${more ? `; and ${more} more` : ''}`);
  }
}

/** Arrays of numbers an option may hold (AdditiveRNAM's level counts and member seeds), at most this long. */
const MAX_OPTION_ARRAY = 1 << 16;

/** The file's options, checked to be an object of JSON scalars or short number arrays (what every registered class stores). */
function flatOptions(where: string, options: unknown): Record<string, unknown> {
  if (typeof options !== 'object' || options === null || Array.isArray(options)) return options as Record<string, unknown>;
  for (const [key, v] of Object.entries(options)) {
    if (Array.isArray(v) && v.length <= MAX_OPTION_ARRAY && v.every((x) => typeof x === 'number')) continue;
    if (v !== null && typeof v === 'object') throw new FileFormatError(`${where}.${key} must be a number, string, boolean or a list of at most ${MAX_OPTION_ARRAY} numbers, got ${Array.isArray(v) ? 'another array' : 'an object'}`);
  }
  return options as Record<string, unknown>;
}

const LOAD_OPTIONS = ['device', 'model', 'class', 'options', 'strict', 'allowNonFinite'];

/**
 * Rebuilds a model from bytes written by save(), on `options.device` (default the CPU), with its
 * metadata and, when saved, the optimizer state. A plain state dict (PyTorch's, no rnam metadata)
 * loads when the caller says what it is: `{ model }` or `{ class, options }`.
 *
 * Everything the file says is checked before it costs memory: the header and data layout, the
 * metadata, and (for the built-in classes) the parameter names and shapes the options imply against
 * the file's tensor list, before the model is built. Tensors holding NaN or infinities are refused
 * (a NonFiniteTensorError naming the tensor) unless `allowNonFinite: true`.
 */
export async function load(bytes: Uint8Array, options: LoadOptions = {}): Promise<LoadedModel> {
  if (!(bytes instanceof Uint8Array)) throw new ArgumentError(`load: expected the file's bytes as a Uint8Array, got ${describeValue(bytes)}`);
  if (typeof options !== 'object' || options === null) throw new ArgumentError(`load: options must be an object, got ${describeValue(options)}`);
  for (const key of Object.keys(options)) {
    if (!LOAD_OPTIONS.includes(key)) throw new ArgumentError(`load: unknown option ${key} (known: ${LOAD_OPTIONS.join(', ')})`);
  }
  if (options.model !== undefined && options.class !== undefined) throw new ArgumentError('load: give either { model } or { class, options }, not both');
  if (options.allowNonFinite !== undefined && typeof options.allowNonFinite !== 'boolean') {
    throw new ArgumentError(`load: allowNonFinite must be a boolean, got ${describeValue(options.allowNonFinite)}`);
  }
  const strict = options.strict ?? true;
  const header: SafetensorsHeader = parseHeader(bytes);
  const raw = { ...header.metadata };
  checkMetadataExtent(raw);
  const formatText = raw[`${KEY_PREFIX}format`];
  let format: number | null = null;
  if (formatText !== undefined) {
    format = Number(formatText);
    if (!Number.isInteger(format) || format < 1) throw new FileFormatError(`load: metadata ${KEY_PREFIX}format is ${JSON.stringify(formatText)}, not a format version`);
    if (format > MODEL_FILE_FORMAT) throw new FileFormatError(`load: the file is rnam format ${format} (written by rnam ${raw[`${KEY_PREFIX}version`] ?? '?'}); this rnam (${VERSION}) reads up to format ${MODEL_FILE_FORMAT}`);
  }
  const fileClass = raw[`${KEY_PREFIX}class`];
  const fileOptionsText = raw[`${KEY_PREFIX}options`];
  if (format !== null && (fileClass === undefined || fileOptionsText === undefined)) {
    throw new FileFormatError(`load: an rnam file must name its model (${KEY_PREFIX}class and ${KEY_PREFIX}options metadata)`);
  }
  const fileOptions = fileOptionsText === undefined ? undefined
    : flatOptions(`load: metadata ${KEY_PREFIX}options`, decodeMetadata('options', fileOptionsText));
  const info = readInfo(raw);

  // What will be built, checked against the file's tensor list before anything is allocated.
  const weightShapes = new Map<string, readonly number[]>();
  for (const e of header.entries) if (!e.name.startsWith(OPTIMIZER_PREFIX)) weightShapes.set(e.name, e.shape);
  let build: { className: string; options: unknown } | null = null;
  if (options.model !== undefined) {
    const given = options.model !== null && typeof options.model === 'object' ? modelClassOf(options.model) : null;
    if (!given && typeof (options.model as Partial<Module>)?.loadStateDict !== 'function') throw new ArgumentError(`load: options.model must be a Module, got ${describeValue(options.model)}`);
    if (fileClass !== undefined && given && given[0] !== fileClass) {
      throw new StateDictError(`load: the file holds a ${fileClass}, options.model is a ${given[0]}`);
    }
  } else if (options.class !== undefined) {
    if (fileClass !== undefined && options.class !== fileClass) throw new StateDictError(`load: the file holds a ${fileClass}, not a ${String(options.class)}`);
    build = { className: options.class, options: options.options ?? fileOptions ?? {} };
  } else if (fileClass !== undefined) {
    build = { className: fileClass, options: fileOptions };
  } else {
    throw new FileFormatError('load: the file has no rnam metadata (rnam.class, rnam.options); to load a plain state dict, '
      + "say what it is: load(bytes, { model: new FirstOrderRNAM({...}) }) or load(bytes, { class: 'FirstOrderRNAM', options: {...} })");
  }
  if (build && typeof build.className === 'string' && typeof build.options === 'object' && build.options !== null && !Array.isArray(build.options)) {
    const shapes = expectedShapes(build.className, build.options as Record<string, unknown>);
    if (shapes) checkShapes(shapes, weightShapes, strict, describeBuild(build.className, build.options as Record<string, unknown>));
  }

  let tensors: Record<string, Tensor>;
  try {
    tensors = readTensors(bytes, header, { allowNonFinite: options.allowNonFinite ?? false });
  } catch (err) {
    if (err instanceof NonFiniteTensorError) {
      throw new NonFiniteTensorError(`load: ${err.message.replace(/^safetensors: /, '')}; load it with { allowNonFinite: true } to look at it anyway`,
        err.tensor, err.count, err.index);
    }
    throw err;
  }
  const made = Object.values(tensors);
  try {
    const model: Module = build ? buildModel(build.className, build.options, 'load') : options.model!;
    const weights: Record<string, Tensor> = {};
    for (const [name, t] of Object.entries(tensors)) if (!name.startsWith(OPTIMIZER_PREFIX)) weights[name] = t;
    try {
      model.loadStateDict(weights, { strict });
    } catch (err) {
      if (err instanceof StateDictError) throw new StateDictError(`load: the file's tensors do not fit ${String(model)}: ${err.message}`, { cause: err });
      throw err;
    }
    const device = options.device === undefined ? null : await deviceOption('load', options.device);
    const optimizerState = readOptimizer(raw, tensors, device ?? model.parameters()[0]?.device ?? cpu);
    if (device) await model.toAsync(device);
    const described = modelClassOf(model) && isDescribable(model) ? model.describe() : null;
    const metadata: ModelFileMetadata = {
      format, version: raw[`${KEY_PREFIX}version`] ?? null,
      class: described?.kind ?? model.constructor.name,
      options: described ? { ...described.config } : ((fileOptions as Record<string, unknown>) ?? {}),
      ...info, raw,
    };
    return optimizerState ? { model, metadata, optimizerState } : { model, metadata };
  } finally {
    for (const t of made) t.dispose();
  }
}
