// Grouped ("terms") linear layer: twin of assembly/linear.ts. Layouts: x (terms, rows, inDim),
// w (terms, inDim, outDim), b (terms, 1, outDim), y (terms, rows, outDim).
//
// All three products are one batched, tiled matrix product out[b] = A[b] @ B[b] (+ bias), with
// A and B addressed through strides so the transposes need no copies:
//   linear_forward      y  = x  @ w      (M = rows,  K = inDim,  N = outDim)
//   linear_backward_dx  dx = dy @ w^T    (M = rows,  K = outDim, N = inDim)
//   linear_backward_dw  dw = x^T @ dy    (M = inDim, K = rows,   N = outDim)
// A 16x16 workgroup computes a 16x16 output tile, staging 16x16 tiles of A and B in workgroup
// memory for each step along K. For dw, K (the rows) is long and the output small, so K is split
// into `splits` chunks written as partials and summed in order by linear_backward_dw_reduce.
// db is a column sum of dy: the sum_rows kernel of reduce.wgsl with outer = terms.

const TILE: u32 = 16u;
var<workgroup> tile_a: array<f32, 256>; // [row][k]
var<workgroup> tile_b: array<f32, 256>; // [k][col]

fn matmul(lid: vec3<u32>, wid: vec3<u32>, nwg: vec3<u32>) {
  let col = wid.x * TILE + lid.x;
  let b = wid.z / mp.splits;
  let split = wid.z - b * mp.splits;
  let k_begin = split * mp.k_chunk;
  let k_end = min(k_begin + mp.k_chunk, mp.k);
  let a_base = b * mp.a_batch;
  let b_base = b * mp.b_batch;
  for (var mt = wid.y; mt < mp.m_tiles; mt += nwg.y) {
    let row = mt * TILE + lid.y;
    var acc = 0.0;
    for (var k0 = k_begin; k0 < k_end; k0 += TILE) {
      let ka = k0 + lid.x;
      var va = 0.0;
      if (row < mp.m && ka < k_end) { va = m_a[a_base + row * mp.a_rs + ka * mp.a_ks]; }
      tile_a[lid.y * TILE + lid.x] = va;
      let kb = k0 + lid.y;
      var vb = 0.0;
      if (kb < k_end && col < mp.n) { vb = m_b[b_base + kb * mp.b_ks + col * mp.b_cs]; }
      tile_b[lid.y * TILE + lid.x] = vb;
      workgroupBarrier();
      let kn = min(TILE, k_end - k0);
      for (var kk = 0u; kk < kn; kk++) {
        acc += tile_a[lid.y * TILE + kk] * tile_b[kk * TILE + lid.x];
      }
      workgroupBarrier();
    }
    if (row < mp.m && col < mp.n) {
      if (mp.has_bias != 0u) { acc += m_bias[b * mp.n + col]; }
      m_out[(b * mp.splits + split) * mp.m * mp.n + row * mp.n + col] = acc;
    }
  }
}

@compute @workgroup_size(16, 16)
fn linear_forward(@builtin(local_invocation_id) lid: vec3<u32>, @builtin(workgroup_id) wid: vec3<u32>,
  @builtin(num_workgroups) nwg: vec3<u32>) {
  matmul(lid, wid, nwg);
}

@compute @workgroup_size(16, 16)
fn linear_backward_dx(@builtin(local_invocation_id) lid: vec3<u32>, @builtin(workgroup_id) wid: vec3<u32>,
  @builtin(num_workgroups) nwg: vec3<u32>) {
  matmul(lid, wid, nwg);
}

@compute @workgroup_size(16, 16)
fn linear_backward_dw(@builtin(local_invocation_id) lid: vec3<u32>, @builtin(workgroup_id) wid: vec3<u32>,
  @builtin(num_workgroups) nwg: vec3<u32>) {
  matmul(lid, wid, nwg);
}

// dw[b, e] = sum over splits s (ascending) of partial[b, s, e]; the partials are bound as A.
@compute @workgroup_size(WG)
fn linear_backward_dw_reduce(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>) {
  let i = flat_index(gid, nwg);
  let per = mp.m * mp.n;
  if (i >= mp.batch * per) { return; }
  let b = i / per;
  let e = i - b * per;
  var total = 0.0;
  for (var s = 0u; s < mp.splits; s++) { total += m_a[(b * mp.splits + s) * per + e]; }
  m_out[i] = total;
}
