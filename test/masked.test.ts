// Masked recurrences (per-sample lengths, right padding), on every backend:
// - a padded batch equals each sequence run alone, forward and backward (input and parameter
//   gradients): minGRU (with and without to_out), SimpleRNN (tanh, relu), GRU, LSTM, stacked layers,
//   both layouts, FirstOrderRNAM and SequenceModel; padded outputs are 0 (RNN cells) or the carried
//   state (minGRU), and padded inputs get exactly zero gradient;
// - a float64 reference of the masked recurrences (test/helpers/masked-reference.ts, mingruRef
//   with lengths) for the forward, and central differences of it for every gradient;
// - wasm: the masked kernels with every length = seq are bitwise the unmasked kernels, masked
//   results are bitwise identical for 1 and 2 threads, and bad lengths are typed errors.
// PyTorch's pack_padded_sequence results are checked in masked-golden.test.ts.
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import * as rnam from '../src/index.js';
import type { Backend, Tensor } from '../src/index.js';
import { forEachBackend } from './helpers/backends.js';
import { Buffers } from './helpers/buffers.js';
import { assertBitwiseEqual, assertClose, product, randomArray } from './helpers/util.js';
import { linearRef, mingruRef } from './helpers/reference.js';
import { centralDifferences, dot, GATES, maskedStackRef, type MaskedCell, type MaskedLayer } from './helpers/masked-reference.js';

const GARBAGE = 30; // padded inputs: large values that must not reach any result

// ---- index helpers: a sample's valid steps out of a padded batch ------------------------------------

/** Axes of a tensor: where the batch is, and the time axis (-1: none, a state). */
interface Axes { batch: number; time: number }

function strides(shape: readonly number[]): number[] {
  const s = new Array<number>(shape.length);
  let acc = 1;
  for (let i = shape.length - 1; i >= 0; i--) {
    s[i] = acc;
    acc *= shape[i];
  }
  return s;
}

/** Calls fn(coords, flat index) for every element of shape. */
function forEach(shape: readonly number[], fn: (coords: number[], i: number) => void): void {
  const n = product([...shape]), coords = new Array<number>(shape.length).fill(0);
  for (let i = 0; i < n; i++) {
    fn(coords, i);
    for (let a = shape.length - 1; a >= 0; a--) {
      if (++coords[a] < shape[a]) break;
      coords[a] = 0;
    }
  }
}

/** The shape of sample b alone with `len` steps. */
function aloneShape(shape: readonly number[], axes: Axes, len: number): number[] {
  return shape.map((d, a) => (a === axes.batch ? 1 : a === axes.time ? len : d));
}

/** Sample b's first `len` steps of `values` (shape), as an array of aloneShape. */
function gather(values: ArrayLike<number>, shape: readonly number[], axes: Axes, b: number, len: number): Float32Array {
  const st = strides(shape), out = aloneShape(shape, axes, len);
  const res = new Float32Array(product(out));
  forEach(out, (c, i) => {
    let at = 0;
    for (let a = 0; a < c.length; a++) at += (a === axes.batch ? b : c[a]) * st[a];
    res[i] = values[at];
  });
  return res;
}

/** Calls fn(flat index, sample, step) for every element of a padded tensor at a padded step. */
function forEachPadded(shape: readonly number[], axes: Axes, lengths: readonly number[], fn: (i: number, b: number, t: number) => void): void {
  forEach(shape, (c, i) => {
    if (c[axes.time] >= lengths[c[axes.batch]]) fn(i, c[axes.batch], c[axes.time]);
  });
}

/** Random values, with GARBAGE-sized ones at padded steps (or zeros there when zeroPadded). */
function paddedRandom(gen: rnam.Generator, shape: readonly number[], axes: Axes, lengths: readonly number[], zeroPadded = false): Float32Array {
  const v = randomArray(gen, product([...shape]));
  if (axes.time >= 0) forEachPadded(shape, axes, lengths, (i) => { v[i] = zeroPadded ? 0 : (v[i] * GARBAGE); });
  return v;
}

