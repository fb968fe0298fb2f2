// Parameter gradients as chains over rows: dw = x^T dy and db = sum of dy rows, each element summed
// over the rows in ascending order, starting from 0 (accumulate = false) or from what dw / db hold
// (accumulate = true: the chain goes on from an earlier run of rows). linear_backward and the fused
// RNAM block (rnamblock.ts) both reduce through these, so their sums are the same.
// Layouts: x (rows, inDim), dy (rows, outDim), dw (inDim, outDim), db (outDim).

// The SIMD path keeps blocks of dw in registers over all rows (2 rows of dw x 16 columns, 4 x 8 or
// 4 x 4) instead of updating dw in memory every row; the sums are the same.
export function weightGrad(x: usize, dy: usize, dw: usize, rows: i32, inDim: i32, outDim: i32, accumulate: bool): void {
  let o = 0;
  if (ASC_FEATURE_SIMD) {
    const whole = outDim & ~3;
    for (; o + 16 <= whole; o += 16) {
      let i = 0;
      for (; i + 2 <= inDim; i += 2) weightBlock2x16(x, dy, dw, rows, inDim, outDim, i, o, accumulate);
      for (; i < inDim; i++) weightBlock1x4(x, dy, dw, rows, inDim, outDim, i, o, 4, accumulate);
    }
    for (; o + 8 <= whole; o += 8) {
      let i = 0;
      for (; i + 4 <= inDim; i += 4) weightBlock4x8(x, dy, dw, rows, inDim, outDim, i, o, accumulate);
      for (; i < inDim; i++) weightBlock1x4(x, dy, dw, rows, inDim, outDim, i, o, 2, accumulate);
    }
    for (; o + 4 <= whole; o += 4) {
      let i = 0;
      for (; i + 4 <= inDim; i += 4) weightBlock4x4(x, dy, dw, rows, inDim, outDim, i, o, accumulate);
      for (; i < inDim; i++) weightBlock1x4(x, dy, dw, rows, inDim, outDim, i, o, 1, accumulate);
    }
  }
  // remaining columns (all of them in the scalar build), one dw element at a time
  for (let i = 0; i < inDim; i++) {
    for (let c = o; c < outDim; c++) {
      const p = dw + ((<usize>i * <usize>outDim + <usize>c) << 2);
      let acc: f32 = accumulate ? load<f32>(p) : 0;
      let px = x + (<usize>i << 2), pd = dy + (<usize>c << 2);
      for (let r = 0; r < rows; r++) {
        acc += load<f32>(px) * load<f32>(pd);
        px += <usize>inDim << 2;
        pd += <usize>outDim << 2;
      }
      store<f32>(p, acc);
    }
  }
}

// @ts-ignore: decorator
@inline
function start(p: usize, accumulate: bool): v128 {
  return accumulate ? v128.load(p) : f32x4.splat(0);
}

// @ts-ignore: decorator
@inline
function weightBlock2x16(x: usize, dy: usize, dw: usize, rows: i32, inDim: i32, outDim: i32, i: i32, o: i32, accumulate: bool): void {
  const p = dw + ((<usize>i * <usize>outDim + <usize>o) << 2), q = p + (<usize>outDim << 2);
  let a0 = start(p, accumulate), a1 = start(p + 16, accumulate), a2 = start(p + 32, accumulate), a3 = start(p + 48, accumulate);
  let b0 = start(q, accumulate), b1 = start(q + 16, accumulate), b2 = start(q + 32, accumulate), b3 = start(q + 48, accumulate);
  let px = x + (<usize>i << 2), pd = dy + (<usize>o << 2);
  for (let r = 0; r < rows; r++) {
    const x0 = f32x4.splat(load<f32>(px)), x1 = f32x4.splat(load<f32>(px, 4));
    const d0 = v128.load(pd), d1 = v128.load(pd, 16), d2 = v128.load(pd, 32), d3 = v128.load(pd, 48);
    a0 = f32x4.add(a0, f32x4.mul(x0, d0)); a1 = f32x4.add(a1, f32x4.mul(x0, d1));
    a2 = f32x4.add(a2, f32x4.mul(x0, d2)); a3 = f32x4.add(a3, f32x4.mul(x0, d3));
    b0 = f32x4.add(b0, f32x4.mul(x1, d0)); b1 = f32x4.add(b1, f32x4.mul(x1, d1));
    b2 = f32x4.add(b2, f32x4.mul(x1, d2)); b3 = f32x4.add(b3, f32x4.mul(x1, d3));
    px += <usize>inDim << 2;
    pd += <usize>outDim << 2;
  }
  v128.store(p, a0); v128.store(p, a1, 16); v128.store(p, a2, 32); v128.store(p, a3, 48);
  v128.store(q, b0); v128.store(q, b1, 16); v128.store(q, b2, 32); v128.store(q, b3, 48);
}

