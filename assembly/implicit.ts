// The implicit RNN (torchidl's ImplicitRNN): at each step t of each batch row, with U = [x_t, h_{t-1}]
// (h_{-1} = 0), solve X = relu(A X + B U) by fixed-point (Picard) iteration from X = 0 until the
// largest change of an element is below tol (or maxIter iterations), then h_t = C X + D U.
// Backward is implicit differentiation: with M = relu'(A X + B U) and G the gradient at X, solve
// V = M * (A^T V) + M * G by the same iteration, then dA += V X^T, dB += V U^T, dU = B^T V + D^T g.
//
// Layouts (row-major, float32): x (rows, seq, p), xs (rows, seq, n) the solved X of every step,
// h and dh (rows, seq, hid), A (n, n), B (n, q), C (hid, n), D (hid, q) with q = p + hid; stats
// (rows, 4): [solves that did not converge, the largest final residual among them, total
// iterations, the most iterations of one solve]. A pointer of 0 means "absent".
//
// implicit_prepare writes a workspace the other kernels read: Ap (A projected so that its infinity
// norm is at most kappa: the whole matrix times kappa / ||A||_inf when that norm exceeds kappa, as
// torchidl does), and the transposes At = Ap^T, Bt, Ct, Dt, so that every matrix-vector product
// is a SIMD sweep over 4 outputs at a time with the sum over inputs in ascending order: the scalar
// path does the same operations in the same order, so SIMD, tails and the scalar build agree bit
// for bit, and every row is computed alone, so the split over threads changes nothing.
// The iterates (X, V), the states and carries over time (h, the BPTT carry) and dx are flushed
// (./flush.ts): they decay geometrically over the steps of long sequences.

import { transpose_2d } from "./elementwise";
import { flush, flush4 } from "./flush";

const STAT_WIDTH: i32 = 4;

/** Floats of workspace implicit_prepare writes. */
function implicitWorkspaceSize(n: i32, q: i32, hid: i32): i32 {
  return 2 * n * n + q * n + n * hid + q * hid;
}

export function implicit_prepare(a: usize, b: usize, c: usize, d: usize, ws: usize, n: i32, q: i32, hid: i32, kappa: f32): void {
  // ||A||_inf: the largest row sum of |a_ij|, each row summed in ascending order.
  let norm: f32 = 0;
  for (let i = 0; i < n; i++) {
    let s: f32 = 0;
    for (let j = 0; j < n; j++) s += abs<f32>(load<f32>(a + ((<usize>i * <usize>n + <usize>j) << 2)));
    if (s > norm || isNaN(s)) norm = s;
  }
  const scale: f32 = norm > kappa ? kappa / norm : 1;
  const ap = ws;
  const at = ap + ((<usize>n * <usize>n) << 2);
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < n; j++) {
      const v = scale == 1 ? load<f32>(a + ((<usize>i * <usize>n + <usize>j) << 2)) : scale * load<f32>(a + ((<usize>i * <usize>n + <usize>j) << 2));
      store<f32>(ap + ((<usize>i * <usize>n + <usize>j) << 2), v);
      store<f32>(at + ((<usize>j * <usize>n + <usize>i) << 2), v);
    }
  }
  const bt = at + ((<usize>n * <usize>n) << 2);
  transpose_2d(b, bt, n, q);
  const ct = bt + ((<usize>q * <usize>n) << 2);
  transpose_2d(c, ct, hid, n);
  const dt = ct + ((<usize>n * <usize>hid) << 2);
  transpose_2d(d, dt, hid, q);
}

