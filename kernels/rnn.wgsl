// The classic recurrent cells, fused: twins of assembly/rnn.ts (same equations, layouts and
// names). One dispatch runs a layer's whole time loop: one workgroup per batch row, its
// invocations over hidden units k (k = lid, lid + WG, ...); each invocation computes every gate of
// its units, so the only exchange per step is h_{t-1}, kept in workgroup memory (two halves,
// ping-pong), with one barrier per step. Backward: each invocation writes the gate gradients of its
// units to dg (global), a storage barrier makes the row visible, and each invocation then folds
// W_hh^T dg into the carry of its units (kept in dh0 / dc0). Hidden sizes up to MAX_H.
// Rows are row(t, b) = t * stride_t + b * stride_b (time-major or batch-first, read in place).
// Every gate value, state and carry and every gradient written is flushed with flushf, as
// assembly/rnn.ts flushes (see assembly/flush.ts).
// Optional lengths (has_len): steps t >= len of a batch row keep h (and c) and write a zero output;
// backward writes zero gate gradients there and leaves the carries alone. The step loops stay
// uniform (every step runs its barriers); only the per-unit work branches on the step's validity.
// gru_backward / lstm_backward read the lengths after the batch * hidden floats of their dh0.

const MAX_H: u32 = 1024u;

var<workgroup> hs: array<f32, 2048>; // h_{t-1} and h_t: halves [0, MAX_H) and [MAX_H, 2 MAX_H)

fn rec_row(t: u32, b: u32) -> u32 {
  return t * rp.stride_t + b * rp.stride_b;
}

fn tanh_rnam(x: f32) -> f32 {
  return 2.0 * sigmoidf(2.0 * x) - 1.0; // as the unary tanh kernel
}

// ---- forward ----------------------------------------------------------------------------------

// sum_k h_{t-1}[k] W_hh^T[k, j] + b_hh[j], k ascending; h_{t-1} at hs[cur ..].
fn hh_dot(j: u32, gh: u32, cur: u32) -> f32 {
  var acc = 0.0;
  for (var k = 0u; k < rp.hidden; k++) {
    acc += hs[cur + k] * f_whhT[k * gh + j];
  }
  if (rp.has_bias != 0u) { acc += f_bhh[j]; }
  return acc;
}

// Valid steps of batch row b from f_len (all seq without lengths).
fn valid_f(b: u32) -> u32 {
  if (rp.has_len != 0u) { return min(u32(f_len[b]), rp.seq); }
  return rp.seq;
}

fn load_h0(b: u32, lid: u32) {
  for (var k = lid; k < rp.hidden; k += WG) {
    var v = 0.0;
    if (rp.has_h0 != 0u) { v = f_h0[b * rp.hidden + k]; }
    hs[k] = v;
  }
  workgroupBarrier();
}

@compute @workgroup_size(WG)
fn rnn_forward(@builtin(workgroup_id) wid: vec3<u32>, @builtin(local_invocation_index) lid: u32) {
  let b = wid.x;
  let H = rp.hidden;
  load_h0(b, lid);
  let len = valid_f(b);
  var cur = 0u;
  for (var t = 0u; t < rp.seq; t++) {
    let row = rec_row(t, b);
    let nxt = MAX_H - cur;
    for (var k = lid; k < H; k += WG) {
      if (t >= len) {
        f_out[row * H + k] = 0.0;
        hs[nxt + k] = hs[cur + k];
        continue;
      }
      let pre = f_xg[row * H + k] + hh_dot(k, H, cur);
      var h = tanh_rnam(pre);
      if (rp.relu != 0u) { h = maxf(pre, 0.0); }
      h = flushf(h);
      f_out[row * H + k] = h;
      hs[nxt + k] = h;
    }
    workgroupBarrier();
    cur = nxt;
  }
}

@compute @workgroup_size(WG)
fn gru_forward(@builtin(workgroup_id) wid: vec3<u32>, @builtin(local_invocation_index) lid: u32) {
  let b = wid.x;
  let H = rp.hidden;
  let GH = 3u * H;
  load_h0(b, lid);
  let len = valid_f(b);
  var cur = 0u;
  for (var t = 0u; t < rp.seq; t++) {
    let row = rec_row(t, b);
    let g = row * GH;
    let nxt = MAX_H - cur;
    for (var k = lid; k < H; k += WG) {
      if (t >= len) {
        f_extra[row * H + k] = 0.0;
        f_out[row * H + k] = 0.0;
        hs[nxt + k] = hs[cur + k];
        continue;
      }
      let r = flushf(sigmoidf(f_xg[g + k] + hh_dot(k, GH, cur)));
      let z = flushf(sigmoidf(f_xg[g + H + k] + hh_dot(H + k, GH, cur)));
      let hn = flushf(hh_dot(2u * H + k, GH, cur));
      let n = flushf(tanh_rnam(f_xg[g + 2u * H + k] + r * hn));
      let h = flushf((1.0 - z) * n + z * hs[cur + k]);
      f_xg[g + k] = r;
      f_xg[g + H + k] = z;
      f_xg[g + 2u * H + k] = n;
      f_extra[row * H + k] = hn;
      f_out[row * H + k] = h;
      hs[nxt + k] = h;
    }
    workgroupBarrier();
    cur = nxt;
  }
}

