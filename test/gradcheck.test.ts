// Gradients by finite differences: autograd's float32 gradients against central differences of the
// float64 reference, for every differentiable op exported by rnam (a meta-test lists any op without
// a case) and through the MinGRU module. The recurrent cells (rnn.test.ts) and the implicit RNN
// (implicit.test.ts) have their finite-difference checks beside their float64 references.
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { readdirSync } from 'node:fs';
import * as rnam from '../src/index.js';
import { forEachBackend } from './helpers/backends.js';
import { linearRef, mingruRef } from './helpers/reference.js';
import { caseInputs, CHECKED_ELSEWHERE, opCases } from './helpers/op-cases.js';
import { assertClose, randomArray } from './helpers/util.js';

/** The differentiable ops rnam exports: every function of src/ops/ that the package root exports. */
async function exportedOps(): Promise<string[]> {
  const names = new Set<string>();
  const exported = new Set<unknown>(Object.values(rnam).filter((v) => typeof v === 'function'));
  for (const file of readdirSync(new URL('../src/ops/', import.meta.url)).filter((f) => f.endsWith('.ts'))) {
    const mod = await import(new URL(`../src/ops/${file}`, import.meta.url).href) as Record<string, unknown>;
    for (const [name, value] of Object.entries(mod)) if (typeof value === 'function' && exported.has(value)) names.add(name);
  }
  return [...names].sort();
}

/** d(sum(f(v) * weights))/dv by central differences in float64. */
function numericGrad(f: (v: Float64Array) => ArrayLike<number>, at: Float32Array, weights: ArrayLike<number>, eps = 1e-6): Float64Array {
  const v = Float64Array.from(at);
  const grad = new Float64Array(v.length);
  const objective = () => {
    const y = f(v);
    let s = 0;
    for (let i = 0; i < y.length; i++) s += y[i] * weights[i];
    return s;
  };
  for (let i = 0; i < v.length; i++) {
    const keep = v[i];
    v[i] = keep + eps;
    const up = objective();
    v[i] = keep - eps;
    const down = objective();
    v[i] = keep;
    grad[i] = (up - down) / (2 * eps);
  }
  return grad;
}

const covered = new Set(['linear', 'mingruScan', 'reshape', 'slice', 'cat', 'split', ...Object.keys(CHECKED_ELSEWHERE)]);
for (const c of opCases()) covered.add(c.op);

const coverage = suite('gradient check coverage');
coverage('every differentiable op rnam exports has a finite-difference check', async () => {
  const missing = (await exportedOps()).filter((op) => !covered.has(op));
  assert.equal(missing, [], `ops without a gradient check: ${missing.join(', ')}`);
});
coverage.run();

