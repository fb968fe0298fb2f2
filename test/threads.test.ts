// The multi-threaded wasm backend gives bitwise-identical results for 1, 2 and 4 threads: work is
// cut into tasks independently of the thread count, and reductions over rows sum fixed-size
// chunks in a fixed order. Shapes here are large enough to split work and to chunk reductions.
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import * as rnam from '../src/index.js';
import { assertBitwiseEqual, randomArray } from './helpers/util.js';
import { WasmRuntime } from '../src/backend/wasm/runtime.js';

const test = suite('threads');
const backends = await Promise.all([1, 2, 4].map((threads) => rnam.WasmBackend.create({ threads })));

test('the backends run on the threads asked for', () => {
  assert.equal(backends.map((b) => b.threads), [1, 2, 4]);
  assert.match(backends[2].description, /4 threads/);
});

async function trainingRun(device: rnam.Backend) {
  rnam.manualSeed(9);
  const model = new rnam.FirstOrderRNAM({ terms: 2, hiddenDim: 5, outDim: 1, blocks: 2 }).to(device);
  const gen = new rnam.Generator(10);
  const [terms, batch, seq] = [2, 8, 600]; // rows per term 4800 > the 4096-row reduction chunk
  const x = rnam.tensor(randomArray(gen, terms * batch * seq, -1, 1), [terms, batch, seq, 1], { device });
  const y = rnam.tensor(randomArray(gen, batch, -1, 1), [batch, 1], { device });
  const opt = new rnam.AdamW(model.parameters(), { lr: 1e-2 });
  const losses: number[] = [];
  for (let step = 0; step < 3; step++) {
    const loss = rnam.tidy(() => {
      opt.zeroGrad();
      const l = rnam.mseLoss(model.forward(x)[0], y);
      l.backward();
      opt.step();
      return l;
    });
    losses.push(await loss.item());
  }
  return { losses, weights: await Promise.all(model.parameters().map((p) => p.toArray())) };
}

test('three AdamW steps of a FirstOrderRNAM: bitwise-identical weights for 1, 2 and 4 threads', async () => {
  const [one, ...others] = await Promise.all(backends.map(trainingRun));
  for (const [i, other] of others.entries()) {
    assert.equal(other.losses, one.losses, `losses with ${backends[i + 1].threads} threads`);
    one.weights.forEach((w, k) => assertBitwiseEqual(other.weights[k], w, `parameter ${k} with ${backends[i + 1].threads} threads`));
  }
});

test('large kernels: linear, minGRU, layer norm, elementwise: bitwise-identical for 1, 2 and 4 threads', async () => {
  const gen = new rnam.Generator(12);
  const [terms, rows, inDim, outDim] = [3, 9000, 5, 7];
  const x = randomArray(gen, terms * rows * inDim), w = randomArray(gen, terms * inDim * outDim), b = randomArray(gen, terms * outDim);
  const dy = randomArray(gen, terms * rows * outDim), hg = randomArray(gen, 300 * 50 * 2 * 6, -3, 3), dh = randomArray(gen, 300 * 50 * 6);
  const results: Float32Array[][] = [];
  for (const dev of backends) {
    const up = (v: Float32Array) => rnam.tensor(v, [v.length], { device: dev }).buffer;
    const out = (n: number) => rnam.zeros([n], { device: dev }).buffer;
    const [xb, wb, bb, dyb, hgb, dhb] = [x, w, b, dy, hg, dh].map(up);
    const y = out(dy.length), dx = out(x.length), dw = out(w.length), db = out(b.length);
    dev.linear_forward({ x: xb, w: wb, b: bb, y, terms, rows, inDim, outDim });
    dev.linear_backward({ x: xb, w: wb, dy: dyb, dx, dw, db, terms, rows, inDim, outDim });
    const h = out(dh.length), dhg = out(hg.length);
    dev.mingru_scan_forward({ hg: hgb, h0: null, h, lengths: null, groups: 300, seq: 50, dim: 6 });
    dev.mingru_scan_backward({ hg: hgb, h0: null, h, dh: dhb, dhg, dh0: null, lengths: null, groups: 300, seq: 50, dim: 6 });
    const lnY = out(x.length), mean = out(terms * rows), rstd = out(terms * rows), lnDx = out(x.length), lnDw = out(inDim), lnDb = out(inDim);
    dev.layer_norm_forward({ x: xb, w: null, b: null, y: lnY, mean, rstd, rows: terms * rows, dim: inDim, eps: 1e-5 });
    dev.layer_norm_backward({ x: xb, w: null, mean, rstd, dy: xb, dx: lnDx, dw: lnDw, db: lnDb, rows: terms * rows, dim: inDim, eps: 1e-5 });
    const e = out(x.length);
    dev.unary_forward({ x: xb, y: e, n: x.length, op: rnam.Unary.tanh });
    dev.binary_forward({ a: e, b: xb, out: e, n: x.length, op: rnam.Binary.mul });
    results.push([y, dx, dw, db, h, dhg, lnY, lnDx, lnDw, lnDb, e].map((buf) => dev.readSync(buf)));
  }
  const names = ['linear y', 'linear dx', 'linear dw', 'linear db', 'mingru h', 'mingru dhg', 'layer norm y', 'layer norm dx', 'layer norm dw', 'layer norm db', 'elementwise'];
  for (let i = 1; i < results.length; i++) {
    results[0].forEach((r, k) => assertBitwiseEqual(results[i][k], r, `${names[k]} with ${backends[i].threads} threads`));
  }
});

