// PyTorch golden cases for SimpleRNN, GRU and LSTM (test/fixtures/rnn_golden.json, written by
// test/golden/make_rnn_fixtures.py from torch's nn.RNN / nn.GRU / nn.LSTM in float64): PyTorch's
// parameters load through loadStateDict unchanged; forward outputs, hN, cN and the gradients of the
// input, the initial states and every parameter agree within rtol 1e-4 / atol 1e-5.
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { readFileSync } from 'node:fs';
import * as rnam from '../src/index.js';
import { forEachBackend } from './helpers/backends.js';
import { assertClose } from './helpers/util.js';

interface Case {
  name: string; kind: 'rnn' | 'gru' | 'lstm'; nonlinearity: 'tanh' | 'relu'; inputSize: number; hiddenSize: number;
  numLayers: number; bias: boolean; batchFirst: boolean; seq: number; batch: number; inputShape: number[];
  x: number[]; h0: number[] | null; c0: number[] | null;
  params: Record<string, number[]>; paramShapes: Record<string, number[]>;
  out: number[]; hN: number[]; cN: number[] | null; dOut: number[]; dhN: number[]; dcN: number[] | null;
  dx: number[]; dh0: number[] | null; dc0: number[] | null; grads: Record<string, number[]>;
}

const fixtures = JSON.parse(readFileSync(new URL('./fixtures/rnn_golden.json', import.meta.url), 'utf8')) as
  { torch: string; cases: Case[] };

function build(c: Case): rnam.SimpleRNN | rnam.GRU | rnam.LSTM {
  const options = { inputSize: c.inputSize, hiddenSize: c.hiddenSize, numLayers: c.numLayers, bias: c.bias, batchFirst: c.batchFirst };
  if (c.kind === 'rnn') return new rnam.SimpleRNN({ ...options, nonlinearity: c.nonlinearity });
  return c.kind === 'gru' ? new rnam.GRU(options) : new rnam.LSTM(options);
}

await forEachBackend(`PyTorch ${fixtures.torch} nn.RNN / nn.GRU / nn.LSTM golden cases`, async (test, device) => {

  for (const kind of ['rnn', 'gru', 'lstm'] as const) {
    const cases = fixtures.cases.filter((c) => c.kind === kind);
    test(`${kind}: ${cases.length} cases (multi-layer, batch-first, initial states, relu/tanh, bias off), forward and backward`, async () => {
      assert.ok(cases.length >= 6);
      for (const c of cases) {
        const m = build(c).to(device);
        // PyTorch's state dict, names and shapes as saved, through the strict loader.
        const state: Record<string, rnam.Tensor> = {};
        for (const [name, values] of Object.entries(c.params)) state[name] = rnam.tensor(values, c.paramShapes[name], { device });
        m.loadStateDict(state);
        const stateShape = [c.numLayers, c.batch, c.hiddenSize];
        const x = rnam.tensor(c.x, c.inputShape, { device, requiresGrad: true });
        const h0 = c.h0 ? rnam.tensor(c.h0, stateShape, { device, requiresGrad: true }) : null;
        const c0 = c.c0 ? rnam.tensor(c.c0, stateShape, { device, requiresGrad: true }) : null;
        let out: rnam.Tensor, hN: rnam.Tensor, cN: rnam.Tensor | null = null;
        if (m instanceof rnam.LSTM) [out, [hN, cN]] = m.forward(x, h0 ? [h0, c0] : null);
        else [out, hN] = m.forward(x, h0);
        assertClose(await out.toArray(), c.out, `${c.name}: output`);
        assertClose(await hN.toArray(), c.hN, `${c.name}: hN`);
        if (cN) assertClose(await cN.toArray(), c.cN!, `${c.name}: cN`);
        // loss = sum(out dOut) + sum(hN dhN) (+ sum(cN dcN)), as the fixture script backpropagates
        const parts = [out.reshape(-1), hN.reshape(-1), ...(cN ? [cN.reshape(-1)] : [])];
        const all = rnam.cat(parts, 0);
        all.backward(rnam.tensor([...c.dOut, ...c.dhN, ...(c.dcN ?? [])], all.shape, { device }));
        assertClose(await x.grad!.toArray(), c.dx, `${c.name}: dx`);
        if (h0) assertClose(await h0.grad!.toArray(), c.dh0!, `${c.name}: dh0`);
        if (c0) assertClose(await c0.grad!.toArray(), c.dc0!, `${c.name}: dc0`);
        for (const [name, p] of m.namedParameters()) assertClose(await p.grad!.toArray(), c.grads[name], `${c.name}: d${name}`);
      }
    });
  }

});
