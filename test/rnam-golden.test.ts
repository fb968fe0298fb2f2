// The whole FirstOrderRNAM against PyTorch (test/golden/make_rnam_fixtures.py): PyTorch's state
// dict loaded unchanged from safetensors, outputs, per-term contributions, the loss, every
// parameter's gradient, and the parameters after one and two AdamW steps.
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { readFileSync, readdirSync } from 'node:fs';
import * as rnam from '../src/index.js';
import { forEachBackend } from './helpers/backends.js';
import { assertClose } from './helpers/util.js';

const dir = new URL('./fixtures/rnam/', import.meta.url);
const cases = readdirSync(dir).filter((f) => f.endsWith('.model.safetensors')).map((f) => f.replace('.model.safetensors', '')).sort();

async function values(t: rnam.Tensor): Promise<Float32Array> {
  return t.toArray();
}

await forEachBackend('FirstOrderRNAM PyTorch golden cases', async (test, device) => {

  test(`${cases.length} cases: forward, contributions, loss, gradients, two AdamW steps`, async () => {
    assert.ok(cases.length >= 6, 'fixtures missing');
    for (const name of cases) {
      const state = rnam.safetensors.parse(readFileSync(new URL(`${name}.model.safetensors`, dir)), { device });
      const io = rnam.safetensors.parse(readFileSync(new URL(`${name}.io.safetensors`, dir)), { device }).tensors;
      const m = state.metadata;
      const model = new rnam.FirstOrderRNAM({ terms: +m.terms, hiddenDim: +m.hidden_dim, outDim: +m.out_dim, blocks: +m.blocks }).to(device);
      model.loadStateDict(state.tensors); // strict: every PyTorch name must match
      const what = `${name} (${m.terms} terms, hidden ${m.hidden_dim}, out ${m.out_dim}, ${m.blocks} blocks, batch ${m.batch}, seq ${m.seq})`;

      const optimizer = new rnam.AdamW(model.parameters(), { lr: +m.lr, weightDecay: +m.weight_decay });
      for (const [round, suffix] of [[1, ''], [2, '2']] as const) {
        optimizer.zeroGrad();
        const [yHat, contributions] = model.forward(io.x);
        const loss = rnam.mseLoss(yHat, io.y);
        if (round === 1) {
          assertClose(await values(yHat), await values(io.y_hat), `${what} y_hat`);
          assertClose(await values(contributions), await values(io.contributions), `${what} contributions`);
        }
        assertClose(await values(loss), await values(io[`loss${suffix}`]), `${what} loss${suffix}`);
        loss.backward();
        for (const [pname, p] of model.namedParameters()) {
          assertClose(await values(p.grad!), await values(io[`grad${suffix}.${pname}`]), `${what} grad${suffix}.${pname}`);
        }
        // AdamW on our own gradients. Where PyTorch's gradient is tiny next to the largest one the
        // float32 gradient's sign is noise, and AdamW's first steps (about lr * sign(g)) amplify it
        // for any float32 implementation (PyTorch's own float32 run differs there too), so those
        // elements are compared in the next test, which feeds PyTorch's gradients.
        const golden = new Map<string, Float32Array>();
        for (const [pname] of model.namedParameters()) golden.set(pname, await values(io[`grad${suffix}.${pname}`]));
        const largest = Math.max(...[...golden.values()].flatMap((g) => [...g].map(Math.abs)));
        optimizer.step();
        for (const [pname, p] of model.namedParameters()) {
          const got = await values(p), want = await values(io[`after${suffix === '' ? '' : '2'}.${pname}`]);
          const g = golden.get(pname)!;
          const firstGrad = round === 2 ? await values(io[`grad.${pname}`]) : g;
          const reliable = (i: number) => [g[i], firstGrad[i]].every((v) => v === 0 || Math.abs(v) >= 1e-5 * largest);
          const idx = [...got.keys()].filter(reliable);
          assertClose(idx.map((i) => got[i]), idx.map((i) => want[i]), `${what} after AdamW step ${round}: ${pname}`);
        }
      }
    }
  });

  test('AdamW fed PyTorch\'s gradients reproduces PyTorch\'s parameters after one step, every element', async () => {
    for (const name of cases) {
      const state = rnam.safetensors.parse(readFileSync(new URL(`${name}.model.safetensors`, dir)), { device });
      const io = rnam.safetensors.parse(readFileSync(new URL(`${name}.io.safetensors`, dir)), { device }).tensors;
      const m = state.metadata;
      const model = new rnam.FirstOrderRNAM({ terms: +m.terms, hiddenDim: +m.hidden_dim, outDim: +m.out_dim, blocks: +m.blocks }).to(device);
      model.loadStateDict(state.tensors);
      for (const [pname, p] of model.namedParameters()) p.grad = io[`grad.${pname}`];
      new rnam.AdamW(model.parameters(), { lr: +m.lr, weightDecay: +m.weight_decay }).step();
      for (const [pname, p] of model.namedParameters()) {
        assertClose(await values(p), await values(io[`after.${pname}`]), `${name} after.${pname}`);
      }
    }
  });

});
