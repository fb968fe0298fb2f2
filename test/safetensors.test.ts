// safetensors: round trips, a file written by an independent encoder (torch-made bytes,
// test/golden/make_safetensors_fixture.py), every validation error, and no prototype pollution.
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import * as rnam from '../src/index.js';
import { SafetensorsError } from '../src/io/safetensors.js';

const { parse, serialize, serializeAsync } = rnam.safetensors;
const test = suite('safetensors');
const fixtures = fileURLToPath(new URL('./fixtures/safetensors/', import.meta.url));

function bitsOf(values: Float32Array): number[] {
  return [...new Uint32Array(values.buffer, values.byteOffset, values.length)];
}

function throwsWith(fn: () => unknown, ...fragments: string[]): void {
  try {
    fn();
  } catch (err) {
    assert.instance(err, SafetensorsError, `expected a SafetensorsError, got ${String(err)}`);
    const message = (err as Error).message;
    for (const f of fragments) assert.ok(message.includes(f), `message "${message}" lacks "${f}"`);
    return;
  }
  assert.unreachable(`expected an error mentioning ${fragments.join(', ')}`);
}

/** A file from a header object (or raw header text) and a data region, like other writers make them. */
function file(header: unknown, data: Uint8Array | number = 0, opts: { pad?: boolean } = {}): Uint8Array {
  let text = typeof header === 'string' ? header : JSON.stringify(header);
  if (opts.pad !== false) text += ' '.repeat((8 - (new TextEncoder().encode(text).length % 8)) % 8);
  return withHeaderBytes(new TextEncoder().encode(text), typeof data === 'number' ? new Uint8Array(data) : data);
}

function withHeaderBytes(json: Uint8Array, data: Uint8Array, declared = json.length): Uint8Array {
  const out = new Uint8Array(8 + json.length + data.length);
  new DataView(out.buffer).setBigUint64(0, BigInt(declared), true);
  out.set(json, 8);
  out.set(data, 8 + json.length);
  return out;
}

const f32 = (shape: number[], begin: number, end: number) => ({ dtype: 'F32', shape, data_offsets: [begin, end] });

test('round trip: scalar, 1-D, 4-D and zero-size tensors, metadata, bitwise-equal values', async () => {
  const special = new Float32Array([-0, Infinity, -Infinity, 1e-45, 3.4028234663852886e38, Math.PI]);
  const nanBits = new Uint32Array([0x7fc00001, 0xffa00000]); // NaNs with payloads must survive
  const nans = new Float32Array(nanBits.buffer);
  const four = Float32Array.from({ length: 2 * 3 * 1 * 4 }, (_, i) => Math.fround(Math.sin(i) * 1e3));
  const tensors = {
    scalar: rnam.tensor([2.5], []),
    'layer.0.weight': rnam.tensor(special, [6]),
    nans: rnam.tensor(nans, [2]),
    b4: rnam.tensor(four, [2, 3, 1, 4]),
    empty: rnam.tensor([], [3, 0, 2]),
    '10': rnam.tensor([1], [1]),
    '9': rnam.tensor([2], [1]),
  };
  const metadata = { format: 'pt', note: 'ünïcødé ✓ "quoted"\n', empty: '' };
  for (const bytes of [serialize(tensors, metadata), await serializeAsync(tensors, metadata)]) {
    const header = Number(new DataView(bytes.buffer).getBigUint64(0, true));
    assert.is(header % 8, 0, 'header padded to a multiple of 8');
    assert.is(bytes[8 + header - 1] === 0x20 || bytes[8 + header - 1] === 0x7d, true);
    const back = parse(bytes);
    assert.equal(Object.keys(back.tensors).sort(), Object.keys(tensors).sort());
    for (const [name, t] of Object.entries(tensors)) {
      assert.equal(back.tensors[name].shape, t.shape, `${name} shape`);
      assert.equal(bitsOf(back.tensors[name].toArraySync()), bitsOf(t.toArraySync()), `${name} bits`);
    }
    assert.equal({ ...back.metadata }, metadata);
    assert.is(back.tensors.scalar.numel, 1);
    assert.is(back.tensors.empty.numel, 0);
  }
  assert.equal(serialize(tensors, metadata), await serializeAsync(tensors, metadata));
});

