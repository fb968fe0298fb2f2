// The fused RNAM block on four sequences of one term at once (SIMD builds): lane k of every vector is
// sequence g + k (see lanes.ts), so the block's 8-wide rows keep all four lanes busy. Each lane runs
// the row kernels' operations in their order, and the parameter-gradient chains are walked per
// sequence in row order after each phase (through rowsums.ts, from rows stored back in row layout):
// the results are bitwise those of rnamblock.ts's row path, and so of the unfused kernels.
// Layouts as in rnamblock.ts; wgT, w1T, ... are the term's weights. hz (when given): the quad's
// part of it (its four sequences' rows) holds, per step, the lane rows of hid and z.
import {
  gather4, scatter4, laneLinear, laneLinear2, laneInputGrad, laneAdd, laneRelu, laneNormWeights, laneNorm,
  lo64, hi64, join32, laneMean, scanVectors, scanBackVectors,
} from "./lanes";
import { biasGradPair, weightGrad } from "./rowsums";

// Scratch (floats), mirrored by src/backend/wasm/plans/rnamblock.ts: quadForward 5 lane rows of dim per
// step of a tile (TILE steps), 2 more, the layer norm's float64 xhat and weights (4 lane rows) and its
// stats (20 TILE dim + 24 dim + 16); quadBackward du (seq lane rows), 5 row arrays of 4 sequences,
// 18 lane rows, the layer norm's xhat and weights (4 lane rows) and its stats (24 seq dim + 88 dim + 16).

/** Steps per tile of the quad path's passes (quadForward): the scratch holds a tile's lane rows. */
export const TILE = 8;

// With lengths, the quad runs the steps of its longest sequence; each sequence's rows past its own
// length are then set to 0 (rnamblock.ts).
export function quadForward(
  x: usize, wgT: usize, lnw: usize, lnb: usize, w1T: usize, b1T: usize, w2T: usize, b2T: usize, h: usize, out: usize,
  lengths: usize, hz: usize, scratch: usize, g: i32, seq: i32, dim: i32, eps: f32,
): void {
  const rowB = <usize>dim << 2, laneB = <usize>dim << 4, seqB = <usize>seq * rowB, tile = <usize>TILE;
  // per step of a tile: xl, hg (2), hl, y; then u and the last h of the tile before
  const xl = scratch, hg = xl + tile * laneB, hl = hg + 2 * tile * laneB, y = hl + tile * laneB;
  const u = y + tile * laneB, last = u + laneB;
  const stats = last + laneB, xh = stats + 64, wb = xh + 2 * laneB;
  laneNormWeights(lnw, lnb, wb, dim);
  const s0 = <usize>g * seqB;
  const steps = quadSteps(lengths, g, seq);
  for (let t0 = 0; t0 < steps; t0 += TILE) {
    const n = min(TILE, steps - t0);
    // the tile's hg: in hz, kept for backward, or in scratch
    const hgTile = hz ? hz + s0 * 2 + <usize>t0 * 2 * laneB : hg;
    // Each pass runs over the tile's steps, which are independent except in the scan: the steps'
    // dependency chains (the layer norm's divisions, the linear layers' sums) overlap.
    for (let j = 0; j < n; j++) {
      const off = s0 + <usize>(t0 + j) * rowB;
      gather4(x + off, x + off + seqB, x + off + 2 * seqB, x + off + 3 * seqB, xl + <usize>j * laneB, dim);
    }
    // two steps at a time: each weight splat serves both
    let j = 0;
    for (; j + 2 <= n; j += 2) {
      const xj = xl + <usize>j * laneB, hgj = hgTile + <usize>j * 2 * laneB;
      laneLinear2(xj, xj + laneB, wgT, 0, hgj, hgj + 2 * laneB, dim, 2 * dim);
    }
    if (j < n) laneLinear(xl + <usize>j * laneB, wgT, 0, hgTile + <usize>j * 2 * laneB, dim, 2 * dim);
    for (let j = 0; j < n; j++) {
      const hj = hl + <usize>j * laneB, hgj = hgTile + <usize>j * 2 * laneB, prev = j > 0 ? hj - laneB : (t0 > 0 ? last : 0);
      if (hz) scanVectors(hgj, laneB, prev, hj, dim, true);
      else scanVectors(hgj, laneB, prev, hj, dim, false);
    }
    memory.copy(last, hl + <usize>(n - 1) * laneB, laneB);
    for (let j = 0; j < n; j++) {
      const off = s0 + <usize>(t0 + j) * rowB, hj = hl + <usize>j * laneB;
      scatter4(hj, h + off, h + off + seqB, h + off + 2 * seqB, h + off + 3 * seqB, dim);
      laneAdd(xl + <usize>j * laneB, hj, u, dim);
      laneNorm(u, wb, y + <usize>j * laneB, xh, dim, eps, stats);
    }
    // The feed-forward half, two steps at a time; step j's hidden activation goes in hl's row j and its
    // output in y's row j, both done with.
    for (j = 0; j + 2 <= n; j += 2) {
      const yj = y + <usize>j * laneB, aj = hl + <usize>j * laneB;
      laneLinear2(yj, yj + laneB, w1T, b1T, aj, aj + laneB, dim, dim);
      laneRelu(aj, 2 * dim);
      laneLinear2(aj, aj + laneB, w2T, b2T, yj, yj + laneB, dim, dim);
      ffOut(xl, yj, out, s0, t0 + j, j, seqB, rowB, laneB, dim);
      ffOut(xl, yj + laneB, out, s0, t0 + j + 1, j + 1, seqB, rowB, laneB, dim);
    }
    if (j < n) {
      const yj = y + <usize>j * laneB, aj = hl + <usize>j * laneB;
      laneLinear(yj, w1T, b1T, aj, dim, dim);
      laneRelu(aj, dim);
      laneLinear(aj, w2T, b2T, yj, dim, dim);
      ffOut(xl, yj, out, s0, t0 + j, j, seqB, rowB, laneB, dim);
    }
  }
  for (let k = 0; k < 4; k++) {
    const len = validSteps(lengths, g + k, seq);
    zeroRows(h, g + k, len, seq, dim);
    zeroRows(out, g + k, len, seq, dim);
  }
}

