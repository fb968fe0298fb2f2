// The seed package's own checks: the whole-sequence scan, the step-by-step loop with prevHidden,
// and chunked calls with prevHidden agree, forward and backward (input and parameter gradients).
import { suite } from 'uvu';
import * as rnam from '../src/index.js';
import { forEachBackend } from './helpers/backends.js';
import { assertClose, randomArray } from './helpers/util.js';

type Runner = (gru: rnam.MinGRU, x: rnam.Tensor) => rnam.Tensor;

const scan: Runner = (gru, x) => gru.forward(x)[0];

function inChunks(size: number): Runner {
  return (gru, x) => {
    const outs: rnam.Tensor[] = [];
    let prev: rnam.Tensor | null = null;
    for (let t = 0; t < x.shape[2]; t += size) {
      const [out, last] = gru.forward(rnam.slice(x, 2, t, Math.min(t + size, x.shape[2])), prev);
      outs.push(out);
      prev = last;
    }
    return rnam.cat(outs, 2);
  };
}

await forEachBackend('MinGRU scan vs step-by-step vs chunked', async (test, device) => {

  for (const expansionFactor of [1, 2, 0.5]) {
    test(`expansion ${expansionFactor}: outputs and gradients agree`, async () => {
      rnam.manualSeed(3);
      const gen = new rnam.Generator(4);
      const gru = new rnam.MinGRU(2, 5, { expansionFactor }).to(device);
      const shape = [2, 3, 12, 5];
      const xValues = randomArray(gen, 2 * 3 * 12 * 5, 0, 1);
      const dy = rnam.tensor(randomArray(gen, xValues.length, 0, 1), shape, { device });
      const results: Record<string, { y: Float32Array; dx: Float32Array; grads: Float32Array[] }> = {};
      const runners: [string, Runner][] = [['step', inChunks(1)], ['scan', scan], ['chunks of 2', inChunks(2)], ['chunks of 5', inChunks(5)]];
      for (const [name, run] of runners) {
        const x = rnam.tensor(xValues, shape, { device, requiresGrad: true });
        const y = run(gru, x);
        y.backward(dy);
        results[name] = {
          y: await y.toArray(),
          dx: await x.grad!.toArray(),
          grads: await Promise.all(gru.parameters().map((p) => p.grad!.toArray())),
        };
        for (const p of gru.parameters()) p.grad = null;
      }
      const ref = results.step;
      for (const [name, r] of Object.entries(results)) {
        if (name === 'step') continue;
        assertClose(r.y, ref.y, `${name} vs step: output`, 1e-5, 1e-6);
        assertClose(r.dx, ref.dx, `${name} vs step: dx`, 1e-5, 1e-6);
        r.grads.forEach((g, i) => assertClose(g, ref.grads[i], `${name} vs step: parameter ${i} grad`, 1e-5, 1e-6));
      }
    });
  }

});
