// Model files checked before they cost memory: the shapes the metadata's options imply against the
// header's tensor list before any model is built, bounded error messages, no recursion that follows
// the file, and non-finite weights refused (naming the tensor) unless allowNonFinite.
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import * as rnam from '../src/index.js';
import { MAX_MISSING_PARAMETER_FLOATS, MAX_METADATA_DEPTH, MAX_METADATA_SEPARATORS } from '../src/io/model-file.js';

const test = suite('hardening-model-file');
const { parse, serialize, NonFiniteTensorError } = rnam.safetensors;

/** The file with its metadata and tensors edited (tensors as plain arrays with shapes). */
function rewrite(bytes: Uint8Array, edit: (meta: Record<string, string>, tensors: Record<string, rnam.Tensor>) => void): Uint8Array {
  const file = parse(bytes);
  const meta = { ...file.metadata };
  const tensors = { ...file.tensors };
  edit(meta, tensors);
  return serialize(tensors, meta);
}

const options = (bytes: Uint8Array) => JSON.parse(parse(bytes).metadata['rnam.options']);
const withOptions = (bytes: Uint8Array, o: Record<string, unknown>) => rewrite(bytes, (m) => { m['rnam.options'] = JSON.stringify(o); });

async function refusal(promise: Promise<unknown>): Promise<Error> {
  try {
    await promise;
  } catch (err) {
    return err as Error;
  }
  assert.unreachable('expected load to refuse the file');
  throw new Error('unreachable');
}

/** Runs `fn`, returning its error, the milliseconds and the growth of the resident set in MB. */
async function measured(fn: () => Promise<unknown>): Promise<{ err: Error; ms: number; rssMB: number }> {
  const rss0 = process.memoryUsage().rss;
  const t0 = performance.now();
  const err = await refusal(fn());
  return { err, ms: performance.now() - t0, rssMB: (process.memoryUsage().rss - rss0) / 2 ** 20 };
}

rnam.manualSeed(5);
const small = new rnam.FirstOrderRNAM({ terms: 4, hiddenDim: 8, outDim: 1, blocks: 2 });
const good = rnam.save(small, { featureNames: ['a', 'b', 'c', 'd'] });

test('a ~14 kB file whose options ask for terms 50, hiddenDim 1024 is refused before anything is built', async () => {
  assert.ok(good.length > 10_000 && good.length < 20_000, `the file is ${good.length} bytes`);
  const hostile = withOptions(good, { ...options(good), terms: 50, hiddenDim: 1024 });
  const { err, ms, rssMB } = await measured(() => rnam.load(hostile));
  assert.instance(err, rnam.StateDictError, String(err));
  assert.match(err.message, 'FirstOrderRNAM(terms=50, hiddenDim=1024, outDim=1, blocks=2)');
  assert.match(err.message, 'emb.weight: expected shape (50, 1, 1024), got (4, 1, 8)');
  assert.match(err.message, /and \d+ more$/);
  // Not a hang, and nowhere near the 1 GB such a model takes (generous bounds: the machine is shared).
  assert.ok(ms < 5000, `took ${ms} ms`);
  assert.ok(rssMB < 100, `the resident set grew ${rssMB} MB`);
});

test('blocks: 20000 (no stack overflow), 10^9 and huge sizes are refused with a bounded message', async () => {
  for (const o of [{ blocks: 20_000 }, { blocks: 1e9 }, { hiddenDim: 2 ** 40 }, { terms: 2 ** 52, blocks: 0 }]) {
    const { err, ms, rssMB } = await measured(() => rnam.load(withOptions(good, { ...options(good), ...o })));
    assert.instance(err, rnam.StateDictError, `${JSON.stringify(o)}: ${String(err)}`);
    assert.ok(err.message.length < 2000, `${JSON.stringify(o)}: a message of ${err.message.length} characters`);
    assert.ok(ms < 5000 && rssMB < 100, `${JSON.stringify(o)}: ${ms} ms, ${rssMB} MB`);
  }
  // Not strict: the parameters the file lacks may not exceed the limit either.
  const more = withOptions(good, { ...options(good), blocks: 20_000 });
  const err = await refusal(rnam.load(more, { strict: false }));
  assert.instance(err, rnam.StateDictError);
  assert.match(err.message, `needs more than ${MAX_MISSING_PARAMETER_FLOATS} parameter values the file does not hold`);
});

