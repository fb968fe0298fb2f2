// AdditiveRNAM (src/nn/additive-rnam.ts), on every backend:
// - yHat = intercept + sum of contributions (members 1 and 3), and the forward equals a float64
//   reference of the whole model written from its equations (members and terms as groups);
// - a static term's contribution is its own MLP by hand; a categorical one is the level's weight row;
// - changing one term's input changes only that term's contribution;
// - every parameter and input gradient against central differences of the float64 reference;
// - a right-padded batch gives each sample the outputs it gets alone;
// - training a few AdamW steps lowers the MSE of a small additive problem; wasm and WebGPU agree;
// - wasm: member m of a K-member model is bitwise a one-member model built with member m's seed,
//   also after training steps on a per-member loss; pure tabular and pure sequence models; options.
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import * as rnam from '../src/index.js';
import type { AdditiveRNAM, AdditiveRNAMOptions, Backend, Tensor } from '../src/index.js';
import { availableBackends } from './helpers/backends.js';
import { assertBitwiseEqual, assertClose, randomArray } from './helpers/util.js';
import { layerNormRef, linearRef, mingruRef } from './helpers/reference.js';
import { centralDifferences, dot } from './helpers/masked-reference.js';

// ---- inputs ------------------------------------------------------------------------------------------

interface HostInputs {
  batch: number;
  seq: number;
  sequence: Float32Array | null; // (sequenceTerms, batch, seq, stepInputs)
  lengths: number[] | null;
  static: Float32Array | null; // (staticTerms, batch, 1)
  categorical: Float32Array | null; // one-hot (categoricalTerms, batch, maxLevels)
  levels: number[][]; // [feature][sample] level index
}

const maxLevels = (o: AdditiveRNAMOptions) => (o.categoricalLevels.length ? Math.max(...o.categoricalLevels) : 0);

function oneHot(o: AdditiveRNAMOptions, levels: number[][], batch: number): Float32Array {
  const L = maxLevels(o), out = new Float32Array(o.categoricalLevels.length * batch * L);
  levels.forEach((ls, c) => ls.forEach((l, b) => { out[(c * batch + b) * L + l] = 1; }));
  return out;
}

function hostInputs(gen: rnam.Generator, o: AdditiveRNAMOptions, batch: number, seq: number, lengths: number[] | null = null): HostInputs {
  const levels = o.categoricalLevels.map((n) => Array.from({ length: batch }, () => gen.int(n)));
  return {
    batch, seq, lengths,
    sequence: o.sequenceTerms ? randomArray(gen, o.sequenceTerms * batch * seq * o.stepInputs, -1.5, 1.5) : null,
    static: o.staticTerms ? randomArray(gen, o.staticTerms * batch, -2, 2) : null,
    categorical: o.categoricalLevels.length ? oneHot(o, levels, batch) : null,
    levels,
  };
}

function deviceInputs(device: Backend, o: AdditiveRNAMOptions, h: HostInputs, requiresGrad = false) {
  const t = (v: Float32Array | null, shape: number[]) => (v ? rnam.tensor(v, shape, { device, requiresGrad }) : null);
  return {
    sequence: t(h.sequence, [o.sequenceTerms, h.batch, h.seq, o.stepInputs]),
    static: t(h.static, [o.staticTerms, h.batch, 1]),
    categorical: t(h.categorical, [o.categoricalLevels.length, h.batch, maxLevels(o)]),
  };
}

// ---- models ------------------------------------------------------------------------------------------

/** A model on `device` with every parameter random (layer norms and the bias too), from `seed`. */
function randomModel(device: Backend, o: AdditiveRNAMOptions, seed: number): AdditiveRNAM {
  const model = new rnam.AdditiveRNAM(o);
  const gen = new rnam.Generator(seed);
  const state: Record<string, Tensor> = {};
  for (const [name, p] of model.namedParameters()) {
    const ln = /\.ff\.0\.weight$/.test(name);
    state[name] = rnam.tensor(randomArray(gen, p.numel, ln ? 0.5 : -0.7, ln ? 1.5 : 0.7), p.shape);
  }
  model.loadStateDict(state);
  return model.to(device);
}

