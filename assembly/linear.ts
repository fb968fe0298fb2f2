// Grouped ("terms") linear layer: y[t] = x[t] @ w[t] + b[t] for every term t.
// Layouts (row-major, float32): x (terms, rows, inDim), w (terms, inDim, outDim),
// b (terms, 1, outDim), y (terms, rows, outDim). A pointer of 0 means "absent".
// SIMD runs over 4 output channels; the sum over inputs is in ascending order, bias last, and the
// scalar path (tails and the scalar build) does the very same operations, so results are bitwise
// identical whichever path computes them.
import { biasGrad, weightGrad } from "./rowsums";

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
        // four output vectors at a time: four independent chains share each x splat
        for (; o + 16 <= outDim; o += 16) {
          const off = <usize>o << 2;
          let a0 = f32x4.splat(0), a1 = a0, a2 = a0, a3 = a0;
          let wp = wt + off;
          for (let i = 0; i < inDim; i++) {
            const xv = v128.load32_splat(xr + (<usize>i << 2));
            a0 = f32x4.add(a0, f32x4.mul(xv, v128.load(wp)));
            a1 = f32x4.add(a1, f32x4.mul(xv, v128.load(wp, 16)));
            a2 = f32x4.add(a2, f32x4.mul(xv, v128.load(wp, 32)));
            a3 = f32x4.add(a3, f32x4.mul(xv, v128.load(wp, 48)));
            wp += rowY;
          }
          if (bt) {
            a0 = f32x4.add(a0, v128.load(bt + off));
            a1 = f32x4.add(a1, v128.load(bt + off, 16));
            a2 = f32x4.add(a2, v128.load(bt + off, 32));
            a3 = f32x4.add(a3, v128.load(bt + off, 48));
          }
          v128.store(yr + off, a0);
          v128.store(yr + off, a1, 16);
          v128.store(yr + off, a2, 32);
          v128.store(yr + off, a3, 48);
        }
        for (; o + 8 <= outDim; o += 8) {
          const off = <usize>o << 2;
          let a0 = f32x4.splat(0), a1 = a0;
          let wp = wt + off;
          for (let i = 0; i < inDim; i++) {
            const xv = v128.load32_splat(xr + (<usize>i << 2));
            a0 = f32x4.add(a0, f32x4.mul(xv, v128.load(wp)));
            a1 = f32x4.add(a1, f32x4.mul(xv, v128.load(wp, 16)));
            wp += rowY;
          }
          if (bt) {
            a0 = f32x4.add(a0, v128.load(bt + off));
            a1 = f32x4.add(a1, v128.load(bt + off, 16));
          }
          v128.store(yr + off, a0);
          v128.store(yr + off, a1, 16);
        }
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
    if (dw) weightGrad(xt, dyt, dw + <usize>t * <usize>inDim * rowY, rows, inDim, outDim, false);
    if (db) biasGrad(dyt, db + <usize>t * rowY, rows, outDim, false);
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
    let i = 0;
    if (ASC_FEATURE_SIMD && whole == outDim) {
      // four inputs at a time: their lane partials transposed so that one vector add sums them all
      for (; i + 4 <= inDim; i += 4) {
        let a0 = f32x4.splat(0), a1 = a0, a2 = a0, a3 = a0;
        for (let o = 0; o < whole; o += 4) {
          const off = <usize>o << 2;
          const d = v128.load(dyr + off);
          a0 = f32x4.add(a0, f32x4.mul(d, v128.load(wr + off)));
          a1 = f32x4.add(a1, f32x4.mul(d, v128.load(wr + rowY + off)));
          a2 = f32x4.add(a2, f32x4.mul(d, v128.load(wr + 2 * rowY + off)));
          a3 = f32x4.add(a3, f32x4.mul(d, v128.load(wr + 3 * rowY + off)));
        }
        // lane k of pk: input i + j's partial k (j = 0..3)
        const lo01 = v128.shuffle<f32>(a0, a1, 0, 4, 1, 5), hi01 = v128.shuffle<f32>(a0, a1, 2, 6, 3, 7);
        const lo23 = v128.shuffle<f32>(a2, a3, 0, 4, 1, 5), hi23 = v128.shuffle<f32>(a2, a3, 2, 6, 3, 7);
        const p0 = v128.shuffle<f64>(lo01, lo23, 0, 2), p1 = v128.shuffle<f64>(lo01, lo23, 1, 3);
        const p2 = v128.shuffle<f64>(hi01, hi23, 0, 2), p3 = v128.shuffle<f64>(hi01, hi23, 1, 3);
        v128.store(dxr + (<usize>i << 2), f32x4.add(f32x4.add(p0, p1), f32x4.add(p2, p3)));
        wr += 4 * rowY;
      }
    }
    for (; i < inDim; i++) {
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
