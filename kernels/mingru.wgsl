// The minGRU recurrence, fused: twin of assembly/mingru.ts.
// h_t = (1 - z_t) h_{t-1} + z_t g(hid_t), z = sigmoid(gate), g(x) = x + 0.5 (x >= 0) else sigmoid(x).
// Layouts: hg (groups, seq, 2*dim), hidden half first; h, dh (groups, seq, dim); h0, dh0 (groups, dim).
//
// Each step is an affine map of the state, (a_t, b_t) = (1 - z_t, z_t g(hid_t)), and maps compose
// associatively: (a1, b1) then (a2, b2) = (a1 a2, a2 b1 + b2). Two ways to run it:
// - one invocation per (group, channel) sequence, looping over time (mingru_scan_forward /
//   mingru_scan_backward), when there are enough sequences to fill the device;
// - a chunked scan when there are few (batch 1, long sequences): time is cut into `chunks` pieces of
//   `chunk_len` steps; _chunk composes each piece's maps into one (A, B) in parallel, _carry runs
//   the short sequential scan over the pieces to get each piece's incoming state, and _apply
//   replays every piece from its incoming state in parallel, writing the outputs.
// The backward pass is the reverse recurrence carry_t = a_t (dh_t + carry_{t+1}), chunked the same way.
// Scratch (chunked path): A at [k * S + s], B at [(chunks + k) * S + s], S = groups * dim; _carry
// overwrites A with the incoming state of each piece.
// As in assembly/mingru.ts, the backward carries and gradients are flushed with flushf (see
// assembly/flush.ts), and so is A, the product of the decay factors over a piece, which decays
// geometrically; forward states are not (they drift towards g, never to 0).
// Optional lengths (has_len; f_len / b_len, one float32 integer per group): steps t >= len are the
// identity map (a = 1, b = 0): the state is carried, and backward writes dhg = 0 there and passes
// the carry on as flushf(dh_t + carry).

fn cand(x: f32) -> f32 {
  return select(sigmoidf(x), x + 0.5, x >= 0.0);
}

// The chunked scan's invocation id -> chunk k of sequence s = (group g, channel c), steps [t0, t1).
struct ChunkPiece { k: u32, s: u32, g: u32, c: u32, t0: u32, t1: u32 }

fn chunk_piece(id: u32) -> ChunkPiece {
  let k = id / sp.count;
  let s = id - k * sp.count;
  let g = s / sp.dim;
  let t0 = k * sp.chunk_len;
  return ChunkPiece(k, s, g, s - g * sp.dim, t0, min(t0 + sp.chunk_len, sp.seq));
}

// Valid steps of group g (all seq without lengths).
fn valid_f(g: u32) -> u32 {
  if (sp.has_len != 0u) { return min(u32(f_len[g]), sp.seq); }
  return sp.seq;
}

fn valid_b(g: u32) -> u32 {
  if (sp.has_len != 0u) { return min(u32(b_len[g]), sp.seq); }
  return sp.seq;
}

// Index of the hidden pre-activation of (group g, time t, channel c) in hg.
fn hg_index(g: u32, t: u32, c: u32) -> u32 {
  return (g * sp.seq + t) * 2u * sp.dim + c;
}

@compute @workgroup_size(WG)
fn mingru_scan_forward(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>) {
  let s = flat_index(gid, nwg);
  if (s >= sp.count) { return; }
  let g = s / sp.dim;
  let c = s - g * sp.dim;
  var state = 0.0;
  if (sp.has_h0 != 0u) { state = f_h0[s]; }
  let len = valid_f(g);
  for (var t = 0u; t < sp.seq; t++) {
    if (t < len) {
      let i = hg_index(g, t, c);
      let z = sigmoidf(f_hg[i + sp.dim]);
      state = (1.0 - z) * state + z * cand(f_hg[i]);
    }
    f_h[(g * sp.seq + t) * sp.dim + c] = state;
  }
}

@compute @workgroup_size(WG)
fn mingru_scan_forward_chunk(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>) {
  let id = flat_index(gid, nwg);
  if (id >= sp.count * sp.chunks) { return; }
  let p = chunk_piece(id);
  let k = p.k;
  let s = p.s;
  let g = p.g;
  let c = p.c;
  let t0 = p.t0;
  let t1 = p.t1;
  var A = 1.0;
  var B = 0.0;
  for (var t = t0; t < min(t1, valid_f(g)); t++) {
    let i = hg_index(g, t, c);
    let z = sigmoidf(f_hg[i + sp.dim]);
    let a = 1.0 - z;
    A = flushf(A * a);
    B = a * B + z * cand(f_hg[i]);
  }
  f_scratch[k * sp.count + s] = A;
  f_scratch[(sp.chunks + k) * sp.count + s] = B;
}

@compute @workgroup_size(WG)
fn mingru_scan_forward_carry(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>) {
  let s = flat_index(gid, nwg);
  if (s >= sp.count) { return; }
  var state = 0.0;
  if (sp.has_h0 != 0u) { state = f_h0[s]; }
  for (var k = 0u; k < sp.chunks; k++) {
    let A = f_scratch[k * sp.count + s];
    let B = f_scratch[(sp.chunks + k) * sp.count + s];
    f_scratch[k * sp.count + s] = state;
    state = A * state + B;
  }
}

