// Training fingerprints: a few AdamW steps of every model family on the CPU backend, hashed
// (SHA-256 of the final weights, the last loss and the input gradient). Two commits that print
// the same lines train bitwise identically; refactors are checked this way
// (`RNAM_THREADS=1 npm run fingerprint` and `RNAM_THREADS=2 npm run fingerprint` must agree too).
// Public API only, so the script runs unchanged on older commits.
import { createHash } from 'node:crypto';
import * as rnam from '../src/index.js';

type Model = { parameters(): rnam.Tensor[]; forward(x: rnam.Tensor): unknown };

function hash(arrays: Float32Array[]): string {
  const h = createHash('sha256');
  for (const a of arrays) h.update(new Uint8Array(a.buffer, a.byteOffset, a.byteLength));
  return h.digest('hex').slice(0, 16);
}

function firstTensor(out: unknown): rnam.Tensor {
  return out instanceof rnam.Tensor ? out : firstTensor((out as unknown[])[0]);
}

async function fingerprint(name: string, make: () => Model, shape: number[], steps = 3): Promise<void> {
  rnam.manualSeed(1234);
  const model = make();
  const gen = new rnam.Generator(99);
  const n = shape.reduce((a, b) => a * b, 1);
  const opt = new rnam.AdamW(model.parameters(), { lr: 1e-2 });
  let loss = 0;
  let xGrad: Float32Array = new Float32Array(0);
  for (let s = 0; s < steps; s++) {
    const x = rnam.tensor(gen.fillUniform(new Float32Array(n), -1, 1), shape, { requiresGrad: true });
    const y = firstTensor(model.forward(x));
    const target = rnam.tensor(gen.fillUniform(new Float32Array(y.numel), -1, 1), y.shape);
    const l = rnam.mseLoss(y, target);
    l.backward();
    rnam.clipGradNorm(model.parameters(), 1);
    opt.step();
    opt.zeroGrad();
    loss = await l.item();
    xGrad = await x.grad!.toArray();
  }
  const weights = await Promise.all(model.parameters().map((p) => p.toArray()));
  console.log(`${name.padEnd(16)} ${hash([...weights, Float32Array.of(loss), xGrad])}  loss ${loss.toPrecision(9)}`);
}

await fingerprint('FirstOrderRNAM', () => new rnam.FirstOrderRNAM({ terms: 4, hiddenDim: 8, outDim: 1, blocks: 2 }), [4, 6, 40, 1]);
await fingerprint('MinGRU', () => new rnam.MinGRU(3, 8, { expansionFactor: 2 }), [3, 5, 33, 8]);
await fingerprint('SimpleRNN', () => new rnam.SimpleRNN({ inputSize: 3, hiddenSize: 9, numLayers: 2 }), [17, 5, 3]);
await fingerprint('GRU', () => new rnam.GRU({ inputSize: 3, hiddenSize: 9, numLayers: 2, batchFirst: true }), [5, 17, 3]);
await fingerprint('LSTM', () => new rnam.LSTM({ inputSize: 3, hiddenSize: 9, numLayers: 2 }), [17, 5, 3]);
await fingerprint('ImplicitRNN', () => new rnam.ImplicitRNN({ inputDim: 3, outputDim: 2, implicitHiddenDim: 6, hiddenDim: 5 }), [4, 9, 3]);
// Large enough that the kernels run on the thread pool (RNAM_THREADS > 1) and reductions span chunks.
await fingerprint('RNAM (large)', () => new rnam.FirstOrderRNAM({ terms: 8, hiddenDim: 8, outDim: 1, blocks: 2 }), [8, 32, 160, 1], 2);
await fingerprint('LSTM (large)', () => new rnam.LSTM({ inputSize: 4, hiddenSize: 16, batchFirst: true }), [64, 80, 4], 2);
