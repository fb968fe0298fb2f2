// No subnormal floats in any gradient (see assembly/flush.ts): long sequences whose only loss is at
// the last step, so every backward carry decays over hundreds of steps. Without the flush (main at
// 20555f9) the wasm cases have 1098, 2983, 482, 1038, 991 and 499 subnormal input-gradient elements
// (in the order below); with it, none, on wasm and on WebGPU. Each case also
// checks that it does reach the flushed range (gradient elements that are exactly 0 where the
// unflushed value would be tiny), so a case that stops decaying cannot pass unnoticed.
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import * as rnam from '../src/index.js';
import { forEachBackend } from './helpers/backends.js';
import { randomArray } from './helpers/util.js';

/** Elements with 0 < |v| < 2^-126, found from the bits (exponent field 0, mantissa not 0). */
export function countSubnormals(a: Float32Array): number {
  const u = new Uint32Array(a.buffer, a.byteOffset, a.length);
  let n = 0;
  for (let i = 0; i < u.length; i++) if ((u[i] & 0x7f800000) === 0 && (u[i] & 0x007fffff) !== 0) n++;
  return n;
}

function countZeros(a: Float32Array): number {
  let n = 0;
  for (let i = 0; i < a.length; i++) if (a[i] === 0) n++;
  return n;
}

interface Case {
  name: string;
  /** Builds the model and input on `dev` and returns the loss; x requires grad. */
  loss(dev: rnam.Backend, BATCH: number, SEQ: number): { loss: rnam.Tensor; x: rnam.Tensor; params: rnam.Tensor[] };
  /** At least this many input-gradient elements must be exactly 0 (decayed into the flushed range). */
  minZeroInputGrads(batch: number): number;
}

const input = (dev: rnam.Backend, shape: number[], seed: number, low: number, high: number) =>
  rnam.tensor(randomArray(new rnam.Generator(seed), shape.reduce((a, b) => a * b, 1), low, high), shape, { device: dev, requiresGrad: true });

// WebGPU runs a smaller case (SwiftShader, the CPU Vulkan driver of the test machines, is slow at
// long sequential loops); its few minGRU sequences take the chunked scan.
const sizeOn = (dev: rnam.Backend) => (dev.kind === 'wasm' ? { batch: 8, seq: 512 } : { batch: 2, seq: 256 });

const cases: Case[] = [
  {
    // The seed's model (FirstOrderRNAM) at reduced size; inputs in [1, 3] push the gates open
    // (z near 1), so the carry d_t = dh_t + (1 - z_{t+1}) d_{t+1} decays fast.
    name: 'FirstOrderRNAM (terms 2, hidden 8, blocks 2)',
    loss(dev, BATCH, SEQ) {
      rnam.manualSeed(5);
      const model = new rnam.FirstOrderRNAM({ terms: 2, hiddenDim: 8, outDim: 1, blocks: 2 }).to(dev);
      const x = input(dev, [2, BATCH, SEQ, 1], 11, 1, 3);
      const y = rnam.tensor(randomArray(new rnam.Generator(12), BATCH), [BATCH, 1], { device: dev });
      return { loss: rnam.mseLoss(model.forward(x)[0], y), x, params: model.parameters() };
    },
    minZeroInputGrads: (BATCH) => 2 * BATCH * 100,
  },
  {
    name: 'MinGRU (terms 2, dim 8)',
    loss(dev, BATCH, SEQ) {
      rnam.manualSeed(6);
      const model = new rnam.MinGRU(2, 8, { expansionFactor: 1.5 }).to(dev);
      const x = input(dev, [2, BATCH, SEQ, 8], 13, -2, 2);
      const [out] = model.forward(x);
      return { loss: rnam.mean(rnam.slice(out, 2, SEQ - 1, SEQ)), x, params: model.parameters() };
    },
    minZeroInputGrads: (BATCH) => 2 * BATCH * 8 * 100,
  },
  {
    name: 'SimpleRNN (tanh, hidden 8, 2 layers)',
    loss(dev, BATCH, SEQ) {
      rnam.manualSeed(7);
      const model = new rnam.SimpleRNN({ inputSize: 3, hiddenSize: 8, numLayers: 2 }).to(dev);
      const x = input(dev, [SEQ, BATCH, 3], 14, -2, 2);
      return { loss: rnam.mean(model.forward(x)[1]), x, params: model.parameters() };
    },
    minZeroInputGrads: (BATCH) => BATCH * 3 * 100,
  },
  {
    name: 'GRU (hidden 8, batch-first)',
    loss(dev, BATCH, SEQ) {
      rnam.manualSeed(8);
      const model = new rnam.GRU({ inputSize: 3, hiddenSize: 8, batchFirst: true }).to(dev);
      const x = input(dev, [BATCH, SEQ, 3], 15, -2, 2);
      return { loss: rnam.mean(model.forward(x)[1]), x, params: model.parameters() };
    },
    minZeroInputGrads: (BATCH) => BATCH * 3 * 100,
  },
  {
    name: 'LSTM (hidden 8)',
    loss(dev, BATCH, SEQ) {
      rnam.manualSeed(9);
      const model = new rnam.LSTM({ inputSize: 3, hiddenSize: 8 }).to(dev);
      const x = input(dev, [SEQ, BATCH, 3], 16, -2, 2);
      const [, [hN, cN]] = model.forward(x);
      return { loss: rnam.add(rnam.mean(hN), rnam.mean(cN)), x, params: model.parameters() };
    },
    minZeroInputGrads: (BATCH) => BATCH * 3 * 100,
  },
  {
    name: 'ImplicitRNN (n 6, hidden 5)',
    loss(dev, BATCH, SEQ) {
      rnam.manualSeed(10);
      const model = new rnam.ImplicitRNN({ inputDim: 3, outputDim: 2, implicitHiddenDim: 6, hiddenDim: 5 }).to(dev);
      const x = input(dev, [BATCH, SEQ, 3], 17, -2, 2);
      return { loss: rnam.mean(model.forward(x)), x, params: model.parameters() };
    },
    minZeroInputGrads: (BATCH) => BATCH * 3 * 100,
  },
];

await forEachBackend('no subnormal gradients', async (test, dev) => {
  for (const c of cases) {
    const { batch, seq } = sizeOn(dev);
    test(`${c.name}: batch ${batch}, seq ${seq}, loss at the last step only`, async () => {
      const { loss, x, params } = c.loss(dev, batch, seq);
      loss.backward();
      const named: [string, rnam.Tensor][] = [['input', x], ...params.map((p, i): [string, rnam.Tensor] => [`parameter ${i} ${p.shape.join('x')}`, p])];
      const found: string[] = [];
      let total = 0;
      for (const [what, t] of named) {
        assert.ok(t.grad, `${what} has a gradient`);
        const g = await t.grad!.toArray();
        total += g.length;
        const n = countSubnormals(g);
        if (n > 0) found.push(`${what}: ${n} of ${g.length}`);
      }
      assert.ok(total > 0);
      assert.equal(found, [], `subnormal gradient elements: ${found.join('; ')}`);
      const zeros = countZeros(await x.grad!.toArray());
      assert.ok(zeros >= c.minZeroInputGrads(batch), `the case must decay into the flushed range: ${zeros} input-gradient zeros, want >= ${c.minZeroInputGrads(batch)}`);
    });
  }
});
