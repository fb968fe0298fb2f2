// safetensors read and write (https://github.com/huggingface/safetensors, format description).
//
// Layout: an 8-byte little-endian u64 header length N, N bytes of UTF-8 JSON mapping each tensor
// name to { dtype, shape, data_offsets: [begin, end] } (offsets relative to the data region) plus an
// optional "__metadata__" map of strings, then the data region, which the tensors must cover
// exactly: no overlaps, no holes, no trailing bytes.
//
// Reading accepts F32 (copied directly), F64, F16 and BF16 (converted to float32, rnam's only
// dtype). Writing always produces F32, tensors in sorted name order, the header padded with spaces
// so the data region starts on an 8-byte boundary.
//
// Pure functions over Uint8Array: no Node built-ins, so this is bundled for browsers too. Results
// are null-prototype records filled with defineProperty, so a header naming `__proto__` or
// `constructor` cannot reach Object.prototype.
import type { Backend } from '../backend/backend.js';
import { cpu } from '../backend/default-device.js';
import { tensor } from '../creation.js';
import { Tensor } from '../tensor.js';
import { FileFormatError } from '../errors.js';

/** Every problem with a file's format (a FileFormatError, so `catch (e) { e instanceof FileFormatError }` sees it). */
export class SafetensorsError extends FileFormatError {
  override name = 'SafetensorsError';
}

export interface SafetensorsFile {
  tensors: Record<string, Tensor>;
  metadata: Record<string, string>;
}

export interface ParseOptions {
  /** Where the tensors are created; the default CPU (wasm) device if omitted. */
  device?: Backend;
  /** Keep NaN and infinite values (default true); false refuses them with a NonFiniteTensorError. */
  allowNonFinite?: boolean;
}

/** A tensor holding NaN or an infinity where finite values were required (a FileFormatError). */
export class NonFiniteTensorError extends SafetensorsError {
  override name = 'NonFiniteTensorError';
  constructor(message: string, readonly tensor: string, readonly count: number, readonly index: number) {
    super(message);
  }
}

/** One tensor of a header, checked: its dtype is readable and its offsets fit the data region. */
export interface TensorEntry {
  name: string;
  dtype: string;
  shape: number[];
  numel: number;
  /** Byte offsets relative to the data region. */
  begin: number;
  end: number;
}

/** A checked header: the tensors (in header order), the metadata and where the data region starts. */
export interface SafetensorsHeader {
  entries: TensorEntry[];
  metadata: Record<string, string>;
  dataStart: number;
}

/** Headers larger than this are rejected before decoding (the reference implementation's limit). */
export const MAX_HEADER_BYTES = 100_000_000;
/**
 * The most separators (',' and ':' outside strings) a header may hold: about 10 per tensor entry,
 * 2 per metadata key, so room for some 100,000 tensors. It bounds the work of parsing: V8 takes
 * seconds per million object keys, so a legal 99 MB header of 6.7 million metadata keys took 26 s
 * and 3 GB. Counted on the raw bytes (UTF-8 never puts a '"', '\\', ',' or ':' byte inside a
 * multi-byte character) before anything is decoded.
 */
export const MAX_HEADER_SEPARATORS = 1_000_000;

const METADATA_KEY = '__metadata__';

/** Bytes per element of every dtype the format defines. */
const DTYPE_SIZE: Readonly<Record<string, number>> = Object.freeze(
  Object.assign(Object.create(null) as Record<string, number>, {
    F64: 8, F32: 4, F16: 2, BF16: 2,
    I64: 8, U64: 8, I32: 4, U32: 4, I16: 2, U16: 2, I8: 1, U8: 1, BOOL: 1,
    F8_E4M3: 1, F8_E5M2: 1,
  }),
);
const READABLE = new Set(['F32', 'F64', 'F16', 'BF16']);

const LITTLE_ENDIAN_HOST = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;

function fail(message: string): never {
  throw new SafetensorsError(`safetensors: ${message}`);
}

function quote(name: string): string {
  return JSON.stringify(name);
}

function hasOwn(o: object, key: string): boolean {
  return Object.prototype.hasOwnProperty.call(o, key);
}

function isPlainObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** A record with no prototype: any key, including `__proto__`, is just an own property. */
function emptyRecord<T>(): Record<string, T> {
  return Object.create(null) as Record<string, T>;
}

