// PyTorch golden cases of the op table (test/helpers/op-cases.ts rows that name a PyTorch
// expression; test/fixtures/op_golden.json, written by test/golden/make_op_fixtures.py with
// Debian's python3-torch in float64): each op's output and input gradients on every backend.
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { readFileSync } from 'node:fs';
import * as rnam from '../src/index.js';
import { forEachBackend } from './helpers/backends.js';
import { opCases } from './helpers/op-cases.js';
import { assertClose } from './helpers/util.js';

interface GoldenCase { what: string; torch: string; shapes: number[][]; inputs: number[][]; dy: number[]; y: number[]; grads: number[][] }
const fixtures = JSON.parse(readFileSync(new URL('./fixtures/op_golden.json', import.meta.url), 'utf8')) as { torch: string; cases: GoldenCase[] };
const golden = new Map(fixtures.cases.map((c) => [c.what, c]));
const cases = opCases().filter((c) => c.torch);

const coverage = suite('op golden fixtures');
coverage('every op-table row with a PyTorch expression has its fixture (else run npm run golden)', () => {
  const stale = cases.filter((c) => golden.get(c.what)?.torch !== c.torch).map((c) => c.what);
  assert.equal(stale, [], `rows without an up-to-date fixture: ${stale.join('; ')}`);
});
coverage.run();

await forEachBackend(`PyTorch ${fixtures.torch} golden cases of the op table`, async (test, device) => {
  test(`${cases.length} ops: output and every input gradient`, async () => {
    for (const c of cases) {
      const g = golden.get(c.what);
      if (!g) continue; // reported by the fixture test above
      const xs = g.inputs.map((v, i) => rnam.tensor(v, g.shapes[i], { device, requiresGrad: true }));
      const y = c.run(xs);
      y.backward(rnam.tensor(g.dy, y.shape, { device }));
      const [rtol, atol] = c.tol ?? [1e-4, 1e-5];
      assertClose(await y.toArray(), g.y, `${c.what} vs ${g.torch}`, rtol, atol);
      for (let i = 0; i < xs.length; i++) assertClose(await xs[i].grad!.toArray(), g.grads[i], `${c.what} d(input ${i}) vs PyTorch`, rtol, atol);
    }
  });
});