async function hostParams(model: AdditiveRNAM): Promise<Record<string, Float32Array>> {
  const out: Record<string, Float32Array> = {};
  for (const [name, p] of model.namedParameters()) out[name] = await p.toArray();
  return out;
}

// ---- the float64 reference ---------------------------------------------------------------------------

type Params = Record<string, ArrayLike<number>>;
const relu = (v: ArrayLike<number>) => Float64Array.from(v, (x) => Math.max(x, 0));
const addArrays = (a: ArrayLike<number>, b: ArrayLike<number>) => Float64Array.from(a, (x, i) => x + b[i]);

/** x (terms, per) -> (terms * members, per), group t * members + m a copy of term t. */
function tile(x: ArrayLike<number>, terms: number, members: number): Float64Array {
  const per = x.length / terms, out = new Float64Array(x.length * members);
  for (let t = 0; t < terms; t++) for (let m = 0; m < members; m++) for (let j = 0; j < per; j++) out[(t * members + m) * per + j] = x[t * per + j];
  return out;
}

/** Step lengths[b] - 1 of (groups, batch, seq, dim) -> (groups, batch, dim). */
function lastStepRef(x: ArrayLike<number>, groups: number, batch: number, seq: number, dim: number, lengths: number[] | null): Float64Array {
  const out = new Float64Array(groups * batch * dim);
  for (let g = 0; g < groups; g++)
    for (let b = 0; b < batch; b++) {
      const s = (lengths ? lengths[b] : seq) - 1;
      for (let i = 0; i < dim; i++) out[(g * batch + b) * dim + i] = x[((g * batch + b) * seq + s) * dim + i];
    }
  return out;
}

/** The whole model in float64: each member's yHat (members, batch, outDim) and contributions (terms, members, batch, outDim). */
function modelRef(o: AdditiveRNAMOptions, P: Params, h: { batch: number; seq: number; sequence: ArrayLike<number> | null;
  lengths: number[] | null; static: ArrayLike<number> | null; categorical: ArrayLike<number> | null }) {
  const M = o.members ?? 1, H = o.hiddenDim, O = o.outDim, B = h.batch, S = h.seq, I = o.stepInputs, T = o.sequenceTerms;
  const parts: Float64Array[] = [];
  if (T) {
    const xs = tile(h.sequence!, T, M);
    const emb = linearRef(xs, P['sequence.emb.weight'], P['sequence.emb.bias'], T * M, B * S, I, H);
    const last = new Float64Array(T * M * B * H);
    for (let m = 0; m < M; m++) {
      let hm = new Float64Array(T * B * S * H);
      for (let t = 0; t < T; t++) hm.set(emb.subarray((t * M + m) * B * S * H, (t * M + m + 1) * B * S * H), t * B * S * H);
      for (let i = 0; i < o.blocks; i++) {
        const p = (n: string) => P[`sequence.blocks.${i}.${m}.${n}`];
        const hg = linearRef(hm, p('gru.to_hidden_and_gate.weight'), null, T, B * S, H, 2 * H);
        const u = addArrays(hm, mingruRef(hg, null, T * B, S, H));
        const ln = layerNormRef(u, p('ff.0.weight'), p('ff.0.bias'), T * B * S, H, 1e-5).y;
        const f = linearRef(relu(linearRef(ln, p('ff.1.weight'), p('ff.1.bias'), T, B * S, H, H)), p('ff.3.weight'), p('ff.3.bias'), T, B * S, H, H);
        hm = addArrays(hm, f);
      }
      const lm = lastStepRef(hm, T, B, S, H, h.lengths);
      for (let t = 0; t < T; t++) last.set(lm.subarray(t * B * H, (t + 1) * B * H), (t * M + m) * B * H);
    }
    const p1 = relu(linearRef(last, P['sequence.proj.0.weight'], P['sequence.proj.0.bias'], T * M, B, H, H));
    let out = linearRef(p1, P['sequence.proj.2.weight'], P['sequence.proj.2.bias'], T * M, B, H, O);
    if (o.linear ?? true) out = addArrays(out, linearRef(lastStepRef(xs, T * M, B, S, I, h.lengths), P['linear.weight'], null, T * M, B, I, O));
    parts.push(out);
  }
  if (o.staticTerms) {
    const G = o.staticTerms * M;
    const a = relu(linearRef(tile(h.static!, o.staticTerms, M), P['static.0.weight'], P['static.0.bias'], G, B, 1, H));
    const b = relu(linearRef(a, P['static.2.weight'], P['static.2.bias'], G, B, H, H));
    parts.push(linearRef(b, P['static.4.weight'], P['static.4.bias'], G, B, H, O));
  }
  const C = o.categoricalLevels.length;
  if (C) parts.push(linearRef(tile(h.categorical!, C, M), P['categorical.weight'], null, C * M, B, maxLevels(o), O));
  const contributions = new Float64Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) { contributions.set(p, at); at += p.length; }
  const terms = contributions.length / (M * B * O);
  const yHat = new Float64Array(M * B * O);
  for (let m = 0; m < M; m++)
    for (let j = 0; j < B * O; j++) {
      let s = P.bias[m * O + (j % O)];
      for (let t = 0; t < terms; t++) s += contributions[(t * M + m) * B * O + j];
      yHat[m * B * O + j] = s;
    }
  return { yHat, contributions, terms };
}

