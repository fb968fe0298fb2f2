// Fused losses (PyTorch semantics, reduction 'mean'): twin of assembly/loss.ts.
// A forward runs `parts` workgroups of 256 that each reduce a grid-stride share of the items
// (elements, or rows for cross entropy) in workgroup memory into a partial of five values:
// [sum of losses, sum of row weights, invalid targets, NaN items, first invalid row]; loss_final
// sums the partials in one workgroup (run directly when parts == 1). The orders are fixed by the
// shape, so results repeat run to run. NaN items are counted rather than trusted to propagate
// through the sums (WGSL lets a compiler assume finite values), and any makes the loss NaN.
// The backwards are elementwise (one row per invocation for cross entropy) and read dOut[0].

const L1: u32 = 0u;
const HUBER: u32 = 1u;
const BCE: u32 = 2u;
const CE: u32 = 3u;
const NONE_BAD: f32 = 3.0e38;
const PART: u32 = 5u;

fn nanf() -> f32 {
  var bits = 0x7fc00000u; // a var: a NaN constant expression is a shader-creation error
  return bitcast<f32>(bits);
}

// log(1 + u), accurate for small u (Goldberg's correction; WGSL has no log1p).
fn log1p_f(u: f32) -> f32 {
  let v = 1.0 + u;
  if (v == 1.0) { return u; }
  return logf(v) * (u / (v - 1.0));
}

// softplus(-x) = -log(sigmoid(x)) = max(-x, 0) + log1p(exp(-|x|)): finite for any finite x.
fn softplus_neg(x: f32) -> f32 {
  return maxf(-x, 0.0) + log1p_f(expf(-abs(x)));
}

// The class of target t: -1 ignored, -2 invalid (not an integer in [0, classes), NaN included).
fn target_class(t: f32, classes: u32, ignore_index: i32) -> i32 {
  if (is_nan(t)) { return -2; }
  if (t == f32(ignore_index)) { return -1; }
  if (t >= 0.0 && t < f32(classes) && floor(t) == t) { return i32(t); }
  return -2;
}

var<workgroup> ls_sum: array<vec4<f32>, 256>;
var<workgroup> ls_first: array<f32, 256>;

// Sums ls_sum and takes the min of ls_first over the workgroup, in a fixed tree order.
fn loss_tree(lid: u32) {
  workgroupBarrier();
  for (var s = 128u; s > 0u; s >>= 1u) {
    if (lid < s) {
      ls_sum[lid] += ls_sum[lid + s];
      ls_first[lid] = min(ls_first[lid], ls_first[lid + s]);
    }
    workgroupBarrier();
  }
}

// Writes the loss (and cross entropy's stats) from the totals.
fn loss_finish(total: vec4<f32>, first: f32) {
  var v: f32;
  if (lp.kind == CE) {
    v = total.x / total.y;
    l_stats[0] = total.y;
    l_stats[1] = total.z;
    l_stats[2] = select(-1.0, first, total.z > 0.0);
  } else {
    v = total.x / f32(lp.n);
  }
  if (total.z > 0.0 || total.w > 0.0) { v = nanf(); }
  l_out[0] = v;
}

// One element's loss (L1, Huber, BCE): (loss, 1 if NaN).
fn element_loss(i: u32) -> vec2<f32> {
  let a = l_a[i];
  let b = l_b[i];
  var v: f32;
  var nan = is_nan(a) || is_nan(b);
  if (lp.kind == L1) {
    v = abs(a - b);
  } else if (lp.kind == HUBER) {
    let d = a - b;
    let ad = abs(d);
    v = select(lp.delta * (ad - 0.5 * lp.delta), 0.5 * d * d, ad < lp.delta);
  } else {
    var pw = 1.0;
    if (lp.has_w != 0u) {
      pw = l_w[i % lp.classes];
      nan = nan || is_nan(pw);
    }
    let lw = 1.0 + (pw - 1.0) * b;
    v = (1.0 - b) * a + lw * softplus_neg(a);
  }
  nan = nan || is_nan(v);
  return vec2<f32>(select(v, 0.0, nan), select(0.0, 1.0, nan));
}