// out[o] (+)= sum over j ascending of m[j, o] * v[j], for m (inDim, outDim) row-major.
function matvecT(m: usize, v: usize, out: usize, outDim: i32, inDim: i32, accumulate: bool): void {
  const row = <usize>outDim << 2;
  let o = 0;
  if (ASC_FEATURE_SIMD) {
    for (; o + 16 <= outDim; o += 16) {
      const off = <usize>o << 2;
      let a0 = accumulate ? v128.load(out + off) : f32x4.splat(0);
      let a1 = accumulate ? v128.load(out + off + 16) : f32x4.splat(0);
      let a2 = accumulate ? v128.load(out + off + 32) : f32x4.splat(0);
      let a3 = accumulate ? v128.load(out + off + 48) : f32x4.splat(0);
      let mp = m + off;
      for (let j = 0; j < inDim; j++) {
        const s = f32x4.splat(load<f32>(v + (<usize>j << 2)));
        a0 = f32x4.add(a0, f32x4.mul(s, v128.load(mp)));
        a1 = f32x4.add(a1, f32x4.mul(s, v128.load(mp + 16)));
        a2 = f32x4.add(a2, f32x4.mul(s, v128.load(mp + 32)));
        a3 = f32x4.add(a3, f32x4.mul(s, v128.load(mp + 48)));
        mp += row;
      }
      v128.store(out + off, a0);
      v128.store(out + off + 16, a1);
      v128.store(out + off + 32, a2);
      v128.store(out + off + 48, a3);
    }
    for (; o + 4 <= outDim; o += 4) {
      const off = <usize>o << 2;
      let a0 = accumulate ? v128.load(out + off) : f32x4.splat(0);
      let mp = m + off;
      for (let j = 0; j < inDim; j++) {
        a0 = f32x4.add(a0, f32x4.mul(f32x4.splat(load<f32>(v + (<usize>j << 2))), v128.load(mp)));
        mp += row;
      }
      v128.store(out + off, a0);
    }
  }
  for (; o < outDim; o++) {
    const off = <usize>o << 2;
    let acc: f32 = accumulate ? load<f32>(out + off) : 0;
    let mp = m + off;
    for (let j = 0; j < inDim; j++) {
      acc += load<f32>(v + (<usize>j << 2)) * load<f32>(mp);
      mp += row;
    }
    store<f32>(out + off, acc);
  }
}

// dst[0..len) += s * v[0..len); rows with s == 0 add nothing and are skipped. Not flushed: s and
// v are flushed values, and a product with either factor >= 2^-39 cannot sum to a subnormal (see
// ./flush.ts); as for the linear kernel's weight gradients.
function axpy(dst: usize, s: f32, v: usize, len: i32): void {
  if (s == 0) return;
  let i = 0;
  if (ASC_FEATURE_SIMD) {
    const sv = f32x4.splat(s);
    for (; i + 4 <= len; i += 4) {
      const off = <usize>i << 2;
      v128.store(dst + off, f32x4.add(v128.load(dst + off), f32x4.mul(sv, v128.load(v + off))));
    }
  }
  for (; i < len; i++) {
    const off = <usize>i << 2;
    store<f32>(dst + off, load<f32>(dst + off) + s * load<f32>(v + off));
  }
}

// v[0..len) = flush(v[0..len)).
function flushAll(v: usize, len: i32): void {
  let i = 0;
  if (ASC_FEATURE_SIMD) {
    for (; i + 4 <= len; i += 4) {
      const off = <usize>i << 2;
      v128.store(v + off, flush4(v128.load(v + off)));
    }
  }
  for (; i < len; i++) {
    const off = <usize>i << 2;
    store<f32>(v + off, flush(load<f32>(v + off)));
  }
}

// nxt = flush(relu(nxt + z)) (nxt holds A cur); returns max |nxt - cur| (NaN if any value is NaN).
function reluStep(nxt: usize, z: usize, cur: usize, n: i32): f32 {
  let err: f32 = 0;
  let i = 0;
  if (ASC_FEATURE_SIMD) {
    let e = f32x4.splat(0);
    const zero = f32x4.splat(0);
    for (; i + 4 <= n; i += 4) {
      const off = <usize>i << 2;
      const v = flush4(f32x4.max(f32x4.add(v128.load(nxt + off), v128.load(z + off)), zero));
      v128.store(nxt + off, v);
      e = f32x4.max(e, f32x4.abs(f32x4.sub(v, v128.load(cur + off))));
    }
    err = max<f32>(max<f32>(f32x4.extract_lane(e, 0), f32x4.extract_lane(e, 1)), max<f32>(f32x4.extract_lane(e, 2), f32x4.extract_lane(e, 3)));
  }
  for (; i < n; i++) {
    const off = <usize>i << 2;
    const v = flush(max<f32>(load<f32>(nxt + off) + load<f32>(z + off), 0));
    store<f32>(nxt + off, v);
    err = max<f32>(err, abs<f32>(v - load<f32>(cur + off)));
  }
  return err;
}

// nxt = flush(m * nxt + mg) (nxt holds A^T cur); returns max |nxt - cur|.
function maskStep(nxt: usize, m: usize, mg: usize, cur: usize, n: i32): f32 {
  let err: f32 = 0;
  let i = 0;
  if (ASC_FEATURE_SIMD) {
    let e = f32x4.splat(0);
    for (; i + 4 <= n; i += 4) {
      const off = <usize>i << 2;
      const v = flush4(f32x4.add(f32x4.mul(v128.load(m + off), v128.load(nxt + off)), v128.load(mg + off)));
      v128.store(nxt + off, v);
      e = f32x4.max(e, f32x4.abs(f32x4.sub(v, v128.load(cur + off))));
    }
    err = max<f32>(max<f32>(f32x4.extract_lane(e, 0), f32x4.extract_lane(e, 1)), max<f32>(f32x4.extract_lane(e, 2), f32x4.extract_lane(e, 3)));
  }
  for (; i < n; i++) {
    const off = <usize>i << 2;
    const v = flush(load<f32>(m + off) * load<f32>(nxt + off) + load<f32>(mg + off));
    store<f32>(nxt + off, v);
    err = max<f32>(err, abs<f32>(v - load<f32>(cur + off)));
  }
  return err;
}

