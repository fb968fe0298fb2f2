// The fused RNAM block: out = x + ff(x + minGRU(x)), ff = LayerNorm, Linear, ReLU, Linear (grouped
// by term), with the minGRU of expansion 1 (hg = x @ wg, no bias, then the scan). One pass per
// direction over each (term, batch) sequence, row by row, instead of ~10 passes over the whole
// activation tensors.
//
// Every value is computed with the very operations, in the very order, of the unfused kernels
// (linear.ts, mingru.ts, layernorm.ts, unary.ts relu, elementwise add), so fused and unfused agree
// bitwise; the row helpers below mirror those kernels' loops one for one.
// Layouts (row-major, float32): x, h, out, dout, dx (terms, batch, seq, dim); wg (terms, dim, 2*dim);
// w1, w2 (terms, dim, dim); b1, b2 (terms, 1, dim); lnw, lnb (dim). Groups g = term * batch + b.
// The forward saves h (the scan's h_{t-1}) and, given hz, each row's hidden pre-activation and
// update gate z: hz (terms, batch, seq, 2 dim), a row's [hid or -sigmoid(hid), z] in place of its
// [hid, gate] (scanStep), the four rows of a quad interleaved (rnamblock-quad.ts). The backward then
// reads them instead of recomputing the minGRU's projection and its sigmoids; without hz it
// recomputes them. Backward recomputes the rest per row.
import { sigmoidf } from "./math";
import { flush } from "./flush";
import { scanVectors, scanBackVectors } from "./lanes";
import { linearChunk, normChunk, quadBackward, quadForward, validSteps, zeroRows } from "./rnamblock-quad";
import { biasGrad, weightGrad } from "./rowsums";

// ---- row helpers, each the per-row loop of the unfused kernel it names ----------------------------

// linear_forward's row: y[o] = sum_i x[i] w[i, o] (ascending, from 0), + b[o] last.
// @ts-ignore: decorator
@inline
function rowLinear(xr: usize, wt: usize, bt: usize, yr: usize, inDim: i32, outDim: i32): void {
  const rowY = <usize>outDim << 2;
  let o = 0;
  if (ASC_FEATURE_SIMD) {
    for (; o + 4 <= outDim; o += 4) {
      const off = <usize>o << 2;
      let acc = f32x4.splat(0);
      let wp = wt + off;
      for (let i = 0; i < inDim; i++) {
        acc = f32x4.add(acc, f32x4.mul(f32x4.splat(load<f32>(xr + (<usize>i << 2))), v128.load(wp)));
        wp += rowY;
      }
      if (bt) acc = f32x4.add(acc, v128.load(bt + off));
      v128.store(yr + off, acc);
    }
  }
  for (; o < outDim; o++) {
    const off = <usize>o << 2;
    let acc: f32 = 0;
    let wp = wt + off;
    for (let i = 0; i < inDim; i++) {
      acc += load<f32>(xr + (<usize>i << 2)) * load<f32>(wp);
      wp += rowY;
    }
    if (bt) acc += load<f32>(bt + off);
    store<f32>(yr + off, acc);
  }
}

// linear_backward's inputGrad row: dx[i] = sum_o dy[o] w[i, o], four lane partials over whole
// chunks of 4 outputs summed as (p0 + p1) + (p2 + p3), then the tail outputs in order.
// @ts-ignore: decorator
@inline
function rowInputGrad(dyr: usize, wt: usize, dxr: usize, inDim: i32, outDim: i32): void {
  const rowY = <usize>outDim << 2;
  const whole = outDim & ~3;
  let wr = wt;
  for (let i = 0; i < inDim; i++) {
    let sum: f32;
    if (ASC_FEATURE_SIMD) {
      let acc = f32x4.splat(0);
      for (let o = 0; o < whole; o += 4) {
        const off = <usize>o << 2;
        acc = f32x4.add(acc, f32x4.mul(v128.load(dyr + off), v128.load(wr + off)));
      }
      sum = (f32x4.extract_lane(acc, 0) + f32x4.extract_lane(acc, 1)) + (f32x4.extract_lane(acc, 2) + f32x4.extract_lane(acc, 3));
    } else {
      let p0: f32 = 0, p1: f32 = 0, p2: f32 = 0, p3: f32 = 0;
      for (let o = 0; o < whole; o += 4) {
        const off = <usize>o << 2;
        p0 += load<f32>(dyr + off) * load<f32>(wr + off);
        p1 += load<f32>(dyr + off + 4) * load<f32>(wr + off + 4);
        p2 += load<f32>(dyr + off + 8) * load<f32>(wr + off + 8);
        p3 += load<f32>(dyr + off + 12) * load<f32>(wr + off + 12);
      }
      sum = (p0 + p1) + (p2 + p3);
    }
    for (let o = whole; o < outDim; o++) {
      const off = <usize>o << 2;
      sum += load<f32>(dyr + off) * load<f32>(wr + off);
    }
    store<f32>(dxr + (<usize>i << 2), sum);
    wr += rowY;
  }
}