test('writer layout: sorted names, contiguous F32 little-endian data, no metadata key when empty', () => {
  const bytes = serialize({ b: rnam.tensor([1, 2], [2]), a: rnam.tensor([3], []), '\u{1F600}': rnam.tensor([4], [1]), '\uFF01': rnam.tensor([5], [1]) });
  const n = Number(new DataView(bytes.buffer).getBigUint64(0, true));
  const text = new TextDecoder().decode(bytes.subarray(8, 8 + n));
  assert.ok(/^\{.*\} *$/.test(text));
  const header = JSON.parse(text);
  assert.not.ok('__metadata__' in header);
  // Code-point (UTF-8 byte) order: U+FF01 comes before U+1F600, unlike UTF-16 order.
  const order = Object.keys(header).sort((x, y) => header[x].data_offsets[0] - header[y].data_offsets[0]);
  assert.equal(order, ['a', 'b', '\uFF01', '\u{1F600}']);
  assert.equal(header.a, f32([], 0, 4));
  assert.equal(header.b, f32([2], 4, 12));
  const data = new DataView(bytes.buffer, 8 + n);
  assert.equal([0, 1, 2, 3, 4].map((i) => data.getFloat32(i * 4, true)), [3, 1, 2, 5, 4]);
  assert.is(bytes.length, 8 + n + 20);
});

test('a file written by an independent encoder (torch bytes): F32, F64, F16, BF16, metadata', () => {
  const bytes = new Uint8Array(readFileSync(fixtures + 'torch_written.safetensors'));
  const expected = JSON.parse(readFileSync(fixtures + 'expected.json', 'utf8')) as {
    metadata: Record<string, string>;
    tensors: Record<string, { dtype: string; shape: number[]; float32_bits: number[] }>;
  };
  const { tensors, metadata } = parse(bytes, { device: rnam.cpu });
  assert.equal({ ...metadata }, expected.metadata);
  assert.equal(Object.keys(tensors).sort(), Object.keys(expected.tensors).sort());
  const dtypes = new Set<string>();
  for (const [name, e] of Object.entries(expected.tensors)) {
    dtypes.add(e.dtype);
    const t = tensors[name];
    assert.equal(t.shape, e.shape, `${name} shape`);
    const got = bitsOf(t.toArraySync());
    assert.is(got.length, e.float32_bits.length, `${name} length`);
    e.float32_bits.forEach((bits, i) => {
      const isNaN = (bits & 0x7f800000) === 0x7f800000 && (bits & 0x7fffff) !== 0;
      if (isNaN) assert.ok(Number.isNaN(t.toArraySync()[i]), `${name}[${i}] should be NaN`);
      else assert.is(got[i], bits, `${name}[${i}]: got bits ${got[i].toString(16)}, expected ${bits.toString(16)}`);
    });
  }
  assert.equal([...dtypes].sort(), ['BF16', 'F16', 'F32', 'F64']);
});

test('rejects files too short, and header lengths past the file or over the limit', () => {
  throwsWith(() => parse(new Uint8Array(0)), 'file is 0 bytes', 'shorter than the 8-byte');
  throwsWith(() => parse(new Uint8Array(5)), 'file is 5 bytes');
  const good = file({ a: f32([1], 0, 4) }, 4);
  throwsWith(() => parse(good.subarray(0, 20)), 'header length', 'runs past the end of the file (20 bytes');
  const huge = new Uint8Array(16);
  new DataView(huge.buffer).setBigUint64(0, 200_000_000n, true);
  throwsWith(() => parse(huge), 'header length 200000000 exceeds the 100000000-byte limit', 'not a safetensors file, or a damaged one');
  new DataView(huge.buffer).setBigUint64(0, 2n ** 63n, true);
  throwsWith(() => parse(huge), 'exceeds the 100000000-byte limit');
});

