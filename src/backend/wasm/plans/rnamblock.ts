// The fused RNAM block (assembly/rnamblock.ts). Both directions cut the (term, batch) sequences into
// calls that keep the SIMD path's quads (four sequences of one term) whole. The backward reduces its
// parameter gradients exactly as the unfused kernels do (see chunked-reduction.ts): the linear ones per term over fixed chunks of REDUCTION_CHUNK_ROWS rows of
// that term, the layer-norm ones over fixed chunks of all rows, each chunk a chain in row order,
// then the chunk partials summed in chunk order by sum_rows. A call owns whole chunks of both kinds
// and whole sequences, and each chunk's chain is walked by the one call that owns it, in row order: the
// same bits however the sequences are cut into calls, so the cut may follow the thread count.
import type { DeviceBuffer } from '../../backend.js';
import type { FamilyPlans } from '../plan.js';
import { chunkCount, REDUCTION_CHUNK_ROWS } from '../chunked-reduction.js';
import { CALLS_PER_THREAD, ptr, type WasmRuntime } from '../runtime.js';

/** assembly/rnamblock-quad.ts's TILE: steps per tile of the quad path's passes. */
const QUAD_TILE = 8;

/** Scratch floats per forward call: the quad path's (assembly/rnamblock-quad.ts), more than the row path's 6 rows of dim. */
export const forwardScratch = (dim: number): number => 20 * QUAD_TILE * dim + 24 * dim + 16;
/** Scratch floats per backward call: the quad path's, more than the row path's du and dhg of a sequence and 10 rows. */
export const backwardScratch = (seq: number, dim: number): number => 24 * seq * dim + 88 * dim + 16;

/**
 * The sequences where a forward call may start without breaking up the SIMD path's quads (four
 * sequences of one term from a multiple of 4 within the term): returns the starts in order, then
 * `groups`.
 */
export function forwardCuts(groups: number, batch: number): number[] {
  const cuts: number[] = [];
  for (let g = 0; g < groups; g++) if ((g % batch) % 4 === 0) cuts.push(g);
  cuts.push(groups);
  return cuts;
}

/**
 * The sequences where a backward call may start: every one whose first row starts a linear chunk of
 * its term and a layer-norm chunk, and that starts a quad (as forwardCuts). Returns the starts in
 * order, then `groups`.
 */
export function backwardCuts(groups: number, batch: number, seq: number, chunkRows: number): number[] {
  const cuts: number[] = [];
  for (let g = 0; g < groups; g++) {
    if ((g % batch) % 4 === 0 && ((g % batch) * seq) % chunkRows === 0 && (g * seq) % chunkRows === 0) cuts.push(g);
  }
  cuts.push(groups);
  return cuts;
}

/**
 * Zeroed chunk slots of one gradient: `groups` results of `size` floats, `chunks` slots each, in
 * (group, chunk) order; the output itself when there is one chunk per group.
 */
function slotsFor(rt: WasmRuntime, out: DeviceBuffer | null, groups: number, chunks: number, size: number): DeviceBuffer | null {
  if (!out) return null;
  const buffer = chunks === 1 ? out : rt.alloc(groups * chunks * size);
  rt.call('fill', { out: ptr(buffer), n: groups * chunks * size, value: 0 });
  return buffer;
}

/** The rows a call runs: every step of every sequence, or with lengths the valid ones (the work's measure). */
function rowsRun(rt: WasmRuntime, lengths: DeviceBuffer | null, groups: number, seq: number): number {
  if (!lengths) return groups * seq;
  let rows = 0;
  for (const n of rt.view(lengths)) rows += n;
  return rows;
}