/** The members' mean of (members, rest) -> (rest); of (terms, members, rest) -> (terms, rest) with terms given. */
function memberMean(x: ArrayLike<number>, members: number, terms = 1): Float64Array {
  const per = x.length / (terms * members), out = new Float64Array(terms * per);
  for (let t = 0; t < terms; t++) for (let m = 0; m < members; m++) for (let j = 0; j < per; j++) out[t * per + j] += x[(t * members + m) * per + j] / members;
  return out;
}

/** d(sum(f(v) * weights))/dv by central differences in float64. */
function numericGrad(f: (v: Float64Array) => ArrayLike<number>, at: ArrayLike<number>, weights: ArrayLike<number>): Float64Array {
  const v = Float64Array.from(at);
  return centralDifferences(v, () => dot(f(v), weights));
}

const MIXED: AdditiveRNAMOptions = { sequenceTerms: 2, stepInputs: 3, staticTerms: 2, categoricalLevels: [3, 2, 4], hiddenDim: 5, blocks: 2, outDim: 2 };

// ---- every backend -----------------------------------------------------------------------------------

const backends = await availableBackends('AdditiveRNAM');
const outputs = new Map<string, Record<string, Float32Array>>(); // per backend, for the agreement test

for (const device of backends) {
  const test = suite(`AdditiveRNAM on ${device.description}`);

  for (const members of [1, 3]) {
    test(`members ${members}: yHat = intercept + sum of contributions, and the forward is the float64 reference`, async () => {
      const o = { ...MIXED, members };
      const model = randomModel(device, o, 3 + members);
      const h = hostInputs(new rnam.Generator(9), o, 4, 6, [6, 2, 5, 1]);
      const inp = deviceInputs(device, o, h);
      const [yHat, contributions] = model.forward(inp.sequence, h.lengths, inp);
      assert.equal(yHat.shape, [4, 2]);
      assert.equal(contributions.shape, [2 + 2 + 3, 4, 2]);
      assert.is(contributions.requiresGrad, false);
      const y = await yHat.toArray(), c = await contributions.toArray(), b = await model.intercept.toArray();
      assert.equal(model.intercept.shape, [2]);
      const sum = new Float64Array(y.length);
      for (let j = 0; j < y.length; j++) {
        sum[j] = b[j % 2];
        for (let t = 0; t < 7; t++) sum[j] += c[t * y.length + j];
      }
      assertClose(y, sum, 'yHat vs intercept + sum of contributions', 1e-6, 1e-6);
      const ref = modelRef(o, await hostParams(model), h);
      assertClose(y, memberMean(ref.yHat, members), 'yHat vs the reference', 1e-4, 1e-5);
      assertClose(c, memberMean(ref.contributions, members, ref.terms), 'contributions vs the reference', 1e-4, 1e-5);
      const each = model.forwardMembers(inp.sequence, h.lengths, inp);
      assert.equal(each.yHat.shape, [members, 4, 2]);
      assert.equal(each.contributions.shape, [7, members, 4, 2]);
      assertClose(await each.yHat.toArray(), ref.yHat, 'forwardMembers yHat vs the reference', 1e-4, 1e-5);
      assertClose(y, memberMean(await each.yHat.toArray(), members), 'yHat = the members\' mean', 1e-6, 1e-7);
      outputs.set(`${device.kind} members ${members}`, { y, c });
    });
  }

  test('a static term is its own MLP; a categorical term is the weight row of its level', async () => {
    const o = { ...MIXED, members: 2 };
    const model = randomModel(device, o, 17);
    const h = hostInputs(new rnam.Generator(4), o, 5, 3);
    const inp = deviceInputs(device, o, h);
    const each = model.forwardMembers(inp.sequence, null, inp);
    const c = await each.contributions.toArray(), P = await hostParams(model);
    const { members: M, hiddenDim: H, outDim: O } = { ...o, members: 2 };
    const B = 5, at = (term: number, m: number, b: number, k: number) => c[((term * M + m) * B + b) * O + k];
    for (let s = 0; s < o.staticTerms; s++)
      for (let m = 0; m < M; m++)
        for (let b = 0; b < B; b++) {
          const g = s * M + m, v = h.static![s * B + b];
          const a = Array.from({ length: H }, (_, j) => Math.max(0, v * P['static.0.weight'][g * H + j] + P['static.0.bias'][g * H + j]));
          const a2 = Array.from({ length: H }, (_, j) => Math.max(0, P['static.2.bias'][g * H + j]
            + a.reduce((acc, ai, i) => acc + ai * P['static.2.weight'][(g * H + i) * H + j], 0)));
          for (let k = 0; k < O; k++) {
            const f = P['static.4.bias'][g * O + k] + a2.reduce((acc, ai, i) => acc + ai * P['static.4.weight'][(g * H + i) * O + k], 0);
            assertClose([at(o.sequenceTerms + s, m, b, k)], [f], `static term ${s}, member ${m}, sample ${b}`, 1e-5, 1e-6);
          }
        }
    const L = maxLevels(o);
    o.categoricalLevels.forEach((_, cf) => {
      for (let m = 0; m < M; m++)
        for (let b = 0; b < B; b++)
          for (let k = 0; k < O; k++) {
            const row = P['categorical.weight'][(((cf * M + m) * L) + h.levels[cf][b]) * O + k];
            assert.is(at(o.sequenceTerms + o.staticTerms + cf, m, b, k), row, `categorical term ${cf}, member ${m}, sample ${b}: the level's row, exactly`);
          }
    });
  });

  test('changing one term\'s input changes that term\'s contribution only', async () => {
    const o = { ...MIXED, members: 2 };
    const model = randomModel(device, o, 23);
    const h = hostInputs(new rnam.Generator(5), o, 3, 4, [4, 3, 1]);
    const run = async (hi: HostInputs) => {
      const inp = deviceInputs(device, o, hi);
      return model.forwardMembers(inp.sequence, hi.lengths, inp).contributions.toArray();
    };
    const base = await run(h);
    const per = base.length / 7;
    const changed: [number, HostInputs][] = [];
    const seq1 = Float32Array.from(h.sequence!);
    for (let i = seq1.length / 2; i < seq1.length; i++) seq1[i] += 0.75; // sequence term 1
    changed.push([1, { ...h, sequence: seq1 }]);
    const st0 = Float32Array.from(h.static!);
    st0[1] -= 1.25; // static term 0, sample 1
    changed.push([2, { ...h, static: st0 }]);
    const levels = h.levels.map((l) => [...l]);
    levels[2][0] = (levels[2][0] + 1) % 4; // categorical term 2, sample 0
    changed.push([6, { ...h, categorical: oneHot(o, levels, 3), levels }]);
    for (const [term, hi] of changed) {
      const out = await run(hi);
      for (let t = 0; t < 7; t++) {
        const a = base.subarray(t * per, (t + 1) * per), b = out.subarray(t * per, (t + 1) * per);
        if (t === term) assert.ok(a.some((v, i) => v !== b[i]), `term ${t}: its contribution changed`);
        else assertBitwiseEqual(b, a, `term ${t} when term ${term}'s input changes`);
      }
    }
  });

  test('gradients of every parameter and input: central differences of the float64 reference', async () => {
    const o: AdditiveRNAMOptions = { sequenceTerms: 2, stepInputs: 2, staticTerms: 1, categoricalLevels: [2, 3], hiddenDim: 3, blocks: 1, outDim: 2, members: 2 };
    const model = randomModel(device, o, 31);
    const gen = new rnam.Generator(6);
    const h = hostInputs(gen, o, 3, 4, [4, 2, 3]);
    const inp = deviceInputs(device, o, h, true);
    const [yHat] = model.forward(inp.sequence, h.lengths, inp);
    const dy = randomArray(gen, yHat.numel);
    yHat.backward(rnam.tensor(dy, yHat.shape, { device }));
    const P = await hostParams(model);
    const meanOut = (p: Params, hi: typeof h) => memberMean(modelRef(o, p, hi).yHat, 2);
    assertClose(await yHat.toArray(), meanOut(P, h), 'forward', 1e-4, 1e-5);
    const grads: Record<string, Float32Array> = {};
    for (const [name, p] of model.namedParameters()) {
      const expected = numericGrad((v) => meanOut({ ...P, [name]: v }, h), P[name], dy);
      grads[name] = await p.grad!.toArray();
      assertClose(grads[name], expected, `d ${name}`, 1e-3, 1e-4);
    }
    outputs.set(`${device.kind} grads`, grads);
    for (const key of ['sequence', 'static', 'categorical'] as const) {
      const expected = numericGrad((v) => meanOut(P, { ...h, [key]: v }), h[key]!, dy);
      assertClose(await inp[key]!.grad!.toArray(), expected, `d input ${key}`, 1e-3, 1e-4);
    }
  });

  test('a right-padded batch gives each sample the outputs it gets alone', async () => {
    const o = { ...MIXED, members: 2 };
    const model = randomModel(device, o, 41);
    const lengths = [5, 2, 7, 1, 4];
    const h = hostInputs(new rnam.Generator(7), o, 5, 7, lengths);
    // Padded steps hold large values that must reach nothing.
    const T = o.sequenceTerms, I = o.stepInputs;
    for (let t = 0; t < T; t++) for (let b = 0; b < 5; b++) for (let s = lengths[b]; s < 7; s++) for (let i = 0; i < I; i++) h.sequence![((t * 5 + b) * 7 + s) * I + i] = 30;
    const inp = deviceInputs(device, o, h);
    const [yAll, cAll] = model.forward(inp.sequence, lengths, inp);
    const y = await yAll.toArray(), c = await cAll.toArray();
    const L = maxLevels(o), O = o.outDim;
    for (let b = 0; b < 5; b++) {
      const n = lengths[b];
      const seq = new Float32Array(T * n * I);
      for (let t = 0; t < T; t++) seq.set(h.sequence!.subarray(((t * 5 + b) * 7) * I, ((t * 5 + b) * 7 + n) * I), t * n * I);
      const one = (v: Float32Array, terms: number, w: number) => {
        const out = new Float32Array(terms * w);
        for (let t = 0; t < terms; t++) out.set(v.subarray((t * 5 + b) * w, (t * 5 + b + 1) * w), t * w);
        return out;
      };
      const [y1, c1] = model.forward(rnam.tensor(seq, [T, 1, n, I], { device }), null, {
        static: rnam.tensor(one(h.static!, o.staticTerms, 1), [o.staticTerms, 1, 1], { device }),
        categorical: rnam.tensor(one(h.categorical!, 3, L), [3, 1, L], { device }),
      });
      assertClose(await y1.toArray(), y.subarray(b * O, (b + 1) * O), `sample ${b} yHat`, 1e-6, 1e-6);
      const cb = new Float32Array(7 * O);
      for (let t = 0; t < 7; t++) cb.set(c.subarray((t * 5 + b) * O, (t * 5 + b + 1) * O), t * O);
      assertClose(await c1.toArray(), cb, `sample ${b} contributions`, 1e-6, 1e-6);
    }
  });

  test('a few AdamW steps on a small additive problem lower the MSE', async () => {
    rnam.manualSeed(3);
    const o: AdditiveRNAMOptions = { sequenceTerms: 2, stepInputs: 2, staticTerms: 1, categoricalLevels: [3], hiddenDim: 8, blocks: 1, outDim: 1, members: 2 };
    const model = new rnam.AdditiveRNAM(o).to(device);
    const gen = new rnam.Generator(8);
    const B = 64, S = 5;
    const h = hostInputs(gen, o, B, S);
    // y = sin of sequence term 0's last value + mean of term 1's values / 2 + static^2 / 4 + a level score.
    const target = new Float32Array(B);
    const score = [0.5, -1, 0.25];
    for (let b = 0; b < B; b++) {
      let mean1 = 0;
      for (let s = 0; s < S; s++) mean1 += h.sequence![((1 * B + b) * S + s) * 2] / S;
      target[b] = Math.sin(2 * h.sequence![((0 * B + b) * S + S - 1) * 2]) + mean1 / 2 + h.static![b] ** 2 / 4 + score[h.levels[0][b]];
    }
    const inp = deviceInputs(device, o, h);
    const y = rnam.tensor(target, [B, 1], { device });
    const opt = new rnam.AdamW(model.parameters(), { lr: 0.02 });
    // Eight steps (a WebGPU step on SwiftShader takes over a second); the loss is read at the ends only.
    const losses: Tensor[] = [];
    for (let step = 0; step < 8; step++) {
      opt.zeroGrad();
      const loss = rnam.mseLoss(model.forward(inp.sequence, null, inp)[0], y);
      loss.backward();
      opt.step();
      losses.push(loss);
    }
    const [first, last] = [await losses[0].item(), await losses[7].item()];
    assert.ok(Number.isFinite(first) && last < 0.5 * first, `MSE ${first} -> ${last}`);
  });

  test.run();
}

