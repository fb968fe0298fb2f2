// Fuzzing the inputs users hand rnam: mutated safetensors files (seeded bit flips, truncations,
// byte edits, header edits) must each parse to what an independent reference reading of the same
// bytes gives, or throw a FileFormatError: never another error, never a hang. Mutated model files
// (header bytes, rnam metadata and options, shapes, dtypes, offsets, values, optimizer state) must
// each load (and run a forward) or throw one of rnam's typed errors (an RnamError). Bad shapes given
// to the tensor constructors must throw a typed error naming the problem.
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import * as rnam from '../src/index.js';
import { FileFormatError } from '../src/errors.js';
import { MAX_HEADER_SEPARATORS } from '../src/io/safetensors.js';

const test = suite('fuzz');
const { parse, serialize } = rnam.safetensors;
const dev = new rnam.WasmBackend({ threads: 1 });

/** Deterministic 32-bit PRNG (mulberry32): the cases are the same on every run. */
function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 2 ** 32;
  };
}

const enc = new TextEncoder();

/** A file from header text and a data region (the 8-byte little-endian length first). */
function withHeader(text: string, data: Uint8Array): Uint8Array {
  const json = enc.encode(text);
  const out = new Uint8Array(8 + json.length + data.length);
  new DataView(out.buffer).setBigUint64(0, BigInt(json.length), true);
  out.set(json, 8);
  out.set(data, 8 + json.length);
  return out;
}

/** The seeds: an rnam-written F32 file, and a hand-made one with F64, F16 and BF16 tensors. */
function seeds(): Uint8Array[] {
  const a = rnam.tensor(Float32Array.from({ length: 12 }, (_, i) => i / 3 - 1), [3, 4], { device: dev });
  const b = rnam.tensor(Float32Array.from([NaN, -0, Infinity, 1e-40]), [2, 2], { device: dev });
  const f32 = serialize({ 'layer.weight': a, bias: b, empty: rnam.zeros([0, 3], { device: dev }) }, { format: 'pt', note: 'fuzz seed' });
  const data = new Uint8Array(8 * 3 + 2 * 4 + 2 * 4);
  const view = new DataView(data.buffer);
  [1.5, -2.25e-3, 1 / 3].forEach((v, i) => view.setFloat64(8 * i, v, true));
  [0x3c00, 0xc000, 0x7c00, 0x0001].forEach((h, i) => view.setUint16(24 + 2 * i, h, true));
  [0x3f80, 0xbf00, 0x7fc0, 0x0080].forEach((h, i) => view.setUint16(32 + 2 * i, h, true));
  const mixed = withHeader(JSON.stringify({
    d: { dtype: 'F64', shape: [3], data_offsets: [0, 24] },
    h: { dtype: 'F16', shape: [2, 2], data_offsets: [24, 32] },
    g: { dtype: 'BF16', shape: [4], data_offsets: [32, 40] },
    __metadata__: { k: 'v' },
  }), data);
  return [f32, mixed];
}

// ---- an independent reference reader (plain JSON.parse and DataView), to say what a parse must give

const SIZES: Record<string, number> = { F64: 8, F32: 4, F16: 2, BF16: 2 };

function half(h: number): number {
  const s = h & 0x8000 ? -1 : 1, e = (h >> 10) & 0x1f, f = h & 0x3ff;
  if (e === 0) return s * f * 2 ** -24;
  if (e === 31) return f ? NaN : s * Infinity;
  return s * (1 + f / 1024) * 2 ** (e - 15);
}

