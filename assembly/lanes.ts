// "Four sequences side by side": the SIMD building blocks of the fused RNAM block's quad path
// (rnamblock-quad.ts). A lane row holds element i of the same time step of four sequences in one
// v128 (lane k = sequence k), at base + 16 i. Vectorising across sequences instead of across a row
// keeps all four lanes busy whatever the width (the seed's rows are 8 floats: two vectors, tiny loops
// and horizontal sums), and every lane runs exactly the operations, in exactly the order, of the
// row kernels it mirrors (linear.ts, layernorm.ts, mingru.ts), so a lane's result is bitwise the
// row kernel's result for that sequence. SIMD builds only.
import { sigmoid4, vconst, V_HALF, V_ONE } from "./math";
import { flush4 } from "./flush";

// @ts-ignore: decorator
@inline
function transpose4(a: v128, b: v128, c: v128, d: v128, dst: usize, stride: usize): void {
  const abLo = v128.shuffle<f32>(a, b, 0, 4, 1, 5); // a0 b0 a1 b1
  const abHi = v128.shuffle<f32>(a, b, 2, 6, 3, 7); // a2 b2 a3 b3
  const cdLo = v128.shuffle<f32>(c, d, 0, 4, 1, 5);
  const cdHi = v128.shuffle<f32>(c, d, 2, 6, 3, 7);
  v128.store(dst, v128.shuffle<f64>(abLo, cdLo, 0, 2));
  v128.store(dst + stride, v128.shuffle<f64>(abLo, cdLo, 1, 3));
  v128.store(dst + 2 * stride, v128.shuffle<f64>(abHi, cdHi, 0, 2));
  v128.store(dst + 3 * stride, v128.shuffle<f64>(abHi, cdHi, 1, 3));
}

/** dst (lane row of n) = element i of the rows r0..r3 (n floats each) in lanes 0..3. */
// @ts-ignore: decorator
@inline
export function gather4(r0: usize, r1: usize, r2: usize, r3: usize, dst: usize, n: i32): void {
  let i = 0;
  for (; i + 4 <= n; i += 4) {
    const off = <usize>i << 2;
    transpose4(v128.load(r0 + off), v128.load(r1 + off), v128.load(r2 + off), v128.load(r3 + off), dst + (<usize>i << 4), 16);
  }
  for (; i < n; i++) {
    const off = <usize>i << 2;
    let v = f32x4.splat(load<f32>(r0 + off));
    v = f32x4.replace_lane(v, 1, load<f32>(r1 + off));
    v = f32x4.replace_lane(v, 2, load<f32>(r2 + off));
    v = f32x4.replace_lane(v, 3, load<f32>(r3 + off));
    v128.store(dst + (<usize>i << 4), v);
  }
}

/** The inverse of gather4: lane k of src (lane row of n) to the row rk. */
// @ts-ignore: decorator
@inline
export function scatter4(src: usize, r0: usize, r1: usize, r2: usize, r3: usize, n: i32): void {
  let i = 0;
  for (; i + 4 <= n; i += 4) {
    const s = src + (<usize>i << 4);
    const off = <usize>i << 2;
    // the transpose of the 4x4 block, written row by row
    const a = v128.load(s), b = v128.load(s, 16), c = v128.load(s, 32), d = v128.load(s, 48);
    const abLo = v128.shuffle<f32>(a, b, 0, 4, 1, 5);
    const abHi = v128.shuffle<f32>(a, b, 2, 6, 3, 7);
    const cdLo = v128.shuffle<f32>(c, d, 0, 4, 1, 5);
    const cdHi = v128.shuffle<f32>(c, d, 2, 6, 3, 7);
    v128.store(r0 + off, v128.shuffle<f64>(abLo, cdLo, 0, 2));
    v128.store(r1 + off, v128.shuffle<f64>(abLo, cdLo, 1, 3));
    v128.store(r2 + off, v128.shuffle<f64>(abHi, cdHi, 0, 2));
    v128.store(r3 + off, v128.shuffle<f64>(abHi, cdHi, 1, 3));
  }
  for (; i < n; i++) {
    const v = v128.load(src + (<usize>i << 4));
    const off = <usize>i << 2;
    store<f32>(r0 + off, f32x4.extract_lane(v, 0));
    store<f32>(r1 + off, f32x4.extract_lane(v, 1));
    store<f32>(r2 + off, f32x4.extract_lane(v, 2));
    store<f32>(r3 + off, f32x4.extract_lane(v, 3));
  }
}