const agree = suite('AdditiveRNAM: the backends agree');
agree('WebGPU and wasm outputs and gradients within 1e-4', () => {
  const kinds = [...new Set([...outputs.keys()].map((k) => k.split(' ')[0]))];
  if (kinds.length < 2) return; // one backend: nothing to compare (availableBackends reported why)
  for (const members of [1, 3]) {
    const [a, b] = kinds.map((k) => outputs.get(`${k} members ${members}`)!);
    assertClose(a.y, b.y, `members ${members} yHat`, 1e-4, 1e-4);
    assertClose(a.c, b.c, `members ${members} contributions`, 1e-4, 1e-4);
  }
  const [ga, gb] = kinds.map((k) => outputs.get(`${k} grads`)!);
  for (const name of Object.keys(ga)) assertClose(ga[name], gb[name], `d ${name}`, 1e-4, 1e-4);
});
agree.run();

// ---- the CPU backend ---------------------------------------------------------------------------------

const cpu = suite('AdditiveRNAM on the CPU backend: members, layouts, options');

async function memberSlices(model: AdditiveRNAM, h: HostInputs, o: AdditiveRNAMOptions) {
  const inp = deviceInputs(rnam.cpu, o, h);
  const { yHat, contributions } = model.forwardMembers(inp.sequence, h.lengths, inp);
  return { y: await yHat.toArray(), c: await contributions.toArray(), terms: contributions.shape[0] };
}