export const rnamblockPlans: FamilyPlans<'rnamblock'> = {
  rnam_block_forward(rt, { x, wg, lnw, lnb, w1, b1, w2, b2, h, out, lengths, hz, terms, batch, seq, dim, eps }) {
    const groups = terms * batch;
    const cuts = forwardCuts(groups, batch);
    const scratch = rt.scratch(rt.parts(rowsRun(rt, lengths, groups, seq) * dim * (4 * dim + 20), cuts.length - 1, CALLS_PER_THREAD), forwardScratch(dim));
    rt.run('rnam_block_forward', rt.splitAt<'rnam_block_forward'>(cuts, scratch.calls, (g0, n, i) => ({
      x: ptr(x), wg: ptr(wg), lnw: ptr(lnw), lnb: ptr(lnb), w1: ptr(w1), b1: ptr(b1), w2: ptr(w2), b2: ptr(b2),
      h: ptr(h), out: ptr(out), lengths: ptr(lengths), hz: ptr(hz), scratch: scratch.at(i), g0, groups: n, batch, seq, dim, eps,
    })));
    rt.free(scratch.buffer);
  },

  rnam_block_backward(rt, { x, h, dout, wg, lnw, lnb, w1, b1, w2, dx, dwg, dlnw, dlnb, dw1, db1, dw2, db2, lengths, hz, terms, batch, seq, dim, eps }) {
    const groups = terms * batch, chunkRows = REDUCTION_CHUNK_ROWS;
    const linChunks = chunkCount(batch * seq, chunkRows), lnChunks = chunkCount(groups * seq, chunkRows);
    const lin = (out: DeviceBuffer | null, size: number) => ({ out, size, slots: slotsFor(rt, out, terms, linChunks, size) });
    const ln = (out: DeviceBuffer | null) => ({ out, size: dim, slots: slotsFor(rt, out, 1, lnChunks, dim) });
    const g = { dwg: lin(dwg, 2 * dim * dim), dw1: lin(dw1, dim * dim), db1: lin(db1, dim), dw2: lin(dw2, dim * dim), db2: lin(db2, dim) };
    const n = { dlnw: ln(dlnw), dlnb: ln(dlnb) };

    // Units between cuts never split a chunk; calls are contiguous runs of units.
    const cuts = backwardCuts(groups, batch, seq, chunkRows);
    // The backward recomputes the forward (given hz, all but the minGRU's projection and z) and then does about twice its work.
    const scratch = rt.scratch(rt.parts(3 * rowsRun(rt, lengths, groups, seq) * dim * (4 * dim + 20), cuts.length - 1, CALLS_PER_THREAD), backwardScratch(seq, dim));
    rt.run('rnam_block_backward', rt.splitAt<'rnam_block_backward'>(cuts, scratch.calls, (g0, count, i) => ({
      x: ptr(x), h: ptr(h), dout: ptr(dout), wg: ptr(wg), lnw: ptr(lnw), lnb: ptr(lnb), w1: ptr(w1), b1: ptr(b1), w2: ptr(w2),
      dx: ptr(dx), dwg: ptr(g.dwg.slots), dlnw: ptr(n.dlnw.slots), dlnb: ptr(n.dlnb.slots), dw1: ptr(g.dw1.slots),
      db1: ptr(g.db1.slots), dw2: ptr(g.dw2.slots), db2: ptr(g.db2.slots), lengths: ptr(lengths), hz: ptr(hz), scratch: scratch.at(i),
      g0, groups: count, batch, seq, dim, chunkRows, linChunks, eps,
    })));
    rt.free(scratch.buffer);

    // The chunk partials, summed in chunk order (as chunkedReduction does).
    for (const { out, size, slots } of Object.values(g)) {
      if (!out || !slots || linChunks === 1) continue;
      for (let t = 0; t < terms; t++) {
        rt.call('sum_rows', { x: ptr(slots, t * linChunks * size), y: ptr(out, t * size), rows: linChunks, inner: size });
      }
      rt.free(slots);
    }
    for (const { out, size, slots } of Object.values(n)) {
      if (!out || !slots || lnChunks === 1) continue;
      rt.call('sum_rows', { x: ptr(slots), y: ptr(out), rows: lnChunks, inner: size });
      rt.free(slots);
    }
  },
};