@compute @workgroup_size(WG)
fn lstm_forward(@builtin(workgroup_id) wid: vec3<u32>, @builtin(local_invocation_index) lid: u32) {
  let b = wid.x;
  let H = rp.hidden;
  let GH = 4u * H;
  load_h0(b, lid);
  let len = valid_f(b);
  var cur = 0u;
  for (var t = 0u; t < rp.seq; t++) {
    let row = rec_row(t, b);
    let g = row * GH;
    let nxt = MAX_H - cur;
    for (var k = lid; k < H; k += WG) {
      if (t >= len) { // the cell state carried: c's last row is cN
        var cp = 0.0;
        if (t > 0u) {
          cp = f_extra[rec_row(t - 1u, b) * H + k];
        } else if (rp.has_c0 != 0u) {
          cp = f_c0[b * H + k];
        }
        f_extra[row * H + k] = cp;
        f_out[row * H + k] = 0.0;
        hs[nxt + k] = hs[cur + k];
        continue;
      }
      let i = flushf(sigmoidf(f_xg[g + k] + hh_dot(k, GH, cur)));
      let f = flushf(sigmoidf(f_xg[g + H + k] + hh_dot(H + k, GH, cur)));
      let gg = flushf(tanh_rnam(f_xg[g + 2u * H + k] + hh_dot(2u * H + k, GH, cur)));
      let o = flushf(sigmoidf(f_xg[g + 3u * H + k] + hh_dot(3u * H + k, GH, cur)));
      var cp = 0.0;
      if (t > 0u) {
        cp = f_extra[rec_row(t - 1u, b) * H + k]; // written by this invocation one step earlier
      } else if (rp.has_c0 != 0u) {
        cp = f_c0[b * H + k];
      }
      let c = flushf(f * cp + i * gg);
      let h = flushf(o * tanh_rnam(c));
      f_xg[g + k] = i;
      f_xg[g + H + k] = f;
      f_xg[g + 2u * H + k] = gg;
      f_xg[g + 3u * H + k] = o;
      f_extra[row * H + k] = c;
      f_out[row * H + k] = h;
      hs[nxt + k] = h;
    }
    workgroupBarrier();
    cur = nxt;
  }
}

// ---- backward ---------------------------------------------------------------------------------

// rnn_backward: 1 whh, 2 out, 3 dout, 4 dg, 5 dh0 (the carry)
@compute @workgroup_size(WG)
fn rnn_backward(@builtin(workgroup_id) wid: vec3<u32>, @builtin(local_invocation_index) lid: u32) {
  let b = wid.x;
  let H = rp.hidden;
  for (var k = lid; k < H; k += WG) { r_dh0[b * H + k] = 0.0; }
  var len = rp.seq;
  if (rp.has_len != 0u) { len = min(u32(r_len[b]), rp.seq); }
  for (var t = rp.seq; t > 0u; t--) {
    let row = rec_row(t - 1u, b);
    let valid = t <= len;
    for (var k = lid; k < H; k += WG) {
      if (!valid) {
        r_dg[row * H + k] = 0.0;
        continue;
      }
      var d = r_dh0[b * H + k];
      if (rp.has_dout != 0u) { d = r_dout[row * H + k] + d; }
      let h = r_out[row * H + k];
      var dp = d * (1.0 - h * h);
      if (rp.relu != 0u) { dp = select(0.0, d, h > 0.0); }
      r_dg[row * H + k] = flushf(dp);
    }
    storageBarrier();
    for (var k = lid; k < H; k += WG) {
      if (!valid) { break; }
      var acc = 0.0;
      for (var j = 0u; j < H; j++) { acc += r_dg[row * H + j] * r_whh[j * H + k]; }
      r_dh0[b * H + k] = flushf(acc);
    }
    storageBarrier();
  }
}