/** Member m's part of (terms, members, rest). */
function member(x: Float32Array, terms: number, members: number, m: number): Float32Array {
  const per = x.length / (terms * members), out = new Float32Array(terms * per);
  for (let t = 0; t < terms; t++) out.set(x.subarray((t * members + m) * per, (t * members + m + 1) * per), t * per);
  return out;
}

cpu('member m of a 3-member model is bitwise the one-member model built with member m\'s seed', async () => {
  const seeds = [11, 22, 33];
  const o = { ...MIXED, members: 3, memberSeeds: seeds };
  const model = new rnam.AdditiveRNAM(o);
  const h = hostInputs(new rnam.Generator(12), o, 6, 5, [5, 3, 1, 4, 5, 2]);
  const all = await memberSlices(model, h, o);
  for (let m = 0; m < 3; m++) {
    const o1 = { ...MIXED, members: 1, memberSeeds: [seeds[m]] };
    const one = await memberSlices(new rnam.AdditiveRNAM(o1), h, o1);
    assertBitwiseEqual(member(all.y, 1, 3, m), one.y, `member ${m} yHat`);
    assertBitwiseEqual(member(all.c, all.terms, 3, m), one.c, `member ${m} contributions`);
  }
  assert.ok(all.y.subarray(0, 12).some((v, i) => v !== all.y[12 + i]), 'the members differ');
});

