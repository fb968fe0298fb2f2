// Layer norm over the last dim (assembly/layernorm.ts): rows are independent; dw and db are reduced.
import type { FamilyPlans } from '../plan.js';
import { chunkedReduction, REDUCTION_CHUNK_ROWS } from '../chunked-reduction.js';
import { ptr } from '../runtime.js';

export const layernormPlans: FamilyPlans<'layernorm'> = {
  layer_norm_forward(rt, { x, w, b, y, mean, rstd, rows, dim, eps }) {
    rt.run('layer_norm_forward', rt.split(rows, 8 * dim, (r0, n) => ({
      x: ptr(x, r0 * dim), w: ptr(w), b: ptr(b), y: ptr(y, r0 * dim), mean: ptr(mean, r0), rstd: ptr(rstd, r0), rows: n, dim, eps,
    })));
  },

  layer_norm_backward(rt, { x, w, mean, rstd, dy, dx, dw, db, rows, dim, eps }) {
    chunkedReduction(rt, {
      kernel: 'layer_norm_backward', rows, chunkRows: REDUCTION_CHUNK_ROWS, work: 16 * rows * dim,
      outputs: [{ buffer: dw, size: dim }, { buffer: db, size: dim }],
      call: ({ row0, rows: n, out }) => ({
        x: ptr(x, row0 * dim), w: ptr(w), mean: ptr(mean, row0), rstd: ptr(rstd, row0), dy: ptr(dy, row0 * dim),
        dx: ptr(dx, row0 * dim), dw: out(0), db: out(1), rows: n, dim, eps,
      }),
    });
  },
};
