// Grouped linear layers (assembly/linear.ts).
import type { WasmArgs } from '../../../kernels/types.js';
import type { FamilyPlans } from '../plan.js';
import { chunkedReduction, REDUCTION_CHUNK_ROWS } from '../chunked-reduction.js';
import { part, ptr } from '../runtime.js';

export const linearPlans: FamilyPlans<'linear'> = {
  linear_forward(rt, { x, w, b, y, terms, rows, inDim, outDim }) {
    // Per term, rows cut into parts: every output element is computed the same way in any split.
    const work = 2 * terms * rows * inDim * outDim;
    const perTerm = Math.ceil(rt.parts(work, terms * rows) / terms);
    const calls: WasmArgs<'linear_forward'>[] = [];
    for (let t = 0; t < terms; t++) {
      for (let i = 0; i < perTerm; i++) {
        const [r0, r1] = part(rows, perTerm, i);
        if (r1 === r0) continue;
        calls.push({ x: ptr(x, (t * rows + r0) * inDim), w: ptr(w, t * inDim * outDim), b: ptr(b, t * outDim),
          y: ptr(y, (t * rows + r0) * outDim), terms: 1, rows: r1 - r0, inDim, outDim });
      }
    }
    rt.run('linear_forward', calls, work);
  },

  linear_backward(rt, { x, w, dy, dx, dw, db, terms, rows, inDim, outDim }) {
    // dx is written in place, dw and db reduced over the rows of each term.
    chunkedReduction(rt, {
      kernel: 'linear_backward', rows, chunkRows: REDUCTION_CHUNK_ROWS, groups: terms, work: 4 * terms * rows * inDim * outDim,
      outputs: [{ buffer: dw, size: inDim * outDim }, { buffer: db, size: outDim }],
      call: ({ group: t, row0, rows: n, out }) => ({
        x: ptr(x, (t * rows + row0) * inDim), w: ptr(w, t * inDim * outDim), dy: ptr(dy, (t * rows + row0) * outDim),
        dx: ptr(dx, (t * rows + row0) * inDim), dw: out(0), db: out(1), terms: 1, rows: n, inDim, outDim,
      }),
    });
  },
};