/** What `bytes` holds per the format, assuming it is valid: shapes and float32 bit patterns per tensor, and the metadata. */
function reference(bytes: Uint8Array) {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const n = Number(view.getBigUint64(0, true));
  const header = JSON.parse(new TextDecoder().decode(bytes.subarray(8, 8 + n)));
  const start = 8 + n;
  const tensors: Record<string, { shape: number[]; bits: number[] }> = {};
  for (const [name, e] of Object.entries<any>(header)) {
    if (name === '__metadata__') continue;
    const numel = e.shape.reduce((p: number, d: number) => p * d, 1);
    const values = new Float32Array(numel);
    const at = start + e.data_offsets[0];
    for (let i = 0; i < numel; i++) {
      const o = at + i * SIZES[e.dtype];
      if (e.dtype === 'F32') values[i] = view.getFloat32(o, true);
      else if (e.dtype === 'F64') values[i] = view.getFloat64(o, true);
      else if (e.dtype === 'F16') values[i] = half(view.getUint16(o, true));
      else new Uint32Array(values.buffer)[i] = view.getUint16(o, true) << 16;
    }
    // F32 keeps its bits; a DataView read may quiet a NaN, so NaNs compare as one class.
    tensors[name] = { shape: e.shape, bits: [...new Uint32Array(values.buffer)].map((b, i) => (Number.isNaN(values[i]) ? -1 : b)) };
  }
  return { tensors, metadata: header.__metadata__ ?? {} };
}

type Outcome = 'parsed' | 'FileFormatError';

function check(bytes: Uint8Array, label: string): Outcome {
  const t0 = performance.now();
  let result: ReturnType<typeof parse>;
  try {
    result = parse(bytes, { device: dev });
  } catch (err) {
    assert.instance(err, FileFormatError, `${label}: ${String(err)}`);
    return 'FileFormatError';
  } finally {
    assert.ok(performance.now() - t0 < 2000, `${label}: parse took ${performance.now() - t0} ms`);
  }
  const want = reference(bytes);
  assert.equal(Object.keys(result.tensors).sort(), Object.keys(want.tensors).sort(), `${label}: tensor names`);
  for (const [name, t] of Object.entries(result.tensors)) {
    const values = t.toArraySync();
    const bits = [...new Uint32Array(values.buffer)].map((b, i) => (Number.isNaN(values[i]) ? -1 : b));
    assert.equal([...t.shape], want.tensors[name].shape, `${label}: shape of ${name}`);
    assert.equal(bits, want.tensors[name].bits, `${label}: values of ${name}`);
    t.dispose();
  }
  assert.equal({ ...result.metadata }, want.metadata, `${label}: metadata`);
  return 'parsed';
}

// ---- the mutations ------------------------------------------------------------------------

type Mutation = (bytes: Uint8Array, rand: () => number) => Uint8Array;
const pick = (rand: () => number, n: number) => Math.floor(rand() * n);
const headerEnd = (b: Uint8Array) => 8 + Number(new DataView(b.buffer, b.byteOffset).getBigUint64(0, true));

function editHeader(bytes: Uint8Array, edit: (text: string) => string): Uint8Array {
  const end = headerEnd(bytes);
  return withHeader(edit(new TextDecoder().decode(bytes.subarray(8, end))), bytes.subarray(end));
}

const FRAGMENTS = ['"', '{', '}', '[', ']', ',', ':', '-1', '0', '1e3', '4294967296', '9007199254740993', 'null', 'true', '"F32"', '"I64"',
  '"__proto__"', '"__metadata__"', '"shape"', '"data_offsets"', '\\u0000', '\\ud800', 'é', '1.5', '-0'];