// Eight chains in flight: a 4 x 4 block's four chains wait on the add's latency every row.
// @ts-ignore: decorator
@inline
function weightBlock4x8(x: usize, dy: usize, dw: usize, rows: i32, inDim: i32, outDim: i32, i: i32, o: i32, accumulate: bool): void {
  const p = dw + ((<usize>i * <usize>outDim + <usize>o) << 2), row = <usize>outDim << 2;
  let a0 = start(p, accumulate), a1 = start(p + row, accumulate), a2 = start(p + 2 * row, accumulate), a3 = start(p + 3 * row, accumulate);
  let b0 = start(p + 16, accumulate), b1 = start(p + row + 16, accumulate), b2 = start(p + 2 * row + 16, accumulate), b3 = start(p + 3 * row + 16, accumulate);
  let px = x + (<usize>i << 2), pd = dy + (<usize>o << 2);
  for (let r = 0; r < rows; r++) {
    const d = v128.load(pd), e = v128.load(pd, 16);
    const x0 = f32x4.splat(load<f32>(px)), x1 = f32x4.splat(load<f32>(px, 4));
    const x2 = f32x4.splat(load<f32>(px, 8)), x3 = f32x4.splat(load<f32>(px, 12));
    a0 = f32x4.add(a0, f32x4.mul(x0, d)); b0 = f32x4.add(b0, f32x4.mul(x0, e));
    a1 = f32x4.add(a1, f32x4.mul(x1, d)); b1 = f32x4.add(b1, f32x4.mul(x1, e));
    a2 = f32x4.add(a2, f32x4.mul(x2, d)); b2 = f32x4.add(b2, f32x4.mul(x2, e));
    a3 = f32x4.add(a3, f32x4.mul(x3, d)); b3 = f32x4.add(b3, f32x4.mul(x3, e));
    px += <usize>inDim << 2;
    pd += <usize>outDim << 2;
  }
  v128.store(p, a0); v128.store(p + row, a1); v128.store(p + 2 * row, a2); v128.store(p + 3 * row, a3);
  v128.store(p, b0, 16); v128.store(p + row, b1, 16); v128.store(p + 2 * row, b2, 16); v128.store(p + 3 * row, b3, 16);
}

// @ts-ignore: decorator
@inline
function weightBlock4x4(x: usize, dy: usize, dw: usize, rows: i32, inDim: i32, outDim: i32, i: i32, o: i32, accumulate: bool): void {
  const p = dw + ((<usize>i * <usize>outDim + <usize>o) << 2), row = <usize>outDim << 2;
  let a0 = start(p, accumulate), a1 = start(p + row, accumulate), a2 = start(p + 2 * row, accumulate), a3 = start(p + 3 * row, accumulate);
  let px = x + (<usize>i << 2), pd = dy + (<usize>o << 2);
  for (let r = 0; r < rows; r++) {
    const d = v128.load(pd);
    a0 = f32x4.add(a0, f32x4.mul(f32x4.splat(load<f32>(px)), d));
    a1 = f32x4.add(a1, f32x4.mul(f32x4.splat(load<f32>(px, 4)), d));
    a2 = f32x4.add(a2, f32x4.mul(f32x4.splat(load<f32>(px, 8)), d));
    a3 = f32x4.add(a3, f32x4.mul(f32x4.splat(load<f32>(px, 12)), d));
    px += <usize>inDim << 2;
    pd += <usize>outDim << 2;
  }
  v128.store(p, a0); v128.store(p + row, a1); v128.store(p + 2 * row, a2); v128.store(p + 3 * row, a3);
}

// One row of dw over `vectors` (1 or 4) column vectors starting at column o.
function weightBlock1x4(x: usize, dy: usize, dw: usize, rows: i32, inDim: i32, outDim: i32, i: i32, o: i32, vectors: i32, accumulate: bool): void {
  for (let v = 0; v < vectors; v++) {
    const p = dw + ((<usize>i * <usize>outDim + <usize>o + (<usize>v << 2)) << 2);
    let a = start(p, accumulate);
    let px = x + (<usize>i << 2), pd = dy + ((<usize>o + (<usize>v << 2)) << 2);
    for (let r = 0; r < rows; r++) {
      a = f32x4.add(a, f32x4.mul(f32x4.splat(load<f32>(px)), v128.load(pd)));
      px += <usize>inDim << 2;
      pd += <usize>outDim << 2;
    }
    v128.store(p, a);
  }
}

/** db[o] (+)= sum over rows of dy[r, o], in row order. */
export function biasGrad(dy: usize, db: usize, rows: i32, outDim: i32, accumulate: bool): void {
  biasGradPair(dy, db, 0, 0, rows, outDim, accumulate);
}