// binary_forward add: c = a + b.
// @ts-ignore: decorator
@inline
function rowAdd(a: usize, b: usize, c: usize, n: i32): void {
  let i = 0;
  if (ASC_FEATURE_SIMD) {
    for (; i + 4 <= n; i += 4) {
      const off = <usize>i << 2;
      v128.store(c + off, f32x4.add(v128.load(a + off), v128.load(b + off)));
    }
  }
  for (; i < n; i++) {
    const off = <usize>i << 2;
    store<f32>(c + off, load<f32>(a + off) + load<f32>(b + off));
  }
}

// unary_forward relu, in place: max(x, 0) (NaN propagates).
// @ts-ignore: decorator
@inline
function rowRelu(a: usize, n: i32): void {
  let i = 0;
  if (ASC_FEATURE_SIMD) {
    for (; i + 4 <= n; i += 4) {
      const off = <usize>i << 2;
      v128.store(a + off, f32x4.max(v128.load(a + off), f32x4.splat(0)));
    }
  }
  for (; i < n; i++) {
    const off = <usize>i << 2;
    store<f32>(a + off, max<f32>(load<f32>(a + off), 0));
  }
}

// layernorm.ts's row statistics, float64.
// @ts-ignore: decorator
@inline
function rowMean(xr: usize, dim: i32): f64 {
  let sum: f64 = 0;
  for (let i = 0; i < dim; i++) sum += <f64>load<f32>(xr + (<usize>i << 2));
  return sum / <f64>dim;
}

// @ts-ignore: decorator
@inline
function rowRstd(xr: usize, dim: i32, mu: f64, eps: f32): f64 {
  let sq: f64 = 0;
  for (let i = 0; i < dim; i++) {
    const d = <f64>load<f32>(xr + (<usize>i << 2)) - mu;
    sq += d * d;
  }
  return 1 / Math.sqrt(sq / <f64>dim + <f64>eps);
}

// layer_norm_forward's row, with weight and bias.
// @ts-ignore: decorator
@inline
function rowLayerNorm(xr: usize, w: usize, b: usize, yr: usize, dim: i32, mu: f64, rs: f64): void {
  for (let i = 0; i < dim; i++) {
    const off = <usize>i << 2;
    let v = (<f64>load<f32>(xr + off) - mu) * rs;
    v = v * <f64>load<f32>(w + off);
    v = v + <f64>load<f32>(b + off);
    store<f32>(yr + off, <f32>v);
  }
}

// One forward scan step: h = (1 - z) prev + z g(hid), g(x) = x + 0.5 (x >= 0) else sigmoid(x) as in
// mingru.ts; prev = 0 (no h0) at t = 0. keep: hgr then holds what the backward reads, as
// scanVectors keeps it (z for the gate, hid where hid >= 0, else -sigmoid(hid)).
// @ts-ignore: decorator
@inline
function scanStep(hgr: usize, prev: usize, hr: usize, dim: i32, keep: bool): void {
  const rowH = <usize>dim << 2;
  let c = 0;
  if (ASC_FEATURE_SIMD) {
    scanVectors(hgr, rowH, prev, hr, dim >> 2, keep);
    c = dim & ~3;
  }
  for (; c < dim; c++) {
    const off = <usize>c << 2;
    const state: f32 = prev ? load<f32>(prev + off) : 0;
    const z = sigmoidf(load<f32>(hgr + rowH + off));
    const hid = load<f32>(hgr + off);
    const pos = hid >= 0;
    const s: f32 = pos ? 0 : sigmoidf(hid); // read only where hid >= 0 is false
    if (keep) {
      store<f32>(hgr + rowH + off, z);
      store<f32>(hgr + off, pos ? hid : -s);
    }
    const cand: f32 = pos ? hid + 0.5 : s;
    store<f32>(hr + off, (1 - z) * state + z * cand);
  }
}