// Floats rounded up to whole vectors, so that every scratch vector starts 16-byte aligned.
// @ts-ignore: decorator
@inline
function padded(k: i32): usize {
  return <usize>((k + 3) & ~3) << 2;
}

/** Scratch floats one implicit_forward call needs. */
function implicitForwardScratch(n: i32): i32 {
  return 2 * ((n + 3) & ~3);
}

/** Scratch floats one implicit_backward call needs. */
function implicitBackwardScratch(n: i32, q: i32, hid: i32): i32 {
  return 6 * ((n + 3) & ~3) + 2 * ((hid + 3) & ~3) + ((q + 3) & ~3);
}

// Records one solve's outcome in a row's stats.
// @ts-ignore: decorator
@inline
function record(stats: usize, converged: bool, err: f32, iters: i32): void {
  if (!converged) {
    store<f32>(stats, load<f32>(stats) + 1);
    const worst = load<f32>(stats + 4);
    if (err > worst || isNaN(err)) store<f32>(stats + 4, err);
  }
  store<f32>(stats + 8, load<f32>(stats + 8) + <f32>iters);
  if (<f32>iters > load<f32>(stats + 12)) store<f32>(stats + 12, <f32>iters);
}

export function implicit_forward(
  x: usize, ws: usize, xs: usize, h: usize, stats: usize, scratch: usize,
  rows: i32, seq: i32, p: i32, n: i32, hid: i32, maxIter: i32, tol: f32,
): void {
  const q = p + hid;
  const at = ws + ((<usize>n * <usize>n) << 2);
  const bt = at + ((<usize>n * <usize>n) << 2);
  const btH = bt + ((<usize>p * <usize>n) << 2);
  const ct = bt + ((<usize>q * <usize>n) << 2);
  const dt = ct + ((<usize>n * <usize>hid) << 2);
  const dtH = dt + ((<usize>p * <usize>hid) << 2);
  const z = scratch;
  const alt = z + padded(n);
  const rowX = <usize>p << 2, rowXs = <usize>n << 2, rowH = <usize>hid << 2;
  for (let r = 0; r < rows; r++) {
    const st = stats + ((<usize>r * <usize>STAT_WIDTH) << 2);
    memory.fill(st, 0, <usize>STAT_WIDTH << 2);
    for (let t = 0; t < seq; t++) {
      const step = <usize>r * <usize>seq + <usize>t;
      const xt = x + step * rowX;
      const hprev: usize = t > 0 ? h + (step - 1) * rowH : 0;
      const target = xs + step * rowXs;
      // z = B U
      matvecT(bt, xt, z, n, p, false);
      if (hprev) matvecT(btH, hprev, z, n, hid, true);
      // The first iterate from X = 0 is relu(z).
      memory.fill(target, 0, <usize>n << 2);
      memory.fill(alt, 0, <usize>n << 2);
      let err = reluStep(target, z, alt, n);
      let cur = target, nxt = alt;
      let iters = 1;
      while (!(err < tol) && iters < maxIter) {
        matvecT(at, cur, nxt, n, n, false);
        err = reluStep(nxt, z, cur, n);
        const tmp = cur;
        cur = nxt;
        nxt = tmp;
        iters++;
      }
      if (cur != target) memory.copy(target, cur, <usize>n << 2);
      record(st, err < tol, err, iters);
      // h_t = C X + D U
      const ht = h + step * rowH;
      matvecT(ct, target, ht, hid, n, false);
      matvecT(dt, xt, ht, hid, p, true);
      if (hprev) matvecT(dtH, hprev, ht, hid, hid, true);
      flushAll(ht, hid);
    }
  }
}