// ---- the families under test --------------------------------------------------------------------

interface Outputs {
  /** Per-step outputs and how their padded steps look; states (no time axis). */
  seq: { t: Tensor; axes: Axes; padded: 'zero' | 'carry' }[];
  states: { t: Tensor; axes: Axes }[];
}

interface Family {
  name: string;
  /** x's shape for (batch, seq) and its axes. */
  xShape(batch: number, seq: number): number[];
  xAxes: Axes;
  make(): rnam.Module;
  run(m: rnam.Module, x: Tensor, lengths?: number[]): Outputs;
}

const bf: Axes = { batch: 0, time: 1 }, tm: Axes = { batch: 1, time: 0 }, termsFirst: Axes = { batch: 1, time: 2 };
const stateAxes: Axes = { batch: 1, time: -1 };

function recurrentFamily(name: string, cell: 'rnn_tanh' | 'rnn_relu' | 'gru' | 'lstm', numLayers: number, batchFirst: boolean): Family {
  const inputSize = 3, hiddenSize = 5;
  return {
    name: `${name} (${numLayers} layer${numLayers > 1 ? 's' : ''}, ${batchFirst ? 'batch-first' : 'time-major'})`,
    xShape: (batch, seq) => (batchFirst ? [batch, seq, inputSize] : [seq, batch, inputSize]),
    xAxes: batchFirst ? bf : tm,
    make: () => {
      const options = { inputSize, hiddenSize, numLayers, batchFirst };
      if (cell === 'gru') return new rnam.GRU(options);
      if (cell === 'lstm') return new rnam.LSTM(options);
      return new rnam.SimpleRNN({ ...options, nonlinearity: cell === 'rnn_relu' ? 'relu' : 'tanh' });
    },
    run: (m, x, lengths) => {
      const seqAxes = batchFirst ? bf : tm;
      if (m instanceof rnam.LSTM) {
        const [out, [hN, cN]] = m.forward(x, null, lengths);
        return { seq: [{ t: out, axes: seqAxes, padded: 'zero' }], states: [{ t: hN, axes: stateAxes }, { t: cN, axes: stateAxes }] };
      }
      const [out, hN] = (m as rnam.SimpleRNN | rnam.GRU).forward(x, null, lengths);
      return { seq: [{ t: out, axes: seqAxes, padded: 'zero' }], states: [{ t: hN, axes: stateAxes }] };
    },
  };
}

const families: Family[] = [
  {
    name: 'MinGRU (2 terms, expansion 1.5: to_out)',
    xShape: (batch, seq) => [2, batch, seq, 3], xAxes: termsFirst,
    make: () => new rnam.MinGRU(2, 3, { expansionFactor: 1.5 }),
    run: (m, x, lengths) => {
      const [out, last] = (m as rnam.MinGRU).forward(x, null, lengths);
      return { seq: [{ t: out, axes: termsFirst, padded: 'carry' }], states: [{ t: last, axes: stateAxes }] };
    },
  },
  {
    name: 'MinGRU (1 term, no to_out)',
    xShape: (batch, seq) => [1, batch, seq, 4], xAxes: termsFirst,
    make: () => new rnam.MinGRU(1, 4),
    run: (m, x, lengths) => {
      const [out, last] = (m as rnam.MinGRU).forward(x, null, lengths);
      return { seq: [{ t: out, axes: termsFirst, padded: 'carry' }], states: [{ t: last, axes: stateAxes }] };
    },
  },
  recurrentFamily('SimpleRNN tanh', 'rnn_tanh', 1, true),
  recurrentFamily('SimpleRNN relu', 'rnn_relu', 2, false),
  recurrentFamily('GRU', 'gru', 1, false),
  recurrentFamily('GRU', 'gru', 2, true),
  recurrentFamily('LSTM', 'lstm', 1, true),
  recurrentFamily('LSTM', 'lstm', 3, false),
  {
    name: 'FirstOrderRNAM (2 terms, 2 blocks)',
    xShape: (batch, seq) => [2, batch, seq, 1], xAxes: termsFirst,
    make: () => new rnam.FirstOrderRNAM({ terms: 2, hiddenDim: 4, outDim: 2, blocks: 2 }),
    run: (m, x, lengths) => {
      const [yHat, contributions] = (m as rnam.FirstOrderRNAM).forward(x, lengths);
      return { seq: [], states: [{ t: yHat, axes: { batch: 0, time: -1 } }, { t: contributions, axes: stateAxes }] };
    },
  },
  ...(['gru', 'mingru'] as const).map((cell): Family => ({
    name: `SequenceModel (${cell}, 2 layers)`,
    xShape: (batch, seq) => [batch, seq, 3], xAxes: bf,
    make: () => new rnam.SequenceModel({ cell, inputSize: 3, hiddenSize: 4, numLayers: 2, outDim: 2 }),
    run: (m, x, lengths) => ({ seq: [], states: [{ t: (m as rnam.SequenceModel).forward(x, lengths), axes: { batch: 0, time: -1 } }] }),
  })),
];