// gru_backward: 1 whh, 2 gates (r, z, n), 3 hn, 4 out, 5 dout, 6 dgi, 7 dgh, 8 dh0 (h0 or zeros on
// entry, then the carry)
@compute @workgroup_size(WG)
fn gru_backward(@builtin(workgroup_id) wid: vec3<u32>, @builtin(local_invocation_index) lid: u32) {
  let b = wid.x;
  let H = rp.hidden;
  let GH = 3u * H;
  var len = rp.seq;
  if (rp.has_len != 0u) { len = min(u32(g_dh0[rp.batch * H + b]), rp.seq); } // past every carry: never overwritten
  for (var k = lid; k < H; k += WG) {
    hs[k] = g_dh0[b * H + k]; // h0 (only this invocation reads its units)
    g_dh0[b * H + k] = 0.0;
  }
  for (var t = rp.seq; t > 0u; t--) {
    let row = rec_row(t - 1u, b);
    let g = row * GH;
    let valid = t <= len;
    for (var k = lid; k < H; k += WG) {
      if (!valid) {
        g_dgi[g + k] = 0.0;
        g_dgi[g + H + k] = 0.0;
        g_dgi[g + 2u * H + k] = 0.0;
        g_dgh[g + k] = 0.0;
        g_dgh[g + H + k] = 0.0;
        g_dgh[g + 2u * H + k] = 0.0;
        continue;
      }
      var d = g_dh0[b * H + k];
      if (rp.has_dout != 0u) { d = g_dout[row * H + k] + d; }
      let r = g_gates[g + k];
      let z = g_gates[g + H + k];
      let n = g_gates[g + 2u * H + k];
      var prev = hs[k];
      if (t > 1u) { prev = g_out[rec_row(t - 2u, b) * H + k]; }
      let dnp = flushf(d * (1.0 - z) * (1.0 - n * n));
      let dzp = flushf(d * (prev - n) * z * (1.0 - z));
      let drp = flushf(dnp * g_hn[row * H + k] * r * (1.0 - r));
      g_dgi[g + k] = drp;
      g_dgi[g + H + k] = dzp;
      g_dgi[g + 2u * H + k] = dnp;
      g_dgh[g + k] = drp;
      g_dgh[g + H + k] = dzp;
      g_dgh[g + 2u * H + k] = flushf(dnp * r);
      g_dh0[b * H + k] = flushf(d * z);
    }
    storageBarrier();
    for (var k = lid; k < H; k += WG) {
      if (!valid) { break; }
      var acc = g_dh0[b * H + k];
      for (var j = 0u; j < GH; j++) { acc += g_dgh[g + j] * g_whh[j * H + k]; }
      g_dh0[b * H + k] = flushf(acc);
    }
    storageBarrier();
  }
}

// lstm_backward: 1 whh, 2 gates (i, f, g, o), 3 c, 4 c0, 5 dout, 6 dg, 7 dh0 (the carry),
// 8 dc0 (dcN or zeros on entry, then the cell carry)
@compute @workgroup_size(WG)
fn lstm_backward(@builtin(workgroup_id) wid: vec3<u32>, @builtin(local_invocation_index) lid: u32) {
  let b = wid.x;
  let H = rp.hidden;
  let GH = 4u * H;
  var len = rp.seq;
  if (rp.has_len != 0u) { len = min(u32(l_dh0[rp.batch * H + b]), rp.seq); }
  for (var k = lid; k < H; k += WG) { l_dh0[b * H + k] = 0.0; }
  for (var t = rp.seq; t > 0u; t--) {
    let row = rec_row(t - 1u, b);
    let g = row * GH;
    let valid = t <= len;
    for (var k = lid; k < H; k += WG) {
      if (!valid) {
        l_dg[g + k] = 0.0;
        l_dg[g + H + k] = 0.0;
        l_dg[g + 2u * H + k] = 0.0;
        l_dg[g + 3u * H + k] = 0.0;
        continue;
      }
      var d = l_dh0[b * H + k];
      if (rp.has_dout != 0u) { d = l_dout[row * H + k] + d; }
      let i = l_gates[g + k];
      let f = l_gates[g + H + k];
      let gg = l_gates[g + 2u * H + k];
      let o = l_gates[g + 3u * H + k];
      let tc = tanh_rnam(l_c[row * H + k]);
      var prev = 0.0;
      if (t > 1u) {
        prev = l_c[rec_row(t - 2u, b) * H + k];
      } else if (rp.has_c0 != 0u) {
        prev = l_c0[b * H + k];
      }
      let dc = l_dc0[b * H + k] + d * o * (1.0 - tc * tc);
      l_dg[g + k] = flushf(dc * gg * i * (1.0 - i));
      l_dg[g + H + k] = flushf(dc * prev * f * (1.0 - f));
      l_dg[g + 2u * H + k] = flushf(dc * i * (1.0 - gg * gg));
      l_dg[g + 3u * H + k] = flushf(d * tc * o * (1.0 - o));
      l_dc0[b * H + k] = flushf(dc * f);
    }
    storageBarrier();
    for (var k = lid; k < H; k += WG) {
      if (!valid) { break; }
      var acc = 0.0;
      for (var j = 0u; j < GH; j++) { acc += l_dg[g + j] * l_whh[j * H + k]; }
      l_dh0[b * H + k] = flushf(acc);
    }
    storageBarrier();
  }
}
