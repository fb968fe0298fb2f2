// Reductions and losses, parallel: twin of assembly/reduce.ts.
// Scalar reductions (sum_all, mse_forward, sum_squares_accumulate) run in two passes: `parts`
// workgroups of 256 each reduce a grid-stride share of the input in workgroup memory and write a
// partial sum; reduce_final sums the partials in one workgroup (skipped when parts == 1). Column
// sums (sum_rows) split the rows into `splits` chunks reduced by separate workgroups, then
// sum_rows_reduce adds the chunk partials in order. Every order is fixed by the shape, so results
// are deterministic run to run.

// rp.kind: 0 x, 1 x^2, 2 (a - b)^2. The result is sum / divisor, plus out[0] when rp.accumulate != 0.

var<workgroup> r_shared: array<f32, 256>;

fn tree_sum(lid: u32) -> f32 {
  workgroupBarrier();
  for (var s = 128u; s > 0u; s >>= 1u) {
    if (lid < s) { r_shared[lid] += r_shared[lid + s]; }
    workgroupBarrier();
  }
  return r_shared[0];
}

fn finish(total: f32) {
  var v = total / rp.divisor;
  if (rp.accumulate != 0u) { v = r_out[0] + v; }
  r_out[0] = v;
}

fn scalar_pass1(lid: u32, wid: u32) {
  var acc = 0.0;
  let stride = rp.parts * 256u;
  for (var i = wid * 256u + lid; i < rp.n; i += stride) {
    let v = r_a[i];
    if (rp.kind == 0u) {
      acc += v;
    } else if (rp.kind == 1u) {
      acc += v * v;
    } else {
      let d = v - r_b[i];
      acc += d * d;
    }
  }
  r_shared[lid] = acc;
  let total = tree_sum(lid);
  if (lid == 0u) {
    if (rp.parts == 1u) { finish(total); } else { r_partial[wid] = total; }
  }
}

@compute @workgroup_size(256)
fn sum_all(@builtin(local_invocation_id) lid: vec3<u32>, @builtin(workgroup_id) wid: vec3<u32>) {
  scalar_pass1(lid.x, wid.x);
}

@compute @workgroup_size(256)
fn mse_forward(@builtin(local_invocation_id) lid: vec3<u32>, @builtin(workgroup_id) wid: vec3<u32>) {
  scalar_pass1(lid.x, wid.x);
}

@compute @workgroup_size(256)
fn sum_squares_accumulate(@builtin(local_invocation_id) lid: vec3<u32>, @builtin(workgroup_id) wid: vec3<u32>) {
  scalar_pass1(lid.x, wid.x);
}

// Second pass of the scalar reductions: one workgroup sums the `parts` partials.
@compute @workgroup_size(256)
fn reduce_final(@builtin(local_invocation_id) lid: vec3<u32>) {
  var acc = 0.0;
  for (var j = lid.x; j < rp.parts; j += 256u) { acc += r_partial[j]; }
  r_shared[lid.x] = acc;
  let total = tree_sum(lid.x);
  if (lid.x == 0u) { finish(total); }
}

// Column sums of (outer, rows, inner): y[o, j] = sum_r x[o, r, j]. A 16x16 workgroup covers 16
// columns with 16 lanes striding over the rows of one chunk; lane partials are summed in order.
var<workgroup> sr_shared: array<f32, 256>;

@compute @workgroup_size(16, 16)
fn sum_rows(@builtin(local_invocation_id) lid: vec3<u32>, @builtin(workgroup_id) wid: vec3<u32>) {
  let col = wid.x * 16u + lid.x;
  let split = wid.y;
  let o = wid.z;
  let begin = split * sr.chunk;
  let end = min(begin + sr.chunk, sr.rows);
  var acc = 0.0;
  if (col < sr.inner) {
    let base = o * sr.rows * sr.inner + col;
    for (var r = begin + lid.y; r < end; r += 16u) { acc += sr_x[base + r * sr.inner]; }
  }
  sr_shared[lid.y * 16u + lid.x] = acc;
  workgroupBarrier();
  if (lid.y == 0u && col < sr.inner) {
    var total = 0.0;
    for (var k = 0u; k < 16u; k++) { total += sr_shared[k * 16u + lid.x]; }
    if (sr.splits == 1u) {
      sr_y[o * sr.inner + col] = total;
    } else {
      sr_partial[(o * sr.splits + split) * sr.inner + col] = total;
    }
  }
}

// y[o, j] = sum over splits s of partial[o, s, j], s ascending.
@compute @workgroup_size(WG)
fn sum_rows_reduce(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>) {
  let i = flat_index(gid, nwg);
  if (i >= sr.outer * sr.inner) { return; }
  let o = i / sr.inner;
  let j = i - o * sr.inner;
  var total = 0.0;
  for (var s = 0u; s < sr.splits; s++) { total += sr_partial[(o * sr.splits + s) * sr.inner + j]; }
  sr_y[i] = total;
}

// y[r, i] = x[r, i] + v[i]
@compute @workgroup_size(WG)
fn add_row_vector(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>) {
  let i = flat_index(gid, nwg);
  if (i >= av.n) { return; }
  av_y[i] = av_x[i] + av_v[i % av.inner];
}

// da = 2 (a - b) dOut[0] / n, db = -da (each when present).
@compute @workgroup_size(WG)
fn mse_backward(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>) {
  let i = flat_index(gid, nwg);
  if (i >= mb.n) { return; }
  let scale = mb_dout[0] * 2.0 / f32(mb.n);
  let g = (mb_a[i] - mb_b[i]) * scale;
  if (mb.has_a != 0u) { mb_da[i] = g; }
  if (mb.has_b != 0u) { mb_db[i] = -g; }
}