test('strict: false still loads a file lacking a few parameters (within the limit), and shapes must match', async () => {
  const one = withOptions(good, { ...options(good), blocks: 3 });
  const { model } = await rnam.load(one, { strict: false });
  assert.is((model as rnam.FirstOrderRNAM).options.blocks, 3);
  assert.equal((model as rnam.FirstOrderRNAM).emb.weight.toArraySync(), small.emb.weight.toArraySync());
  const err = await refusal(rnam.load(withOptions(good, { ...options(good), hiddenDim: 9 }), { strict: false }));
  assert.instance(err, rnam.StateDictError);
  assert.match(err.message, 'emb.weight: expected shape (4, 1, 9), got (4, 1, 8)');
  // The file's own options load exactly.
  const back = await rnam.load(good);
  assert.equal(back.model.stateDict()['proj.2.weight'].toArraySync(), small.stateDict()['proj.2.weight'].toArraySync());
});

test('NaN and infinite weights are refused naming the tensor; allowNonFinite: true loads them as they are', async () => {
  for (const [label, value] of [['NaN', NaN], ['Infinity', Infinity], ['-Infinity', -Infinity]] as const) {
    const bad = rewrite(good, (_m, t) => {
      const v = t['blocks.1.ff.3.weight'].toArraySync();
      v[7] = value;
      v[9] = value;
      t['blocks.1.ff.3.weight'] = rnam.tensor(v, t['blocks.1.ff.3.weight'].shape);
    });
    const err = await refusal(rnam.load(bad));
    assert.instance(err, NonFiniteTensorError, String(err));
    assert.instance(err, rnam.FileFormatError);
    assert.match(err.message, `tensor "blocks.1.ff.3.weight" holds 2 non-finite values (the first, ${label}, at flat index 7`);
    assert.match(err.message, 'allowNonFinite: true');
    assert.is((err as InstanceType<typeof NonFiniteTensorError>).tensor, 'blocks.1.ff.3.weight');
    const { model } = await rnam.load(bad, { allowNonFinite: true });
    const w = model.stateDict()['blocks.1.ff.3.weight'].toArraySync();
    assert.ok(Object.is(w[7], value) && Object.is(w[9], value), label);
  }
  // Optimizer state is checked too.
  const opt = new rnam.Adam(small.parameters());
  const x = rnam.full([4, 2, 3, 1], 0.5);
  rnam.mseLoss(small.forward(x)[0], rnam.zeros([2, 1])).backward();
  opt.step();
  const withState = rnam.save(small, { optimizer: opt });
  const badState = rewrite(withState, (_m, t) => { t['__optimizer__.0.expAvg'] = rnam.full(t['__optimizer__.0.expAvg'].shape, NaN); });
  const err = await refusal(rnam.load(badState));
  assert.instance(err, NonFiniteTensorError);
  assert.match(err.message, '__optimizer__.0.expAvg');
  await refusal(rnam.load(good, { allowNonFinite: 'yes' as never })).then((e) => assert.instance(e, rnam.ArgumentError));
});

test('finite weights as large as 1e38 load; what the model computes from them overflows to NaN as IEEE arithmetic says', async () => {
  const huge = rewrite(good, (_m, t) => { t['proj.2.weight'] = rnam.full(t['proj.2.weight'].shape, 1e38); t['proj.0.weight'] = rnam.full(t['proj.0.weight'].shape, 1e38); });
  const { model } = await rnam.load(huge);
  const x = rnam.full([4, 2, 3, 1], 1);
  const [y] = (model as rnam.FirstOrderRNAM).forward(x);
  const values = y.toArraySync();
  assert.ok(values.every((v) => !Number.isFinite(v)), `predictions ${[...values]}`);
});