test('rejects headers that are not UTF-8 JSON objects', () => {
  throwsWith(() => parse(withHeaderBytes(new Uint8Array([0x7b, 0xff, 0xfe, 0x7d]), new Uint8Array(0))), 'not valid UTF-8');
  throwsWith(() => parse(file('{"a": ')), 'not valid JSON');
  throwsWith(() => parse(file('{"a":1}\0\0\0\0', 0, { pad: false })), 'not valid JSON');
  throwsWith(() => parse(file('[1, 2]')), 'must be a JSON object, got an array');
  throwsWith(() => parse(file('null')), 'must be a JSON object, got null');
  throwsWith(() => parse(file('"x"')), 'must be a JSON object');
  // An empty header object is a valid file with no tensors; unpadded headers are accepted too.
  assert.equal(Object.keys(parse(file({})).tensors), []);
  assert.equal(Object.keys(parse(file({ a: f32([], 0, 4) }, 4, { pad: false })).tensors), ['a']);
});

test('rejects entries missing fields or with fields of the wrong type, naming the tensor', () => {
  throwsWith(() => parse(file({ w: 3 })), 'tensor "w"', 'must be an object');
  throwsWith(() => parse(file({ w: { shape: [1], data_offsets: [0, 4] } }, 4)), 'tensor "w"', 'missing "dtype"');
  throwsWith(() => parse(file({ w: { dtype: 'F32', data_offsets: [0, 4] } }, 4)), 'tensor "w"', 'missing "shape"');
  throwsWith(() => parse(file({ w: { dtype: 'F32', shape: [1] } }, 4)), 'tensor "w"', 'missing "data_offsets"');
  throwsWith(() => parse(file({ w: { dtype: 4, shape: [1], data_offsets: [0, 4] } }, 4)), 'tensor "w"', 'dtype must be a string');
  throwsWith(() => parse(file({ w: { dtype: 'F32', shape: '1', data_offsets: [0, 4] } }, 4)), 'tensor "w"', 'shape must be an array');
  throwsWith(() => parse(file({ w: { dtype: 'F32', shape: [1], data_offsets: 4 } }, 4)), 'tensor "w"', 'data_offsets must be an array');
  throwsWith(() => parse(file({ w: { dtype: 'F32', shape: [1], data_offsets: [0, 4, 8] } }, 4)), 'tensor "w"', 'data_offsets must be an array');
  throwsWith(() => parse(file({ w: { dtype: 'F32', shape: [1], data_offsets: [0, '4'] } }, 4)), 'tensor "w"', 'must be non-negative integers');
  throwsWith(() => parse(file({ w: { dtype: 'F32', shape: [1], data_offsets: [-4, 0] } }, 4)), 'tensor "w"', 'must be non-negative integers');
  throwsWith(() => parse(file({ w: { dtype: 'F32', shape: [1], data_offsets: [0.5, 4] } }, 4)), 'tensor "w"', 'must be non-negative integers');
  throwsWith(() => parse(file({ w: { dtype: 'F99', shape: [1], data_offsets: [0, 4] } }, 4)), 'tensor "w"', 'unknown dtype "F99"');
});

test('rejects integer and bool dtypes by name', () => {
  for (const [dtype, size] of [['I64', 8], ['I32', 4], ['U8', 1], ['I8', 1], ['U16', 2], ['BOOL', 1]] as const) {
    const kind = dtype === 'BOOL' ? 'bool' : 'integer';
    throwsWith(() => parse(file({ ids: { dtype, shape: [2], data_offsets: [0, 2 * size] } }, 2 * size)),
      'tensor "ids"', `dtype ${dtype} (${kind}) is not supported`);
  }
});

test('rejects negative or non-integer shapes', () => {
  throwsWith(() => parse(file({ w: f32([-1], 0, 0) })), 'tensor "w"', 'non-negative integers', 'got -1');
  throwsWith(() => parse(file({ w: f32([1.5], 0, 6) }, 8)), 'tensor "w"', 'got 1.5');
  throwsWith(() => parse(file({ w: { dtype: 'F32', shape: ['2'], data_offsets: [0, 8] } }, 8)), 'tensor "w"', 'got the string "2"');
  throwsWith(() => parse(file('{"w":{"dtype":"F32","shape":[1e400],"data_offsets":[0,4]}}', 4)), 'tensor "w"', 'got Infinity');
});