// One row's cross entropy into acc (sum, weight, invalid, NaN) and first (invalid row).
fn row_loss(i: u32, acc: ptr<function, vec4<f32>>, first: ptr<function, f32>) {
  let k = target_class(l_b[i], lp.classes, lp.ignore_index);
  if (k == -1) { return; }
  if (k == -2) {
    (*acc).z += 1.0;
    *first = min(*first, f32(i));
    return;
  }
  let base = i * lp.classes;
  var m = -3.4028234e38;
  var nan = false;
  for (var c = 0u; c < lp.classes; c++) {
    let v = l_a[base + c];
    nan = nan || is_nan(v);
    m = max(m, v);
  }
  nan = nan || (is_nonfinite(m) && m > 0.0); // +inf - inf is NaN in PyTorch too
  var s = 0.0;
  for (var c = 0u; c < lp.classes; c++) { s += expf(l_a[base + c] - m); }
  var w = 1.0;
  if (lp.has_w != 0u) { w = l_w[u32(k)]; }
  let nll = (m - l_a[base + u32(k)]) + logf(s);
  nan = nan || is_nan(w) || is_nan(nll);
  (*acc).y += w; // NaN rows count in the weight sum, as in PyTorch (the other rows' gradients use it)
  if (nan) { (*acc).w += 1.0; } else { (*acc).x += w * nll; }
}

fn forward_pass(lid: u32, wid: u32) {
  var acc = vec4<f32>(0.0);
  var first = NONE_BAD;
  let stride = lp.parts * 256u;
  for (var i = wid * 256u + lid; i < lp.n; i += stride) {
    if (lp.kind == CE) {
      row_loss(i, &acc, &first);
    } else {
      let e = element_loss(i);
      acc.x += e.x;
      acc.w += e.y;
    }
  }
  ls_sum[lid] = acc;
  ls_first[lid] = first;
  loss_tree(lid);
  if (lid == 0u) {
    if (lp.parts == 1u) {
      loss_finish(ls_sum[0], ls_first[0]);
    } else {
      let t = ls_sum[0];
      l_partial[wid * PART] = t.x;
      l_partial[wid * PART + 1u] = t.y;
      l_partial[wid * PART + 2u] = t.z;
      l_partial[wid * PART + 3u] = t.w;
      l_partial[wid * PART + 4u] = ls_first[0];
    }
  }
}

@compute @workgroup_size(256)
fn l1_loss_forward(@builtin(local_invocation_id) lid: vec3<u32>, @builtin(workgroup_id) wid: vec3<u32>) {
  forward_pass(lid.x, wid.x);
}

@compute @workgroup_size(256)
fn huber_loss_forward(@builtin(local_invocation_id) lid: vec3<u32>, @builtin(workgroup_id) wid: vec3<u32>) {
  forward_pass(lid.x, wid.x);
}

@compute @workgroup_size(256)
fn bce_logits_forward(@builtin(local_invocation_id) lid: vec3<u32>, @builtin(workgroup_id) wid: vec3<u32>) {
  forward_pass(lid.x, wid.x);
}

@compute @workgroup_size(256)
fn cross_entropy_forward(@builtin(local_invocation_id) lid: vec3<u32>, @builtin(workgroup_id) wid: vec3<u32>) {
  forward_pass(lid.x, wid.x);
}

// Second pass: one workgroup sums the `parts` partials.
@compute @workgroup_size(256)
fn loss_final(@builtin(local_invocation_id) lid: vec3<u32>) {
  var acc = vec4<f32>(0.0);
  var first = NONE_BAD;
  for (var j = lid.x; j < lp.parts; j += 256u) {
    acc += vec4<f32>(l_partial[j * PART], l_partial[j * PART + 1u], l_partial[j * PART + 2u], l_partial[j * PART + 3u]);
    first = min(first, l_partial[j * PART + 4u]);
  }
  ls_sum[lid.x] = acc;
  ls_first[lid.x] = first;
  loss_tree(lid.x);
  if (lid.x == 0u) { loss_finish(ls_sum[0], ls_first[0]); }
}