/** Runs forward and backward of loss = sum(outputs * weights); returns outputs, x's gradient and the parameter gradients. */
async function runOnce(f: Family, m: rnam.Module, device: Backend, x: Float32Array, shape: number[], lengths: number[] | undefined,
  weights: (o: Outputs) => Float32Array[]) {
  m.zeroGrad();
  const xt = rnam.tensor(x, shape, { device, requiresGrad: true });
  const o = f.run(m, xt, lengths);
  const all = [...o.seq.map((s) => s.t), ...o.states.map((s) => s.t)];
  const flat = rnam.cat(all.map((t) => t.reshape(-1)), 0);
  const w = weights(o);
  flat.backward(rnam.tensor(w.flatMap((a) => [...a]), flat.shape, { device }));
  const values = await Promise.all(all.map((t) => t.toArray()));
  const grads = new Map<string, Float32Array>();
  for (const [name, p] of m.namedParameters()) grads.set(name, p.grad ? await p.grad.toArray() : new Float32Array(p.numel));
  return { o, values, shapes: all.map((t) => [...t.shape]), dx: await xt.grad!.toArray(), grads };
}

// ---- float64 reference checks -------------------------------------------------------------------

interface RefCase { cell: MaskedCell; layers: number; batchFirst: boolean; bias: boolean; states: boolean; lengths: number[]; seq: number }

const refCases: RefCase[] = [
  { cell: 'rnn_tanh', layers: 1, batchFirst: true, bias: true, states: false, lengths: [4, 1, 3], seq: 4 },
  { cell: 'rnn_relu', layers: 2, batchFirst: false, bias: true, states: true, lengths: [2, 5, 3], seq: 5 },
  { cell: 'gru', layers: 1, batchFirst: false, bias: false, states: true, lengths: [3, 1, 4], seq: 4 },
  { cell: 'gru', layers: 2, batchFirst: true, bias: true, states: false, lengths: [5, 2], seq: 5 },
  { cell: 'lstm', layers: 1, batchFirst: true, bias: true, states: true, lengths: [1, 4, 2], seq: 4 },
  { cell: 'lstm', layers: 2, batchFirst: false, bias: false, states: true, lengths: [3, 5], seq: 5 },
];

/** Batch-first copy of a time-major (seq, batch, f) array, or the array itself. */
function toBatchFirst(v: ArrayLike<number>, seq: number, batch: number, f: number, batchFirst: boolean): Float64Array {
  const r = new Float64Array(seq * batch * f);
  for (let b = 0; b < batch; b++) for (let t = 0; t < seq; t++) for (let k = 0; k < f; k++) {
    r[(b * seq + t) * f + k] = batchFirst ? v[(b * seq + t) * f + k] : v[(t * batch + b) * f + k];
  }
  return r;
}