test('metadata and header values nested deeply are FileFormatErrors, not stack overflows', async () => {
  const deep = (n: number) => '['.repeat(n) + ']'.repeat(n);
  for (const key of ['rnam.options', 'rnam.history', 'rnam.metadata', 'rnam.data']) {
    const err = await refusal(rnam.load(rewrite(good, (m) => { m[key] = key === 'rnam.history' ? `[${deep(200_000)}]` : `{"x":${deep(200_000)}}`; })));
    assert.instance(err, rnam.FileFormatError, `${key}: ${String(err)}`);
    assert.match(err.message, `nested more than ${MAX_METADATA_DEPTH} levels deep`);
  }
  // Just within the limit still decodes.
  const within = rewrite(good, (m) => { m['rnam.metadata'] = `{"x":${deep(MAX_METADATA_DEPTH - 1)}}`; });
  assert.ok((await rnam.load(within)).metadata.metadata);
  // A caller's options of any value give typed errors too.
  const plain = serialize(small.stateDict());
  const odd = await refusal(rnam.load(plain, { class: 'FirstOrderRNAM', options: { ...small.options, extra: 1n, other: Symbol('s') } as never }));
  assert.instance(odd, rnam.FileFormatError, String(odd));
  assert.match(odd.message, 'no option extra');
  // A nested option value is refused before it reaches a constructor.
  const nested = await refusal(rnam.load(rewrite(good, (m) => { m['rnam.options'] = JSON.stringify({ ...options(good), terms: [[4]] }); })));
  assert.instance(nested, rnam.FileFormatError);
  assert.match(nested.message, 'rnam.options.terms must be a number, string, boolean or a list of at most 65536 numbers, got another array');
  // A deeply nested shape in the header.
  const enc = new TextEncoder();
  const json = enc.encode(`{"a":{"dtype":"F32","shape":${deep(200_000)},"data_offsets":[0,0]}}`);
  const file = new Uint8Array(8 + json.length);
  new DataView(file.buffer).setUint32(0, json.length, true);
  file.set(json, 8);
  const shaped = await refusal(rnam.load(file));
  assert.instance(shaped, rnam.FileFormatError, String(shaped));
  assert.match(shaped.message, 'shape must hold non-negative integers, got an array at index 0');
});

test('metadata too large to parse cheaply is refused before parsing; optimizer state is matched by index', async () => {
  const history = `[${Array.from({ length: MAX_METADATA_SEPARATORS + 1 }, () => '{}').join(',')}]`;
  const { err, ms, rssMB } = await measured(() => rnam.load(rewrite(good, (m) => { m['rnam.history'] = history; })));
  assert.instance(err, rnam.FileFormatError, String(err));
  assert.match(err.message, `holds more than ${MAX_METADATA_SEPARATORS} values`);
  assert.ok(ms < 5000 && rssMB < 100, `${ms} ms, ${rssMB} MB`);

  const opt = new rnam.SGD(small.parameters(), { lr: 0.1, momentum: 0.9 });
  rnam.mseLoss(small.forward(rnam.full([4, 2, 3, 1], 0.5))[0], rnam.zeros([2, 1])).backward();
  opt.step();
  const saved = rnam.save(small, { optimizer: opt });
  const state = (await rnam.load(saved)).optimizerState!;
  assert.is(Object.keys(state.state).length, small.parameters().length);
  new rnam.SGD(small.parameters(), { lr: 0.1, momentum: 0.9 }).loadStateDict(state);
  const editSteps = (edit: (o: { steps: Record<string, unknown> }) => void) => rewrite(saved, (m) => {
    const o = JSON.parse(m['rnam.optimizer']);
    edit(o);
    m['rnam.optimizer'] = JSON.stringify(o);
  });
  for (const [label, edit] of [
    ['a key that is no index', (o: { steps: Record<string, unknown> }) => { o.steps['x'] = 1; }],
    ['a negative step', (o: { steps: Record<string, unknown> }) => { o.steps['0'] = -1; }],
    ['a step that is no number', (o: { steps: Record<string, unknown> }) => { o.steps['0'] = '3'; }],
    ['an index with a leading zero', (o: { steps: Record<string, unknown> }) => { o.steps['01'] = 1; }],
  ] as const) {
    const e = await refusal(rnam.load(editSteps(edit)));
    assert.instance(e, rnam.FileFormatError, label);
    assert.match(e.message, 'steps must map parameter indices to step counts', label);
  }
  const stray = await refusal(rnam.load(rewrite(saved, (_m, t) => { t['__optimizer__.0.'] = rnam.zeros([1]); })));
  assert.match(stray.message, 'tensor __optimizer__.0. belongs to no parameter with a step count');
  const bare = await refusal(rnam.load(editSteps((o) => { o.steps['99'] = 1; })));
  assert.match(bare.message, 'parameter 99 has a step count but no __optimizer__.99.* tensors');
});

test.run();
