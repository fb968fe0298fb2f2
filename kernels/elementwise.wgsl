// Elementwise binary ops, scalar affine maps, fills, row copies and the non-finite count.
// Twin of assembly/elementwise.ts; op codes as in src/backend/opcodes.ts. One invocation per element.

const ADD: u32 = 0u;
const SUB: u32 = 1u;
const MUL: u32 = 2u;

struct EwParams { n: u32, op: u32, has_a: u32, has_b: u32, scale: f32, shift: f32 }

@group(0) @binding(0) var<uniform> ep: EwParams;
@group(0) @binding(1) var<storage, read> e_a: array<f32>;
@group(0) @binding(2) var<storage, read> e_b: array<f32>;
@group(0) @binding(3) var<storage, read> e_dy: array<f32>;
@group(0) @binding(4) var<storage, read_write> e_out: array<f32>;
@group(0) @binding(5) var<storage, read_write> e_out2: array<f32>;

fn binary1(a: f32, b: f32, op: u32) -> f32 {
  switch op {
    case 0u: { return a + b; }
    case 1u: { return a - b; }
    case 2u: { return a * b; }
    default: { return a / b; }
  }
}

// out = a op b
@compute @workgroup_size(WG)
fn binary_forward(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>) {
  let i = flat_index(gid, nwg);
  if (i >= ep.n) { return; }
  e_out[i] = binary1(e_a[i], e_b[i], ep.op);
}

// da (out, if has_a) and db (out2, if has_b) of out = a op b
@compute @workgroup_size(WG)
fn binary_backward(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>) {
  let i = flat_index(gid, nwg);
  if (i >= ep.n) { return; }
  let g = e_dy[i];
  let av = e_a[i];
  let bv = e_b[i];
  let op = ep.op;
  if (ep.has_a != 0u) {
    var da = g;
    if (op == MUL) { da = g * bv; } else if (op == 3u) { da = g / bv; }
    e_out[i] = da;
  }
  if (ep.has_b != 0u) {
    var db = g;
    if (op == SUB) { db = -g; } else if (op == MUL) { db = g * av; } else if (op == 3u) { db = -g * av / (bv * bv); }
    e_out2[i] = db;
  }
}

// out = a * scale + shift
@compute @workgroup_size(WG)
fn affine_scalar(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>) {
  let i = flat_index(gid, nwg);
  if (i >= ep.n) { return; }
  e_out[i] = e_a[i] * ep.scale + ep.shift;
}

// out = shift
@compute @workgroup_size(WG)
fn fill(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>) {
  let i = flat_index(gid, nwg);
  if (i >= ep.n) { return; }
  e_out[i] = ep.shift;
}

// dst[o, dstStart + k, :] = src[o, srcStart + k, :] for k < count (srcN = 0 broadcasts).
struct CopyParams { outer: u32, src_n: u32, dst_n: u32, inner: u32, src_start: u32, dst_start: u32, count: u32, total: u32 }
@group(0) @binding(0) var<uniform> cp: CopyParams;
@group(0) @binding(1) var<storage, read> c_src: array<f32>;
@group(0) @binding(2) var<storage, read_write> c_dst: array<f32>;

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

// counter[0] += number of NaN or infinite values in a[0..n): a workgroup count, then one atomic add.
struct CountParams { n: u32, stride: u32 }
@group(0) @binding(0) var<uniform> np: CountParams;
@group(0) @binding(1) var<storage, read> n_a: array<f32>;
@group(0) @binding(2) var<storage, read_write> n_counter: array<atomic<u32>>;
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