/** linear_forward's row per lane: y[o] = (sum_i x[i] w[i, o], ascending from 0) + b[o]; w (inDim, outDim). */
// @ts-ignore: decorator
@inline
export function laneLinear(xl: usize, w: usize, b: usize, yl: usize, inDim: i32, outDim: i32): void {
  const rowW = <usize>outDim << 2;
  let o = 0;
  // four outputs at a time: four independent chains share each x load
  for (; o + 4 <= outDim; o += 4) {
    let a0 = f32x4.splat(0), a1 = a0, a2 = a0, a3 = a0;
    let wp = w + (<usize>o << 2), xp = xl;
    for (let i = 0; i < inDim; i++) {
      const xv = v128.load(xp);
      a0 = f32x4.add(a0, f32x4.mul(xv, v128.load32_splat(wp)));
      a1 = f32x4.add(a1, f32x4.mul(xv, v128.load32_splat(wp, 4)));
      a2 = f32x4.add(a2, f32x4.mul(xv, v128.load32_splat(wp, 8)));
      a3 = f32x4.add(a3, f32x4.mul(xv, v128.load32_splat(wp, 12)));
      wp += rowW;
      xp += 16;
    }
    if (b) {
      const bp = b + (<usize>o << 2);
      a0 = f32x4.add(a0, v128.load32_splat(bp));
      a1 = f32x4.add(a1, v128.load32_splat(bp, 4));
      a2 = f32x4.add(a2, v128.load32_splat(bp, 8));
      a3 = f32x4.add(a3, v128.load32_splat(bp, 12));
    }
    const yp = yl + (<usize>o << 4);
    v128.store(yp, a0);
    v128.store(yp, a1, 16);
    v128.store(yp, a2, 32);
    v128.store(yp, a3, 48);
  }
  for (; o < outDim; o++) {
    let acc = f32x4.splat(0);
    let wp = w + (<usize>o << 2), xp = xl;
    for (let i = 0; i < inDim; i++) {
      acc = f32x4.add(acc, f32x4.mul(v128.load(xp), v128.load32_splat(wp)));
      wp += rowW;
      xp += 16;
    }
    if (b) acc = f32x4.add(acc, v128.load32_splat(b + (<usize>o << 2)));
    v128.store(yl + (<usize>o << 4), acc);
  }
}

/**
 * laneLinear of two lane rows (x0 -> y0, x1 -> y1) in one pass over the weights: each weight splat
 * feeds both rows' sums, which are the same sums in the same order as two laneLinear calls.
 */
