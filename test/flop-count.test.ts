// The seed model's FLOP and parameter counts used by the roofline (bench/floor/model-cost.ts),
// against a case counted op by op by hand: terms 1, hidden 2, blocks 1, outDim 1, batch 1, seq 2.
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import * as rnam from '../src/index.js';
import { forwardCost, parameterCount, SEED, trainCost } from '../bench/floor/model-cost.js';

const test = suite('flop count');

test('the small case, counted op by op', () => {
  // emb Linear(1 -> 2) + bias, at each of 2 steps: 2 multiplies, 2 bias adds.
  const emb = 2 * (2 + 2);
  // The block's minGRU at both steps: projection 2 -> 4 without bias (per output 2 multiplies,
  // 1 add), then per unit sigmoid(gate), g(hidden), h_prev + z * (h~ - h_prev) (sub, mul, add);
  // the residual u = x + gru(x): 2 adds.
  const gruStep = 4 * (2 + 1) + 2 * (1 + 1 + 3) + 2;
  // The last (only) block's ff at the last step only: LayerNorm(2) = mean (1 add, 1 div), centre
  // (2 subs), variance (2 muls, 1 add, 1 div), 1/sqrt(var + eps) (add, sqrt, div), scale (2 muls),
  // affine (2 muls, 2 adds); Linear(2 -> 2) + bias (4 muls, 2 adds, 2 bias adds); ReLU (2);
  // Linear(2 -> 2) + bias (8); the residual out = x + ff(u) (2).
  const layerNorm = 2 + 2 + 4 + 3 + 2 + 4;
  const ff = layerNorm + 8 + 2 + 8 + 2;
  // proj at the last step: Linear(2 -> 2) + bias (8), ReLU (2), Linear(2 -> 1) + bias (2 muls,
  // 1 add, 1 bias add); the additive layer: 1 term, so only its bias add.
  const head = 8 + 2 + 4 + 1;
  const forward = emb + 2 * gruStep + ff + head;
  assert.is(forward, 108);
  const shape = { terms: 1, hidden: 2, blocks: 1, outDim: 1, batch: 1, seq: 2 };
  assert.is(forwardCost(shape).flops, forward);

  // Parameters: emb w 2 + b 2; minGRU 2 x 4; LayerNorm 2 + 2; two Linear(2 -> 2) 6 each;
  // proj Linear(2 -> 2) 6, Linear(2 -> 1) 3; the additive bias 1.
  const params = 4 + 8 + 4 + 12 + 9 + 1;
  assert.is(parameterCount(shape), params);
  // Training: the forward; MSE on 1 output (sub, square, the mean's div); backward 2x the forward
  // of every layer but emb (1x: no input gradient); AdamW 16 per parameter.
  const loss = 3;
  const train = forward + loss + 2 * (forward - emb + loss) + emb + 16 * params;
  assert.is(train, 933);
  assert.is(trainCost(shape).flops, train);
});

test('parameterCount is the model\'s parameter count', () => {
  for (const [terms, hiddenDim, outDim, blocks] of [[1, 2, 1, 1], [8, 8, 1, 4], [3, 5, 2, 0], [2, 4, 3, 2]]) {
    const model = new rnam.FirstOrderRNAM({ terms, hiddenDim, outDim, blocks });
    const n = model.parameters().reduce((s, p) => s + p.numel, 0);
    assert.is(parameterCount({ terms, hidden: hiddenDim, outDim, blocks }), n, `terms ${terms}, hidden ${hiddenDim}, out ${outDim}, blocks ${blocks}`);
  }
});

test('the seed sizes: linear in batch and seq where the steps dominate', () => {
  const small = forwardCost({ ...SEED, batch: 32, seq: 256 }).flops;
  const large = forwardCost({ ...SEED, batch: 128, seq: 1024 }).flops;
  assert.ok(large / small > 15.9 && large / small < 16);
  assert.ok(trainCost({ ...SEED, batch: 128, seq: 1024 }).flops / large > 2.99);
});

test.run();
