// Layer normalisation over the last dimension of (rows, dim):
// y = (x - mean) * rstd * w + b, rstd = 1 / sqrt(var + eps), var the biased variance.
// mean and rstd (rows each) are saved for the backward pass. w and b may be 0 (no affine).
// Sums run in ascending order per row, so results do not depend on how rows are split.

export function layer_norm_forward(x: usize, w: usize, b: usize, y: usize, mean: usize, rstd: usize, rows: i32, dim: i32, eps: f32): void {
  const rowBytes = <usize>dim << 2;
  for (let r = 0; r < rows; r++) {
    const xr = x + <usize>r * rowBytes;
    const yr = y + <usize>r * rowBytes;
    let sum: f32 = 0;
    for (let i = 0; i < dim; i++) sum += load<f32>(xr + (<usize>i << 2));
    const mu = sum / <f32>dim;
    let sq: f32 = 0;
    for (let i = 0; i < dim; i++) {
      const d = load<f32>(xr + (<usize>i << 2)) - mu;
      sq += d * d;
    }
    const rs: f32 = 1 / Mathf.sqrt(sq / <f32>dim + eps);
    store<f32>(mean + (<usize>r << 2), mu);
    store<f32>(rstd + (<usize>r << 2), rs);
    for (let i = 0; i < dim; i++) {
      const off = <usize>i << 2;
      let v = (load<f32>(xr + off) - mu) * rs;
      if (w) v = v * load<f32>(w + off);
      if (b) v = v + load<f32>(b + off);
      store<f32>(yr + off, v);
    }
  }
}

// dx = rstd * (g - mean(g) - xhat * mean(g * xhat)) with g = dy * w, xhat = (x - mean) * rstd;
// dw = sum over rows of dy * xhat, db = sum over rows of dy (written when non-zero).
export function layer_norm_backward(
  x: usize, w: usize, mean: usize, rstd: usize, dy: usize, dx: usize, dw: usize, db: usize, rows: i32, dim: i32,
): void {
  const rowBytes = <usize>dim << 2;
  if (dw) memory.fill(dw, 0, rowBytes);
  if (db) memory.fill(db, 0, rowBytes);
  for (let r = 0; r < rows; r++) {
    const xr = x + <usize>r * rowBytes;
    const dyr = dy + <usize>r * rowBytes;
    const mu = load<f32>(mean + (<usize>r << 2));
    const rs = load<f32>(rstd + (<usize>r << 2));
    let sumG: f32 = 0, sumGX: f32 = 0;
    for (let i = 0; i < dim; i++) {
      const off = <usize>i << 2;
      const xhat = (load<f32>(xr + off) - mu) * rs;
      const d = load<f32>(dyr + off);
      const g = w ? d * load<f32>(w + off) : d;
      sumG += g;
      sumGX += g * xhat;
      if (dw) store<f32>(dw + off, load<f32>(dw + off) + d * xhat);
      if (db) store<f32>(db + off, load<f32>(db + off) + d);
    }
    if (dx) {
      const meanG = sumG / <f32>dim, meanGX = sumGX / <f32>dim;
      const dxr = dx + <usize>r * rowBytes;
      for (let i = 0; i < dim; i++) {
        const off = <usize>i << 2;
        const xhat = (load<f32>(xr + off) - mu) * rs;
        const d = load<f32>(dyr + off);
        const g = w ? d * load<f32>(w + off) : d;
        store<f32>(dxr + off, rs * (g - meanG - xhat * meanGX));
      }
    }
  }
}
