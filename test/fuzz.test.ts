// Fuzzing the inputs users hand rnam: mutated safetensors files (seeded bit flips, truncations,
// byte edits, header edits) must each parse to what an independent reference reading of the same
// bytes gives, or throw a FileFormatError: never another error, never a hang. Bad shapes given to
// the tensor constructors must throw a typed error naming the problem.
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

test.after(() => dev.dispose());
test.run();
