// The implicit RNN (torchidl's ImplicitRNN) on the GPU: twin of assembly/implicit.ts, whose header
// gives the equations and the layouts (x, xs, h, dh, A..D, the 4-float stats per batch row).
//
// - implicit_prepare_norm (one workgroup) finds ||A||_inf (NaN if any row sum is NaN) and writes the
//   projection's scale kappa / ||A||_inf (or 1) into the workspace; implicit_prepare (one invocation
//   per parameter element) writes the workspace: Ap, At = Ap^T, Bt, Ct, Dt and copies of B, C, D
//   (so that the backward needs no more than 8 storage bindings).
// - implicit_forward: one workgroup per batch row (rows beyond the grid loop), the time loop inside
//   the dispatch, the iterate and the next one in workgroup memory, each invocation owning the units
//   lid, lid + WG, ... (at most I_PER of them, kept with Z in registers). The step's residual
//   max |X_new - X| is a workgroup max-reduction read back with workgroupUniformLoad, so every
//   invocation takes the same loop exit: the stopping rule is the wasm kernel's, per row
//   (stop when max |step| < tol or at maxIter; the first iterate from X = 0 is relu(B U)).
// - implicit_backward: one workgroup per group of `rpg` consecutive rows (rows ascending, time
//   descending); the adjoint fixed point V = M * (Ap^T V) + M * (C^T g) by the same iteration, and
//   BPTT through U's h part (the carry stays in the registers of the invocation that owns the unit).
//   Each group accumulates its own partial dA | dB | dC | dD; implicit_backward_reduce sums the
//   groups in order. Every sum runs over its inputs in ascending order, as on the CPU; the GPU may
//   fuse multiply-adds, so results agree with wasm to float32 rounding, not bitwise.
// - The iterates, h, the carry and dx are flushed with flushf, as in
//   assembly/implicit.ts (see assembly/flush.ts).

const I_MAX_N: u32 = 1024u; // the largest n (and hid): the two halves of i_buf
const I_PER: u32 = 16u;     // units per invocation at the smallest workgroup size (64): I_MAX_N / 64

var<workgroup> i_buf: array<f32, 2048>; // the iterate (X or V) and the next one: [0, 1024), [1024, 2048)
var<workgroup> i_g: array<f32, 1024>;   // backward: g = dh_t + the carry
var<workgroup> i_red: array<f32, 256>;
var<workgroup> i_err: f32;

// Workspace offsets (q = p + hid): Ap | At | Bt (q, n) | Ct (n, hid) | Dt (q, hid) | B | C | D | scale
fn ws_at() -> u32 { return ip.n * ip.n; }
fn ws_bt() -> u32 { return 2u * ip.n * ip.n; }
fn ws_ct() -> u32 { return ws_bt() + (ip.p + ip.hid) * ip.n; }
fn ws_dt() -> u32 { return ws_ct() + ip.n * ip.hid; }
fn ws_b() -> u32 { return ws_dt() + (ip.p + ip.hid) * ip.hid; }
fn ws_c() -> u32 { return ws_b() + ip.n * (ip.p + ip.hid); }
fn ws_d() -> u32 { return ws_c() + ip.hid * ip.n; }
fn ws_scale() -> u32 { return ws_d() + ip.hid * (ip.p + ip.hid); }

// The stopping test: err < tol, false for NaN.
fn converged(err: f32, tol: f32) -> bool {
  return !is_nan(err) && err < tol;
}

// The largest `e` over the workgroup (NaN if any is NaN), the same value in every invocation.
fn wg_max(e: f32, lid: u32) -> f32 {
  i_red[lid] = e;
  workgroupBarrier();
  for (var s = WG / 2u; s > 0u; s >>= 1u) {
    if (lid < s) { i_red[lid] = maxf(i_red[lid], i_red[lid + s]); }
    workgroupBarrier();
  }
  if (lid == 0u) { i_err = i_red[0]; }
  return workgroupUniformLoad(&i_err);
}

// One solve's outcome in a row's statistics (the wasm kernel's record()).
struct SolveStats { unconverged: f32, worst: f32, total: f32, most: f32 }

fn record(s: ptr<function, SolveStats>, err: f32, iters: u32) {
  if (!converged(err, ip.tol)) {
    (*s).unconverged += 1.0;
    if (is_nan(err) || (!is_nan((*s).worst) && err > (*s).worst)) { (*s).worst = err; }
  }
  let it = f32(iters);
  (*s).total += it;
  if (it > (*s).most) { (*s).most = it; }
}

