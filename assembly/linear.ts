// Grouped ("terms") linear layer: y[t] = x[t] @ w[t] + b[t] for every term t.
// Layouts (row-major, float32): x (terms, rows, inDim), w (terms, inDim, outDim),
// b (terms, 1, outDim), y (terms, rows, outDim). A pointer of 0 means "absent".
// SIMD runs over 4 output channels; the sum over inputs is in ascending order, bias last, and the
// scalar path (tails and the scalar build) does the very same operations, so results are bitwise
// identical whichever path computes them.

export function linear_forward(x: usize, w: usize, b: usize, y: usize, terms: i32, rows: i32, inDim: i32, outDim: i32): void {
  const rowX = <usize>inDim << 2;
  const rowY = <usize>outDim << 2;
  for (let t = 0; t < terms; t++) {
    const wt = w + <usize>t * <usize>inDim * rowY;
    const bt: usize = b ? b + <usize>t * rowY : 0;
    let xr = x + <usize>t * <usize>rows * rowX;
    let yr = y + <usize>t * <usize>rows * rowY;
    for (let r = 0; r < rows; r++) {
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
      xr += rowX;
      yr += rowY;
    }
  }
}

// dx = dy @ w^T, dw = x^T @ dy, db = sum over rows of dy. Each of dx, dw, db is written (not
// accumulated) when its pointer is non-zero. Sums over rows run in ascending row order.
export function linear_backward(
  x: usize, w: usize, dy: usize, dx: usize, dw: usize, db: usize, terms: i32, rows: i32, inDim: i32, outDim: i32,
): void {
  const rowX = <usize>inDim << 2;
  const rowY = <usize>outDim << 2;
  for (let t = 0; t < terms; t++) {
    const wt = w + <usize>t * <usize>inDim * rowY;
    const xt = x + <usize>t * <usize>rows * rowX;
    const dyt = dy + <usize>t * <usize>rows * rowY;
    if (dx) inputGrad(dyt, wt, dx + <usize>t * <usize>rows * rowX, rows, inDim, outDim);
    if (dw) weightGrad(xt, dyt, dw + <usize>t * <usize>inDim * rowY, rows, inDim, outDim);
    if (db) biasGrad(dyt, db + <usize>t * rowY, rows, outDim);
  }
}

// dx[r, i] = sum_o dy[r, o] w[i, o]: four lane partials over whole chunks of 4 outputs, summed as
// (p0 + p1) + (p2 + p3), then the tail outputs in order.
function inputGrad(dy: usize, w: usize, dx: usize, rows: i32, inDim: i32, outDim: i32): void {
  const rowY = <usize>outDim << 2;
  const whole = outDim & ~3;
  let dyr = dy;
  let dxr = dx;
  for (let r = 0; r < rows; r++) {
    let wr = w;
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
    dyr += rowY;
    dxr += <usize>inDim << 2;
  }
}

// dw[i, o] = sum_r x[r, i] dy[r, o], each element summed over rows in ascending order from 0.
// The SIMD path keeps blocks of dw in registers over all rows (2 rows of dw x 16 columns, or
// 4 rows x 4 columns) instead of updating dw in memory every row; the sums are the same.
function weightGrad(x: usize, dy: usize, dw: usize, rows: i32, inDim: i32, outDim: i32): void {
  let o = 0;
  if (ASC_FEATURE_SIMD) {
    const whole = outDim & ~3;
    for (; o + 16 <= whole; o += 16) {
      let i = 0;
      for (; i + 2 <= inDim; i += 2) weightBlock2x16(x, dy, dw, rows, inDim, outDim, i, o);
      for (; i < inDim; i++) weightBlock1x4(x, dy, dw, rows, inDim, outDim, i, o, 4);
    }
    for (; o + 4 <= whole; o += 4) {
      let i = 0;
      for (; i + 4 <= inDim; i += 4) weightBlock4x4(x, dy, dw, rows, inDim, outDim, i, o);
      for (; i < inDim; i++) weightBlock1x4(x, dy, dw, rows, inDim, outDim, i, o, 1);
    }
  }
  // remaining columns (all of them in the scalar build), one dw element at a time
  for (let i = 0; i < inDim; i++) {
    for (let c = o; c < outDim; c++) {
      let acc: f32 = 0;
      let px = x + (<usize>i << 2), pd = dy + (<usize>c << 2);
      for (let r = 0; r < rows; r++) {
        acc += load<f32>(px) * load<f32>(pd);
        px += <usize>inDim << 2;
        pd += <usize>outDim << 2;
      }
      store<f32>(dw + ((<usize>i * <usize>outDim + <usize>c) << 2), acc);
    }
  }
}

// @ts-ignore: decorator
@inline
function weightBlock2x16(x: usize, dy: usize, dw: usize, rows: i32, inDim: i32, outDim: i32, i: i32, o: i32): void {
  let a0 = f32x4.splat(0), a1 = a0, a2 = a0, a3 = a0, b0 = a0, b1 = a0, b2 = a0, b3 = a0;
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
  const p = dw + ((<usize>i * <usize>outDim + <usize>o) << 2), q = p + (<usize>outDim << 2);
  v128.store(p, a0); v128.store(p, a1, 16); v128.store(p, a2, 32); v128.store(p, a3, 48);
  v128.store(q, b0); v128.store(q, b1, 16); v128.store(q, b2, 32); v128.store(q, b3, 48);
}

// @ts-ignore: decorator
@inline
function weightBlock4x4(x: usize, dy: usize, dw: usize, rows: i32, inDim: i32, outDim: i32, i: i32, o: i32): void {
  let a0 = f32x4.splat(0), a1 = a0, a2 = a0, a3 = a0;
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
  const p = dw + ((<usize>i * <usize>outDim + <usize>o) << 2), row = <usize>outDim << 2;
  v128.store(p, a0); v128.store(p + row, a1); v128.store(p + 2 * row, a2); v128.store(p + 3 * row, a3);
}

// One row of dw over `vectors` (1 or 4) column vectors starting at column o.
function weightBlock1x4(x: usize, dy: usize, dw: usize, rows: i32, inDim: i32, outDim: i32, i: i32, o: i32, vectors: i32): void {
  for (let v = 0; v < vectors; v++) {
    let a = f32x4.splat(0);
    let px = x + (<usize>i << 2), pd = dy + ((<usize>o + (<usize>v << 2)) << 2);
    for (let r = 0; r < rows; r++) {
      a = f32x4.add(a, f32x4.mul(f32x4.splat(load<f32>(px)), v128.load(pd)));
      px += <usize>inDim << 2;
      pd += <usize>outDim << 2;
    }
    v128.store(dw + ((<usize>i * <usize>outDim + <usize>o + (<usize>v << 2)) << 2), a);
  }
}

function biasGrad(dy: usize, db: usize, rows: i32, outDim: i32): void {
  const rowY = <usize>outDim << 2;
  memory.fill(db, 0, rowY);
  let dyr = dy;
  for (let r = 0; r < rows; r++) {
    let o = 0;
    if (ASC_FEATURE_SIMD) {
      for (; o + 4 <= outDim; o += 4) {
        const off = <usize>o << 2;
        v128.store(db + off, f32x4.add(v128.load(db + off), v128.load(dyr + off)));
      }
    }
    for (; o < outDim; o++) {
      const off = <usize>o << 2;
      store<f32>(db + off, load<f32>(db + off) + load<f32>(dyr + off));
    }
    dyr += rowY;
  }
}