test('a call with more tasks than the shared task list holds (a grouped linear of 7000 terms): bitwise the 1-thread result', () => {
  const gen = new rnam.Generator(13);
  const [terms, rows, inDim, outDim] = [7000, 4, 3, 2]; // one task per term: 7000 records of 12 doubles > 2^15 doubles per thread
  const x = randomArray(gen, terms * rows * inDim), w = randomArray(gen, terms * inDim * outDim), b = randomArray(gen, terms * outDim);
  const dy = randomArray(gen, terms * rows * outDim);
  const results = backends.map((dev) => {
    const up = (v: Float32Array) => rnam.tensor(v, [v.length], { device: dev }).buffer;
    const out = (n: number) => rnam.zeros([n], { device: dev }).buffer;
    const [xb, wb, bb, dyb] = [x, w, b, dy].map(up);
    const y = out(dy.length), dx = out(x.length), dw = out(w.length), db = out(b.length);
    dev.linear_forward({ x: xb, w: wb, b: bb, y, terms, rows, inDim, outDim });
    dev.linear_backward({ x: xb, w: wb, dy: dyb, dx, dw, db, terms, rows, inDim, outDim });
    return [y, dx, dw, db].map((buf) => dev.readSync(buf));
  });
  const names = ['y', 'dx', 'dw', 'db'];
  for (let i = 1; i < results.length; i++) {
    results[0].forEach((r, k) => assertBitwiseEqual(results[i][k], r, `linear ${names[k]} with ${backends[i].threads} threads`));
  }
  // Not all zeros by accident: y of term 0, row 0 is x @ w + b.
  const y00 = x[0] * w[0] + x[1] * w[2] + x[2] * w[4] + b[0];
  assert.ok(Math.abs(results[0][0][0] - y00) < 1e-5, `y[0] = ${results[0][0][0]}, expected ${y00}`);
});

test('importing the built package starts nothing: require() works, the worker starts on first use, the process exits by itself', () => {
  // Counts Worker constructions: the runtime gets this same module object from process.getBuiltinModule.
  const script = `const wt = require('node:worker_threads'); let started = 0; const W = wt.Worker;
    wt.Worker = class extends W { constructor(...a) { super(...a); started++; } };
    const rnam = require('./dist/rnam.node.js');
    const atImport = started;
    rnam.zeros([1]);
    rnam.cpu.ready().then(() => console.log(JSON.stringify({ atImport, afterUse: started, threads: rnam.cpu.threads })));`;
  const root = fileURLToPath(new URL('..', import.meta.url));
  const child = spawnSync(process.execPath, ['-e', script], { cwd: root, encoding: 'utf8', timeout: 30_000, env: { ...process.env, RNAM_THREADS: '2' } });
  assert.is(child.status, 0, `exit ${child.status} ${child.signal ?? ''}: ${child.stderr}`);
  // Two threads: one kernel worker, and the watcher that notices a worker dying mid-call.
  assert.equal(JSON.parse(child.stdout), { atImport: 0, afterUse: 2, threads: 2 });
});

test('kernels that run before the workers are ready give the bits they give after', async () => {
  const dev = new rnam.WasmBackend({ threads: 2 });
  const gen = new rnam.Generator(13);
  const [terms, rows, inDim, outDim] = [2, 9000, 6, 5];
  const x = randomArray(gen, terms * rows * inDim), w = randomArray(gen, terms * inDim * outDim), dy = randomArray(gen, terms * rows * outDim);
  const run = () => {
    const up = (v: Float32Array) => {
      const b = dev.alloc(v.length);
      dev.write(b, v);
      return b;
    };
    const [xb, wb, dyb] = [x, w, dy].map(up);
    const y = dev.alloc(dy.length), dx = dev.alloc(x.length), dw = dev.alloc(w.length), db = dev.alloc(terms * outDim);
    dev.linear_forward({ x: xb, w: wb, b: null, y, terms, rows, inDim, outDim });
    dev.linear_backward({ x: xb, w: wb, dy: dyb, dx, dw, db, terms, rows, inDim, outDim });
    const out = [y, dx, dw, db].map((b) => dev.readSync(b));
    [xb, wb, dyb, y, dx, dw, db].forEach((b) => dev.free(b));
    return out;
  };
  const early = run(); // the first allocation instantiates the module and starts the worker
  await dev.ready();
  const late = run();
  late.forEach((r, k) => assertBitwiseEqual(r, early[k], `linear output ${k}`));
  dev.dispose();
});

test('scratch areas of parallel calls start 128-byte aligned, at least 256 bytes apart, and fit their buffer', async () => {
  const rt = new WasmRuntime({ threads: 1 });
  await rt.ready();
  const pad = rt.alloc(3); // the next allocation starts off a 128-byte boundary
  for (const [calls, floats] of [[2, 304], [3, 1], [4, 1000], [1, 33]]) {
    const { buffer, at } = rt.scratch(calls, floats);
    const start = buffer.ptr, end = buffer.ptr + 4 * buffer.numel;
    for (let i = 0; i < calls; i++) {
      assert.is(at(i) % 128, 0, `area ${i} of ${calls} x ${floats} floats aligned`);
      assert.ok(at(i) >= start && at(i) + 4 * floats <= end, `area ${i} of ${calls} x ${floats} floats inside its buffer`);
      if (i > 0) assert.ok(at(i) - (at(i - 1) + 4 * floats) >= 256, `areas ${i - 1} and ${i} at least 256 bytes apart`);
    }
    rt.free(buffer);
  }
  rt.free(pad);
  rt.dispose();
});

test.after(() => backends.forEach((b) => b.dispose()));
test.run();
