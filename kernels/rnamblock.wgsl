// The feed-forward half of the fused RNAM block (twin of the per-row part of assembly/rnamblock.ts):
// per row, u = x + h, y1 = LayerNorm(u), r = relu(y1 @ w1 + b1), out = x + r @ w2 + b2. The minGRU
// (hg = x @ wg, the scan) runs on the mingru and linear passes before it. One invocation per row:
// dim is small in these models. Rows are (terms, rows_per_term, dim); the term of row r is
// r / rows_per_term. ff_p packs the parameters: lnw (dim) | lnb (dim) | w1 (terms, dim, dim) |
// b1 (terms, dim) | w2 (terms, dim, dim) | b2 (terms, dim).
// Layer norm as kernels/layernorm.wgsl: the mean as an unevaluated hi + lo sum, the rest float32.

struct RowStats { mean_hi: f32, mean_lo: f32, rstd: f32 }

fn two_sum(a: f32, b: f32) -> vec2<f32> {
  let s = a + b;
  let bb = s - a;
  let e = (a - (s - bb)) + (b - bb);
  return vec2<f32>(s, e);
}

fn u_at(base: u32, i: u32) -> f32 {
  return ff_x[base + i] + ff_h[base + i];
}

fn u_stats(base: u32) -> RowStats {
  let n = f32(rb.dim);
  var s = 0.0;
  var c = 0.0;
  for (var i = 0u; i < rb.dim; i++) {
    let t = two_sum(s, u_at(base, i));
    s = t.x;
    c += t.y;
  }
  // an infinite sum has no low part (its two_sum error terms are NaN): the mean is s / n, as in float64
  let total = select(two_sum(s, c), vec2<f32>(s, 0.0), is_nonfinite(s));
  let hi = total.x / n;
  let lo = select((fma(-hi, n, total.x) + total.y) / n, 0.0, is_nonfinite(s));
  var sq = 0.0;
  for (var i = 0u; i < rb.dim; i++) {
    let d = (u_at(base, i) - hi) - lo;
    sq += d * d;
  }
  return RowStats(hi, lo, 1.0 / sqrtf(sq / n + rb.eps));
}

fn xhat_at(base: u32, i: u32, st: RowStats) -> f32 {
  return ((u_at(base, i) - st.mean_hi) - st.mean_lo) * st.rstd;
}

// Offsets into ff_p.
fn off_w1(term: u32) -> u32 { return 2u * rb.dim + term * rb.dim * rb.dim; }
fn off_b1(term: u32) -> u32 { return 2u * rb.dim + rb.terms * rb.dim * rb.dim + term * rb.dim; }
fn off_w2(term: u32) -> u32 { return 2u * rb.dim + rb.terms * rb.dim * (rb.dim + 1u) + term * rb.dim * rb.dim; }
fn off_b2(term: u32) -> u32 { return 2u * rb.dim + rb.terms * rb.dim * (2u * rb.dim + 1u) + term * rb.dim; }

// relu with NaN propagating, as unary.wgsl
fn relu(x: f32) -> f32 {
  return select(select(x, 0.0, x <= 0.0), x, is_nan(x));
}

// ff_tmp: y1 (rows, dim) then r (rows, dim)
@compute @workgroup_size(WG)
fn rnam_block_ff_forward(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>) {
  let row = flat_index(gid, nwg);
  if (row >= rb.rows) { return; }
  let dim = rb.dim;
  let base = row * dim;
  let term = row / rb.rows_per_term;
  let st = u_stats(base);
  for (var i = 0u; i < dim; i++) {
    ff_tmp[base + i] = xhat_at(base, i, st) * ff_p[i] + ff_p[dim + i];
  }
  let r_base = rb.rows * dim + base;
  let w1 = off_w1(term);
  let b1 = off_b1(term);
  for (var o = 0u; o < dim; o++) {
    var acc = 0.0;
    for (var i = 0u; i < dim; i++) { acc += ff_tmp[base + i] * ff_p[w1 + i * dim + o]; }
    ff_tmp[r_base + o] = relu(acc + ff_p[b1 + o]);
  }
  let w2 = off_w2(term);
  let b2 = off_b2(term);
  for (var o = 0u; o < dim; o++) {
    var acc = 0.0;
    for (var i = 0u; i < dim; i++) { acc += ff_tmp[r_base + i] * ff_p[w2 + i * dim + o]; }
    ff_out[base + o] = ff_x[base + o] + (acc + ff_p[b2 + o]);
  }
}