const mutations: Record<string, Mutation> = {
  'bit flips': (b, r) => {
    const out = b.slice();
    for (let k = 1 + pick(r, 4); k > 0; k--) {
      const i = pick(r, out.length);
      out[i] ^= 1 << pick(r, 8);
    }
    return out;
  },
  'a truncation': (b, r) => b.slice(0, pick(r, b.length)),
  'a random byte in the header': (b, r) => {
    const out = b.slice();
    out[8 + pick(r, headerEnd(b) - 8)] = pick(r, 256);
    return out;
  },
  'a number of the header replaced': (b, r) => editHeader(b, (text) => {
    const numbers = [...text.matchAll(/\d+/g)];
    const m = numbers[pick(r, numbers.length)];
    const values = ['0', '1', '7', '12', '-3', '2.5', '1e2', '65536', '4294967296', '9007199254740993', '99999999999999999999'];
    return text.slice(0, m.index) + values[pick(r, values.length)] + text.slice(m.index! + m[0].length);
  }),
  'a fragment inserted or deleted': (b, r) => editHeader(b, (text) => {
    const at = pick(r, text.length);
    return r() < 0.5 ? text.slice(0, at) + FRAGMENTS[pick(r, FRAGMENTS.length)] + text.slice(at) : text.slice(0, at) + text.slice(at + 1 + pick(r, 6));
  }),
  'the length prefix changed': (b, r) => {
    const out = b.slice();
    const view = new DataView(out.buffer);
    const n = Number(view.getBigUint64(0, true));
    const choices = [0, 1, n - 1, n + 1, n + 8, out.length, 2 ** 32 + n, 2 ** 63];
    view.setBigUint64(0, BigInt(choices[pick(r, choices.length)]), true);
    return out;
  },
  'a key duplicated': (b, r) => editHeader(b, (text) => {
    const keys = [...text.matchAll(/"([^"]+)":\{/g)];
    const m = keys[pick(r, keys.length)];
    return text.replace(/^\{/, `{${m[0]}"dtype":"F32","shape":[${pick(r, 3)}],"data_offsets":[0,${4 * pick(r, 3)}]},`);
  }),
};

test('a few hundred seeded mutations of safetensors files: each parses to the reference reading or throws a FileFormatError', () => {
  const counts: Record<string, Record<Outcome, number>> = {};
  const rand = prng(20240601);
  const files = seeds();
  files.forEach((f, i) => assert.is(check(f, `seed ${i}`), 'parsed'));
  let cases = 0;
  for (const [name, mutate] of Object.entries(mutations)) {
    counts[name] = { parsed: 0, FileFormatError: 0 };
    for (let k = 0; k < 60; k++) {
      const seed = files[k % files.length];
      counts[name][check(mutate(seed, rand), `${name} #${k}`)]++;
      cases++;
    }
  }
  const parsed = Object.values(counts).reduce((s, c) => s + c.parsed, 0);
  console.log(`  fuzz: ${cases} mutated files, ${parsed} parsed to the reference result, ${cases - parsed} FileFormatError, 0 other errors, 0 hangs`);
  assert.ok(cases >= 400);
  // Both outcomes occur: the mutations reach past the first check.
  assert.ok(parsed > 10 && cases - parsed > 100, JSON.stringify(counts));
});

test('a huge but legal header (6.7 million metadata keys) is refused quickly with a FileFormatError', () => {
  const keys = Array.from({ length: 6_700_000 }, (_, i) => `"k${i}":""`);
  const bytes = withHeader(`{"__metadata__":{${keys.join(',')}}}`, new Uint8Array(0));
  keys.length = 0;
  const t0 = performance.now();
  assert.throws(() => parse(bytes, { device: dev }), (err: Error) => err instanceof FileFormatError && /more than 1000000 entries/.test(err.message));
  const ms = performance.now() - t0;
  assert.ok(ms < 1000, `took ${ms} ms`);
  // Just under the limit still parses (every key kept).
  const under = Array.from({ length: MAX_HEADER_SEPARATORS / 2 - 1 }, (_, i) => `"k${i}":"${i}"`);
  const ok = parse(withHeader(`{"__metadata__":{${under.join(',')}}}`, new Uint8Array(0)), { device: dev });
  assert.is(Object.keys(ok.metadata).length, under.length);
});

test('bad shapes to the tensor constructors throw a ShapeError (an ArgumentError where the argument is no shape at all, an OutOfMemoryError for a legal shape too large), never anything else', () => {
  const shapes: unknown[] = [[-2], [-1, -1], [2.5], [NaN], [Infinity], ['3'], [null], [[2]], null, 'abc', 7, {}, [2 ** 53], [1e9, 1e9], [2 ** 31], [3, -0.5]];
  const makers: Record<string, (shape: unknown) => unknown> = {
    tensor: (s) => rnam.tensor(new Float32Array(4), s as number[], { device: dev }),
    zeros: (s) => rnam.zeros(s as number[], { device: dev }),
    full: (s) => rnam.full(s as number[], 1, { device: dev }),
    reshape: (s) => rnam.zeros([4], { device: dev }).reshape(s as number[]),
  };
  let cases = 0;
  for (const shape of shapes) {
    for (const [name, make] of Object.entries(makers)) {
      // tensor(values, options) takes its options second too: {} there is valid options, not a shape
      if (name === 'tensor' && shape !== null && typeof shape === 'object' && !Array.isArray(shape)) continue;
      cases++;
      try {
        make(shape);
      } catch (err) {
        assert.ok(['ShapeError', 'ArgumentError', 'OutOfMemoryError'].includes((err as Error).name), `${name}(${JSON.stringify(shape)}): ${String(err)}`);
        continue;
      }
      assert.unreachable(`${name}(${JSON.stringify(shape)}) did not throw`);
    }
  }
  assert.is(cases, shapes.length * 4 - 1);
});

// ---- the model loader ----------------------------------------------------------------------

/** A model file taken apart: its metadata and its tensors (raw bytes per entry, in file order). */
interface ModelFile {
  metadata: Record<string, string>;
  tensors: { name: string; dtype: unknown; shape: unknown; bytes: Uint8Array }[];
}

function split(bytes: Uint8Array): ModelFile {
  const end = headerEnd(bytes);
  const header = JSON.parse(new TextDecoder().decode(bytes.subarray(8, end)));
  const tensors = Object.entries<any>(header).filter(([name]) => name !== '__metadata__')
    .map(([name, e]) => ({ name, dtype: e.dtype, shape: e.shape, bytes: bytes.slice(end + e.data_offsets[0], end + e.data_offsets[1]) }));
  return { metadata: { ...header.__metadata__ }, tensors };
}

/** The file again: offsets laid out in order, unless `offsets` edits them. */
function join(f: ModelFile, offsets?: (list: number[][]) => void): Uint8Array {
  let at = 0;
  const list = f.tensors.map((t) => [at, (at += t.bytes.length)]);
  offsets?.(list);
  const header: Record<string, unknown> = { __metadata__: f.metadata };
  f.tensors.forEach((t, i) => { header[t.name] = { dtype: t.dtype, shape: t.shape, data_offsets: list[i] }; });
  const data = new Uint8Array(at);
  let pos = 0;
  for (const t of f.tensors) { data.set(t.bytes, pos); pos += t.bytes.length; }
  return withHeader(JSON.stringify(header), data);
}

function f32(bytes: Uint8Array): Float32Array {
  return new Float32Array(bytes.slice().buffer);
}

function toHalf(v: number): number {
  // float32 -> float16 bits, rounding toward zero (exactness does not matter here, only validity).
  const b = new Uint32Array(new Float32Array([v]).buffer)[0];
  const sign = (b >>> 16) & 0x8000, exp = ((b >>> 23) & 0xff) - 127 + 15, frac = (b >>> 13) & 0x3ff;
  if (Number.isNaN(v)) return 0x7e00;
  if (exp >= 31) return sign | 0x7c00;
  return exp <= 0 ? sign : sign | (exp << 10) | frac;
}

function reencode(t: ModelFile['tensors'][number], dtype: string): void {
  const values = f32(t.bytes);
  const size = dtype === 'F64' ? 8 : 2;
  const out = new Uint8Array(values.length * size);
  const view = new DataView(out.buffer);
  values.forEach((v, i) => {
    if (dtype === 'F64') view.setFloat64(8 * i, v, true);
    else if (dtype === 'F16') view.setUint16(2 * i, toHalf(v), true);
    else view.setUint16(2 * i, new Uint32Array(new Float32Array([v]).buffer)[0] >>> 16, true);
  });
  t.bytes = out;
  t.dtype = dtype;
}

const OPTION_VALUES: unknown[] = [0, -1, 1, 2, 3, 7, 1.5, 1024, 20_000, 1e9, 2 ** 31, 2 ** 53, 1e308, -0, 'x', '3', null, true, false, [], {}, [[1]], { $number: 'NaN' }];
const CLASSES = ['FirstOrderRNAM', 'SequenceModel', 'ImplicitRNN', 'SimpleRNN', 'GRU', 'LSTM', 'MinGRU', 'Transformer', '__proto__', 'constructor', 'toString', 'hasOwnProperty', ''];
const METADATA_TEXT = ['', '{}', '[]', 'null', '1', '"text"', '{"$number":"NaN"}', '[[[[[[[[[[]]]]]]]]]]', '['.repeat(5000) + ']'.repeat(5000), '{"a":', '[{"epoch":1}]', '{"features":[{"name":"a","mean":0,"std":1}]}'];
const DTYPES: unknown[] = ['F64', 'F16', 'BF16', 'I32', 'I64', 'U8', 'BOOL', 'F8_E4M3', 'f32', '', 7, null];
const pickOf = <T,>(r: () => number, list: readonly T[]): T => list[pick(r, list.length)];

/** A model file -> a mutated model file. */
type ModelMutation = (bytes: Uint8Array, r: () => number) => Uint8Array;

function editOptions(bytes: Uint8Array, edit: (o: Record<string, unknown>) => void): Uint8Array {
  const f = split(bytes);
  const o = JSON.parse(f.metadata['rnam.options']);
  edit(o);
  f.metadata['rnam.options'] = JSON.stringify(o);
  return join(f);
}

const modelMutations: Record<string, ModelMutation> = {
  'header bit flips': (b, r) => {
    const out = b.slice();
    for (let k = 1 + pick(r, 3); k > 0; k--) out[8 + pick(r, headerEnd(b) - 8)] ^= 1 << pick(r, 8);
    return out;
  },
  'header fragment inserted or deleted': (b, r) => editHeader(b, (text) => {
    const at = pick(r, text.length);
    return r() < 0.5 ? text.slice(0, at) + pickOf(r, FRAGMENTS) + text.slice(at) : text.slice(0, at) + text.slice(at + 1 + pick(r, 6));
  }),
  'an option set to another value': (b, r) => editOptions(b, (o) => { o[pickOf(r, Object.keys(o))] = pickOf(r, OPTION_VALUES); }),
  'options scaled up together': (b, r) => editOptions(b, (o) => {
    for (const k of Object.keys(o)) if (typeof o[k] === 'number' && r() < 0.6) o[k] = pickOf(r, [50, 1024, 20_000, 1e6, 1e12]);
  }),
  'an option removed or added': (b, r) => editOptions(b, (o) => {
    if (r() < 0.5) delete o[pickOf(r, Object.keys(o))];
    else o[pickOf(r, ['dropout', 'terms', 'cell', 'expansionFactor', '__proto__', 'constructor'])] = pickOf(r, OPTION_VALUES);
  }),
  'the class renamed': (b, r) => {
    const f = split(b);
    f.metadata['rnam.class'] = pickOf(r, CLASSES);
    return join(f);
  },
  'a metadata value replaced': (b, r) => {
    const f = split(b);
    const key = pickOf(r, ['rnam.format', 'rnam.options', 'rnam.featureNames', 'rnam.history', 'rnam.standardizer', 'rnam.task', 'rnam.classes', 'rnam.data', 'rnam.metadata', 'rnam.optimizer', 'rnam.targetNames']);
    if (r() < 0.15) delete f.metadata[key];
    else f.metadata[key] = key === 'rnam.format' ? pickOf(r, ['0', '1', '2', '-1', '1.5', 'x', '']) : pickOf(r, METADATA_TEXT);
    return join(f);
  },
  'a shape rearranged (same size)': (b, r) => {
    const f = split(b);
    const t = pickOf(r, f.tensors);
    const shape = t.shape as number[];
    const n = shape.reduce((a, d) => a * d, 1);
    t.shape = pickOf(r, [[...shape].reverse(), [n], [1, ...shape], [...shape, 1], n % 2 === 0 ? [2, n / 2] : [n, 1]]);
    return join(f);
  },
  'a shape changed (size differs)': (b, r) => {
    const f = split(b);
    const t = pickOf(r, f.tensors);
    const shape = [...(t.shape as number[])];
    const i = pick(r, shape.length);
    shape[i] = pickOf(r, [0, shape[i] + 1, shape[i] - 1, 2 ** 32, -1, 1.5]);
    t.shape = r() < 0.1 ? pickOf(r, [null, 'x', [[2]], {}]) : shape;
    return join(f);
  },
  'a dtype changed': (b, r) => {
    const f = split(b);
    const t = pickOf(r, f.tensors);
    if (r() < 0.5) reencode(t, pickOf(r, ['F64', 'F16', 'BF16']));
    else t.dtype = pickOf(r, DTYPES);
    return join(f);
  },
  'offsets moved': (b, r) => join(split(b), (list) => {
    const i = pick(r, list.length), j = pick(r, list.length);
    const k = pick(r, 4);
    if (k === 0) [list[i], list[j]] = [list[j], list[i]];
    else if (k === 1) list[i] = [list[i][0] + 4, list[i][1] + 4];
    else if (k === 2) list[i] = [list[i][0], list[i][0]];
    else list[i] = [list[i][1], list[i][0]];
  }),
  'a tensor removed, renamed or added': (b, r) => {
    const f = split(b);
    const k = pick(r, 3);
    if (k === 0) f.tensors.splice(pick(r, f.tensors.length), 1);
    else if (k === 1) pickOf(r, f.tensors).name = pickOf(r, ['__proto__', 'constructor', 'emb.weight', '__optimizer__.9.x', '', 'x.y.z']);
    else f.tensors.push({ name: pickOf(r, ['extra', 'blocks.7.ff.0.weight', '__optimizer__.0.momentumBuffer']), dtype: 'F32', shape: [2], bytes: new Uint8Array(8) });
    return join(f);
  },
  'a value made NaN or infinite': (b, r) => {
    const f = split(b);
    const t = pickOf(r, f.tensors.filter((x) => x.bytes.length >= 4));
    const values = f32(t.bytes);
    values[pick(r, values.length)] = pickOf(r, [NaN, Infinity, -Infinity, 1e38, -3.4e38]);
    t.bytes = new Uint8Array(values.buffer);
    return join(f);
  },
  'the optimizer state edited': (b, r) => {
    const f = split(b);
    const text = f.metadata['rnam.optimizer'];
    if (text === undefined) return join(f);
    const o = JSON.parse(text);
    const k = pick(r, 5);
    if (k === 0) o.steps = { ...o.steps, [pickOf(r, ['7', '-1', 'x'])]: 3 };
    else if (k === 1) o.paramNames = pickOf(r, [[], ['nope'], null, 'x']);
    else if (k === 2) o.paramGroups = pickOf(r, [[], [{}], null, [{ lr: 'x', params: [0] }]]);
    else if (k === 3) o.optimizer = pickOf(r, ['Adam', 'SGD', 'AdamW', 'Nope', 3]);
    else f.tensors = f.tensors.filter((t) => !(t.name.startsWith('__optimizer__.') && r() < 0.5));
    f.metadata['rnam.optimizer'] = JSON.stringify(o);
    return join(f);
  },
};

/** The seed model files: an RNAM with metadata and optimizer state, an LSTM sequence model, an expanded MinGRU. */
function modelSeeds(): { bytes: Uint8Array; input: (m: rnam.Module) => unknown }[] {
  rnam.manualSeed(21);
  const rnamModel = new rnam.FirstOrderRNAM({ terms: 2, hiddenDim: 3, outDim: 1, blocks: 1 });
  const opt = new rnam.Adam(rnamModel.parameters(), { lr: 0.01 });
  rnam.mseLoss(rnamModel.forward(rnam.full([2, 3, 4, 1], 0.5))[0], rnam.zeros([3, 1])).backward();
  opt.step();
  const rnamFile = rnam.save(rnamModel, {
    task: 'regression', featureNames: ['a', 'b'], targetNames: ['y'], history: [{ epoch: 1, trainLoss: 0.5, valLoss: NaN }],
    standardizer: { features: [{ name: 'a', mean: 1, std: 2 }, { name: 'b', mean: 0, std: 1 }] }, metadata: { note: 'fuzz' }, optimizer: opt,
  });
  const seq = rnam.save(new rnam.SequenceModel({ cell: 'lstm', inputSize: 2, hiddenSize: 3, outDim: 2 }), { featureNames: ['a', 'b'] });
  const gru = rnam.save(new rnam.MinGRU(2, 3, { expansionFactor: 2 }));
  return [
    { bytes: rnamFile, input: (m) => (m as rnam.FirstOrderRNAM).forward(rnam.full([(m as rnam.FirstOrderRNAM).options.terms, 2, 3, 1], 0.25)) },
    { bytes: seq, input: (m) => (m as rnam.SequenceModel).forward(rnam.full([2, 3, (m as rnam.SequenceModel).options.inputSize], 0.25)) },
    { bytes: gru, input: (m) => (m as rnam.MinGRU).forward(rnam.full([(m as rnam.MinGRU).terms, 2, 3, (m as rnam.MinGRU).dim], 0.25)) },
  ];
}

/** Loads the bytes (and runs the loaded model once): 'loaded' or the name of the typed error. */
async function loadOutcome(bytes: Uint8Array, options: rnam.LoadOptions, forward: (m: rnam.Module) => unknown, label: string): Promise<string> {
  const t0 = performance.now();
  try {
    const { model, optimizerState } = await rnam.load(bytes, options);
    try {
      forward(model);
      if (optimizerState) new rnam.Adam(model.parameters()).loadStateDict(optimizerState);
    } catch (err) {
      // A loaded model or optimizer state may still be refused by its user: a typed error too.
      assert.instance(err, rnam.RnamError, `${label}: forward or optimizer: ${(err as Error)?.stack ?? String(err)}`);
      return `loaded, then ${(err as Error).name}`;
    }
    return 'loaded';
  } catch (err) {
    assert.instance(err, rnam.RnamError, `${label}: ${(err as Error)?.stack ?? String(err)}`);
    return (err as Error).name;
  } finally {
    const ms = performance.now() - t0;
    assert.ok(ms < 5000, `${label}: took ${ms} ms`);
  }
}

test('seeded mutations of model files: each loads or throws an RnamError, never a RangeError, TypeError or hang', async () => {
  const seedFiles = modelSeeds();
  for (const [i, s] of seedFiles.entries()) assert.is(await loadOutcome(s.bytes, {}, s.input, `seed ${i}`), 'loaded');
  const rand = prng(20261206);
  const PER_MUTATION = 300;
  const counts: Record<string, Record<string, number>> = {};
  const totals: Record<string, number> = {};
  const t0 = performance.now();
  let cases = 0;
  for (const [name, mutate] of Object.entries(modelMutations)) {
    counts[name] = {};
    for (let k = 0; k < PER_MUTATION; k++) {
      const seed = seedFiles[k % seedFiles.length];
      const bytes = mutate(seed.bytes, rand);
      const options: rnam.LoadOptions = { strict: rand() < 0.8, allowNonFinite: rand() < 0.2 };
      const outcome = await loadOutcome(bytes, options, seed.input, `${name} #${k} (${JSON.stringify(options)})`);
      counts[name][outcome] = (counts[name][outcome] ?? 0) + 1;
      totals[outcome] = (totals[outcome] ?? 0) + 1;
      cases++;
    }
  }
  const seconds = (performance.now() - t0) / 1000;
  console.log(`  model-file fuzz: ${cases} mutated files in ${seconds.toFixed(1)} s: ${Object.entries(totals).sort((a, b) => b[1] - a[1]).map(([o, n]) => `${o} ${n}`).join(', ')}; 0 untyped errors, 0 hangs`);
  if (process.env.RNAM_FUZZ_TABLE) for (const [name, c] of Object.entries(counts)) console.log(`  | ${name} | ${Object.entries(c).map(([o, n]) => `${o} ${n}`).join(', ')} |`);
  assert.is(cases, PER_MUTATION * Object.keys(modelMutations).length);
  // The mutations reach past the first checks: files load, and each kind of refusal occurs.
  for (const outcome of ['loaded', 'SafetensorsError', 'FileFormatError', 'StateDictError', 'NonFiniteTensorError']) assert.ok(totals[outcome] > 5, `${outcome}: ${JSON.stringify(totals)}`);
});

test.after(() => dev.dispose());
test.run();