cpu('K members trained in one run on the sum of per-member losses equal K one-member runs, bitwise', async () => {
  const seeds = [5, 6];
  const o: AdditiveRNAMOptions = { ...MIXED, members: 2, memberSeeds: seeds };
  const h = hostInputs(new rnam.Generator(13), o, 5, 4, [4, 1, 3, 4, 2]);
  const target = rnam.tensor(randomArray(new rnam.Generator(14), 5 * 2), [5, 2]);
  const train = (model: AdditiveRNAM, members: number) => {
    const opt = new rnam.AdamW(model.parameters(), { lr: 0.01 });
    const inp = deviceInputs(rnam.cpu, o, h);
    for (let step = 0; step < 3; step++) {
      opt.zeroGrad();
      const { yHat } = model.forwardMembers(inp.sequence, h.lengths, inp);
      let loss = rnam.mseLoss(rnam.slice(yHat, 0, 0, 1).reshape([5, 2]), target);
      for (let m = 1; m < members; m++) loss = rnam.add(loss, rnam.mseLoss(rnam.slice(yHat, 0, m, m + 1).reshape([5, 2]), target));
      loss.backward();
      opt.step();
    }
  };
  const both = new rnam.AdditiveRNAM(o);
  train(both, 2);
  const all = await memberSlices(both, h, o);
  for (let m = 0; m < 2; m++) {
    const o1 = { ...o, members: 1, memberSeeds: [seeds[m]] };
    const one = new rnam.AdditiveRNAM(o1);
    train(one, 1);
    const single = await memberSlices(one, h, o1);
    assertBitwiseEqual(member(all.y, 1, 2, m), single.y, `member ${m} yHat after training`);
    assertBitwiseEqual(member(all.c, all.terms, 2, m), single.c, `member ${m} contributions after training`);
  }
});