// Per row, with da2 = dout: y1 and r (recomputed), da1 = relu'(r) * (dout @ w2^T), and du, the
// layer norm's input gradient from dy1 = da1 @ w1^T.
@compute @workgroup_size(WG)
fn rnam_block_ff_backward(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>) {
  let row = flat_index(gid, nwg);
  if (row >= rb.rows) { return; }
  let dim = rb.dim;
  let base = row * dim;
  let term = row / rb.rows_per_term;
  let st = u_stats(base);
  for (var i = 0u; i < dim; i++) {
    fb_y1[base + i] = xhat_at(base, i, st) * ff_p[i] + ff_p[dim + i];
  }
  let w1 = off_w1(term);
  let b1 = off_b1(term);
  for (var o = 0u; o < dim; o++) {
    var acc = 0.0;
    for (var i = 0u; i < dim; i++) { acc += fb_y1[base + i] * ff_p[w1 + i * dim + o]; }
    fb_r[base + o] = relu(acc + ff_p[b1 + o]);
  }
  let w2 = off_w2(term);
  for (var i = 0u; i < dim; i++) {
    var acc = 0.0;
    for (var o = 0u; o < dim; o++) { acc += fb_dout[base + o] * ff_p[w2 + i * dim + o]; }
    fb_da1[base + i] = select(0.0, acc, fb_r[base + i] > 0.0);
  }
  // layer norm backward, g = dy1 * lnw
  var sum_g = 0.0;
  var sum_gx = 0.0;
  for (var i = 0u; i < dim; i++) {
    var dy1 = 0.0;
    for (var o = 0u; o < dim; o++) { dy1 += fb_da1[base + o] * ff_p[w1 + i * dim + o]; }
    let g = dy1 * ff_p[i];
    sum_g += g;
    sum_gx += g * xhat_at(base, i, st);
    fb_du[base + i] = g; // g for now; du below
  }
  let mean_g = sum_g / f32(dim);
  let mean_gx = sum_gx / f32(dim);
  for (var i = 0u; i < dim; i++) {
    fb_du[base + i] = st.rstd * ((fb_du[base + i] - mean_g) - xhat_at(base, i, st) * mean_gx);
  }
}

// Per row: dy1 = da1 @ w1^T and dy1 * xhat, whose column sums are the layer norm's db and dw.
@compute @workgroup_size(WG)
fn rnam_block_ff_backward_ln(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>) {
  let row = flat_index(gid, nwg);
  if (row >= rb.rows) { return; }
  let dim = rb.dim;
  let base = row * dim;
  let term = row / rb.rows_per_term;
  let st = u_stats(base);
  let w1 = off_w1(term);
  for (var i = 0u; i < dim; i++) {
    var dy1 = 0.0;
    for (var o = 0u; o < dim; o++) { dy1 += fl_da1[base + o] * ff_p[w1 + i * dim + o]; }
    fl_dy1[base + i] = dy1;
    fl_dyxhat[base + i] = dy1 * xhat_at(base, i, st);
  }
}

// x[g, t, :] = 0 for every step t at or past lengths[g]: the rows a sequence's padding leaves, as
// the wasm kernels leave them.
@compute @workgroup_size(WG)
fn rnam_block_mask(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>) {
  let i = flat_index(gid, nwg);
  if (i >= mp.n) { return; }
  let row = i / mp.dim;
  let g = row / mp.seq;
  let t = row - g * mp.seq;
  if (f32(t) >= m_lengths[g]) { m_x[i] = 0.0; }
}