/**
 * Two bias chains over the same rows, dbA from dyA and dbB from dyB (either may be absent: db 0),
 * in one pass. Each column's sum waits on its previous add, so a chain alone is bound by the add's
 * latency; the SIMD path keeps four column vectors of sums in registers (of both chains, or of one
 * when the other is absent) to have four adds in flight. Every element is still summed in row order.
 */
export function biasGradPair(dyA: usize, dbA: usize, dyB: usize, dbB: usize, rows: i32, outDim: i32, accumulate: bool): void {
  if (!dbA) {
    dyA = dyB;
    dbA = dbB;
    dbB = 0;
  }
  if (!dbA) return;
  const rowY = <usize>outDim << 2;
  let o = 0;
  if (ASC_FEATURE_SIMD) {
    const whole = outDim & ~3;
    if (dbB) {
      for (; o + 8 <= whole; o += 8) {
        const off = <usize>o << 2;
        biasBlock4(dyA + off, dbA + off, dyA + off + 16, dbA + off + 16, dyB + off, dbB + off, dyB + off + 16, dbB + off + 16, rows, rowY, accumulate);
      }
      for (; o + 4 <= whole; o += 4) {
        const off = <usize>o << 2;
        biasBlock2(dyA + off, dbA + off, dyB + off, dbB + off, rows, rowY, accumulate);
      }
    } else {
      for (; o + 16 <= whole; o += 16) {
        const off = <usize>o << 2;
        biasBlock4(dyA + off, dbA + off, dyA + off + 16, dbA + off + 16, dyA + off + 32, dbA + off + 32, dyA + off + 48, dbA + off + 48, rows, rowY, accumulate);
      }
      for (; o + 8 <= whole; o += 8) {
        const off = <usize>o << 2;
        biasBlock2(dyA + off, dbA + off, dyA + off + 16, dbA + off + 16, rows, rowY, accumulate);
      }
      for (; o + 4 <= whole; o += 4) {
        const off = <usize>o << 2;
        biasBlock2(dyA + off, dbA + off, 0, 0, rows, rowY, accumulate);
      }
    }
  }
  // remaining columns (all of them in the scalar build), one element at a time
  for (; o < outDim; o++) {
    const off = <usize>o << 2;
    biasColumn(dyA + off, dbA + off, rows, rowY, accumulate);
    if (dbB) biasColumn(dyB + off, dbB + off, rows, rowY, accumulate);
  }
}

// Four column vectors of sums: q_k (+)= sum over rows of the vector at p_k (rows rowY bytes apart).
// @ts-ignore: decorator
@inline
function biasBlock4(p0: usize, q0: usize, p1: usize, q1: usize, p2: usize, q2: usize, p3: usize, q3: usize,
  rows: i32, rowY: usize, accumulate: bool): void {
  let a0 = start(q0, accumulate), a1 = start(q1, accumulate), a2 = start(q2, accumulate), a3 = start(q3, accumulate);
  for (let r = 0; r < rows; r++) {
    a0 = f32x4.add(a0, v128.load(p0));
    a1 = f32x4.add(a1, v128.load(p1));
    a2 = f32x4.add(a2, v128.load(p2));
    a3 = f32x4.add(a3, v128.load(p3));
    p0 += rowY;
    p1 += rowY;
    p2 += rowY;
    p3 += rowY;
  }
  v128.store(q0, a0);
  v128.store(q1, a1);
  v128.store(q2, a2);
  v128.store(q3, a3);
}

// Two column vectors of sums, or one when q1 is 0.
// @ts-ignore: decorator
@inline
function biasBlock2(p0: usize, q0: usize, p1: usize, q1: usize, rows: i32, rowY: usize, accumulate: bool): void {
  let a0 = start(q0, accumulate);
  if (!q1) {
    for (let r = 0; r < rows; r++) {
      a0 = f32x4.add(a0, v128.load(p0));
      p0 += rowY;
    }
    v128.store(q0, a0);
    return;
  }
  let a1 = start(q1, accumulate);
  for (let r = 0; r < rows; r++) {
    a0 = f32x4.add(a0, v128.load(p0));
    a1 = f32x4.add(a1, v128.load(p1));
    p0 += rowY;
    p1 += rowY;
  }
  v128.store(q0, a0);
  v128.store(q1, a1);
}

// One column's sum, scalar.
// @ts-ignore: decorator
@inline
function biasColumn(p: usize, q: usize, rows: i32, rowY: usize, accumulate: bool): void {
  let acc: f32 = accumulate ? load<f32>(q) : 0;
  for (let r = 0; r < rows; r++) {
    acc += load<f32>(p);
    p += rowY;
  }
  store<f32>(q, acc);
}
