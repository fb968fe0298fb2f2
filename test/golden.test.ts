// PyTorch golden cases (test/fixtures/golden_linear_mingru.json, written by
// test/golden/make_fixtures.py with Debian's python3-torch): Linear and MinGRU modules, forward and
// backward, within rtol 1e-4 / atol 1e-5, on every available backend.
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { readFileSync } from 'node:fs';
import * as rnam from '../src/index.js';
import { forEachBackend } from './helpers/backends.js';
import { assertClose } from './helpers/util.js';

interface LinearCase {
  name: string; terms: number; inDim: number; outDim: number; bias: boolean; inputShape: number[];
  x: number[]; weight: number[]; biasValue: number[] | null; y: number[]; dy: number[];
  dx: number[]; dweight: number[]; dbias: number[] | null;
}
interface MinGRUCase {
  name: string; terms: number; dim: number; expansionFactor: number; dimInner: number; inputShape: number[];
  x: number[]; prevHidden: number[] | null; params: Record<string, number[]>; out: number[]; lastHidden: number[];
  dOut: number[]; dLastHidden: number[]; dx: number[]; dPrevHidden: number[] | null; grads: Record<string, number[]>;
}

const fixtures = JSON.parse(readFileSync(new URL('./fixtures/golden_linear_mingru.json', import.meta.url), 'utf8')) as
  { torch: string; linear: LinearCase[]; mingru: MinGRUCase[] };

/** Loads PyTorch values into a module through loadStateDict, the path users take. */
function load(module: rnam.Module, values: Record<string, number[]>, device: rnam.Backend): void {
  const state: Record<string, rnam.Tensor> = {};
  for (const [name, p] of module.namedParameters()) state[name] = rnam.tensor(values[name], p.shape, { device });
  module.loadStateDict(state);
}

await forEachBackend(`PyTorch ${fixtures.torch} golden cases`, async (test, device) => {

  test(`Linear: ${fixtures.linear.length} cases, forward and backward`, async () => {
    assert.ok(fixtures.linear.length >= 12);
    for (const c of fixtures.linear) {
      const layer = new rnam.Linear(c.terms, c.inDim, c.outDim, { bias: c.bias }).to(device);
      load(layer, c.bias ? { weight: c.weight, bias: c.biasValue! } : { weight: c.weight }, device);
      const x = rnam.tensor(c.x, c.inputShape, { device, requiresGrad: true });
      const y = layer.forward(x);
      assertClose(await y.toArray(), c.y, `${c.name} y`);
      y.backward(rnam.tensor(c.dy, y.shape, { device }));
      assertClose(await x.grad!.toArray(), c.dx, `${c.name} dx`);
      assertClose(await layer.weight.grad!.toArray(), c.dweight, `${c.name} dweight`);
      if (c.bias) assertClose(await layer.bias!.grad!.toArray(), c.dbias!, `${c.name} dbias`);
    }
  });

  test(`MinGRU: ${fixtures.mingru.length} cases (expansion 1, 2, 0.5; with and without prevHidden), forward and backward`, async () => {
    assert.ok(fixtures.mingru.length >= 18);
    for (const c of fixtures.mingru) {
      const gru = new rnam.MinGRU(c.terms, c.dim, { expansionFactor: c.expansionFactor }).to(device);
      assert.is(gru.dimInner, c.dimInner, `${c.name} dimInner`);
      load(gru, c.params, device);
      const [terms, batch] = c.inputShape;
      const x = rnam.tensor(c.x, c.inputShape, { device, requiresGrad: true });
      const h0 = c.prevHidden ? rnam.tensor(c.prevHidden, [terms, batch, 1, c.dimInner], { device, requiresGrad: true }) : null;
      const [out, last] = gru.forward(x, h0);
      assertClose(await out.toArray(), c.out, `${c.name} out`);
      assertClose(await last.toArray(), c.lastHidden, `${c.name} lastHidden`);
      // loss = sum(out * dOut) + sum(last * dLastHidden), as the fixture script backpropagates
      const both = rnam.cat([out.reshape(-1), last.reshape(-1)], 0);
      both.backward(rnam.tensor([...c.dOut, ...c.dLastHidden], both.shape, { device }));
      assertClose(await x.grad!.toArray(), c.dx, `${c.name} dx`);
      if (h0) assertClose(await h0.grad!.toArray(), c.dPrevHidden!, `${c.name} dPrevHidden`);
      for (const [name, p] of gru.namedParameters()) assertClose(await p.grad!.toArray(), c.grads[name], `${c.name} d${name}`);
    }
  });

});