// ---- backward --------------------------------------------------------------------------------------

fn write_grads(i: u32, g: f32) {
  if (lp.has_da != 0u) { lb_da[i] = g; }
  if (lp.has_db != 0u) { lb_db[i] = -g; }
}

// da = sign(a - b) g / n (0 at a == b, NaN for NaN), db = -da.
@compute @workgroup_size(WG)
fn l1_loss_backward(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>) {
  let i = flat_index(gid, nwg);
  if (i >= lp.n) { return; }
  let d = lb_a[i] - lb_b[i];
  var s = 0.0;
  if (d > 0.0) { s = 1.0; } else if (d < 0.0) { s = -1.0; }
  write_grads(i, select(s * (lb_dout[0] / f32(lp.n)), d, is_nan(d)));
}

// da = clamp(a - b, -delta, delta) g / n, db = -da.
@compute @workgroup_size(WG)
fn huber_loss_backward(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>) {
  let i = flat_index(gid, nwg);
  if (i >= lp.n) { return; }
  let d = lb_a[i] - lb_b[i];
  var c = d;
  if (d < -lp.delta) { c = -lp.delta; } else if (d > lp.delta) { c = lp.delta; }
  write_grads(i, select(c * (lb_dout[0] / f32(lp.n)), d, is_nan(d)));
}

// dx = ((pw y + 1 - y) sigmoid(x) - pw y) g / n; dy = ((pw - 1) softplus(-x) - x) g / n.
@compute @workgroup_size(WG)
fn bce_logits_backward(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>) {
  let i = flat_index(gid, nwg);
  if (i >= lp.n) { return; }
  let x = lb_a[i];
  let y = lb_b[i];
  var pw = 1.0;
  if (lp.has_w != 0u) { pw = lb_w[i % lp.classes]; }
  let scale = lb_dout[0] / f32(lp.n);
  let nan = is_nan(x) || is_nan(y) || is_nan(pw);
  if (lp.has_da != 0u) {
    let t = pw * y;
    lb_da[i] = select(((t + 1.0 - y) * sigmoidf(x) - t) * scale, nanf(), nan);
  }
  if (lp.has_db != 0u) {
    lb_db[i] = select(((pw - 1.0) * softplus_neg(x) - x) * scale, nanf(), is_nan(x) || is_nan(pw)); // y does not enter dy
  }
}

// dLogits[i, c] = w[t_i] (softmax(x_i)[c] - [c == t_i]) g / stats[0]: one row per invocation;
// 0 on ignored rows; NaN everywhere when a target was invalid, and on a row holding NaN.
@compute @workgroup_size(WG)
fn cross_entropy_backward(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>) {
  let i = flat_index(gid, nwg);
  if (i >= lp.n) { return; }
  let base = i * lp.classes;
  let k = target_class(lb_b[i], lp.classes, lp.ignore_index);
  let invalid = lb_stats[1] != 0.0;
  if (k == -1 && !invalid) {
    for (var c = 0u; c < lp.classes; c++) { lb_da[base + c] = 0.0; }
    return;
  }
  var m = -3.4028234e38;
  var nan = invalid;
  for (var c = 0u; c < lp.classes; c++) {
    let v = lb_a[base + c];
    nan = nan || is_nan(v);
    m = max(m, v);
  }
  nan = nan || (is_nonfinite(m) && m > 0.0);
  var s = 0.0;
  for (var c = 0u; c < lp.classes; c++) { s += expf(lb_a[base + c] - m); }
  var w = 1.0;
  if (lp.has_w != 0u && k >= 0) { w = lb_w[u32(k)]; }
  let scale = w * lb_dout[0] / lb_stats[0];
  let inv = 1.0 / s;
  for (var c = 0u; c < lp.classes; c++) {
    let p = expf(lb_a[base + c] - m) * inv;
    let g = select(p, p - 1.0, i32(c) == k) * scale;
    lb_da[base + c] = select(g, nanf(), nan || is_nan(g));
  }
}