cpu('pure tabular (no sequence terms) and pure sequence models, with and without blocks', async () => {
  const tab: AdditiveRNAMOptions = { sequenceTerms: 0, stepInputs: 1, staticTerms: 2, categoricalLevels: [3], hiddenDim: 4, blocks: 1, outDim: 1, members: 2 };
  const m1 = randomModel(rnam.cpu, tab, 51);
  assert.ok(!m1.namedParameters().some(([n]) => n.startsWith('sequence.') || n.startsWith('linear.')));
  const h1 = hostInputs(new rnam.Generator(15), tab, 4, 1);
  const i1 = deviceInputs(rnam.cpu, tab, h1);
  const [y1, c1] = m1.forward({ static: i1.static, categorical: i1.categorical });
  assert.equal(c1.shape, [3, 4, 1]);
  assertClose(await y1.toArray(), memberMean(modelRef(tab, await hostParams(m1), h1).yHat, 2), 'tabular yHat', 1e-4, 1e-5);

  const seq: AdditiveRNAMOptions = { sequenceTerms: 3, stepInputs: 2, staticTerms: 0, categoricalLevels: [], hiddenDim: 4, blocks: 2, outDim: 1, linear: false };
  const m2 = randomModel(rnam.cpu, seq, 52);
  assert.ok(!m2.namedParameters().some(([n]) => /^(static|categorical|linear)\./.test(n)));
  const h2 = hostInputs(new rnam.Generator(16), seq, 3, 5, [5, 2, 4]);
  const [y2, c2] = m2.forward(deviceInputs(rnam.cpu, seq, h2).sequence, h2.lengths);
  assert.equal(c2.shape, [3, 3, 1]);
  assertClose(await y2.toArray(), modelRef(seq, await hostParams(m2), h2).yHat, 'sequence yHat', 1e-4, 1e-5);

  const flat: AdditiveRNAMOptions = { ...seq, blocks: 0, linear: true, members: 2 }; // no blocks: emb, last step, proj
  const m3 = randomModel(rnam.cpu, flat, 53);
  const [y3] = m3.forward(deviceInputs(rnam.cpu, flat, h2).sequence, h2.lengths);
  assertClose(await y3.toArray(), memberMean(modelRef(flat, await hostParams(m3), h2).yHat, 2), 'blocks 0 yHat', 1e-4, 1e-5);
});