// ---- prepare: the projected A and the transposes --------------------------------------------------

// ws[scale] = kappa / ||A||_inf when that norm exceeds kappa, else 1 (each row summed in ascending order).
@compute @workgroup_size(WG)
fn implicit_prepare_norm(@builtin(local_invocation_index) lid: u32) {
  let n = ip.n;
  var norm = 0.0;
  for (var i = lid; i < n; i += WG) {
    var s = 0.0;
    for (var j = 0u; j < n; j++) { s += abs(p_a[i * n + j]); }
    norm = maxf(norm, s);
  }
  let total = wg_max(norm, lid);
  if (lid == 0u) {
    var scale = 1.0;
    if (!is_nan(total) && total > ip.kappa) { scale = ip.kappa / total; }
    p_ws[ws_scale()] = scale;
  }
}

// One invocation per element of A, B, C, D (in that order): the projected / transposed / copied values.
@compute @workgroup_size(WG)
fn implicit_prepare(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>) {
  let e = flat_index(gid, nwg);
  let n = ip.n;
  let hid = ip.hid;
  let q = ip.p + hid;
  let nn = n * n;
  let nq = n * q;
  let hn = hid * n;
  let hq = hid * q;
  if (e < nn) {
    let scale = p_ws[ws_scale()];
    var v = p_a[e];
    if (scale != 1.0) { v = scale * v; }
    let i = e / n;
    let j = e - i * n;
    p_ws[e] = v;
    p_ws[ws_at() + j * n + i] = v;
  } else if (e < nn + nq) {
    let k = e - nn;
    let i = k / q;
    let c = k - i * q;
    let v = p_b[k];
    p_ws[ws_bt() + c * n + i] = v;
    p_ws[ws_b() + k] = v;
  } else if (e < nn + nq + hn) {
    let k = e - nn - nq;
    let i = k / n;
    let j = k - i * n;
    let v = p_c[k];
    p_ws[ws_ct() + j * hid + i] = v;
    p_ws[ws_c() + k] = v;
  } else if (e < nn + nq + hn + hq) {
    let k = e - nn - nq - hn;
    let i = k / q;
    let c = k - i * q;
    let v = p_d[k];
    p_ws[ws_dt() + c * hid + i] = v;
    p_ws[ws_d() + k] = v;
  }
}

// ---- forward ------------------------------------------------------------------------------------

@compute @workgroup_size(WG)
fn implicit_forward(@builtin(workgroup_id) wid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>,
  @builtin(local_invocation_index) lid: u32) {
  let n = ip.n;
  let p = ip.p;
  let hid = ip.hid;
  let at = ws_at();
  let bt = ws_bt();
  let ct = ws_ct();
  let dt = ws_dt();
  for (var r = wid.x; r < ip.rows; r += nwg.x) {
    var st = SolveStats(0.0, 0.0, 0.0, 0.0);
    for (var t = 0u; t < ip.seq; t++) {
      let step = r * ip.seq + t;
      let xo = step * p;
      var ho = 0u;
      if (t > 0u) { ho = (step - 1u) * hid; }
      // z = B U for this invocation's units; the first iterate from X = 0 is relu(z).
      var z: array<f32, I_PER>;
      var e = 0.0;
      for (var k = 0u; k < I_PER; k++) {
        let i = lid + k * WG;
        if (i >= n) { break; }
        var acc = 0.0;
        for (var j = 0u; j < p; j++) { acc += f_x[xo + j] * f_ws[bt + j * n + i]; }
        if (t > 0u) {
          for (var j = 0u; j < hid; j++) { acc += f_h[ho + j] * f_ws[bt + (p + j) * n + i]; }
        }
        z[k] = acc;
        let v = flushf(maxf(acc, 0.0));
        i_buf[i] = v;
        e = maxf(e, abs(v));
      }
      var err = wg_max(e, lid);
      var cur = 0u;
      var iters = 1u;
      while (!converged(err, ip.tol) && iters < ip.max_iter) {
        let nxt = I_MAX_N - cur;
        var e2 = 0.0;
        for (var k = 0u; k < I_PER; k++) {
          let i = lid + k * WG;
          if (i >= n) { break; }
          var acc = 0.0;
          for (var j = 0u; j < n; j++) { acc += i_buf[cur + j] * f_ws[at + j * n + i]; }
          let v = flushf(maxf(acc + z[k], 0.0));
          i_buf[nxt + i] = v;
          e2 = maxf(e2, abs(v - i_buf[cur + i]));
        }
        err = wg_max(e2, lid);
        cur = nxt;
        iters++;
      }
      record(&st, err, iters);
      for (var k = 0u; k < I_PER; k++) {
        let i = lid + k * WG;
        if (i >= n) { break; }
        f_xs[step * n + i] = i_buf[cur + i];
      }
      // h_t = C X + D U
      for (var i = lid; i < hid; i += WG) {
        var acc = 0.0;
        for (var j = 0u; j < n; j++) { acc += i_buf[cur + j] * f_ws[ct + j * hid + i]; }
        for (var j = 0u; j < p; j++) { acc += f_x[xo + j] * f_ws[dt + j * hid + i]; }
        if (t > 0u) {
          for (var j = 0u; j < hid; j++) { acc += f_h[ho + j] * f_ws[dt + (p + j) * hid + i]; }
        }
        f_h[step * hid + i] = flushf(acc);
      }
      storageBarrier();   // h_t is read by every invocation at step t + 1
      workgroupBarrier(); // i_buf is rewritten at step t + 1
    }
    if (lid == 0u) {
      f_stats[r * 4u] = st.unconverged;
      f_stats[r * 4u + 1u] = st.worst;
      f_stats[r * 4u + 2u] = st.total;
      f_stats[r * 4u + 3u] = st.most;
    }
  }
}