await forEachBackend('masked recurrences', async (test, device) => {

  for (const f of families) {
    test(`${f.name}: a padded batch equals each sequence alone (outputs, states, input and parameter gradients)`, async () => {
      const gen = new rnam.Generator(71);
      rnam.manualSeed(17);
      const m = f.make().to(device);
      const seq = 6, lengths = [6, 2, 1, 4], batch = lengths.length;
      const shape = f.xShape(batch, seq);
      const x = paddedRandom(gen, shape, f.xAxes, lengths);
      // Loss weights: random at valid steps and states, zero at padded steps (whose outputs alone runs do not have).
      let weightsUsed: Float32Array[] = [];
      const padded = await runOnce(f, m, device, x, shape, lengths, (o) => (weightsUsed = [
        ...o.seq.map((s) => paddedRandom(gen, s.t.shape, s.axes, lengths, true)),
        ...o.states.map((s) => randomArray(gen, s.t.numel)),
      ]));
      const axesOf = [...padded.o.seq.map((s) => s.axes), ...padded.o.states.map((s) => s.axes)];
      // Padded steps: zero outputs (RNN cells) or the carried state (minGRU); no gradient into padded inputs.
      padded.o.seq.forEach((s, k) => forEachPadded(padded.shapes[k], s.axes, lengths, (i, b, t) => {
        const st = strides(padded.shapes[k]);
        const v = padded.values[k][i];
        if (s.padded === 'zero') assert.is(v, 0, `${f.name}: padded output (sample ${b}, step ${t}) is ${v}`);
        else {
          const last = padded.values[k][i - (t - (lengths[b] - 1)) * st[s.axes.time]];
          assertClose([v], [last], `${f.name}: padded output (sample ${b}, step ${t}) carries the last valid step`, 1e-6, 1e-7);
        }
      }));
      forEachPadded(shape, f.xAxes, lengths, (i, b, t) => assert.is(padded.dx[i], 0, `${f.name}: gradient of padded input (sample ${b}, step ${t})`));

      const sums = new Map<string, Float64Array>([...padded.grads].map(([n, g]) => [n, new Float64Array(g.length)]));
      for (let b = 0; b < batch; b++) {
        const len = lengths[b];
        const xb = gather(x, shape, f.xAxes, b, len);
        const alone = await runOnce(f, m, device, xb, aloneShape(shape, f.xAxes, len), undefined,
          () => weightsUsed.map((w, k) => gather(w, padded.shapes[k], axesOf[k], b, len)));
        alone.values.forEach((v, k) => assertClose(gather(padded.values[k], padded.shapes[k], axesOf[k], b, len), v,
          `${f.name}: sample ${b} (length ${len}) output ${k}`, 1e-4, 1e-5));
        assertClose(gather(padded.dx, shape, f.xAxes, b, len), alone.dx, `${f.name}: sample ${b} input gradient`, 1e-4, 1e-5);
        for (const [name, g] of alone.grads) sums.get(name)!.forEach((_, i, s) => { s[i] += g[i]; });
      }
      for (const [name, g] of padded.grads) assertClose(g, sums.get(name)!, `${f.name}: gradient of ${name} (sum over samples alone)`, 1e-3, 1e-5);
    });
  }

  test(`SimpleRNN / GRU / LSTM: masked stacks against a float64 reference, gradients against its central differences (${refCases.length} cases)`, async () => {
    const gen = new rnam.Generator(72);
    for (const c of refCases) {
      const { cell, layers, batchFirst, bias, lengths, seq } = c;
      const batch = lengths.length, inSize = 2, H = 3, G = GATES[cell];
      const what = `${cell} layers=${layers} ${batchFirst ? 'batch-first' : 'time-major'} bias=${bias} states=${c.states} lengths=${lengths}`;
      const options = { inputSize: inSize, hiddenSize: H, numLayers: layers, batchFirst, bias };
      const m = (cell === 'gru' ? new rnam.GRU(options) : cell === 'lstm' ? new rnam.LSTM(options)
        : new rnam.SimpleRNN({ ...options, nonlinearity: cell === 'rnn_relu' ? 'relu' : 'tanh' })).to(device);
      const xShape = batchFirst ? [batch, seq, inSize] : [seq, batch, inSize];
      const x = paddedRandom(gen, xShape, batchFirst ? bf : tm, lengths);
      const stateShape = [layers, batch, H];
      const h0 = c.states ? randomArray(gen, product(stateShape)) : null;
      const c0 = c.states && cell === 'lstm' ? randomArray(gen, product(stateShape)) : null;
      const dOut = randomArray(gen, batch * seq * H), dhN = randomArray(gen, product(stateShape)), dcN = randomArray(gen, product(stateShape));

      // The kernels.
      const xt = rnam.tensor(x, xShape, { device, requiresGrad: true });
      const h0t = h0 ? rnam.tensor(h0, stateShape, { device, requiresGrad: true }) : null;
      const c0t = c0 ? rnam.tensor(c0, stateShape, { device, requiresGrad: true }) : null;
      let out: Tensor, hN: Tensor, cN: Tensor | null = null;
      if (m instanceof rnam.LSTM) [out, [hN, cN]] = m.forward(xt, h0t ? [h0t, c0t] : null, lengths);
      else [out, hN] = (m as rnam.SimpleRNN | rnam.GRU).forward(xt, h0t, lengths);
      const flat = rnam.cat([out.reshape(-1), hN.reshape(-1), ...(cN ? [cN.reshape(-1)] : [])], 0);
      flat.backward(rnam.tensor([...dOut, ...dhN, ...(cN ? dcN : [])], flat.shape, { device }));

      // The float64 reference over the same float32 values, all inputs as one vector for the differences.
      const names = m.namedParameters().map(([n]) => n);
      const params = await Promise.all(m.namedParameters().map(([, p]) => p.toArray()));
      const vars = { x: Float64Array.from(x), h0: Float64Array.from(h0 ?? []), c0: Float64Array.from(c0 ?? []), p: params.map((p) => Float64Array.from(p)) };
      const dOutBf = toBatchFirst(dOut, seq, batch, H, batchFirst);
      const reference = () => {
        const layerParams: MaskedLayer[] = [];
        for (let k = 0; k < layers; k++) {
          const get = (n: string) => vars.p[names.indexOf(n)];
          layerParams.push({ wih: get(`weight_ih_l${k}`), whh: get(`weight_hh_l${k}`), bih: bias ? get(`bias_ih_l${k}`) : null, bhh: bias ? get(`bias_hh_l${k}`) : null });
        }
        return maskedStackRef({ cell, batch, seq, inSize, hidden: H, layers: layerParams, x: toBatchFirst(vars.x, seq, batch, inSize, batchFirst),
          lengths, h0: h0 ? vars.h0 : null, c0: c0 ? vars.c0 : null });
      };
      const loss = () => {
        const r = reference();
        return dot(r.out, dOutBf) + dot(r.hN, dhN) + (cell === 'lstm' ? dot(r.cN, dcN) : 0);
      };
      const ref = reference();
      const outBf = toBatchFirst(await out.toArray(), seq, batch, H, batchFirst);
      assertClose(outBf, ref.out, `${what}: output`);
      assertClose(await hN.toArray(), ref.hN, `${what}: hN`);
      if (cN) assertClose(await cN.toArray(), ref.cN, `${what}: cN`);
      assert.ok(G >= 1);
      assertClose(await xt.grad!.toArray(), centralDifferences(vars.x, loss), `${what}: dx`, 1e-3, 1e-5);
      if (h0t) assertClose(await h0t.grad!.toArray(), centralDifferences(vars.h0, loss), `${what}: dh0`, 1e-3, 1e-5);
      if (c0t) assertClose(await c0t.grad!.toArray(), centralDifferences(vars.c0, loss), `${what}: dc0`, 1e-3, 1e-5);
      for (const [k, [name, p]] of m.namedParameters().entries()) {
        assertClose(await p.grad!.toArray(), centralDifferences(vars.p[k], loss), `${what}: d${name}`, 1e-3, 1e-5);
      }
    }
  });

  test('MinGRU: masked layer against a float64 reference (mingruRef with lengths), gradients against its central differences', async () => {
    const gen = new rnam.Generator(73);
    for (const [terms, dim, factor, lengths, withH0] of [[2, 3, 1.5, [5, 1, 3], true], [1, 4, 1, [2, 5], false]] as const) {
      const batch = lengths.length, seq = 5, inner = Math.trunc(dim * factor);
      const what = `MinGRU terms=${terms} dim=${dim} x${factor} lengths=${lengths}`;
      const m = new rnam.MinGRU(terms, dim, { expansionFactor: factor }).to(device);
      const xShape = [terms, batch, seq, dim];
      const x = paddedRandom(gen, xShape, termsFirst, lengths);
      const h0 = withH0 ? randomArray(gen, terms * batch * inner) : null;
      const dOut = randomArray(gen, product(xShape)), dLast = randomArray(gen, terms * batch * inner);
      const xt = rnam.tensor(x, xShape, { device, requiresGrad: true });
      const h0t = h0 ? rnam.tensor(h0, [terms, batch, 1, inner], { device, requiresGrad: true }) : null;
      const [out, last] = m.forward(xt, h0t, [...lengths]);
      const flat = rnam.cat([out.reshape(-1), last.reshape(-1)], 0);
      flat.backward(rnam.tensor([...dOut, ...dLast], flat.shape, { device }));

      const params = await Promise.all(m.namedParameters().map(([, p]) => p.toArray()));
      const vars = { x: Float64Array.from(x), h0: Float64Array.from(h0 ?? []), p: params.map((p) => Float64Array.from(p)) };
      const groupLengths = Array.from({ length: terms * batch }, (_, g) => lengths[g % batch]);
      const reference = () => {
        const hg = linearRef(vars.x, vars.p[0], null, terms, batch * seq, dim, 2 * inner);
        const h = mingruRef(hg, h0 ? vars.h0 : null, terms * batch, seq, inner, groupLengths);
        const y = factor !== 1 ? linearRef(h, vars.p[1], null, terms, batch * seq, inner, dim) : h;
        const lastH = new Float64Array(terms * batch * inner);
        for (let g = 0; g < terms * batch; g++) for (let k = 0; k < inner; k++) lastH[g * inner + k] = h[(g * seq + seq - 1) * inner + k];
        return { y, lastH };
      };
      const loss = () => {
        const r = reference();
        return dot(r.y, dOut) + dot(r.lastH, dLast);
      };
      const ref = reference();
      assertClose(await out.toArray(), ref.y, `${what}: output`);
      assertClose(await last.toArray(), ref.lastH, `${what}: lastHidden`);
      assertClose(await xt.grad!.toArray(), centralDifferences(vars.x, loss), `${what}: dx`, 1e-3, 1e-5);
      if (h0t) assertClose(await h0t.grad!.toArray(), centralDifferences(vars.h0, loss), `${what}: dprevHidden`, 1e-3, 1e-5);
      for (const [k, [name, p]] of m.namedParameters().entries()) {
        assertClose(await p.grad!.toArray(), centralDifferences(vars.p[k], loss), `${what}: d${name}`, 1e-3, 1e-5);
      }
    }
  });

});