cpu('state-dict names, describe() and a rebuild from its config', async () => {
  rnam.manualSeed(2);
  const model = new rnam.AdditiveRNAM({ ...MIXED, blocks: 1, members: 2 });
  const names = model.namedParameters().map(([n]) => n);
  for (const n of ['bias', 'sequence.emb.weight', 'sequence.emb.bias', 'sequence.blocks.0.1.gru.to_hidden_and_gate.weight',
    'sequence.blocks.0.0.ff.0.weight', 'sequence.proj.2.bias', 'linear.weight', 'static.0.weight', 'static.4.bias', 'categorical.weight']) {
    assert.ok(names.includes(n), `${n} in ${names.join(', ')}`);
  }
  assert.equal(model.stateDict()['categorical.weight'].shape, [6, 4, 2]);
  const d = model.describe();
  assert.equal(JSON.parse(JSON.stringify(d.config)), d.config, 'the config is plain JSON');
  assert.equal({ ...d, config: undefined, additive: { terms: d.additive!.terms } },
    { kind: 'AdditiveRNAM', layout: 'terms-first', inputFeatures: 7, outputs: 2, inputs: 'mixed', config: undefined, additive: { terms: 7 } });
  assert.equal(Array.from(await d.additive!.intercept.toArray()), Array.from(await model.intercept.toArray()), 'the intercept: the members\' mean bias');
  assert.equal(d.config.memberSeeds.length, 2);
  assert.is(d.config.linear, true);
  const again = new rnam.AdditiveRNAM(d.config);
  const [a, b] = [await hostParams(model), await hostParams(again)];
  for (const n of names) assertBitwiseEqual(a[n], b[n], n);
  // Score rows past a feature's level count start at zero.
  const w = a['categorical.weight'];
  for (let m = 0; m < 2; m++) for (let l = 3; l < 4; l++) for (let k = 0; k < 2; k++) assert.is(w[((0 * 2 + m) * 4 + l) * 2 + k], 0);
  // The default generator advances by one seed per member, whatever the model's size.
  rnam.manualSeed(2);
  rnam.defaultGenerator.nextUint32();
  rnam.defaultGenerator.nextUint32();
  const next = rnam.defaultGenerator.nextUint32();
  rnam.manualSeed(2);
  new rnam.AdditiveRNAM({ ...MIXED, members: 2 });
  assert.is(rnam.defaultGenerator.nextUint32(), next);
});

cpu('bad options and inputs are typed errors', () => {
  const bad = (o: Partial<AdditiveRNAMOptions>, re: RegExp) =>
    assert.throws(() => new rnam.AdditiveRNAM({ ...MIXED, ...o } as AdditiveRNAMOptions), (e: Error) => e instanceof rnam.ArgumentError && re.test(e.message));
  bad({ members: 0 }, /members must be a positive integer/);
  bad({ stepInputs: 0 }, /stepInputs/);
  bad({ categoricalLevels: [2, 0] }, /categoricalLevels/);
  bad({ memberSeeds: [1, 2] }, /memberSeeds must hold one/);
  bad({ sequenceTerms: 0, staticTerms: 0, categoricalLevels: [] }, /at least one term/);
  const o = { ...MIXED, members: 1 };
  const model = new rnam.AdditiveRNAM(o);
  const h = hostInputs(new rnam.Generator(1), o, 2, 3);
  const inp = deviceInputs(rnam.cpu, o, h);
  assert.throws(() => model.forward(inp.sequence, null, { static: inp.static }), /categorical input .* is required/);
  assert.throws(() => model.forward(inp.sequence, null, { ...inp, static: rnam.zeros([2, 3, 1]) }), /batch 2, the static input batch 3/);
  assert.throws(() => model.forward(rnam.zeros([2, 2, 3, 2]), null, inp), (e: Error) => e instanceof rnam.ShapeError && /sequence/.test(e.message));
  assert.throws(() => model.forward(inp.sequence, [3, 4], inp), /lengths\[1\] is 4/);
  const tab = new rnam.AdditiveRNAM({ ...o, sequenceTerms: 0 });
  assert.throws(() => tab.forward(inp.sequence, null, inp), /no sequence terms/);
});

cpu.run();
