// fit stops before a non-finite loss or gradient reaches the weights, on every backend: the
// optimizer's update kernels skip when flag_nonfinite (run over the loss and every gradient on the
// device) has flagged the step, and fit reads that flag with the loss, or at the epoch's end.
import * as assert from 'uvu/assert';
import * as rnam from '../src/index.js';
import { forEachBackend } from './helpers/backends.js';
import { assertBitwiseEqual } from './helpers/util.js';

function setup(dev: rnam.Backend, samples: number) {
  rnam.manualSeed(5);
  const model = new rnam.FirstOrderRNAM({ terms: 2, hiddenDim: 3, outDim: 1, blocks: 1 }).to(dev);
  const gen = new rnam.Generator(9);
  const ds: rnam.SequenceDataset = { terms: 2, samples, seq: 4, featureDim: 1, outDim: 1,
    features: gen.fillNormal(new Float32Array(2 * samples * 4)), targets: gen.fillNormal(new Float32Array(samples)) };
  return { model, ds, optimizer: new rnam.AdamW(model.parameters(), { lr: 0.05 }) };
}

async function weights(model: rnam.Module): Promise<Float32Array[]> {
  return Promise.all(model.parameters().map((p) => p.toArray()));
}

async function fitError(run: () => Promise<unknown>): Promise<Error> {
  try {
    await run();
  } catch (err) {
    return err as Error;
  }
  return assert.unreachable('fit did not throw') as never;
}

await forEachBackend('fit: the non-finite guard', (test, dev) => {
  test(`a NaN feature in step 3: NonFiniteError naming epoch 1, step 3; the weights bitwise those after step 2 (${dev.kind})`, async () => {
    // The reference: the same model trained on the two clean batches only.
    const ref = setup(dev, 8);
    await rnam.fit(ref.model, ref.ds, { epochs: 1, batchSize: 4, shuffle: false, optimizer: ref.optimizer, log: null });
    const want = await weights(ref.model);
    const { model, ds, optimizer } = setup(dev, 12);
    ds.features.set(ref.ds.features.subarray(0, 32), 0); // term 0, samples 0..7 as in the reference
    ds.features.set(ref.ds.features.subarray(32, 64), 48); // term 1
    ds.targets.set(ref.ds.targets, 0);
    ds.features[48 + 9 * 4 + 2] = NaN; // term 1, sample 9: the third batch
    const err = await fitError(() => rnam.fit(model, ds, { epochs: 2, batchSize: 4, shuffle: false, optimizer, log: null }));
    assert.instance(err, rnam.NonFiniteError);
    assert.match(err.message, /epoch 1, step 3\b/);
    const got = await weights(model);
    got.forEach((w, i) => assertBitwiseEqual(w, want[i], `parameter ${i}`));
  });

  test(`a finite loss with NaN gradients (sqrt at 0): NonFiniteError at the epoch's end naming epoch 1, step 1; the weights untouched (${dev.kind})`, async () => {
    const { model, ds, optimizer } = setup(dev, 8);
    const before = await weights(model);
    const loss = (a: rnam.Tensor, b: rnam.Tensor) => rnam.sqrt(rnam.mulScalar(rnam.mseLoss(a, b), 0)); // 0, with d/dx = 0 * Inf = NaN
    const err = await fitError(() => rnam.fit(model, ds, { epochs: 3, batchSize: 4, shuffle: false, optimizer, loss, log: null }));
    assert.instance(err, rnam.NonFiniteError);
    assert.match(err.message, /epoch 1, step 1\b/);
    assert.match(err.message, /weights are those from before it/);
    const got = await weights(model);
    got.forEach((w, i) => assertBitwiseEqual(w, before[i], `parameter ${i}`));
  });

  test(`finite data: the guarded fit gives the same weights as plain optimizer steps (${dev.kind})`, async () => {
    const a = setup(dev, 8);
    await rnam.fit(a.model, a.ds, { epochs: 1, batchSize: 4, shuffle: false, optimizer: a.optimizer, log: null });
    const b = setup(dev, 8);
    for (const start of [0, 4]) {
      const idx = [0, 1, 2, 3].map((i) => start + i);
      const x = rnam.tensor(Float32Array.from({ length: 2 * 4 * 4 }, (_, k) => b.ds.features[Math.floor(k / 16) * 32 + idx[Math.floor((k % 16) / 4)] * 4 + (k % 4)]), [2, 4, 4, 1], { device: dev });
      const y = rnam.tensor(Float32Array.from(idx, (i) => b.ds.targets[i]), [4, 1], { device: dev });
      b.optimizer.zeroGrad();
      const [yHat] = b.model.forward(x);
      const l = rnam.mseLoss(yHat.reshape(4, 1), y);
      l.backward();
      b.optimizer.step();
      [x, y, yHat, l].forEach((t) => t.dispose());
    }
    const [wa, wb] = [await weights(a.model), await weights(b.model)];
    wa.forEach((w, i) => assertBitwiseEqual(w, wb[i], `parameter ${i}`));
  });
});
