// The metadata a model file carries beside its tensors, as safetensors "__metadata__" strings: each
// value under an "rnam.<key>" name, JSON-encoded (non-finite numbers as {"$number": "NaN"}, so a
// history with a NaN loss comes back whole). Checked when written and when read.
import type { Standardizer } from '../data/standardize.js';
import type { TableDatasetOptions } from '../data/table-options.js';
import type { Layout } from '../data/layout.js';
import { ArgumentError, FileFormatError, describeValue } from '../errors.js';

/** The file format version this code writes; files of a newer version are refused. */
export const MODEL_FILE_FORMAT = 1;
/** The prefix of every rnam metadata key. */
export const KEY_PREFIX = 'rnam.';

/**
 * How the data the model was trained on was built, so predictions can rebuild the same inputs:
 * the table columns, the window, the missing-value rule, the layout and padded length.
 */
export type DataSettings = Partial<Omit<TableDatasetOptions, 'split'>> & {
  /** The layout the model reads ('terms-first' or 'batch-first'). */
  layout?: Layout;
  /** The padded sequence length of the training data. */
  seq?: number;
};

/** What save() stores beside the weights; every field is optional and comes back from load(). */
export interface ModelInfo {
  /** 'regression', 'binary' or 'multiclass' (as fit's task). */
  task?: string;
  featureNames?: readonly string[];
  targetNames?: readonly string[];
  /** The class labels of a classifier, in output order. */
  classes?: readonly (string | number)[];
  /** The training data's standardization (a dataset's `standardizer`). */
  standardizer?: Standardizer;
  data?: DataSettings;
  /** fit()'s per-epoch history. */
  history?: readonly object[];
  /** The fitted preprocessing's versioned record (rnam.Preprocessing; written by trainTable and `rnam train`). */
  preprocessing?: object;
  /** An additive model's centering: each term's mean contribution over the training data, (terms, outputs). */
  centering?: { offsets: number[][] };
  /** Anything else (JSON). */
  metadata?: Record<string, unknown>;
}

export const infoKeys = ['task', 'featureNames', 'targetNames', 'classes', 'standardizer', 'data', 'history', 'preprocessing', 'centering', 'metadata'] as const;

/** What load() reports about a file. */
export interface ModelFileMetadata extends ModelInfo {
  /** The rnam file format version; null for a plain state dict. */
  format: number | null;
  /** The rnam version that wrote the file; null for a plain state dict. */
  version: string | null;
  /** The model class (the registry name). */
  class: string;
  /** The options the model was built with. */
  options: Record<string, unknown>;
  /** Every "__metadata__" string as stored, including keys of other writers. */
  raw: Record<string, string>;
}

function isNumberTag(v: unknown): v is { $number: string } {
  if (typeof v !== 'object' || v === null || Array.isArray(v)) return false;
  const keys = Object.keys(v);
  return keys.length === 1 && keys[0] === '$number';
}

/** JSON text of a value, keeping NaN and the infinities; an ArgumentError for what JSON cannot hold. */
export function encodeJson(where: string, value: unknown): string {
  try {
    const text = JSON.stringify(value, (_key, v: unknown) => {
      if (typeof v === 'number' && !Number.isFinite(v)) return { $number: String(v) };
      if (typeof v === 'function' || typeof v === 'symbol') throw new ArgumentError(`${where}: a ${typeof v} cannot be stored`);
      if (isNumberTag(v)) throw new ArgumentError(`${where}: an object whose only key is "$number" is reserved (it encodes NaN and the infinities)`);
      return v;
    });
    if (text === undefined) throw new ArgumentError(`${where}: ${describeValue(value)} cannot be stored as JSON`);
    return text;
  } catch (err) {
    if (err instanceof ArgumentError) throw err;
    throw new ArgumentError(`${where}: not storable as JSON (${(err as Error).message})`, { cause: err });
  }
}

export function decodeJson(where: string, text: string): unknown {
  try {
    return JSON.parse(text, (_key, v: unknown) => {
      return isNumberTag(v) ? Number(v.$number) : v;
    });
  } catch (err) {
    throw new FileFormatError(`${where}: not valid JSON (${(err as Error).message})`, { cause: err });
  }
}

const isStringList = (v: unknown): boolean => Array.isArray(v) && v.every((s) => typeof s === 'string');
const isObject = (v: unknown): boolean => typeof v === 'object' && v !== null && !Array.isArray(v);

/** The problem with a ModelInfo field's value, or null. */
export function infoProblem(key: (typeof infoKeys)[number], v: unknown): string | null {
  switch (key) {
    case 'task': return typeof v === 'string' ? null : 'must be a string';
    case 'featureNames': case 'targetNames': return isStringList(v) ? null : 'must be an array of strings';
    case 'classes': return Array.isArray(v) && v.every((c) => typeof c === 'string' || typeof c === 'number') ? null : 'must be an array of strings or numbers';
    case 'standardizer': {
      if (!isObject(v)) return 'must be an object { features?, target? }';
      const s = v as Record<string, unknown>;
      const scale = (x: unknown) => isObject(x) && typeof (x as Record<string, unknown>).name === 'string'
        && typeof (x as Record<string, unknown>).mean === 'number' && typeof (x as Record<string, unknown>).std === 'number';
      if (s.features !== undefined && !(Array.isArray(s.features) && s.features.every(scale))) return 'features must be an array of { name, mean, std }';
      if (s.target !== undefined && !scale(s.target)) return 'target must be { name, mean, std }';
      return null;
    }
    case 'data': case 'metadata': case 'preprocessing': return isObject(v) ? null : 'must be an object';
    case 'centering': {
      const offsets = isObject(v) ? (v as Record<string, unknown>).offsets : undefined;
      return Array.isArray(offsets) && offsets.every((row) => Array.isArray(row) && row.every((x) => typeof x === 'number' && Number.isFinite(x)))
        ? null : 'must be { offsets: rows of finite numbers }';
    }
    case 'history': return Array.isArray(v) && v.every(isObject) ? null : 'must be an array of objects';
  }
}