@compute @workgroup_size(WG)
fn mingru_scan_forward_apply(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>) {
  let id = flat_index(gid, nwg);
  if (id >= sp.count * sp.chunks) { return; }
  let p = chunk_piece(id);
  let k = p.k;
  let s = p.s;
  let g = p.g;
  let c = p.c;
  let t0 = p.t0;
  let t1 = p.t1;
  var state = f_scratch[k * sp.count + s];
  let len = valid_f(g);
  for (var t = t0; t < t1; t++) {
    if (t < len) {
      let i = hg_index(g, t, c);
      let z = sigmoidf(f_hg[i + sp.dim]);
      state = (1.0 - z) * state + z * cand(f_hg[i]);
    }
    f_h[(g * sp.seq + t) * sp.dim + c] = state;
  }
}

// One backward step at time t; returns the carry into t - 1. Writes dhg for step t.
fn backward_step(g: u32, t: u32, c: u32, s: u32, carry: f32) -> f32 {
  let i = hg_index(g, t, c);
  if (t >= valid_b(g)) { // padded: a = 1, no gradient into hg
    b_dhg[i] = 0.0;
    b_dhg[i + sp.dim] = 0.0;
    return flushf(b_dh[(g * sp.seq + t) * sp.dim + c] + carry);
  }
  let hid = b_hg[i];
  let z = sigmoidf(b_hg[i + sp.dim]);
  let sg = sigmoidf(hid);
  let pos = hid >= 0.0;
  let cv = select(sg, hid + 0.5, pos);
  let dcand = select(sg * (1.0 - sg), 1.0, pos);
  var prev = 0.0;
  if (t > 0u) {
    prev = b_h[(g * sp.seq + t - 1u) * sp.dim + c];
  } else if (sp.has_h0 != 0u) {
    prev = b_h0[s];
  }
  let d = b_dh[(g * sp.seq + t) * sp.dim + c] + carry;
  let one_minus_z = 1.0 - z;
  b_dhg[i] = flushf(d * z * dcand);
  b_dhg[i + sp.dim] = flushf(d * (cv - prev) * z * one_minus_z);
  return flushf(one_minus_z * d);
}

@compute @workgroup_size(WG)
fn mingru_scan_backward(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>) {
  let s = flat_index(gid, nwg);
  if (s >= sp.count) { return; }
  let g = s / sp.dim;
  let c = s - g * sp.dim;
  var carry = 0.0;
  for (var t = sp.seq; t > 0u; t--) { carry = backward_step(g, t - 1u, c, s, carry); }
  if (sp.has_dh0 != 0u) { b_dh0[s] = carry; }
}

// Composes the reverse maps carry -> a_t (dh_t + carry) over one piece, last step first.
@compute @workgroup_size(WG)
fn mingru_scan_backward_chunk(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>) {
  let id = flat_index(gid, nwg);
  if (id >= sp.count * sp.chunks) { return; }
  let p = chunk_piece(id);
  let k = p.k;
  let s = p.s;
  let g = p.g;
  let c = p.c;
  let t0 = p.t0;
  let t1 = p.t1;
  var A = 1.0;
  var B = 0.0;
  let len = valid_b(g);
  for (var t = t1; t > t0; t--) {
    if (t - 1u >= len) {
      B = flushf(B + b_dh[(g * sp.seq + t - 1u) * sp.dim + c]);
      continue;
    }
    let a = 1.0 - sigmoidf(b_hg[hg_index(g, t - 1u, c) + sp.dim]);
    A = flushf(a * A);
    B = flushf(a * (B + b_dh[(g * sp.seq + t - 1u) * sp.dim + c]));
  }
  b_scratch[k * sp.count + s] = A;
  b_scratch[(sp.chunks + k) * sp.count + s] = B;
}

@compute @workgroup_size(WG)
fn mingru_scan_backward_carry(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>) {
  let s = flat_index(gid, nwg);
  if (s >= sp.count) { return; }
  var carry = 0.0;
  for (var k = sp.chunks; k > 0u; k--) {
    let A = b_scratch[(k - 1u) * sp.count + s];
    let B = b_scratch[(sp.chunks + k - 1u) * sp.count + s];
    b_scratch[(k - 1u) * sp.count + s] = carry;
    carry = flushf(A * carry + B);
  }
  if (sp.has_dh0 != 0u) { b_dh0[s] = carry; }
}

@compute @workgroup_size(WG)
fn mingru_scan_backward_apply(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>) {
  let id = flat_index(gid, nwg);
  if (id >= sp.count * sp.chunks) { return; }
  let p = chunk_piece(id);
  let k = p.k;
  let s = p.s;
  let g = p.g;
  let c = p.c;
  let t0 = p.t0;
  let t1 = p.t1;
  var carry = b_scratch[k * sp.count + s];
  for (var t = t1; t > t0; t--) { carry = backward_step(g, t - 1u, c, s, carry); }
}