// @ts-ignore: decorator
@inline
export function laneLinear2(x0: usize, x1: usize, w: usize, b: usize, y0: usize, y1: usize, inDim: i32, outDim: i32): void {
  const rowW = <usize>outDim << 2;
  let o = 0;
  for (; o + 4 <= outDim; o += 4) {
    let a0 = f32x4.splat(0), a1 = a0, a2 = a0, a3 = a0, c0 = a0, c1 = a0, c2 = a0, c3 = a0;
    let wp = w + (<usize>o << 2), p0 = x0, p1 = x1;
    for (let i = 0; i < inDim; i++) {
      const u = v128.load(p0), v = v128.load(p1);
      let s = v128.load32_splat(wp);
      a0 = f32x4.add(a0, f32x4.mul(u, s));
      c0 = f32x4.add(c0, f32x4.mul(v, s));
      s = v128.load32_splat(wp, 4);
      a1 = f32x4.add(a1, f32x4.mul(u, s));
      c1 = f32x4.add(c1, f32x4.mul(v, s));
      s = v128.load32_splat(wp, 8);
      a2 = f32x4.add(a2, f32x4.mul(u, s));
      c2 = f32x4.add(c2, f32x4.mul(v, s));
      s = v128.load32_splat(wp, 12);
      a3 = f32x4.add(a3, f32x4.mul(u, s));
      c3 = f32x4.add(c3, f32x4.mul(v, s));
      wp += rowW;
      p0 += 16;
      p1 += 16;
    }
    if (b) {
      const bp = b + (<usize>o << 2);
      let s = v128.load32_splat(bp);
      a0 = f32x4.add(a0, s);
      c0 = f32x4.add(c0, s);
      s = v128.load32_splat(bp, 4);
      a1 = f32x4.add(a1, s);
      c1 = f32x4.add(c1, s);
      s = v128.load32_splat(bp, 8);
      a2 = f32x4.add(a2, s);
      c2 = f32x4.add(c2, s);
      s = v128.load32_splat(bp, 12);
      a3 = f32x4.add(a3, s);
      c3 = f32x4.add(c3, s);
    }
    const q0 = y0 + (<usize>o << 4), q1 = y1 + (<usize>o << 4);
    v128.store(q0, a0);
    v128.store(q0, a1, 16);
    v128.store(q0, a2, 32);
    v128.store(q0, a3, 48);
    v128.store(q1, c0);
    v128.store(q1, c1, 16);
    v128.store(q1, c2, 32);
    v128.store(q1, c3, 48);
  }
  if (o < outDim) {
    // the outputs past the last whole four, one at a time, as laneLinear's tail
    for (; o < outDim; o++) {
      let acc0 = f32x4.splat(0), acc1 = acc0;
      let wp = w + (<usize>o << 2), p0 = x0, p1 = x1;
      for (let i = 0; i < inDim; i++) {
        const s = v128.load32_splat(wp);
        acc0 = f32x4.add(acc0, f32x4.mul(v128.load(p0), s));
        acc1 = f32x4.add(acc1, f32x4.mul(v128.load(p1), s));
        wp += rowW;
        p0 += 16;
        p1 += 16;
      }
      if (b) {
        const s = v128.load32_splat(b + (<usize>o << 2));
        acc0 = f32x4.add(acc0, s);
        acc1 = f32x4.add(acc1, s);
      }
      v128.store(y0 + (<usize>o << 4), acc0);
      v128.store(y1 + (<usize>o << 4), acc1);
    }
  }
}

/**
 * linear_backward's inputGrad row per lane: dx[i] = sum_o dy[o] w[i, o] as four partials over whole
 * chunks of 4 outputs (partial k takes outputs 4c + k), summed (p0 + p1) + (p2 + p3), then the tail
 * outputs in order.
 */
// @ts-ignore: decorator
@inline
export function laneInputGrad(dyl: usize, w: usize, dxl: usize, inDim: i32, outDim: i32): void {
  const rowW = <usize>outDim << 2;
  const whole = outDim & ~3;
  let wr = w;
  for (let i = 0; i < inDim; i++) {
    let p0 = f32x4.splat(0), p1 = p0, p2 = p0, p3 = p0;
    for (let o = 0; o < whole; o += 4) {
      const d = dyl + (<usize>o << 4), wp = wr + (<usize>o << 2);
      p0 = f32x4.add(p0, f32x4.mul(v128.load(d), v128.load32_splat(wp)));
      p1 = f32x4.add(p1, f32x4.mul(v128.load(d, 16), v128.load32_splat(wp, 4)));
      p2 = f32x4.add(p2, f32x4.mul(v128.load(d, 32), v128.load32_splat(wp, 8)));
      p3 = f32x4.add(p3, f32x4.mul(v128.load(d, 48), v128.load32_splat(wp, 12)));
    }
    let sum = f32x4.add(f32x4.add(p0, p1), f32x4.add(p2, p3));
    for (let o = whole; o < outDim; o++) {
      sum = f32x4.add(sum, f32x4.mul(v128.load(dyl + (<usize>o << 4)), v128.load32_splat(wr + (<usize>o << 2))));
    }
    v128.store(dxl + (<usize>i << 4), sum);
    wr += rowW;
  }
}

/** c = a + b, lane rows of n. */
// @ts-ignore: decorator
@inline
export function laneAdd(a: usize, b: usize, c: usize, n: i32): void {
  for (let i = 0; i < n; i++) {
    const off = <usize>i << 4;
    v128.store(c + off, f32x4.add(v128.load(a + off), v128.load(b + off)));
  }
}

/** relu in place: max(x, 0) (NaN propagates), as unary_forward. */
// @ts-ignore: decorator
@inline
export function laneRelu(a: usize, n: i32): void {
  const zero = f32x4.splat(0);
  for (let i = 0; i < n; i++) {
    const off = <usize>i << 4;
    v128.store(a + off, f32x4.max(v128.load(a + off), zero));
  }
}