// ---- wasm: bitwise contracts and errors --------------------------------------------------------------

const cpuSuite = suite('masked recurrences on wasm: bitwise contracts, threads, errors');

cpuSuite('the masked kernels with every length = seq are bitwise the unmasked kernels (minGRU, rnn, gru, lstm)', async () => {
  const dev = await rnam.device('wasm');
  const gen = new rnam.Generator(74);
  const groups = 5, seq = 7, dim = 6, H = 5;
  const full = new Float32Array(groups).fill(seq);
  const bufs = new Buffers(dev);
  const hg = bufs.upload(randomArray(gen, groups * seq * 2 * dim, -3, 3)), h0 = bufs.upload(randomArray(gen, groups * dim));
  const dh = bufs.upload(randomArray(gen, groups * seq * dim));
  const scan = async (lengths: rnam.DeviceBuffer | null) => {
    const h = bufs.output(groups * seq * dim), dhg = bufs.output(groups * seq * 2 * dim), dh0 = bufs.output(groups * dim);
    dev.mingru_scan_forward({ hg, h0, h, lengths, groups, seq, dim });
    dev.mingru_scan_backward({ hg, h0, h, dh, dhg, dh0, lengths, groups, seq, dim });
    return Promise.all([h, dhg, dh0].map((b) => bufs.read(b)));
  };
  const [a, b] = [await scan(null), await scan(bufs.upload(full))];
  a.forEach((v, i) => assertBitwiseEqual(b[i], v, `minGRU output ${i}`));
  const batch = groups, rows = seq * batch;
  for (const cell of ['rnn', 'gru', 'lstm'] as const) {
    const G = cell === 'gru' ? 3 : cell === 'lstm' ? 4 : 1, GH = G * H;
    const xg = randomArray(gen, rows * GH, -2, 2), w = bufs.upload(randomArray(gen, GH * H, -0.5, 0.5));
    const whhT = bufs.output(GH * H);
    dev.transpose_2d({ src: w, dst: whhT, rows: GH, cols: H });
    const bhh = bufs.upload(randomArray(gen, GH)), s0 = bufs.upload(randomArray(gen, batch * H)), dout = bufs.upload(randomArray(gen, rows * H));
    const run = async (lengths: rnam.DeviceBuffer | null) => {
      const g = bufs.upload(xg), out = bufs.output(rows * H), extra = bufs.output(rows * H), dg = bufs.output(rows * GH);
      const dgh = bufs.output(rows * GH), dh0 = bufs.output(batch * H), dc0 = bufs.output(batch * H);
      const dims = { batch, seq, hidden: H, batchFirst: true };
      if (cell === 'rnn') {
        dev.rnn_forward({ xg: g, whhT, bhh, h0: s0, out, lengths, ...dims, relu: false });
        dev.rnn_backward({ whh: w, out, dout, dg, dh0, lengths, ...dims, relu: false });
      } else if (cell === 'gru') {
        dev.gru_forward({ xg: g, whhT, bhh, h0: s0, out, hn: extra, lengths, ...dims });
        dev.copy_rows({ src: s0, dst: dh0, outer: 1, srcN: 1, dstN: 1, inner: batch * H, srcStart: 0, dstStart: 0, count: 1 });
        dev.gru_backward({ whh: w, gates: g, hn: extra, out, dout, dgi: dg, dgh, dh0, lengths, ...dims });
      } else {
        dev.lstm_forward({ xg: g, whhT, bhh, h0: s0, c0: s0, out, c: extra, lengths, ...dims });
        dev.fill({ out: dc0, n: batch * H, value: 0.25 });
        dev.lstm_backward({ whh: w, gates: g, c: extra, c0: s0, dout, dg, dh0, dc0, lengths, ...dims });
      }
      return Promise.all([g, out, extra, dg, dgh, dh0, dc0].map((b) => bufs.read(b)));
    };
    const [u, v] = [await run(null), await run(bufs.upload(full))];
    u.forEach((x, i) => assertBitwiseEqual(v[i], x, `${cell} buffer ${i}`));
  }
  bufs.freeAll();
});