test('rejects bad offsets: out of the data region, reversed, wrong byte length', () => {
  throwsWith(() => parse(file({ w: f32([2], 0, 8) }, 4)), 'tensor "w"', 'run past the end of the 4-byte data region');
  throwsWith(() => parse(file({ w: f32([0], 8, 4) }, 8)), 'tensor "w"', '[8, 4] end before they begin');
  throwsWith(() => parse(file({ w: f32([3], 0, 8) }, 8)), 'tensor "w"', 'span 8 bytes', 'needs 12');
  throwsWith(() => parse(file({ w: { dtype: 'F16', shape: [2, 2], data_offsets: [0, 16] } }, 16)), 'tensor "w"', 'needs 8');
});

test('rejects overlaps, holes and stray bytes: the data region must be covered exactly', () => {
  throwsWith(() => parse(file({ a: f32([2], 0, 8), b: f32([2], 4, 12) }, 12)), 'tensor "b"', 'overlap tensor "a"');
  throwsWith(() => parse(file({ a: f32([2], 0, 8), b: f32([2], 0, 8) }, 8)), 'overlap');
  throwsWith(() => parse(file({ a: f32([1], 0, 4), b: f32([1], 8, 12) }, 12)), 'tensor "b"', 'hole of 4 bytes after tensor "a"');
  throwsWith(() => parse(file({ a: f32([1], 4, 8) }, 8)), 'tensor "a"', 'hole of 4 bytes after the start');
  throwsWith(() => parse(file({ a: f32([1], 0, 4) }, 8)), 'data region is 8 bytes', 'cover only 4', 'after tensor "a"');
  throwsWith(() => parse(file({}, 8)), 'data region is 8 bytes', 'no tensors');
  // A zero-size tensor anywhere on the boundary is fine.
  const ok = parse(file({ a: f32([1], 0, 4), z: f32([0, 2], 4, 4), b: f32([1], 4, 8) }, 8));
  assert.equal(ok.tensors.z.shape, [0, 2]);
});

test('rejects metadata that is not a map of strings, and truncated files', () => {
  throwsWith(() => parse(file({ __metadata__: { epoch: 3 } })), 'metadata "epoch"', 'must be a string, got 3');
  throwsWith(() => parse(file({ __metadata__: { a: null } })), 'metadata "a"', 'got null');
  throwsWith(() => parse(file({ __metadata__: ['x'] })), '"__metadata__" must be an object');
  const whole = serialize({ a: rnam.tensor([1, 2, 3], [3]), b: rnam.tensor([4], [1]) });
  for (const cut of [1, 4, 13]) {
    throwsWith(() => parse(whole.subarray(0, whole.length - cut)), 'run past the end', 'truncated');
  }
});

// A plain string: `x.constructor` would be typed as Object's Function property.
const CTOR: string = 'constructor';