function define<T>(record: Record<string, T>, key: string, value: T): void {
  Object.defineProperty(record, key, { value, enumerable: true, writable: true, configurable: true });
}

type Entry = TensorEntry;

function checkEntry(name: string, raw: unknown): Entry {
  const where = `tensor ${quote(name)}`;
  if (!isPlainObject(raw)) fail(`${where}: header entry must be an object, got ${describe(raw)}`);
  for (const field of ['dtype', 'shape', 'data_offsets']) {
    if (!hasOwn(raw, field)) fail(`${where}: header entry is missing "${field}"`);
  }
  const { dtype, shape, data_offsets: offsets } = raw;
  if (typeof dtype !== 'string') fail(`${where}: dtype must be a string, got ${describe(dtype)}`);
  if (!(dtype in DTYPE_SIZE)) {
    fail(`${where}: unknown dtype ${quote(dtype)} (rnam reads F32, F64, F16 and BF16)`);
  }
  if (!READABLE.has(dtype)) {
    const kind = dtype === 'BOOL' ? 'bool' : dtype.startsWith('F8') ? '8-bit float' : 'integer';
    fail(`${where}: dtype ${dtype} (${kind}) is not supported; rnam reads F32, F64, F16 and BF16 only`);
  }
  if (!Array.isArray(shape)) fail(`${where}: shape must be an array, got ${describe(shape)}`);
  let numel = 1;
  for (let i = 0; i < shape.length; i++) {
    const d: unknown = shape[i];
    // The shape is written out only once it is known to be flat numbers (a nested one could be deep).
    if (typeof d !== 'number' || !Number.isSafeInteger(d) || d < 0) {
      fail(`${where}: shape must hold non-negative integers, got ${describe(d)} at index ${i}`);
    }
    numel *= d;
  }
  if (!Number.isSafeInteger(numel)) fail(`${where}: shape ${JSON.stringify(shape)} has too many elements`);
  if (!Array.isArray(offsets) || offsets.length !== 2) {
    fail(`${where}: data_offsets must be an array [begin, end], got ${describe(offsets)}`);
  }
  const [begin, end] = offsets as unknown[];
  for (const o of [begin, end]) {
    if (typeof o !== 'number' || !Number.isSafeInteger(o) || o < 0) {
      fail(`${where}: data_offsets ${JSON.stringify(offsets)} must be non-negative integers`);
    }
  }
  const b = begin as number, e = end as number;
  if (e < b) fail(`${where}: data_offsets [${b}, ${e}] end before they begin`);
  const size = DTYPE_SIZE[dtype];
  if (e - b !== numel * size) {
    fail(`${where}: data_offsets [${b}, ${e}] span ${e - b} bytes, but ${numel} x ${dtype} ` +
      `(shape ${JSON.stringify(shape)}) needs ${numel * size}`);
  }
  return { name, dtype, shape: shape as number[], numel, begin: b, end: e };
}

function describe(v: unknown): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'an array';
  if (typeof v === 'string') return `the string ${quote(v.length > 40 ? v.slice(0, 40) + '...' : v)}`;
  if (typeof v === 'number') return String(v);
  return typeof v === 'object' ? 'an object' : typeof v;
}

/** ',' and ':' outside JSON strings in bytes[start, end), counting stops just past the limit. */
function countSeparators(bytes: Uint8Array, start: number, end: number): number {
  let count = 0;
  let inString = false;
  for (let i = start; i < end; i++) {
    const c = bytes[i];
    if (inString) {
      if (c === 0x5c) i++; // a backslash escapes the next byte
      else if (c === 0x22) inString = false;
    } else if (c === 0x22) {
      inString = true;
    } else if ((c === 0x2c || c === 0x3a) && ++count > MAX_HEADER_SEPARATORS) {
      return count;
    }
  }
  return count;
}