/** The block's output at step t (tile row j): the residual x + ff, scattered to the four sequences' rows. */
// @ts-ignore: decorator
@inline
function ffOut(xl: usize, ff: usize, out: usize, s0: usize, t: i32, j: i32, seqB: usize, rowB: usize, laneB: usize, dim: i32): void {
  const off = s0 + <usize>t * rowB;
  laneAdd(xl + <usize>j * laneB, ff, ff, dim);
  scatter4(ff, out + off, out + off + seqB, out + off + 2 * seqB, out + off + 3 * seqB, dim);
}

/** The steps a quad runs: its longest sequence's (seq without lengths). */
// @ts-ignore: decorator
@inline
function quadSteps(lengths: usize, g: i32, seq: i32): i32 {
  if (!lengths) return seq;
  return max(max(validSteps(lengths, g, seq), validSteps(lengths, g + 1, seq)), max(validSteps(lengths, g + 2, seq), validSteps(lengths, g + 3, seq)));
}

/** Where sequence g + k's rows of a per-quad row array (seq rows of `width` floats per sequence) start. */
// @ts-ignore: decorator
@inline
function rowsOf(base: usize, k: i32, seq: i32, width: i32): usize {
  return base + <usize>k * <usize>seq * (<usize>width << 2);
}

export function quadBackward(
  x: usize, h: usize, dout: usize, wgT: usize, lnw: usize, lnb: usize, w1T: usize, b1T: usize, w2T: usize,
  dx: usize, dwg: usize, dlnw: usize, dlnb: usize, dw1: usize, db1: usize, dw2: usize, db2: usize, lengths: usize, hz: usize, scratch: usize,
  g: i32, term: i32, batch: i32, seq: i32, dim: i32, chunkRows: i32, linChunks: i32, eps: f32,
): void {
  const steps = quadSteps(lengths, g, seq);
  const rowB = <usize>dim << 2, laneB = <usize>dim << 4, seqB = <usize>seq * rowB;
  const sizeG = <usize>dim * 2 * rowB, sizeW = <usize>dim * rowB; // bytes of one term's wg, w1 / w2
  // scratch: du (seq lane rows), then the row arrays (later dhg's rows), then the lane temporaries
  const du = scratch;
  const rowsBase = du + <usize>seq * laneB, rowArray = <usize>4 * seqB;
  const yRows = rowsBase, rRows = yRows + rowArray, da1Rows = rRows + rowArray, lnwRows = da1Rows + rowArray, dy1Rows = lnwRows + rowArray;
  const dhgRows = rowsBase;
  const xl = rowsBase + 5 * rowArray, hl = xl + laneB, dol = hl + laneB, u = dol + laneB, y = u + laneB, r = y + laneB;
  const dr = r + laneB, da1 = dr + laneB, dy1 = da1 + laneB, lnwAdd = dy1 + laneB, dxg = lnwAdd + laneB, dxl = dxg + laneB;
  const carry = dxl + laneB, prevl = carry + laneB, hg = prevl + laneB, dhg = hg + 2 * laneB, stats = dhg + 2 * laneB;
  const xh = stats + 64, wb = xh + 2 * laneB;
  laneNormWeights(lnw, lnb, wb, dim);
  const s0 = <usize>g * seqB;
  const zero = f32x4.splat(0);

  // Phase A, t ascending: the feed-forward half per lane; du into scratch; the rows of the ff chains.
  for (let t = 0; t < steps; t++) {
    const off = s0 + <usize>t * rowB;
    gather4(x + off, x + off + seqB, x + off + 2 * seqB, x + off + 3 * seqB, xl, dim);
    gather4(h + off, h + off + seqB, h + off + 2 * seqB, h + off + 3 * seqB, hl, dim);
    gather4(dout + off, dout + off + seqB, dout + off + 2 * seqB, dout + off + 3 * seqB, dol, dim);
    laneAdd(xl, hl, u, dim);
    laneNorm(u, wb, y, xh, dim, eps, stats);
    laneLinear(y, w1T, b1T, r, dim, dim);
    laneRelu(r, dim);
    laneInputGrad(dol, w2T, dr, dim, dim);
    for (let i = 0; i < dim; i++) {
      const o = <usize>i << 4;
      v128.store(da1 + o, v128.and(v128.load(dr + o), f32x4.gt(v128.load(r + o), zero)));
    }
    laneInputGrad(da1, w1T, dy1, dim, dim);
    // layer_norm_backward's row per lane, input u, dy = dy1
    const rsLo = v128.load(stats, 32), rsHi = v128.load(stats, 48);
    let sgLo = f64x2.splat(0), sgHi = sgLo, sxLo = sgLo, sxHi = sgLo;
    for (let i = 0; i < dim; i++) {
      const o = <usize>i << 4, xo = xh + (<usize>i << 5);
      const dv = v128.load(dy1 + o);
      const wv = v128.load(wb + o);
      const xhLo = v128.load(xo), xhHi = v128.load(xo, 16);
      const dLo = lo64(dv), dHi = hi64(dv);
      const gLo = f64x2.mul(dLo, wv), gHi = f64x2.mul(dHi, wv);
      sgLo = f64x2.add(sgLo, gLo);
      sgHi = f64x2.add(sgHi, gHi);
      sxLo = f64x2.add(sxLo, f64x2.mul(gLo, xhLo));
      sxHi = f64x2.add(sxHi, f64x2.mul(gHi, xhHi));
      v128.store(lnwAdd + o, join32(f64x2.mul(dLo, xhLo), f64x2.mul(dHi, xhHi)));
    }
    const mgLo = laneMean(sgLo, dim), mgHi = laneMean(sgHi, dim), mxLo = laneMean(sxLo, dim), mxHi = laneMean(sxHi, dim);
    const dut = du + <usize>t * laneB;
    for (let i = 0; i < dim; i++) {
      const o = <usize>i << 4, xo = xh + (<usize>i << 5);
      const dv = v128.load(dy1 + o);
      const wv = v128.load(wb + o);
      const xhLo = v128.load(xo), xhHi = v128.load(xo, 16);
      const gLo = f64x2.mul(lo64(dv), wv), gHi = f64x2.mul(hi64(dv), wv);
      const lo = f64x2.mul(rsLo, f64x2.sub(f64x2.sub(gLo, mgLo), f64x2.mul(xhLo, mxLo)));
      const hi = f64x2.mul(rsHi, f64x2.sub(f64x2.sub(gHi, mgHi), f64x2.mul(xhHi, mxHi)));
      v128.store(dut + o, join32(lo, hi));
    }
    const ro = <usize>t * rowB;
    scatter4(y, rowsOf(yRows, 0, seq, dim) + ro, rowsOf(yRows, 1, seq, dim) + ro, rowsOf(yRows, 2, seq, dim) + ro, rowsOf(yRows, 3, seq, dim) + ro, dim);
    scatter4(r, rowsOf(rRows, 0, seq, dim) + ro, rowsOf(rRows, 1, seq, dim) + ro, rowsOf(rRows, 2, seq, dim) + ro, rowsOf(rRows, 3, seq, dim) + ro, dim);
    scatter4(da1, rowsOf(da1Rows, 0, seq, dim) + ro, rowsOf(da1Rows, 1, seq, dim) + ro, rowsOf(da1Rows, 2, seq, dim) + ro, rowsOf(da1Rows, 3, seq, dim) + ro, dim);
    scatter4(lnwAdd, rowsOf(lnwRows, 0, seq, dim) + ro, rowsOf(lnwRows, 1, seq, dim) + ro, rowsOf(lnwRows, 2, seq, dim) + ro, rowsOf(lnwRows, 3, seq, dim) + ro, dim);
    scatter4(dy1, rowsOf(dy1Rows, 0, seq, dim) + ro, rowsOf(dy1Rows, 1, seq, dim) + ro, rowsOf(dy1Rows, 2, seq, dim) + ro, rowsOf(dy1Rows, 3, seq, dim) + ro, dim);
  }

  // The ff and layer-norm chains, sequence by sequence in row order, a run of rows per chunk slot
  // (each sequence's valid rows).
  for (let k = 0; k < 4; k++) {
    const len = validSteps(lengths, g + k, seq);
    for (let t0 = 0; t0 < len; ) {
      const t1 = min(len, runEnd(g + k, t0, term, batch, seq, chunkRows));
      const n = t1 - t0, ro = <usize>t0 * rowB;
      const lc = linearChunk(g + k, t0, term, batch, seq, chunkRows, linChunks), nc = normChunk(g + k, t0, seq, chunkRows);
      const dor = dout + s0 + <usize>k * seqB + ro;
      const da1r = rowsOf(da1Rows, k, seq, dim) + ro;
      if (dw2) weightGrad(rowsOf(rRows, k, seq, dim) + ro, dor, dw2 + lc * sizeW, n, dim, dim, true);
      if (dw1) weightGrad(rowsOf(yRows, k, seq, dim) + ro, da1r, dw1 + lc * sizeW, n, dim, dim, true);
      biasGradPair(dor, db2 ? db2 + lc * rowB : 0, da1r, db1 ? db1 + lc * rowB : 0, n, dim, true);
      biasGradPair(rowsOf(lnwRows, k, seq, dim) + ro, dlnw ? dlnw + nc * rowB : 0, rowsOf(dy1Rows, k, seq, dim) + ro, dlnb ? dlnb + nc * rowB : 0, n, dim, true);
      t0 = t1;
    }
  }

  // Phase B, t descending: the scan's reverse recurrence with dh = du; dx; dhg's rows for the wg chain.
  memory.fill(carry, 0, laneB);
  for (let t = steps - 1; t >= 0; t--) {
    const off = s0 + <usize>t * rowB;
    let hgt = hg;
    if (hz) {
      hgt = hz + s0 * 2 + <usize>t * 2 * laneB;
    } else {
      gather4(x + off, x + off + seqB, x + off + 2 * seqB, x + off + 3 * seqB, xl, dim);
      laneLinear(xl, wgT, 0, hg, dim, 2 * dim);
    }
    let prev: usize = 0;
    if (t > 0) {
      const p = off - rowB;
      gather4(h + p, h + p + seqB, h + p + 2 * seqB, h + p + 3 * seqB, prevl, dim);
      prev = prevl;
    }
    const dut = du + <usize>t * laneB;
    if (hz) scanBackVectors(hgt, laneB, prev, dut, carry, dhg, dim, true);
    else scanBackVectors(hgt, laneB, prev, dut, carry, dhg, dim, false);
    if (dx) {
      laneInputGrad(dhg, wgT, dxg, dim, 2 * dim);
      gather4(dout + off, dout + off + seqB, dout + off + 2 * seqB, dout + off + 3 * seqB, dol, dim);
      laneAdd(dol, dut, dxl, dim);
      laneAdd(dxl, dxg, dxl, dim);
      scatter4(dxl, dx + off, dx + off + seqB, dx + off + 2 * seqB, dx + off + 3 * seqB, dim);
    }
    if (dwg) {
      const ro = <usize>t * 2 * rowB;
      scatter4(dhg, rowsOf(dhgRows, 0, seq, 2 * dim) + ro, rowsOf(dhgRows, 1, seq, 2 * dim) + ro,
        rowsOf(dhgRows, 2, seq, 2 * dim) + ro, rowsOf(dhgRows, 3, seq, 2 * dim) + ro, 2 * dim);
    }
  }

  if (dx) for (let k = 0; k < 4; k++) zeroRows(dx, g + k, validSteps(lengths, g + k, seq), seq, dim);

  // The wg chain, sequence by sequence in row order.
  if (dwg) {
    for (let k = 0; k < 4; k++) {
      const len = validSteps(lengths, g + k, seq);
      for (let t0 = 0; t0 < len; ) {
        const t1 = min(len, runEnd(g + k, t0, term, batch, seq, chunkRows));
        const lc = linearChunk(g + k, t0, term, batch, seq, chunkRows, linChunks);
        weightGrad(x + s0 + <usize>k * seqB + <usize>t0 * rowB, rowsOf(dhgRows, k, seq, 2 * dim) + <usize>t0 * 2 * rowB,
          dwg + lc * sizeG, t1 - t0, dim, 2 * dim, true);
        t0 = t1;
      }
    }
  }
}

