// PyTorch golden cases for the masked recurrences (test/fixtures/masked_golden.json, written by
// test/golden/make_masked_fixtures.py in float64): nn.RNN / nn.GRU / nn.LSTM on right-padded
// batches through pack_padded_sequence (zero outputs at padded steps, hN / cN at each sequence's
// last valid step), and rnam's minGRU run per sequence length (the state carried over padding).
// The padding holds large garbage values. Outputs, final states and the gradients of the input,
// the initial states and every parameter agree within rtol 1e-4 / atol 1e-5, on every backend.
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { readFileSync } from 'node:fs';
import * as rnam from '../src/index.js';
import { forEachBackend } from './helpers/backends.js';
import { assertClose } from './helpers/util.js';

interface RnnCase {
  name: string; kind: 'rnn' | 'gru' | 'lstm'; nonlinearity: 'tanh' | 'relu'; inputSize: number; hiddenSize: number;
  numLayers: number; bias: boolean; batchFirst: boolean; seq: number; batch: number; lengths: number[]; inputShape: number[];
  x: number[]; h0: number[] | null; c0: number[] | null;
  params: Record<string, number[]>; paramShapes: Record<string, number[]>;
  out: number[]; hN: number[]; cN: number[] | null; dOut: number[]; dhN: number[]; dcN: number[] | null;
  dx: number[]; dh0: number[] | null; dc0: number[] | null; grads: Record<string, number[]>;
}
interface MinGRUCase {
  name: string; terms: number; dim: number; expansionFactor: number; seq: number; batch: number; lengths: number[];
  x: number[]; h0: number[] | null; params: Record<string, number[]>;
  out: number[]; last: number[]; dOut: number[]; dLast: number[]; dx: number[]; dh0: number[] | null; grads: Record<string, number[]>;
}

const fixtures = JSON.parse(readFileSync(new URL('./fixtures/masked_golden.json', import.meta.url), 'utf8')) as
  { torch: string; rnn: RnnCase[]; mingru: MinGRUCase[] };

function build(c: RnnCase): rnam.SimpleRNN | rnam.GRU | rnam.LSTM {
  const options = { inputSize: c.inputSize, hiddenSize: c.hiddenSize, numLayers: c.numLayers, bias: c.bias, batchFirst: c.batchFirst };
  if (c.kind === 'rnn') return new rnam.SimpleRNN({ ...options, nonlinearity: c.nonlinearity });
  return c.kind === 'gru' ? new rnam.GRU(options) : new rnam.LSTM(options);
}

await forEachBackend(`PyTorch ${fixtures.torch} masked recurrences (pack_padded_sequence, per-length minGRU)`, async (test, device) => {

  for (const kind of ['rnn', 'gru', 'lstm'] as const) {
    const cases = fixtures.rnn.filter((c) => c.kind === kind);
    test(`${kind}: ${cases.length} padded batches vs pack_padded_sequence (multi-layer, both layouts, initial states), forward and backward`, async () => {
      assert.ok(cases.length >= 3);
      for (const c of cases) {
        const m = build(c).to(device);
        const state: Record<string, rnam.Tensor> = {};
        for (const [name, values] of Object.entries(c.params)) state[name] = rnam.tensor(values, c.paramShapes[name], { device });
        m.loadStateDict(state);
        const stateShape = [c.numLayers, c.batch, c.hiddenSize];
        const x = rnam.tensor(c.x, c.inputShape, { device, requiresGrad: true });
        const h0 = c.h0 ? rnam.tensor(c.h0, stateShape, { device, requiresGrad: true }) : null;
        const c0 = c.c0 ? rnam.tensor(c.c0, stateShape, { device, requiresGrad: true }) : null;
        let out: rnam.Tensor, hN: rnam.Tensor, cN: rnam.Tensor | null = null;
        if (m instanceof rnam.LSTM) [out, [hN, cN]] = m.forward(x, h0 ? [h0, c0] : null, c.lengths);
        else [out, hN] = m.forward(x, h0, c.lengths);
        assertClose(await out.toArray(), c.out, `${c.name}: output`);
        assertClose(await hN.toArray(), c.hN, `${c.name}: hN`);
        if (cN) assertClose(await cN.toArray(), c.cN!, `${c.name}: cN`);
        const all = rnam.cat([out.reshape(-1), hN.reshape(-1), ...(cN ? [cN.reshape(-1)] : [])], 0);
        all.backward(rnam.tensor([...c.dOut, ...c.dhN, ...(c.dcN ?? [])], all.shape, { device }));
        assertClose(await x.grad!.toArray(), c.dx, `${c.name}: dx`);
        if (h0) assertClose(await h0.grad!.toArray(), c.dh0!, `${c.name}: dh0`);
        if (c0) assertClose(await c0.grad!.toArray(), c.dc0!, `${c.name}: dc0`);
        for (const [name, p] of m.namedParameters()) assertClose(await p.grad!.toArray(), c.grads[name], `${c.name}: d${name}`);
      }
    });
  }

  test(`minGRU: ${fixtures.mingru.length} padded batches vs per-length runs (terms, expansion factor, prevHidden), forward and backward`, async () => {
    assert.ok(fixtures.mingru.length >= 3);
    for (const c of fixtures.mingru) {
      const m = new rnam.MinGRU(c.terms, c.dim, { expansionFactor: c.expansionFactor }).to(device);
      const inner = Math.trunc(c.dim * c.expansionFactor);
      const shapes: Record<string, number[]> = { 'to_hidden_and_gate.weight': [c.terms, c.dim, 2 * inner], 'to_out.weight': [c.terms, inner, c.dim] };
      const state: Record<string, rnam.Tensor> = {};
      for (const [name, values] of Object.entries(c.params)) state[name] = rnam.tensor(values, shapes[name], { device });
      m.loadStateDict(state);
      const x = rnam.tensor(c.x, [c.terms, c.batch, c.seq, c.dim], { device, requiresGrad: true });
      const h0 = c.h0 ? rnam.tensor(c.h0, [c.terms, c.batch, 1, inner], { device, requiresGrad: true }) : null;
      const [out, last] = m.forward(x, h0, c.lengths);
      assertClose(await out.toArray(), c.out, `${c.name}: output`);
      assertClose(await last.toArray(), c.last, `${c.name}: lastHidden`);
      const all = rnam.cat([out.reshape(-1), last.reshape(-1)], 0);
      all.backward(rnam.tensor([...c.dOut, ...c.dLast], all.shape, { device }));
      assertClose(await x.grad!.toArray(), c.dx, `${c.name}: dx`);
      if (h0) assertClose(await h0.grad!.toArray(), c.dh0!, `${c.name}: dh0`);
      for (const [name, p] of m.namedParameters()) assertClose(await p.grad!.toArray(), c.grads[name], `${c.name}: d${name}`);
    }
  });

});