cpuSuite('masked GRU, LSTM and MinGRU training gradients: bitwise identical for 1 and 2 threads', async () => {
  const backends = await Promise.all([1, 2].map((threads) => rnam.WasmBackend.create({ threads })));
  const results: Float32Array[][] = [];
  for (const dev of backends) {
    const gen = new rnam.Generator(75);
    const lengths = Array.from({ length: 37 }, (_, b) => 1 + ((b * 7) % 9));
    const grads: Float32Array[] = [];
    for (const make of [() => new rnam.GRU({ inputSize: 3, hiddenSize: 6, numLayers: 2, batchFirst: true }),
      () => new rnam.LSTM({ inputSize: 3, hiddenSize: 6, batchFirst: true })]) {
      rnam.manualSeed(5);
      const m = make().to(dev);
      const x = rnam.tensor(randomArray(gen, 37 * 9 * 3), [37, 9, 3], { device: dev, requiresGrad: true });
      const out = m instanceof rnam.LSTM ? m.forward(x, null, lengths)[0] : (m as rnam.GRU).forward(x, null, lengths)[0];
      rnam.sum(rnam.mul(out, out)).backward();
      grads.push(await x.grad!.toArray(), ...(await Promise.all(m.parameters().map((p) => p.grad!.toArray()))));
    }
    rnam.manualSeed(5);
    const g = new rnam.MinGRU(2, 4).to(dev);
    const x = rnam.tensor(randomArray(gen, 2 * 37 * 9 * 4), [2, 37, 9, 4], { device: dev, requiresGrad: true });
    const [out] = g.forward(x, null, lengths);
    rnam.sum(rnam.mul(out, out)).backward();
    grads.push(await x.grad!.toArray(), ...(await Promise.all(g.parameters().map((p) => p.grad!.toArray()))));
    results.push(grads);
  }
  results[0].forEach((v, i) => assertBitwiseEqual(results[1][i], v, `gradient ${i} with 2 threads`));
});