// Group g's valid steps: lengths[g] (float32 integers), or seq without lengths.
// @ts-ignore: decorator
@inline
export function validSteps(lengths: usize, g: i32, seq: i32): i32 {
  return lengths ? <i32>load<f32>(lengths + (<usize>g << 2)) : seq;
}

// Rows [from, seq) of group g of a (groups, seq, dim) tensor set to 0: the steps past its length.
// @ts-ignore: decorator
@inline
export function zeroRows(a: usize, g: i32, from: i32, seq: i32, dim: i32): void {
  if (from < seq) memory.fill(a + (<usize>g * <usize>seq + <usize>from) * (<usize>dim << 2), 0, <usize>(seq - from) * (<usize>dim << 2));
}

// Chunk slots as in rnam_block_backward: linear ones per term over its batch * seq rows, layer-norm
// ones over all rows, chunkRows rows each.
// @ts-ignore: decorator
@inline
export function linearChunk(g: i32, t: i32, term: i32, batch: i32, seq: i32, chunkRows: i32, linChunks: i32): usize {
  return <usize>(term * linChunks + ((g - term * batch) * seq + t) / chunkRows);
}

// @ts-ignore: decorator
@inline
export function normChunk(g: i32, t: i32, seq: i32, chunkRows: i32): usize {
  return <usize>((g * seq + t) / chunkRows);
}

/** The end of the run of sequence g's rows from t0 that stays in one linear and one layer-norm chunk. */
// @ts-ignore: decorator
@inline
function runEnd(g: i32, t0: i32, term: i32, batch: i32, seq: i32, chunkRows: i32): i32 {
  const rowInTerm = (g - term * batch) * seq + t0, row = g * seq + t0;
  return min(seq, t0 + min(chunkRows - rowInTerm % chunkRows, chunkRows - row % chunkRows));
}