await forEachBackend('finite-difference gradient checks', async (test, device) => {
  const opts = (requiresGrad = true) => ({ device, requiresGrad });

  test('every elementwise, reduction, layer-norm, loss and transpose op: each input', async () => {
    const gen = new rnam.Generator(25);
    for (const c of opCases()) {
      const values = caseInputs(c, gen);
      const tensors = values.map((v, i) => rnam.tensor(v, c.inputs[i].shape, opts()));
      const y = c.run(tensors);
      const dy = randomArray(gen, y.numel);
      y.backward(rnam.tensor(dy, y.shape, { device }));
      assertClose(await y.toArray(), c.ref(values), `${c.what} forward`, 1e-4, 1e-5);
      const [rtol, atol] = c.tol ?? [1e-4, 1e-5];
      for (let i = 0; i < values.length; i++) {
        const expected = numericGrad((v) => c.ref(values.map((w, j) => (j === i ? v : w))), values[i], dy);
        assertClose(await tensors[i].grad!.toArray(), expected, `${c.what} d(input ${i})`, rtol, atol);
      }
    }
  });

  test('linear: input, weight and bias', async () => {
    const gen = new rnam.Generator(21);
    for (const [terms, rows, inDim, outDim] of [[1, 1, 1, 1], [2, 5, 3, 7], [3, 4, 9, 5], [8, 3, 8, 16]]) {
      const x = randomArray(gen, terms * rows * inDim), w = randomArray(gen, terms * inDim * outDim), b = randomArray(gen, terms * outDim);
      const dy = randomArray(gen, terms * rows * outDim);
      const tx = rnam.tensor(x, [terms, rows, inDim], opts()), tw = rnam.tensor(w, [terms, inDim, outDim], opts());
      const tb = rnam.tensor(b, [terms, 1, outDim], opts());
      rnam.linear(tx, tw, tb).backward(rnam.tensor(dy, [terms, rows, outDim], { device }));
      const what = `linear ${terms}x${rows}x${inDim}->${outDim}`;
      assertClose(await tx.grad!.toArray(), numericGrad((v) => linearRef(v, w, b, terms, rows, inDim, outDim), x, dy), `${what} dx`, 1e-4, 1e-5);
      assertClose(await tw.grad!.toArray(), numericGrad((v) => linearRef(x, v, b, terms, rows, inDim, outDim), w, dy), `${what} dw`, 1e-4, 1e-5);
      assertClose(await tb.grad!.toArray(), numericGrad((v) => linearRef(x, w, v, terms, rows, inDim, outDim), b, dy), `${what} db`, 1e-4, 1e-5);
    }
  });

  test('mingruScan: hidden-and-gate input and h0', async () => {
    const gen = new rnam.Generator(22);
    for (const [terms, batch, seq, dim] of [[1, 1, 1, 1], [1, 2, 6, 3], [2, 2, 9, 5], [2, 1, 4, 8]]) {
      const groups = terms * batch;
      const hg = randomArray(gen, groups * seq * 2 * dim, -2, 2), h0 = randomArray(gen, groups * dim);
      const dh = randomArray(gen, groups * seq * dim);
      const thg = rnam.tensor(hg, [terms, batch, seq, 2 * dim], opts()), th0 = rnam.tensor(h0, [terms, batch, 1, dim], opts());
      rnam.mingruScan(thg, th0).backward(rnam.tensor(dh, [terms, batch, seq, dim], { device }));
      const what = `mingruScan ${terms}x${batch}x${seq}x${dim}`;
      assertClose(await thg.grad!.toArray(), numericGrad((v) => mingruRef(v, h0, groups, seq, dim), hg, dh), `${what} dhg`, 1e-4, 1e-5);
      assertClose(await th0.grad!.toArray(), numericGrad((v) => mingruRef(hg, v, groups, seq, dim), h0, dh), `${what} dh0`, 1e-4, 1e-5);
    }
  });

  test('split routes each piece\'s gradient to its rows, zeros for a piece left out', async () => {
    const gen = new rnam.Generator(24);
    const a = randomArray(gen, 2 * 6 * 3), dy0 = randomArray(gen, 2 * 2 * 3), dy2 = randomArray(gen, 2 * 2 * 3);
    const ta = rnam.tensor(a, [2, 6, 3], opts());
    const [p0, , p2] = rnam.split(ta, 1, 3);
    // y = sum(p0 * dy0) + sum(p2 * dy2): the middle piece gets no gradient
    rnam.add(rnam.sum(rnam.mul(p0, rnam.tensor(dy0, [2, 2, 3], { device }))), rnam.sum(rnam.mul(p2, rnam.tensor(dy2, [2, 2, 3], { device })))).backward();
    const f = (av: ArrayLike<number>) => {
      let y = 0;
      for (let t = 0; t < 2; t++) for (let r = 0; r < 2; r++) for (let c = 0; c < 3; c++) y += av[(t * 6 + r) * 3 + c] * dy0[(t * 2 + r) * 3 + c] + av[(t * 6 + 4 + r) * 3 + c] * dy2[(t * 2 + r) * 3 + c];
      return Float64Array.of(y);
    };
    assertClose(await p2.toArray(), Float64Array.from({ length: 12 }, (_, i) => a[(Math.floor(i / 6) * 6 + 4 + Math.floor((i % 6) / 3)) * 3 + (i % 3)]), 'split forward');
    assertClose(await ta.grad!.toArray(), numericGrad(f, a, Float64Array.of(1)), 'split da');
  });

  test('slice, cat, add and reshape route gradients', async () => {
    const gen = new rnam.Generator(23);
    const a = randomArray(gen, 2 * 5 * 3), b = randomArray(gen, 2 * 2 * 3), dy = randomArray(gen, 2 * 4 * 3);
    const ta = rnam.tensor(a, [2, 5, 3], opts()), tb = rnam.tensor(b, [2, 2, 3], opts());
    // y = cat([a[:, 1:3], b], 1) + cat([b, a[:, 3:5]], 1), reshaped and back
    const y = rnam.add(rnam.cat([rnam.slice(ta, 1, 1, 3), tb], 1), rnam.cat([tb, rnam.slice(ta, 1, -2)], 1)).reshape(8, 3).reshape([2, 4, 3]);
    y.backward(rnam.tensor(dy, [2, 4, 3], { device }));
    const f = (av: ArrayLike<number>, bv: ArrayLike<number>) => {
      const out = new Float64Array(24);
      for (let t = 0; t < 2; t++)
        for (let r = 0; r < 4; r++)
          for (let c = 0; c < 3; c++) {
            const left = r < 2 ? av[(t * 5 + 1 + r) * 3 + c] : bv[(t * 2 + r - 2) * 3 + c];
            const right = r < 2 ? bv[(t * 2 + r) * 3 + c] : av[(t * 5 + 3 + r - 2) * 3 + c];
            out[(t * 4 + r) * 3 + c] = left + right;
          }
      return out;
    };
    assertClose(await y.toArray(), f(a, b), 'forward');
    assertClose(await ta.grad!.toArray(), numericGrad((v) => f(v, b), a, dy), 'da');
    assertClose(await tb.grad!.toArray(), numericGrad((v) => f(a, v), b, dy), 'db');
  });

  test('MinGRU module with expansion 2: input, prevHidden and both weights', async () => {
    const gen = new rnam.Generator(24);
    const [terms, batch, seq, dim, inner] = [2, 2, 5, 3, 6];
    const gru = new rnam.MinGRU(terms, dim, { expansionFactor: 2 }).to(device);
    const [wHG, wOut] = await Promise.all(gru.parameters().map((p) => p.toArray()));
    const x = randomArray(gen, terms * batch * seq * dim), h0 = randomArray(gen, terms * batch * inner, 0.05, 1);
    const dy = randomArray(gen, x.length);
    const tx = rnam.tensor(x, [terms, batch, seq, dim], opts()), th0 = rnam.tensor(h0, [terms, batch, 1, inner], opts());
    gru.forward(tx, th0)[0].backward(rnam.tensor(dy, tx.shape, { device }));
    const f = (xv: ArrayLike<number>, h0v: ArrayLike<number>, w1: ArrayLike<number>, w2: ArrayLike<number>) => {
      const hg = linearRef(xv, w1, null, terms, batch * seq, dim, 2 * inner);
      const h = mingruRef(hg, h0v, terms * batch, seq, inner);
      return linearRef(h, w2, null, terms, batch * seq, inner, dim);
    };
    assertClose(await tx.grad!.toArray(), numericGrad((v) => f(v, h0, wHG, wOut), x, dy), 'dx', 1e-4, 1e-5);
    assertClose(await th0.grad!.toArray(), numericGrad((v) => f(x, v, wHG, wOut), h0, dy), 'dprevHidden', 1e-4, 1e-5);
    assertClose(await gru.toHiddenAndGate.weight.grad!.toArray(), numericGrad((v) => f(x, h0, v, wOut), wHG, dy), 'dto_hidden_and_gate', 1e-4, 1e-5);
    assertClose(await gru.toOut!.weight.grad!.toArray(), numericGrad((v) => f(x, h0, wHG, v), wOut, dy), 'dto_out', 1e-4, 1e-5);
  });

});