// ---- layer norm, float64 like layernorm.ts: lanes 0-1 ("lo") and 2-3 ("hi") in two f64x2 ----------

// @ts-ignore: decorator
@inline
export function lo64(v: v128): v128 {
  return f64x2.promote_low_f32x4(v);
}

// @ts-ignore: decorator
@inline
export function hi64(v: v128): v128 {
  return f64x2.promote_low_f32x4(v128.shuffle<f32>(v, v, 2, 3, 2, 3));
}

/** Two f64x2 (lanes 0-1, 2-3) rounded back to one f32x4. */
// @ts-ignore: decorator
@inline
export function join32(lo: v128, hi: v128): v128 {
  return v128.shuffle<f32>(f32x4.demote_f64x2_zero(lo), f32x4.demote_f64x2_zero(hi), 0, 1, 4, 5);
}

/**
 * sum / n per lane. For n a power of two, sum * (1 / n): 1 / n is exact, so the product and the
 * quotient are the same correctly rounded value of the same exact number, bitwise, and a multiply
 * costs a fraction of a division.
 */
// @ts-ignore: decorator
@inline
export function laneMean(sum: v128, n: i32): v128 {
  return (n & (n - 1)) == 0 ? f64x2.mul(sum, f64x2.splat(1 / <f64>n)) : f64x2.div(sum, f64x2.splat(<f64>n));
}

/** The layer norm's weight and bias as float64 splats, for laneNorm: w[i] at dst + 16 i, b[i] at dst + 16 (n + i). */
// @ts-ignore: decorator
@inline
export function laneNormWeights(w: usize, b: usize, dst: usize, n: i32): void {
  const bDst = dst + (<usize>n << 4);
  for (let i = 0; i < n; i++) {
    v128.store(dst + (<usize>i << 4), f64x2.splat(<f64>load<f32>(w + (<usize>i << 2))));
    v128.store(bDst + (<usize>i << 4), f64x2.splat(<f64>load<f32>(b + (<usize>i << 2))));
  }
}

/**
 * layer_norm_forward's row per lane, with weight and bias (wb: laneNormWeights'): the mean (ascending
 * sum / n) and rstd = 1 / sqrt(biased variance + eps) (two-pass), y = xhat w + b with
 * xhat = (u - mean) rstd. Writes rstd as f64x2 lo, hi at stats + 32, stats + 48 and xhat (lanes 0-1,
 * 2-3) at xhat + 32 i, xhat + 32 i + 16, for the backward; u - mean is computed once and reused.
 */
// @ts-ignore: decorator
@inline
export function laneNorm(u: usize, wb: usize, y: usize, xhat: usize, n: i32, eps: f32, stats: usize): void {
  let sLo = f64x2.splat(0), sHi = sLo;
  for (let i = 0; i < n; i++) {
    const v = v128.load(u + (<usize>i << 4));
    const lo = lo64(v), hi = hi64(v);
    v128.store(xhat + (<usize>i << 5), lo);
    v128.store(xhat + (<usize>i << 5), hi, 16);
    sLo = f64x2.add(sLo, lo);
    sHi = f64x2.add(sHi, hi);
  }
  const muLo = laneMean(sLo, n), muHi = laneMean(sHi, n);
  let qLo = f64x2.splat(0), qHi = qLo;
  for (let i = 0; i < n; i++) {
    const p = xhat + (<usize>i << 5);
    const dLo = f64x2.sub(v128.load(p), muLo), dHi = f64x2.sub(v128.load(p, 16), muHi);
    v128.store(p, dLo);
    v128.store(p, dHi, 16);
    qLo = f64x2.add(qLo, f64x2.mul(dLo, dLo));
    qHi = f64x2.add(qHi, f64x2.mul(dHi, dHi));
  }
  const one = f64x2.splat(1), epsV = f64x2.splat(<f64>eps);
  const rsLo = f64x2.div(one, f64x2.sqrt(f64x2.add(laneMean(qLo, n), epsV)));
  const rsHi = f64x2.div(one, f64x2.sqrt(f64x2.add(laneMean(qHi, n), epsV)));
  v128.store(stats, rsLo, 32);
  v128.store(stats, rsHi, 48);
  const bias = wb + (<usize>n << 4);
  for (let i = 0; i < n; i++) {
    const p = xhat + (<usize>i << 5);
    const xLo = f64x2.mul(v128.load(p), rsLo), xHi = f64x2.mul(v128.load(p, 16), rsHi);
    v128.store(p, xLo);
    v128.store(p, xHi, 16);
    const wv = v128.load(wb + (<usize>i << 4)), bv = v128.load(bias + (<usize>i << 4));
    v128.store(y + (<usize>i << 4), join32(f64x2.add(f64x2.mul(xLo, wv), bv), f64x2.add(f64x2.mul(xHi, wv), bv)));
  }
}