// One backward scan step (mingru_scan_backward's loop body): d = dh + carry; writes dhg (hidden half,
// gate half, flushed like mingru_scan_backward's) and updates carry (dim floats) to flush((1 - z) d).
// kept: hgr holds what scanStep with keep wrote.
// @ts-ignore: decorator
@inline
function scanBackStep(hgr: usize, prev: usize, dhr: usize, carry: usize, dhgr: usize, dim: i32, kept: bool): void {
  const rowH = <usize>dim << 2;
  let c = 0;
  if (ASC_FEATURE_SIMD) {
    scanBackVectors(hgr, rowH, prev, dhr, carry, dhgr, dim >> 2, kept);
    c = dim & ~3;
  }
  for (; c < dim; c++) {
    const off = <usize>c << 2;
    const hid = load<f32>(hgr + off);
    const gate = load<f32>(hgr + rowH + off);
    const z = kept ? gate : sigmoidf(gate);
    const s = kept ? -hid : sigmoidf(hid);
    const pos = hid >= 0;
    const cand: f32 = pos ? hid + 0.5 : s;
    const dcand: f32 = pos ? 1 : s * (1 - s);
    const pv: f32 = prev ? load<f32>(prev + off) : 0;
    const d = load<f32>(dhr + off) + load<f32>(carry + off);
    const oneMinusZ: f32 = 1 - z;
    store<f32>(dhgr + off, flush(d * z * dcand));
    store<f32>(dhgr + rowH + off, flush(d * (cand - pv) * z * oneMinusZ));
    store<f32>(carry + off, flush(oneMinusZ * d));
  }
}

// ---- the kernels ------------------------------------------------------------------------------

// Groups [g0, g0 + groups); x, h, out are the whole tensors. scratch: the plan's forwardScratch floats.
// SIMD builds take four sequences of one term at a time where they can (rnamblock-quad.ts), with
// the same results. With lengths, each sequence runs its valid steps only (a quad the longest of its
// four) and its rows past them hold 0: the valid rows are the same bits as without lengths.
export function rnam_block_forward(
  x: usize, wg: usize, lnw: usize, lnb: usize, w1: usize, b1: usize, w2: usize, b2: usize, h: usize, out: usize,
  lengths: usize, hz: usize, scratch: usize, g0: i32, groups: i32, batch: i32, seq: i32, dim: i32, eps: f32,
): void {
  const rowB = <usize>dim << 2;
  const hgRow = scratch, uRow = hgRow + 2 * rowB, yRow = uRow + rowB, aRow = yRow + rowB, a2Row = aRow + rowB;
  for (let gi = 0; gi < groups; gi++) {
    const g = g0 + gi;
    const term = <usize>(g / batch);
    const wgT = wg + term * <usize>dim * 2 * rowB;
    const w1T = w1 + term * <usize>dim * rowB, w2T = w2 + term * <usize>dim * rowB;
    const b1T = b1 + term * rowB, b2T = b2 + term * rowB;
    if (ASC_FEATURE_SIMD && quadAt(g, gi, groups, batch)) {
      quadForward(x, wgT, lnw, lnb, w1T, b1T, w2T, b2T, h, out, lengths, hz, scratch, g, seq, dim, eps);
      gi += 3;
      continue;
    }
    let xr = x + <usize>g * <usize>seq * rowB;
    let hr = h + <usize>g * <usize>seq * rowB;
    let outr = out + <usize>g * <usize>seq * rowB;
    const steps = validSteps(lengths, g, seq);
    zeroRows(h, g, steps, seq, dim);
    zeroRows(out, g, steps, seq, dim);
    for (let t = 0; t < steps; t++) {
      const hgr = hz ? hz + (<usize>g * <usize>seq + <usize>t) * 2 * rowB : hgRow;
      rowLinear(xr, wgT, 0, hgr, dim, 2 * dim);
      if (hz) scanStep(hgr, t > 0 ? hr - rowB : 0, hr, dim, true);
      else scanStep(hgr, t > 0 ? hr - rowB : 0, hr, dim, false);
      rowAdd(xr, hr, uRow, dim);
      const mu = rowMean(uRow, dim);
      rowLayerNorm(uRow, lnw, lnb, yRow, dim, mu, rowRstd(uRow, dim, mu, eps));
      rowLinear(yRow, w1T, b1T, aRow, dim, dim);
      rowRelu(aRow, dim);
      rowLinear(aRow, w2T, b2T, a2Row, dim, dim);
      rowAdd(xr, a2Row, outr, dim);
      xr += rowB;
      hr += rowB;
      outr += rowB;
    }
  }
}

