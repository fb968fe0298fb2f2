// LayerNorm, AdditiveLayer, the optimizers and gradient clipping against PyTorch
// (test/fixtures/golden_layers.json, written by test/golden/make_rnam_fixtures.py).
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { readFileSync } from 'node:fs';
import * as rnam from '../src/index.js';
import { forEachBackend } from './helpers/backends.js';
import { assertClose } from './helpers/util.js';

const golden = JSON.parse(readFileSync(new URL('./fixtures/golden_layers.json', import.meta.url), 'utf8'));

await forEachBackend('layers and optimizers, PyTorch golden cases', async (test, device) => {
  const t = (values: number[], shape: number[], requiresGrad = false) => rnam.tensor(values, shape, { device, requiresGrad });

  test(`LayerNorm: ${golden.layerNorm.length} cases, forward and backward`, async () => {
    for (const c of golden.layerNorm) {
      const ln = new rnam.LayerNorm(c.dim, c.eps).to(device);
      ln.loadStateDict({ weight: t(c.weight, [c.dim]), bias: t(c.bias, [c.dim]) });
      const x = t(c.x, c.shape, true);
      const y = ln.forward(x);
      assertClose(await y.toArray(), c.y, `${c.name} y`);
      y.backward(t(c.dy, c.shape));
      assertClose(await x.grad!.toArray(), c.dx, `${c.name} dx`);
      assertClose(await ln.weight.grad!.toArray(), c.dweight, `${c.name} dweight`);
      assertClose(await ln.bias.grad!.toArray(), c.dbias, `${c.name} dbias`);
    }
  });

  test(`AdditiveLayer: ${golden.additive.length} cases, output, detached contributions, gradients`, async () => {
    for (const c of golden.additive) {
      const gam = new rnam.AdditiveLayer(c.dim).to(device);
      gam.loadStateDict({ bias: t(c.bias, [c.dim]) });
      const input = t(c.input, c.shape, true);
      const [out, contributions] = gam.forward(input);
      assertClose(await out.toArray(), c.output, `${c.name} output`);
      assertClose(await contributions.toArray(), c.contributions, `${c.name} contributions`);
      assert.is(contributions.requiresGrad, false, 'contributions must be detached');
      out.backward(t(c.dOutput, out.shape as number[]));
      assertClose(await input.grad!.toArray(), c.dInput, `${c.name} dInput`);
      assertClose(await gam.bias.grad!.toArray(), c.dBias, `${c.name} dBias`);
    }
  });

  test(`optimizers: ${golden.optimizers.length} five-step trajectories (SGD, momentum, Nesterov, Adam, AdamW)`, async () => {
    for (const c of golden.optimizers) {
      const p = t(c.initial, [c.size], true);
      const o = c.options;
      const opt = c.optimizer === 'SGD'
        ? new rnam.SGD([p], { lr: o.lr, momentum: o.momentum, dampening: o.dampening, weightDecay: o.weightDecay, nesterov: o.nesterov })
        : new (c.optimizer === 'Adam' ? rnam.Adam : rnam.AdamW)([p], { lr: o.lr, betas: o.betas, eps: o.eps, weightDecay: o.weightDecay });
      for (let s = 0; s < c.steps; s++) {
        opt.zeroGrad();
        p.grad = t(c.grads.slice(s * c.size, (s + 1) * c.size), [c.size]);
        opt.step();
        assertClose(await p.toArray(), c.params.slice(s * c.size, (s + 1) * c.size), `${c.name} step ${s + 1}`, 1e-5, 1e-6);
      }
    }
  });

  test(`clipGradNorm: ${golden.clipGradNorm.length} cases`, async () => {
    for (const c of golden.clipGradNorm) {
      const params = c.shapes.map((shape: number[], i: number) => {
        const p = rnam.zeros(shape, { device, requiresGrad: true });
        p.grad = t(c.grads[i], shape);
        return p;
      });
      const norm = rnam.clipGradNorm(params, c.maxNorm);
      assertClose([await norm.item()], [c.totalNorm], `${c.name} total norm`);
      for (const [i, p] of params.entries()) assertClose(await p.grad!.toArray(), c.clipped[i], `${c.name} clipped grad ${i}`);
    }
  });

});