test('a malicious header cannot pollute Object.prototype; a tensor named "constructor" round-trips', () => {
  const evil = '{"__proto__":{"dtype":"F32","shape":[1],"data_offsets":[0,4],"polluted":"yes"},' +
    '"constructor":{"dtype":"F32","shape":[1],"data_offsets":[4,8]},' +
    '"prototype":{"dtype":"F32","shape":[],"data_offsets":[8,12]},' +
    '"__metadata__":{"__proto__":"x","polluted":"meta","constructor":"c"}}';
  const data = new Uint8Array(new Float32Array([1, 2, 3]).buffer);
  const { tensors, metadata } = parse(file(evil, data));
  assert.is(({} as Record<string, unknown>).polluted, undefined);
  assert.is((Object.prototype as Record<string, unknown>).polluted, undefined);
  assert.equal(Object.keys(tensors).sort(), ['__proto__', 'constructor', 'prototype']);
  assert.ok(tensors.__proto__ instanceof rnam.Tensor);
  assert.equal([...tensors.__proto__.toArraySync()], [1]);
  assert.equal([...tensors[CTOR].toArraySync()], [2]);
  assert.is(metadata.__proto__, 'x');
  assert.is(metadata[CTOR], 'c');

  // A header whose metadata tries to set the prototype of the result records.
  parse(file('{"__metadata__":{"__proto__":"{\\"polluted\\":1}"}}'));
  assert.is(({} as Record<string, unknown>).polluted, undefined);

  // Round trip of a legitimate "constructor" (and "__proto__") tensor.
  const input: Record<string, rnam.Tensor> = Object.create(null);
  Object.defineProperty(input, '__proto__', { value: rnam.tensor([7, 8], [2]), enumerable: true });
  input[CTOR] = rnam.tensor([5, 6], [1, 2]);
  const back = parse(serialize(input, { constructor: 'meta' }));
  assert.equal(Object.keys(back.tensors).sort(), ['__proto__', 'constructor']);
  assert.equal(back.tensors[CTOR].shape, [1, 2]);
  assert.equal([...back.tensors[CTOR].toArraySync()], [5, 6]);
  assert.equal([...back.tensors.__proto__.toArraySync()], [7, 8]);
  assert.is(back.metadata[CTOR], 'meta');
  assert.is(({} as Record<string, unknown>).polluted, undefined);
});

test('a module state dict survives serialize -> parse -> loadStateDict', () => {
  const gru = new rnam.MinGRU(2, 4, { expansionFactor: 2 });
  const state = gru.stateDict();
  const copy = new rnam.MinGRU(2, 4, { expansionFactor: 2 });
  copy.loadStateDict(parse(serialize(state, { format: 'pt' })).tensors);
  const after = copy.stateDict();
  for (const name of Object.keys(state)) {
    assert.equal(bitsOf(after[name].toArraySync()), bitsOf(state[name].toArraySync()), name);
  }
});

test('serialize rejects bad input by name', async () => {
  throwsWith(() => serialize({ w: [1, 2] as unknown as rnam.Tensor }), 'tensor "w"', 'expected a Tensor');
  throwsWith(() => serialize({ __metadata__: rnam.tensor([1]) }), 'reserved for metadata');
  throwsWith(() => serialize({ w: rnam.tensor([1]) }, { epoch: 3 as unknown as string }), 'metadata "epoch"', 'must be a string');
  const gone = rnam.tensor([1, 2]);
  gone.dispose();
  throwsWith(() => serialize({ gone }), 'tensor "gone"', 'disposed');
  try {
    await serializeAsync({ gone });
    assert.unreachable('serializeAsync accepted a disposed tensor');
  } catch (err) {
    assert.instance(err, SafetensorsError);
  }
});

test('parseHeader checks the layout without reading tensors; readTensors refuses non-finite values when asked', () => {
  const bytes = serialize({ a: rnam.tensor([1, NaN, Infinity, 2], [2, 2]), b: rnam.tensor([3]) }, { k: 'v' });
  const header = rnam.safetensors.parseHeader(bytes);
  assert.equal(header.entries.map((e) => [e.name, e.dtype, e.shape, e.numel]), [['a', 'F32', [2, 2], 4], ['b', 'F32', [1], 1]]);
  assert.equal({ ...header.metadata }, { k: 'v' });
  const kept = parse(bytes).tensors.a.toArraySync();
  assert.ok(Number.isNaN(kept[1]) && kept[2] === Infinity, 'parse keeps non-finite values by default');
  try {
    rnam.safetensors.readTensors(bytes, header, { allowNonFinite: false });
    assert.unreachable('non-finite values were read');
  } catch (err) {
    assert.instance(err, rnam.safetensors.NonFiniteTensorError);
    assert.instance(err, rnam.FileFormatError);
    assert.match((err as Error).message, 'tensor "a" holds 2 non-finite values (the first, NaN, at flat index 1 of shape [2,2])');
  }
  throwsWith(() => rnam.safetensors.parseHeader(bytes.subarray(0, bytes.length - 1)), 'truncated');
});

test.run();