// ---- backward -----------------------------------------------------------------------------------

@compute @workgroup_size(WG)
fn implicit_backward(@builtin(workgroup_id) wid: vec3<u32>, @builtin(local_invocation_index) lid: u32) {
  let n = ip.n;
  let p = ip.p;
  let hid = ip.hid;
  let q = p + hid;
  let ap = 0u;
  let at = ws_at();
  let bt = ws_bt();
  let bw = ws_b();
  let cw = ws_c();
  let dw = ws_d();
  let base = wid.x * ip.total;
  let oA = base;
  let oB = oA + n * n;
  let oC = oB + n * q;
  let oD = oC + hid * n;
  for (var e = lid; e < ip.total; e += WG) { b_part[base + e] = 0.0; }
  storageBarrier();
  let r0 = wid.x * ip.rpg;
  let r1 = min(ip.rows, r0 + ip.rpg);
  for (var r = r0; r < r1; r++) {
    var st = SolveStats(0.0, 0.0, 0.0, 0.0);
    var carry: array<f32, I_PER>;
    for (var k = 0u; k < I_PER; k++) { carry[k] = 0.0; } // explicitly: the declaration runs once per row
    for (var tt = ip.seq; tt > 0u; tt--) {
      let t = tt - 1u;
      let step = r * ip.seq + t;
      let xo = step * p;
      let xso = step * n;
      var ho = 0u;
      if (t > 0u) { ho = (step - 1u) * hid; }
      // g = dh_t + the gradient carried back from step t + 1 through U's h part.
      for (var k = 0u; k < I_PER; k++) {
        let i = lid + k * WG;
        if (i >= hid) { break; }
        i_g[i] = b_dh[step * hid + i] + carry[k];
      }
      workgroupBarrier();
      // Direct terms of h_t = C X + D U.
      if (ip.has_dc != 0u) {
        for (var e = lid; e < hid * n; e += WG) {
          let i = e / n;
          let gi = i_g[i];
          if (nonzero(gi)) { b_part[oC + e] += gi * b_xs[xso + e - i * n]; }
        }
      }
      if (ip.has_dd != 0u) {
        for (var e = lid; e < hid * q; e += WG) {
          let i = e / q;
          let c = e - i * q;
          let gi = i_g[i];
          if (nonzero(gi)) {
            if (c < p) {
              b_part[oD + e] += gi * b_x[xo + c];
            } else if (t > 0u) {
              b_part[oD + e] += gi * b_h[ho + c - p];
            }
          }
        }
      }
      // mask = relu'(Ap X + B U), mg = mask * C^T g; the first iterate from V = 0 is mg.
      var m: array<f32, I_PER>;
      var mg: array<f32, I_PER>;
      var e = 0.0;
      for (var k = 0u; k < I_PER; k++) {
        let i = lid + k * WG;
        if (i >= n) { break; }
        var pre = 0.0;
        for (var j = 0u; j < n; j++) { pre += b_xs[xso + j] * b_ws[at + j * n + i]; }
        for (var j = 0u; j < p; j++) { pre += b_x[xo + j] * b_ws[bt + j * n + i]; }
        if (t > 0u) {
          for (var j = 0u; j < hid; j++) { pre += b_h[ho + j] * b_ws[bt + (p + j) * n + i]; }
        }
        var gx = 0.0;
        for (var j = 0u; j < hid; j++) { gx += i_g[j] * b_ws[cw + j * n + i]; }
        let mk = select(0.0, 1.0, !is_nan(pre) && pre > 0.0);
        m[k] = mk;
        mg[k] = flushf(mk * gx);
        i_buf[i] = mg[k];
        e = maxf(e, abs(mg[k]));
      }
      var err = wg_max(e, lid);
      var cur = 0u;
      var iters = 1u;
      while (!converged(err, ip.tol) && iters < ip.max_iter) {
        let nxt = I_MAX_N - cur;
        var e2 = 0.0;
        for (var k = 0u; k < I_PER; k++) {
          let i = lid + k * WG;
          if (i >= n) { break; }
          var acc = 0.0;
          for (var j = 0u; j < n; j++) { acc += i_buf[cur + j] * b_ws[ap + j * n + i]; }
          let v = flushf(m[k] * acc + mg[k]);
          i_buf[nxt + i] = v;
          e2 = maxf(e2, abs(v - i_buf[cur + i]));
        }
        err = wg_max(e2, lid);
        cur = nxt;
        iters++;
      }
      record(&st, err, iters);
      // dA += V X^T, dB += V U^T
      if (ip.has_da != 0u) {
        for (var e3 = lid; e3 < n * n; e3 += WG) {
          let i = e3 / n;
          let vi = i_buf[cur + i];
          if (nonzero(vi)) { b_part[oA + e3] += vi * b_xs[xso + e3 - i * n]; }
        }
      }
      if (ip.has_db != 0u) {
        for (var e3 = lid; e3 < n * q; e3 += WG) {
          let i = e3 / q;
          let c = e3 - i * q;
          let vi = i_buf[cur + i];
          if (nonzero(vi)) {
            if (c < p) {
              b_part[oB + e3] += vi * b_x[xo + c];
            } else if (t > 0u) {
              b_part[oB + e3] += vi * b_h[ho + c - p];
            }
          }
        }
      }
      // dU = B^T V + D^T g: its x part is dx_t, its h part goes back to step t - 1.
      if (t > 0u || ip.has_dx != 0u) {
        for (var c = lid; c < p; c += WG) {
          var acc = 0.0;
          for (var i = 0u; i < n; i++) { acc += b_ws[bw + i * q + c] * i_buf[cur + i]; }
          for (var i = 0u; i < hid; i++) { acc += b_ws[dw + i * q + c] * i_g[i]; }
          if (ip.has_dx != 0u) { b_dx[xo + c] = flushf(acc); }
        }
        for (var k = 0u; k < I_PER; k++) {
          let c = lid + k * WG;
          if (c >= hid) { break; }
          var acc = 0.0;
          for (var i = 0u; i < n; i++) { acc += b_ws[bw + i * q + p + c] * i_buf[cur + i]; }
          for (var i = 0u; i < hid; i++) { acc += b_ws[dw + i * q + p + c] * i_g[i]; }
          carry[k] = flushf(acc);
        }
      }
      workgroupBarrier(); // i_g and i_buf are rewritten at step t - 1
    }
    if (lid == 0u) {
      b_stats[r * 4u] = st.unconverged;
      b_stats[r * 4u + 1u] = st.worst;
      b_stats[r * 4u + 2u] = st.total;
      b_stats[r * 4u + 3u] = st.most;
    }
  }
}

// The groups' partial gradients summed in group order into dA, dB, dC, dD (each when wanted).
@compute @workgroup_size(WG)
fn implicit_backward_reduce(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>) {
  let e = flat_index(gid, nwg);
  if (e >= ip.total) { return; }
  let q = ip.p + ip.hid;
  let nn = ip.n * ip.n;
  let nq = ip.n * q;
  let hn = ip.hid * ip.n;
  var acc = 0.0;
  for (var g = 0u; g < ip.groups; g++) { acc += s_part[g * ip.total + e]; }
  if (e < nn) {
    if (ip.has_da != 0u) { s_da[e] = acc; }
  } else if (e < nn + nq) {
    if (ip.has_db != 0u) { s_db[e - nn] = acc; }
  } else if (e < nn + nq + hn) {
    if (ip.has_dc != 0u) { s_dc[e - nn - nq] = acc; }
  } else if (ip.has_dd != 0u) {
    s_dd[e - nn - nq - hn] = acc;
  }
}