function readHeader(bytes: Uint8Array): { header: Record<string, unknown>; dataStart: number } {
  if (!(bytes instanceof Uint8Array)) fail(`parse() expects a Uint8Array, got ${describe(bytes)}`);
  if (bytes.length < 8) {
    fail(`file is ${bytes.length} bytes, shorter than the 8-byte header length prefix (empty or truncated file)`);
  }
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const lo = view.getUint32(0, true), hi = view.getUint32(4, true);
  const n = hi * 2 ** 32 + lo; // exact up to 2^53; anything that large fails the checks below anyway
  if (n > MAX_HEADER_BYTES) fail(`header length ${n} exceeds the ${MAX_HEADER_BYTES}-byte limit: not a safetensors file, or a damaged one`);
  if (8 + n > bytes.length) {
    fail(`header length ${n} runs past the end of the file (${bytes.length} bytes; truncated file?)`);
  }
  const separators = countSeparators(bytes, 8, 8 + n);
  if (separators > MAX_HEADER_SEPARATORS) {
    fail(`header holds more than ${MAX_HEADER_SEPARATORS} entries and values (',' and ':' separators); ` +
      `rnam refuses headers this large (about 100,000 tensors or metadata keys at most)`);
  }
  let text: string;
  try {
    text = new TextDecoder('utf-8', { fatal: true }).decode(bytes.subarray(8, 8 + n));
  } catch {
    fail('header is not valid UTF-8');
  }
  let header: unknown;
  try {
    header = JSON.parse(text);
  } catch (err) {
    fail(`header is not valid JSON (${(err as Error).message})`);
  }
  if (!isPlainObject(header)) fail(`header must be a JSON object, got ${describe(header)}`);
  return { header, dataStart: 8 + n };
}

/** Reads a safetensors file. Every tensor comes back as float32 on `options.device` (default: cpu). */
export function parse(bytes: Uint8Array, options: ParseOptions = {}): SafetensorsFile {
  const header = parseHeader(bytes);
  return { tensors: readTensors(bytes, header, options), metadata: header.metadata };
}

/**
 * Checks a file's header and layout (every entry, the offsets covering the data region exactly)
 * without reading any tensor: what parse() checks before it allocates.
 */
export function parseHeader(bytes: Uint8Array): SafetensorsHeader {
  const { header, dataStart } = readHeader(bytes);
  const dataLength = bytes.length - dataStart;

  // Validate everything before creating any tensor, so a bad file allocates nothing.
  const metadata = emptyRecord<string>();
  const entries: Entry[] = [];
  // JSON.parse makes every key, `__proto__` included, an own data property; Object.keys sees them all.
  for (const name of Object.keys(header)) {
    const raw = header[name];
    if (name === METADATA_KEY) {
      if (!isPlainObject(raw)) fail(`"__metadata__" must be an object of strings, got ${describe(raw)}`);
      for (const key of Object.keys(raw)) {
        const value = raw[key];
        if (typeof value !== 'string') fail(`metadata ${quote(key)}: value must be a string, got ${describe(value)}`);
        define(metadata, key, value);
      }
      continue;
    }
    entries.push(checkEntry(name, raw));
  }

  for (const e of entries) {
    if (e.end > dataLength) {
      fail(`tensor ${quote(e.name)}: data_offsets [${e.begin}, ${e.end}] run past the end of the ` +
        `${dataLength}-byte data region (truncated file?)`);
    }
  }
  const sorted = [...entries].sort((a, b) => a.begin - b.begin || a.end - b.end);
  let cursor = 0;
  let previous: Entry | null = null;
  for (const e of sorted) {
    if (e.begin < cursor) {
      fail(`tensor ${quote(e.name)}: data_offsets [${e.begin}, ${e.end}] overlap tensor ${quote(previous!.name)} ` +
        `[${previous!.begin}, ${previous!.end}]`);
    }
    if (e.begin > cursor) {
      fail(`tensor ${quote(e.name)}: data_offsets [${e.begin}, ${e.end}] leave a hole of ${e.begin - cursor} bytes ` +
        `after ${previous ? `tensor ${quote(previous.name)}` : 'the start of the data region'} (byte ${cursor})`);
    }
    cursor = e.end;
    previous = e;
  }
  if (cursor !== dataLength) {
    fail(`the data region is ${dataLength} bytes but the tensors cover only ${cursor}` +
      (previous ? ` (${dataLength - cursor} stray bytes after tensor ${quote(previous.name)})` : ' (no tensors)'));
  }

  return { entries, metadata, dataStart };
}

/** The first non-finite value of `values`: its index and how many there are, or null. */
function nonFinite(values: Float32Array): { index: number; count: number } | null {
  let index = -1, count = 0;
  for (let i = 0; i < values.length; i++) {
    const v = values[i];
    if (v - v !== 0) { // NaN and the infinities, in one comparison
      if (count++ === 0) index = i;
    }
  }
  return count ? { index, count } : null;
}