// Groups [g0, g0 + groups), whole sequences, in ascending order. Parameter gradients are chains over
// rows in ascending order within fixed chunks of `chunkRows` rows, like chunked-reduction.ts: the
// linear ones (dwg, dw1, db1, dw2, db2) per term over its batch * seq rows, slot (term * linChunks +
// chunk); the layer-norm ones (dlnw, dlnb) over all rows, slot chunk. The slots start zeroed (the
// plan) and the call's groups hold whole chunks, so each chain is walked by one call. A slot base of
// 0 means that gradient is not wanted; dx likewise. scratch: the plan's backwardScratch floats (the row
// path: du and dhg of one sequence and row temporaries; the quad path more).
// With lengths, only each sequence's valid rows are walked (their chains in the same order) and dx
// is 0 past them.
export function rnam_block_backward(
  x: usize, h: usize, dout: usize, wg: usize, lnw: usize, lnb: usize, w1: usize, b1: usize, w2: usize,
  dx: usize, dwg: usize, dlnw: usize, dlnb: usize, dw1: usize, db1: usize, dw2: usize, db2: usize, lengths: usize, hz: usize, scratch: usize,
  g0: i32, groups: i32, batch: i32, seq: i32, dim: i32, chunkRows: i32, linChunks: i32, eps: f32,
): void {
  const rowB = <usize>dim << 2;
  const du = scratch;                                   // (seq, dim)
  const dhg = du + <usize>seq * rowB;                   // (seq, 2 dim)
  const hgRow = dhg + <usize>seq * 2 * rowB;            // 2 dim
  const uRow = hgRow + 2 * rowB, yRow = uRow + rowB, rRow = yRow + rowB, drRow = rRow + rowB;
  const da1Row = drRow + rowB, dy1Row = da1Row + rowB, dxgRow = dy1Row + rowB, carry = dxgRow + rowB;
  const sizeG = <usize>dim * 2 * rowB, sizeW = <usize>dim * rowB; // bytes of one term's wg, w1 / w2
  for (let gi = 0; gi < groups; gi++) {
    const g = g0 + gi;
    const term = g / batch;
    const termU = <usize>term;
    const wgT = wg + termU * sizeG, w1T = w1 + termU * sizeW, w2T = w2 + termU * sizeW, b1T = b1 + termU * rowB;
    const base = <usize>g * <usize>seq * rowB;
    if (ASC_FEATURE_SIMD && quadAt(g, gi, groups, batch)) {
      quadBackward(x, h, dout, wgT, lnw, lnb, w1T, b1T, w2T, dx, dwg, dlnw, dlnb, dw1, db1, dw2, db2, lengths, hz, scratch,
        g, term, batch, seq, dim, chunkRows, linChunks, eps);
      gi += 3;
      continue;
    }
    const steps = validSteps(lengths, g, seq);
    if (dx) zeroRows(dx, g, steps, seq, dim);

    // Phase A, t ascending: the feed-forward half; du_t into scratch; ff and layer-norm parameter chains.
    for (let t = 0; t < steps; t++) {
      const xr = x + base + <usize>t * rowB, hr = h + base + <usize>t * rowB, dor = dout + base + <usize>t * rowB;
      const lc = linearChunk(g, t, term, batch, seq, chunkRows, linChunks);
      const nc = normChunk(g, t, seq, chunkRows);
      rowAdd(xr, hr, uRow, dim);
      const mu = rowMean(uRow, dim);
      const rs = rowRstd(uRow, dim, mu, eps);
      rowLayerNorm(uRow, lnw, lnb, yRow, dim, mu, rs);
      rowLinear(yRow, w1T, b1T, rRow, dim, dim);
      rowRelu(rRow, dim);
      // second linear: da2 = dout
      if (dw2) weightGrad(rRow, dor, dw2 + lc * sizeW, 1, dim, dim, true);
      if (db2) biasGrad(dor, db2 + lc * rowB, 1, dim, true);
      rowInputGrad(dor, w2T, drRow, dim, dim);
      // relu backward from its output: r > 0 ? dr : 0
      for (let i = 0; i < dim; i++) {
        const off = <usize>i << 2;
        store<f32>(da1Row + off, load<f32>(rRow + off) > 0 ? load<f32>(drRow + off) : 0);
      }
      if (dw1) weightGrad(yRow, da1Row, dw1 + lc * sizeW, 1, dim, dim, true);
      if (db1) biasGrad(da1Row, db1 + lc * rowB, 1, dim, true);
      rowInputGrad(da1Row, w1T, dy1Row, dim, dim);
      // layer_norm_backward's row, input u, dy = dy1
      let sumG: f64 = 0, sumGX: f64 = 0;
      const pw: usize = dlnw ? dlnw + nc * rowB : 0, pb: usize = dlnb ? dlnb + nc * rowB : 0;
      for (let i = 0; i < dim; i++) {
        const off = <usize>i << 2;
        const xhat = (<f64>load<f32>(uRow + off) - mu) * rs;
        const d = <f64>load<f32>(dy1Row + off);
        const gv = d * <f64>load<f32>(lnw + off);
        sumG += gv;
        sumGX += gv * xhat;
        if (pw) store<f32>(pw + off, load<f32>(pw + off) + <f32>(d * xhat));
        if (pb) store<f32>(pb + off, load<f32>(pb + off) + <f32>d);
      }
      const meanG = sumG / <f64>dim, meanGX = sumGX / <f64>dim;
      const dur = du + <usize>t * rowB;
      for (let i = 0; i < dim; i++) {
        const off = <usize>i << 2;
        const xhat = (<f64>load<f32>(uRow + off) - mu) * rs;
        const d = <f64>load<f32>(dy1Row + off);
        const gv = d * <f64>load<f32>(lnw + off);
        store<f32>(dur + off, <f32>(rs * (gv - meanG - xhat * meanGX)));
      }
    }

    // Phase B, t descending: the scan's reverse recurrence with dh = du; dhg_t into scratch.
    memory.fill(carry, 0, rowB);
    for (let t = steps - 1; t >= 0; t--) {
      const prev = t > 0 ? h + base + <usize>(t - 1) * rowB : 0, dur = du + <usize>t * rowB, dhgr = dhg + <usize>t * 2 * rowB;
      if (hz) {
        scanBackStep(hz + (base + <usize>t * rowB) * 2, prev, dur, carry, dhgr, dim, true);
      } else {
        rowLinear(x + base + <usize>t * rowB, wgT, 0, hgRow, dim, 2 * dim);
        scanBackStep(hgRow, prev, dur, carry, dhgr, dim, false);
      }
    }

    // Phase C, t ascending: dx = (dout + du) + dhg @ wg^T; the wg chain.
    for (let t = 0; t < steps; t++) {
      const xr = x + base + <usize>t * rowB, dhgr = dhg + <usize>t * 2 * rowB;
      if (dwg) weightGrad(xr, dhgr, dwg + linearChunk(g, t, term, batch, seq, chunkRows, linChunks) * sizeG, 1, dim, 2 * dim, true);
      if (dx) {
        const dxr = dx + base + <usize>t * rowB;
        rowInputGrad(dhgr, wgT, dxgRow, dim, 2 * dim);
        rowAdd(dout + base + <usize>t * rowB, du + <usize>t * rowB, dxr, dim);
        rowAdd(dxr, dxgRow, dxr, dim);
      }
    }
  }
}

// Whether sequences g .. g + 3 are all in this call and in one term: a quad for rnamblock-quad.ts.
// @ts-ignore: decorator
@inline
function quadAt(g: i32, gi: i32, groups: i32, batch: i32): bool {
  return gi + 4 <= groups && g % batch + 4 <= batch;
}