// ---- the minGRU scan (mingru.ts, expansion 1, no h0), over v128 vectors 16 bytes apart ---------
// The row kernels (a vector = 4 elements of a row) and the quad path (a vector = one element of four
// rows) run the same vector code; `half` is the byte offset of the gate half in hg and dhg.

/**
 * h = (1 - z) prev + z g(hidden), z = sigmoid(gate); prev = 0 when null. keep: what the backward
 * needs replaces the row in hg, so that it computes no sigmoid (scanBackVectors with kept): z in
 * place of the gate, and in place of the hidden pre-activation hid itself where hid >= 0, else
 * -sigmoid(hid), which is < 0 (sigmoid is clamped above 0), so the sign tells the two apart.
 */
// @ts-ignore: decorator
@inline
export function scanVectors(hg: usize, half: usize, prev: usize, h: usize, vectors: i32, keep: bool): void {
  const one = vconst(V_ONE);
  for (let c = 0; c < vectors; c++) {
    const off = <usize>c << 4;
    const state = prev ? v128.load(prev + off) : f32x4.splat(0);
    const z = sigmoid4(v128.load(hg + half + off));
    const hid = v128.load(hg + off);
    const s = sigmoid4(hid);
    const pos = f32x4.ge(hid, f32x4.splat(0));
    if (keep) {
      v128.store(hg + half + off, z);
      v128.store(hg + off, v128.bitselect(hid, f32x4.neg(s), pos));
    }
    const cand = v128.bitselect(f32x4.add(hid, vconst(V_HALF)), s, pos);
    v128.store(h + off, f32x4.add(f32x4.mul(f32x4.sub(one, z), state), f32x4.mul(z, cand)));
  }
}

/**
 * One backward scan step, as mingru_scan_backward's loop body: d = dh + carry; writes dhg (hidden
 * half, gate half, flushed) and sets carry = flush((1 - z) d). kept: hg holds what scanVectors with
 * keep wrote, from which z and sigmoid(hid) are read back with the same bits.
 */
// @ts-ignore: decorator
@inline
export function scanBackVectors(hg: usize, half: usize, prev: usize, dh: usize, carry: usize, dhg: usize, vectors: i32, kept: bool): void {
  const one = vconst(V_ONE);
  const zero = f32x4.splat(0);
  for (let c = 0; c < vectors; c++) {
    const off = <usize>c << 4;
    const hid = v128.load(hg + off);
    const gate = v128.load(hg + half + off);
    const z = kept ? gate : sigmoid4(gate);
    // kept: a NaN hid was kept as a NaN, which compares false, as hid >= 0 does
    const s = kept ? f32x4.neg(hid) : sigmoid4(hid);
    const pos = f32x4.ge(hid, zero);
    const cand = v128.bitselect(f32x4.add(hid, vconst(V_HALF)), s, pos);
    const dcand = v128.bitselect(one, f32x4.mul(s, f32x4.sub(one, s)), pos);
    const pv = prev ? v128.load(prev + off) : zero;
    const d = f32x4.add(v128.load(dh + off), v128.load(carry + off));
    const oneMinusZ = f32x4.sub(one, z);
    v128.store(dhg + off, flush4(f32x4.mul(f32x4.mul(d, z), dcand)));
    v128.store(dhg + half + off, flush4(f32x4.mul(f32x4.mul(f32x4.mul(d, f32x4.sub(cand, pv)), z), oneMinusZ)));
    v128.store(carry + off, flush4(f32x4.mul(oneMinusZ, d)));
  }
}
