// Elementwise binary ops, scalar affine maps, fills, row copies, the 2-D transpose and the non-finite count.
// Twin of assembly/elementwise.ts; the op constants are generated from the spec's binaryOps. One invocation per element.

fn binary1(a: f32, b: f32, op: u32) -> f32 {
  switch op {
    case ADD: { return a + b; }
    case SUB: { return a - b; }
    case MUL: { return a * b; }
    default: { return a / b; }
  }
}

// out = a op b
@compute @workgroup_size(WG)
fn binary_forward(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>) {
  let i = flat_index(gid, nwg);
  if (i >= binary_forward_u.n) { return; }
  binary_forward_out[i] = binary1(binary_forward_a[i], binary_forward_b[i], binary_forward_u.op);
}

// da (if has_da) and db (if has_db) of out = a op b
@compute @workgroup_size(WG)
fn binary_backward(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>) {
  let i = flat_index(gid, nwg);
  if (i >= binary_backward_u.n) { return; }
  let g = binary_backward_dy[i];
  let av = binary_backward_a[i];
  let bv = binary_backward_b[i];
  let op = binary_backward_u.op;
  if (binary_backward_u.has_da != 0u) {
    var da = g;
    if (op == MUL) { da = g * bv; } else if (op == DIV) { da = g / bv; }
    binary_backward_da[i] = da;
  }
  if (binary_backward_u.has_db != 0u) {
    var db = g;
    if (op == SUB) { db = -g; } else if (op == MUL) { db = g * av; } else if (op == DIV) { db = -g * av / (bv * bv); }
    binary_backward_db[i] = db;
  }
}

// out = x * scale + shift
@compute @workgroup_size(WG)
fn affine_scalar(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>) {
  let i = flat_index(gid, nwg);
  if (i >= affine_scalar_u.n) { return; }
  affine_scalar_out[i] = affine_scalar_x[i] * affine_scalar_u.scale + affine_scalar_u.shift;
}

// out = value
@compute @workgroup_size(WG)
fn fill(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>) {
  let i = flat_index(gid, nwg);
  if (i >= fill_u.n) { return; }
  fill_out[i] = fill_u.value;
}

// dst[o, dstStart + k, :] = src[o, srcStart + k, :] for k < count (srcN = 0 broadcasts).
@compute @workgroup_size(WG)
fn copy_rows(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>) {
  let i = flat_index(gid, nwg);
  if (i >= cp.total) { return; }
  let block = cp.count * cp.inner;
  let o = i / block;
  let rest = i - o * block;
  let k = rest / cp.inner;
  let j = rest - k * cp.inner;
  c_dst[(o * cp.dst_n + cp.dst_start + k) * cp.inner + j] = c_src[(o * cp.src_n + cp.src_start + k) * cp.inner + j];
}

// Indexed row copies between (outer, rows, inner) and (outer, n, inner): gather dst[o, k, :] =
// src[o, index[k], :]; scatter dst[o, index[k], :] = src[o, k, :]. One invocation per copied element.
@compute @workgroup_size(WG)
fn copy_rows_indexed(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>) {
  let i = flat_index(gid, nwg);
  if (i >= ip.total) { return; }
  let block = ip.rows * ip.inner;
  let o = i / block;
  let rest = i - o * block;
  let k = rest / ip.inner;
  let j = rest - k * ip.inner;
  let f = i_index[k];
  // A row number outside [0, n) (or NaN) copies nothing: never a write outside the tensor.
  if (!(f >= 0.0 && f < f32(ip.n))) { return; }
  let r = u32(f);
  if (ip.scatter != 0u) {
    i_dst[(o * ip.n + r) * ip.inner + j] = i_src[(o * ip.rows + k) * ip.inner + j];
  } else {
    i_dst[(o * ip.rows + k) * ip.inner + j] = i_src[(o * ip.n + r) * ip.inner + j];
  }
}

// dst (cols, rows) = src (rows, cols) transposed.
@compute @workgroup_size(WG)
fn transpose_2d(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>) {
  let i = flat_index(gid, nwg);
  if (i >= tp.rows * tp.cols) { return; }
  let r = i / tp.cols;
  let q = i - r * tp.cols;
  t_dst[q * tp.rows + r] = t_src[i];
}

// counter[0] += number of NaN or infinite values in a[0..n): a workgroup count, then one atomic add.
var<workgroup> n_partial: array<u32, 256>;

@compute @workgroup_size(256)
fn count_nonfinite(@builtin(local_invocation_id) lid: vec3<u32>, @builtin(workgroup_id) wid: vec3<u32>) {
  var bad = 0u;
  for (var i = wid.x * 256u + lid.x; i < np.n; i += np.stride) {
    if (is_nonfinite(n_a[i])) { bad += 1u; }
  }
  n_partial[lid.x] = bad;
  workgroupBarrier();
  for (var s = 128u; s > 0u; s >>= 1u) {
    if (lid.x < s) { n_partial[lid.x] += n_partial[lid.x + s]; }
    workgroupBarrier();
  }
  if (lid.x == 0u && n_partial[0] > 0u) { atomicAdd(&n_counter[0], n_partial[0]); }
}
