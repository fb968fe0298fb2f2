// Layer norm over the last dim of (rows, dim): twin of assembly/layernorm.ts.
// y = (x - mean) * rstd * w + b, rstd = 1 / sqrt(var + eps) (biased variance); mean and rstd saved.
//
// The CPU kernel keeps its row arithmetic in float64, because a row of nearly equal values has a
// tiny variance, a huge rstd and a backward pass that cancels heavily. GPUs have no float64, so
// here the mean is carried as an unevaluated sum of two float32s (hi + lo, from a compensated sum),
// which makes every x - mean as exact as float32 allows; the rest follows in float32. Like the
// CPU kernel, backward recomputes the row statistics from x instead of trusting their float32 copies.
//
// Forward and the per-row part of backward run one invocation per row (dim is small in these
// models). dw and db are column sums over rows: layer_norm_backward writes each row's xhat to a
// scratch buffer, layer_norm_backward_dwdb reduces chunks of rows in 16x16 workgroups, and
// layer_norm_backward_reduce adds the chunk partials in order.

// x - mean of each row, accurate to float32 rounding of the difference, and rstd.
struct RowStats { mean_hi: f32, mean_lo: f32, rstd: f32 }

// Error-free sum: a + b = s + e exactly.
fn two_sum(a: f32, b: f32) -> vec2<f32> {
  let s = a + b;
  let bb = s - a;
  let e = (a - (s - bb)) + (b - bb);
  return vec2<f32>(s, e);
}

fn row_stats(base: u32) -> RowStats {
  let n = f32(lp.dim);
  // compensated sum of the row
  var s = 0.0;
  var c = 0.0;
  for (var i = 0u; i < lp.dim; i++) {
    let t = two_sum(s, ln_x[base + i]);
    s = t.x;
    c += t.y;
  }
  // an infinite sum has no low part (its two_sum error terms are NaN): the mean is s / n, as in float64
  let total = select(two_sum(s, c), vec2<f32>(s, 0.0), is_nonfinite(s));
  let hi = total.x / n;
  // the remainder of the division, exactly: total - hi * n (fma is exact here), plus the low part
  let lo = select((fma(-hi, n, total.x) + total.y) / n, 0.0, is_nonfinite(s));
  var sq = 0.0;
  for (var i = 0u; i < lp.dim; i++) {
    let d = (ln_x[base + i] - hi) - lo;
    sq += d * d;
  }
  return RowStats(hi, lo, 1.0 / sqrtf(sq / n + lp.eps));
}

@compute @workgroup_size(WG)
fn layer_norm_forward(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>) {
  let r = flat_index(gid, nwg);
  if (r >= lp.rows) { return; }
  let base = r * lp.dim;
  let st = row_stats(base);
  lf_mean[r] = st.mean_hi + st.mean_lo;
  lf_rstd[r] = st.rstd;
  for (var i = 0u; i < lp.dim; i++) {
    var v = ((ln_x[base + i] - st.mean_hi) - st.mean_lo) * st.rstd;
    if (lp.has_w != 0u) { v = v * ln_w[i]; }
    if (lp.has_b != 0u) { v = v + lf_b[i]; }
    lf_y[base + i] = v;
  }
}

// Per row: dx = rstd * (g - mean(g) - xhat * mean(g * xhat)), g = dy * w, xhat = (x - mean) * rstd;
// and xhat into the scratch when dw or db is wanted.
@compute @workgroup_size(WG)
fn layer_norm_backward(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>) {
  let r = flat_index(gid, nwg);
  if (r >= lp.rows) { return; }
  let base = r * lp.dim;
  let st = row_stats(base);
  let rs = st.rstd;
  let want_xhat = lp.has_dw != 0u || lp.has_db != 0u;
  var sum_g = 0.0;
  var sum_gx = 0.0;
  for (var i = 0u; i < lp.dim; i++) {
    let xhat = ((ln_x[base + i] - st.mean_hi) - st.mean_lo) * rs;
    var g = lb_dy[base + i];
    if (lp.has_w != 0u) { g = g * ln_w[i]; }
    sum_g += g;
    sum_gx += g * xhat;
    if (want_xhat) { lb_xhat[base + i] = xhat; }
  }
  if (lp.has_dx == 0u) { return; }
  let mean_g = sum_g / f32(lp.dim);
  let mean_gx = sum_gx / f32(lp.dim);
  for (var i = 0u; i < lp.dim; i++) {
    let xhat = ((ln_x[base + i] - st.mean_hi) - st.mean_lo) * rs;
    var g = lb_dy[base + i];
    if (lp.has_w != 0u) { g = g * ln_w[i]; }
    lb_dx[base + i] = rs * ((g - mean_g) - xhat * mean_gx);
  }
}

// ld_partial: dw parts (splits, dim) then db parts (splits, dim)
var<workgroup> ld_shared_w: array<f32, 256>;
var<workgroup> ld_shared_b: array<f32, 256>;

// dw = sum_r dy * xhat, db = sum_r dy over one chunk of rows: 16 columns x 16 lanes per workgroup.
@compute @workgroup_size(16, 16)
fn layer_norm_backward_dwdb(@builtin(local_invocation_id) lid: vec3<u32>, @builtin(workgroup_id) wid: vec3<u32>) {
  let col = wid.x * 16u + lid.x;
  let split = wid.y;
  let begin = split * lp.chunk;
  let end = min(begin + lp.chunk, lp.rows);
  var acc_w = 0.0;
  var acc_b = 0.0;
  if (col < lp.dim) {
    for (var r = begin + lid.y; r < end; r += 16u) {
      let d = ld_dy[r * lp.dim + col];
      acc_w += d * ld_xhat[r * lp.dim + col];
      acc_b += d;
    }
  }
  ld_shared_w[lid.y * 16u + lid.x] = acc_w;
  ld_shared_b[lid.y * 16u + lid.x] = acc_b;
  workgroupBarrier();
  if (lid.y == 0u && col < lp.dim) {
    var tw = 0.0;
    var tb = 0.0;
    for (var k = 0u; k < 16u; k++) {
      tw += ld_shared_w[k * 16u + lid.x];
      tb += ld_shared_b[k * 16u + lid.x];
    }
    if (lp.splits == 1u) {
      if (lp.has_dw != 0u) { ld_dw[col] = tw; }
      if (lp.has_db != 0u) { ld_db[col] = tb; }
    } else {
      ld_partial[split * lp.dim + col] = tw;
      ld_partial[(lp.splits + split) * lp.dim + col] = tb;
    }
  }
}

// Sums the split partials of dw and db in order.
@compute @workgroup_size(WG)
fn layer_norm_backward_reduce(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>) {
  let col = flat_index(gid, nwg);
  if (col >= lp.dim) { return; }
  var tw = 0.0;
  var tb = 0.0;
  for (var s = 0u; s < lp.splits; s++) {
    tw += ld_partial[s * lp.dim + col];
    tb += ld_partial[(lp.splits + s) * lp.dim + col];
  }
  if (lp.has_dw != 0u) { ld_dw[col] = tw; }
  if (lp.has_db != 0u) { ld_db[col] = tb; }
}
