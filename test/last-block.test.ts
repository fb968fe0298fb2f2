// FirstOrderRNAM runs its last block's feed-forward half only at each sequence's last valid step
// (the step lastStep reads; src/nn/rnam.ts, lastBlockAtLastStep). Against the model as it was, every
// block over every step and then lastStep: on the CPU backend the output, the input gradient and
// every parameter gradient are bitwise equal when each term's rows fit one reduction chunk (4096
// rows: the sums behind a parameter gradient then run in the same order); beyond that the last
// block's feed-forward parameter gradients are summed over the read rows in one chain instead of
// chunk by chunk, so they agree to rounding, while everything else stays bitwise. Close on WebGPU.
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import * as rnam from '../src/index.js';
import { availableBackends } from './helpers/backends.js';
import { assertBitwiseEqual, assertClose, randomArray } from './helpers/util.js';

interface Case { terms: number; hidden: number; blocks: number; batch: number; seq: number; lengths?: number[] }

function setup(device: rnam.Backend, c: Case, seed: number) {
  const gen = new rnam.Generator(seed);
  const model = new rnam.FirstOrderRNAM({ terms: c.terms, hiddenDim: c.hidden, outDim: 2, blocks: c.blocks }).to(device);
  const state: Record<string, rnam.Tensor> = {};
  for (const [name, p] of model.namedParameters()) state[name] = rnam.tensor(randomArray(gen, p.numel, -0.9, 0.9), p.shape, { device });
  model.loadStateDict(state);
  return { model, xs: randomArray(gen, c.terms * c.batch * c.seq, -2, 2), ys: randomArray(gen, c.batch * 2) };
}

/** The model's output, input gradient and parameter gradients, through forward (new) or every block's full forward (reference). */
async function run(device: rnam.Backend, model: rnam.FirstOrderRNAM, xs: Float32Array, ys: Float32Array, c: Case, reference: boolean) {
  model.zeroGrad();
  const x = rnam.tensor(xs, [c.terms, c.batch, c.seq, 1], { device, requiresGrad: true });
  let out: rnam.Tensor;
  if (reference) {
    let h = model.emb.forward(x);
    for (const block of model.blocks.items) h = block.forward(h);
    out = model.gam.forward(model.proj.forward(rnam.lastStep(h, c.lengths)))[0];
  } else {
    out = model.forward(x, c.lengths)[0];
  }
  rnam.mseLoss(out, rnam.tensor(ys, [c.batch, 2], { device })).backward();
  const result: Record<string, Float32Array> = { out: await out.toArray(), 'x.grad': await x.grad!.toArray() };
  for (const [name, p] of model.namedParameters()) result[`${name}.grad`] = await p.grad!.toArray();
  return result;
}

const ONE_CHUNK: Case[] = [
  { terms: 3, hidden: 8, blocks: 2, batch: 5, seq: 7 },
  { terms: 2, hidden: 5, blocks: 3, batch: 6, seq: 40 },
  { terms: 4, hidden: 8, blocks: 1, batch: 8, seq: 64 },
  { terms: 2, hidden: 8, blocks: 2, batch: 5, seq: 9, lengths: [9, 3, 1, 7, 9] },
  { terms: 1, hidden: 3, blocks: 2, batch: 1, seq: 1 },
];
// Rows of a term (batch * seq) or of all terms beyond one reduction chunk.
const MANY_CHUNKS: Case[] = [
  { terms: 8, hidden: 8, blocks: 2, batch: 32, seq: 160 },
  { terms: 2, hidden: 8, blocks: 2, batch: 9, seq: 512, lengths: [512, 100, 511, 1, 512, 300, 7, 512, 256] },
];
const label = (c: Case) => `terms ${c.terms}, hidden ${c.hidden}, blocks ${c.blocks}, batch ${c.batch}, seq ${c.seq}${c.lengths ? ', variable lengths' : ''}`;
const lastFeedForward = (c: Case, name: string) => name.startsWith(`blocks.${c.blocks - 1}.ff.`);

const cpu = suite('FirstOrderRNAM: the last block at the last step only, on the CPU backend');
for (const c of ONE_CHUNK) {
  cpu(`${label(c)}: bitwise`, async () => {
    const { model, xs, ys } = setup(rnam.cpu, c, 11 + c.seq);
    const mine = await run(rnam.cpu, model, xs, ys, c, false);
    const ref = await run(rnam.cpu, model, xs, ys, c, true);
    assert.equal(Object.keys(mine).sort(), Object.keys(ref).sort());
    for (const name of Object.keys(ref)) assertBitwiseEqual(mine[name], ref[name], `${label(c)} ${name}`);
    assert.ok(mine[`blocks.${c.blocks - 1}.ff.3.bias.grad`].some((v) => v !== 0), 'the last feed-forward gradient is all zero');
  });
}
for (const c of MANY_CHUNKS) {
  cpu(`${label(c)}: bitwise but for the last feed-forward's parameter gradients, which agree to rounding`, async () => {
    const { model, xs, ys } = setup(rnam.cpu, c, 5 + c.seq);
    const mine = await run(rnam.cpu, model, xs, ys, c, false);
    const ref = await run(rnam.cpu, model, xs, ys, c, true);
    for (const name of Object.keys(ref)) {
      if (lastFeedForward(c, name.replace(/\.grad$/, ''))) assertClose(mine[name], ref[name], `${label(c)} ${name}`, 1e-5, 1e-7);
      else assertBitwiseEqual(mine[name], ref[name], `${label(c)} ${name}`);
    }
  });
}
cpu.run();

const backends = await availableBackends('the last block at the last step');
for (const device of backends.filter((d) => d !== rnam.cpu && d.kind === 'webgpu')) {
  const gpu = suite(`FirstOrderRNAM: the last block at the last step only, on ${device.description}`);
  for (const c of [...ONE_CHUNK, MANY_CHUNKS[1]]) {
    gpu(`${label(c)}: close to the reference path`, async () => {
      const { model, xs, ys } = setup(device, c, 11 + c.seq);
      const mine = await run(device, model, xs, ys, c, false);
      const ref = await run(device, model, xs, ys, c, true);
      for (const name of Object.keys(ref)) assertClose(mine[name], ref[name], `${label(c)} ${name}`, 1e-4, 1e-6);
    });
  }
  gpu.run();
}
