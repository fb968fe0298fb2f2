// Reductions with a fixed summation order (deterministic whatever the SIMD width).

// out[0] = sum of x[0..n), accumulated in ascending order.
export function sum_all(x: usize, out: usize, n: i32): void {
  let s: f32 = 0;
  for (let i = 0; i < n; i++) s += load<f32>(x + (<usize>i << 2));
  store<f32>(out, s);
}

// y[i] = sum over r of x[r, i] for x (rows, inner), rows in ascending order.
export function sum_rows(x: usize, y: usize, rows: i32, inner: i32): void {
  const rowBytes = <usize>inner << 2;
  memory.fill(y, 0, rowBytes);
  for (let r = 0; r < rows; r++) {
    const xr = x + <usize>r * rowBytes;
    let i = 0;
    if (ASC_FEATURE_SIMD) {
      for (; i + 4 <= inner; i += 4) {
        const off = <usize>i << 2;
        v128.store(y + off, f32x4.add(v128.load(y + off), v128.load(xr + off)));
      }
    }
    for (; i < inner; i++) {
      const off = <usize>i << 2;
      store<f32>(y + off, load<f32>(y + off) + load<f32>(xr + off));
    }
  }
}

// y[r, i] = x[r, i] + v[i] for x (rows, inner).
export function add_row_vector(x: usize, v: usize, y: usize, rows: i32, inner: i32): void {
  const rowBytes = <usize>inner << 2;
  for (let r = 0; r < rows; r++) {
    const xr = x + <usize>r * rowBytes, yr = y + <usize>r * rowBytes;
    let i = 0;
    if (ASC_FEATURE_SIMD) {
      for (; i + 4 <= inner; i += 4) {
        const off = <usize>i << 2;
        v128.store(yr + off, f32x4.add(v128.load(xr + off), v128.load(v + off)));
      }
    }
    for (; i < inner; i++) {
      const off = <usize>i << 2;
      store<f32>(yr + off, load<f32>(xr + off) + load<f32>(v + off));
    }
  }
}

// out[0] = mean of (a - b)^2.
export function mse_forward(a: usize, b: usize, out: usize, n: i32): void {
  let s: f32 = 0;
  for (let i = 0; i < n; i++) {
    const off = <usize>i << 2;
    const d = load<f32>(a + off) - load<f32>(b + off);
    s += d * d;
  }
  store<f32>(out, s / <f32>n);
}

// da = 2 (a - b) g / n, db = -da, with g = dOut[0] (0 pointers are skipped).
export function mse_backward(a: usize, b: usize, dOut: usize, da: usize, db: usize, n: i32): void {
  const scale = load<f32>(dOut) * 2 / <f32>n;
  for (let i = 0; i < n; i++) {
    const off = <usize>i << 2;
    const g = (load<f32>(a + off) - load<f32>(b + off)) * scale;
    if (da) store<f32>(da + off, g);
    if (db) store<f32>(db + off, -g);
  }
}

// acc[0] += sum of x^2 (for gradient-norm clipping without reading back to the host).
export function sum_squares_accumulate(x: usize, acc: usize, n: i32): void {
  let s: f32 = 0;
  for (let i = 0; i < n; i++) {
    const v = load<f32>(x + (<usize>i << 2));
    s += v * v;
  }
  store<f32>(acc, load<f32>(acc) + s);
}