/**
 * The tensors of a header from parseHeader, as float32 on `options.device`. With
 * `allowNonFinite: false` every value is checked before its tensor is made.
 */
export function readTensors(bytes: Uint8Array, header: SafetensorsHeader, options: ParseOptions = {}): Record<string, Tensor> {
  const { entries, dataStart } = header;
  const device = options.device ?? cpu;
  const tensors = emptyRecord<Tensor>();
  const made: Tensor[] = [];
  try {
    for (const e of entries) {
      const values = decode(bytes, dataStart + e.begin, e.numel, e.dtype);
      if (options.allowNonFinite === false) {
        const bad = nonFinite(values);
        if (bad) {
          throw new NonFiniteTensorError(`safetensors: tensor ${quote(e.name)} holds ${bad.count} non-finite value${bad.count === 1 ? '' : 's'} `
            + `(the first, ${values[bad.index]}, at flat index ${bad.index} of shape ${JSON.stringify(e.shape)})`, e.name, bad.count, bad.index);
        }
      }
      const t = tensor(values, e.shape, { device });
      made.push(t);
      define(tensors, e.name, t);
    }
  } catch (err) {
    for (const t of made) t.dispose();
    throw err;
  }
  return tensors;
}

function decode(bytes: Uint8Array, start: number, numel: number, dtype: string): Float32Array {
  const out = new Float32Array(numel);
  const view = new DataView(bytes.buffer, bytes.byteOffset + start, numel * DTYPE_SIZE[dtype]);
  switch (dtype) {
    case 'F32':
      if (LITTLE_ENDIAN_HOST) {
        // Byte copy: keeps every bit, NaN payloads included, and needs no alignment.
        new Uint8Array(out.buffer).set(bytes.subarray(start, start + numel * 4));
      } else {
        for (let i = 0; i < numel; i++) out[i] = view.getFloat32(i * 4, true);
      }
      break;
    case 'F64':
      for (let i = 0; i < numel; i++) out[i] = view.getFloat64(i * 8, true); // rounds to nearest float32
      break;
    case 'F16':
      for (let i = 0; i < numel; i++) out[i] = halfToFloat(view.getUint16(i * 2, true));
      break;
    case 'BF16': {
      // bfloat16 is the top half of a float32: exact.
      const bits = new Uint32Array(out.buffer);
      for (let i = 0; i < numel; i++) bits[i] = view.getUint16(i * 2, true) << 16;
      if (!LITTLE_ENDIAN_HOST) for (let i = 0; i < numel; i++) out[i] = bitsToFloat(bits[i]);
      break;
    }
    default:
      fail(`internal: no decoder for dtype ${dtype}`);
  }
  return out;
}

const scratchF32 = new Float32Array(1);
const scratchU32 = new Uint32Array(scratchF32.buffer);
function bitsToFloat(bits: number): number {
  scratchU32[0] = bits;
  return scratchF32[0];
}

/** IEEE 754 binary16 to a number (exact: every half is a float32). */
function halfToFloat(h: number): number {
  const sign = h & 0x8000 ? -1 : 1;
  const exp = (h >> 10) & 0x1f;
  const frac = h & 0x3ff;
  if (exp === 0) return sign * frac * 2 ** -24; // zero and subnormals
  if (exp === 0x1f) return frac === 0 ? sign * Infinity : NaN;
  return sign * (1 + frac / 1024) * 2 ** (exp - 15);
}

// ---------------------------------------------------------------------------------------------
// Writing

/** Orders names by Unicode code point, which is the UTF-8 byte order other implementations sort by. */
function compareCodePoints(a: string, b: string): number {
  const ia = a[Symbol.iterator](), ib = b[Symbol.iterator]();
  for (;;) {
    const x = ia.next(), y = ib.next();
    if (x.done || y.done) return x.done ? (y.done ? 0 : -1) : 1;
    const cx = x.value.codePointAt(0)!, cy = y.value.codePointAt(0)!;
    if (cx !== cy) return cx - cy;
  }
}