// Gradients for the rows of one call: dx (rows, seq, p) is written; dA, dB, dC, dD are written as
// the sums over this call's rows (rows ascending, time descending). Each may be 0 (not wanted).
export function implicit_backward(
  x: usize, ws: usize, b: usize, c: usize, d: usize, xs: usize, h: usize, dh: usize,
  dx: usize, dA: usize, dB: usize, dC: usize, dD: usize, stats: usize, scratch: usize,
  rows: i32, seq: i32, p: i32, n: i32, hid: i32, maxIter: i32, tol: f32,
): void {
  const q = p + hid;
  const ap = ws;
  const at = ap + ((<usize>n * <usize>n) << 2);
  const bt = at + ((<usize>n * <usize>n) << 2);
  const btH = bt + ((<usize>p * <usize>n) << 2);
  const rowN = <usize>n << 2, rowQ = <usize>q << 2, rowX = <usize>p << 2, rowH = <usize>hid << 2;
  if (dA) memory.fill(dA, 0, <usize>n * rowN);
  if (dB) memory.fill(dB, 0, <usize>n * rowQ);
  if (dC) memory.fill(dC, 0, <usize>hid * rowN);
  if (dD) memory.fill(dD, 0, <usize>hid * rowQ);
  const carry = scratch;
  const g = carry + padded(hid);
  const gx = g + padded(hid);       // C^T g
  const mask = gx + padded(n);      // A X + B U, then relu' of it
  const mg = mask + padded(n);
  const v = mg + padded(n);
  const alt = v + padded(n);
  const du = alt + padded(n);
  for (let r = 0; r < rows; r++) {
    const st = stats + ((<usize>r * <usize>STAT_WIDTH) << 2);
    memory.fill(st, 0, <usize>STAT_WIDTH << 2);
    memory.fill(carry, 0, rowH);
    for (let t = seq - 1; t >= 0; t--) {
      const step = <usize>r * <usize>seq + <usize>t;
      const xt = x + step * rowX;
      const hprev: usize = t > 0 ? h + (step - 1) * rowH : 0;
      const xst = xs + step * rowN;
      // g = dh_t + the gradient carried back from step t + 1 through U's h part.
      const dht = dh + step * rowH;
      for (let i = 0; i < hid; i++) {
        const off = <usize>i << 2;
        store<f32>(g + off, load<f32>(dht + off) + load<f32>(carry + off));
      }
      // Direct terms of h_t = C X + D U.
      for (let i = 0; i < hid; i++) {
        const gi = load<f32>(g + (<usize>i << 2));
        if (dC) axpy(dC + <usize>i * rowN, gi, xst, n);
        if (dD) {
          axpy(dD + <usize>i * rowQ, gi, xt, p);
          if (hprev) axpy(dD + <usize>i * rowQ + rowX, gi, hprev, hid);
        }
      }
      // mask = relu'(A X + B U), mg = mask * C^T g
      matvecT(at, xst, mask, n, n, false);
      matvecT(bt, xt, mask, n, p, true);
      if (hprev) matvecT(btH, hprev, mask, n, hid, true);
      matvecT(c, g, gx, n, hid, false);
      for (let i = 0; i < n; i++) {
        const off = <usize>i << 2;
        const m: f32 = load<f32>(mask + off) > 0 ? 1 : 0;
        store<f32>(mask + off, m);
        store<f32>(mg + off, flush(m * load<f32>(gx + off)));
      }
      // V = mask * (A^T V) + mg from V = 0: the first iterate is mg.
      memory.copy(v, mg, rowN);
      memory.fill(alt, 0, rowN);
      let err: f32 = 0;
      for (let i = 0; i < n; i++) err = max<f32>(err, abs<f32>(load<f32>(mg + (<usize>i << 2))));
      let cur = v, nxt = alt;
      let iters = 1;
      while (!(err < tol) && iters < maxIter) {
        matvecT(ap, cur, nxt, n, n, false);
        err = maskStep(nxt, mask, mg, cur, n);
        const tmp = cur;
        cur = nxt;
        nxt = tmp;
        iters++;
      }
      record(st, err < tol, err, iters);
      // dA += V X^T, dB += V U^T
      for (let i = 0; i < n; i++) {
        const vi = load<f32>(cur + (<usize>i << 2));
        if (dA) axpy(dA + <usize>i * rowN, vi, xst, n);
        if (dB) {
          axpy(dB + <usize>i * rowQ, vi, xt, p);
          if (hprev) axpy(dB + <usize>i * rowQ + rowX, vi, hprev, hid);
        }
      }
      // dU = B^T V + D^T g: its x part is dx_t, its h part goes back to step t - 1.
      if (t == 0 && !dx) continue;
      matvecT(b, cur, du, q, n, false);
      matvecT(d, g, du, q, hid, true);
      flushAll(du, q);
      if (dx) memory.copy(dx + step * rowX, du, rowX);
      memory.copy(carry, du + rowX, rowH);
    }
  }
}