cpuSuite('bad lengths are typed errors naming the layer', async () => {
  const dev = await rnam.device('wasm');
  const x3 = rnam.zeros([2, 4, 3], { device: dev });
  const rnn = new rnam.GRU({ inputSize: 3, hiddenSize: 2, batchFirst: true }).to(dev);
  assert.throws(() => rnn.forward(x3, null, [4]), (e: Error) => e instanceof rnam.ShapeError && /GRU.*lengths hold 1 values/.test(e.message));
  for (const bad of [[0, 4], [5, 1], [1.5, 2], [Number.NaN, 1]]) {
    assert.throws(() => rnn.forward(x3, null, bad), (e: Error) => e instanceof rnam.ArgumentError && /lengths\[\d\]/.test(e.message), `lengths ${bad}`);
  }
  const lstm = new rnam.LSTM({ inputSize: 3, hiddenSize: 2 }).to(dev);
  assert.throws(() => lstm.forward(rnam.zeros([4, 2, 3], { device: dev }), null, [1, 7]), (e: Error) => e instanceof rnam.ArgumentError && /LSTM/.test(e.message));
  const g = new rnam.MinGRU(1, 3).to(dev);
  assert.throws(() => g.forward(rnam.zeros([1, 2, 4, 3], { device: dev }), null, [1, 2, 3]), (e: Error) => e instanceof rnam.ShapeError && /MinGRU/.test(e.message));
  const sm = new rnam.SequenceModel({ cell: 'lstm', inputSize: 3, hiddenSize: 2, outDim: 1 }).to(dev);
  assert.throws(() => sm.forward(x3, [0, 1]), (e: Error) => e instanceof rnam.ArgumentError && /SequenceModel/.test(e.message));
});

cpuSuite.run();