function checkInputs(tensors: Record<string, Tensor>, metadata: Record<string, string> | undefined): string[] {
  if (!isPlainObject(tensors)) fail(`serialize() expects a record of tensors, got ${describe(tensors)}`);
  const names = Object.keys(tensors).sort(compareCodePoints);
  for (const name of names) {
    if (name === METADATA_KEY) fail(`tensor ${quote(name)}: the name "${METADATA_KEY}" is reserved for metadata`);
    const t = tensors[name];
    if (!(t instanceof Tensor)) fail(`tensor ${quote(name)}: expected a Tensor, got ${describe(t)}`);
    if (t.disposed) fail(`tensor ${quote(name)}: ${t.toString()} was disposed`);
  }
  if (metadata !== undefined) {
    if (!isPlainObject(metadata)) fail(`metadata must be a record of strings, got ${describe(metadata)}`);
    for (const key of Object.keys(metadata)) {
      if (typeof metadata[key] !== 'string') {
        fail(`metadata ${quote(key)}: value must be a string, got ${describe(metadata[key])}`);
      }
    }
  }
  return names;
}

function encode(names: string[], tensors: Record<string, Tensor>, values: Float32Array[],
  metadata: Record<string, string> | undefined): Uint8Array {
  // The header JSON is assembled by hand: a JS object would move integer-like names ("0", "10")
  // to the front, and assigning a `__proto__` key to one would set its prototype.
  const parts: string[] = [];
  if (metadata !== undefined && Object.keys(metadata).length > 0) {
    const meta = Object.keys(metadata).sort(compareCodePoints)
      .map((k) => `${JSON.stringify(k)}:${JSON.stringify(metadata[k])}`);
    parts.push(`${JSON.stringify(METADATA_KEY)}:{${meta.join(',')}}`);
  }
  let offset = 0;
  names.forEach((name, i) => {
    const bytes = values[i].length * 4;
    const shape = tensors[name].shape;
    parts.push(`${JSON.stringify(name)}:{"dtype":"F32","shape":[${shape.join(',')}],` +
      `"data_offsets":[${offset},${offset + bytes}]}`);
    offset += bytes;
  });
  const json = new TextEncoder().encode(`{${parts.join(',')}}`);
  const headerLength = Math.ceil(json.length / 8) * 8;
  if (headerLength > MAX_HEADER_BYTES) fail(`header would be ${headerLength} bytes, over the ${MAX_HEADER_BYTES}-byte limit`);

  const out = new Uint8Array(8 + headerLength + offset);
  const view = new DataView(out.buffer);
  view.setUint32(0, headerLength, true);
  view.setUint32(4, 0, true);
  out.set(json, 8);
  out.fill(0x20, 8 + json.length, 8 + headerLength); // pad with spaces
  let pos = 8 + headerLength;
  for (const v of values) {
    if (LITTLE_ENDIAN_HOST) {
      out.set(new Uint8Array(v.buffer, v.byteOffset, v.byteLength), pos);
    } else {
      for (let i = 0; i < v.length; i++) view.setFloat32(pos + i * 4, v[i], true);
    }
    pos += v.byteLength;
  }
  return out;
}

function checkCount(name: string, t: Tensor, v: Float32Array): Float32Array {
  if (v.length !== t.numel) fail(`tensor ${quote(name)}: device returned ${v.length} values for ${t.toString()}`);
  return v;
}

/**
 * Writes tensors (as F32) and optional string metadata to safetensors bytes. Synchronous, so every
 * tensor must be on a device that can be read synchronously (wasm); use serializeAsync otherwise.
 */
export function serialize(tensors: Record<string, Tensor>, metadata?: Record<string, string>): Uint8Array {
  const names = checkInputs(tensors, metadata);
  const values = names.map((name) => {
    const t = tensors[name];
    if (!t.device.syncRead) {
      fail(`tensor ${quote(name)}: ${t.toString()} cannot be read synchronously; use serializeAsync()`);
    }
    return checkCount(name, t, t.toArraySync());
  });
  return encode(names, tensors, values, metadata);
}

/** serialize() for tensors on any device (reads them asynchronously). */
export async function serializeAsync(tensors: Record<string, Tensor>, metadata?: Record<string, string>): Promise<Uint8Array> {
  const names = checkInputs(tensors, metadata);
  const values = await Promise.all(names.map(async (name) => checkCount(name, tensors[name], await tensors[name].toArray())));
  return encode(names, tensors, values, metadata);
}
