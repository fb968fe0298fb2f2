// Fused optimizer steps (PyTorch update rules) and gradient-norm clipping. Twin of assembly/optim.ts.

@compute @workgroup_size(WG)
fn sgd_step(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>) {
  let i = flat_index(gid, nwg);
  if (i >= sp.n) { return; }
  if (sp.has_skip != 0u && s_skip[0] != 0.0) { return; } // flag_nonfinite flagged a gradient
  let pv = s_p[i];
  var d = s_g[i];
  if (sp.weight_decay != 0.0) { d = d + sp.weight_decay * pv; }
  if (sp.momentum != 0.0) {
    var b = d;
    if (sp.first_step == 0u) { b = sp.momentum * s_buf[i] + (1.0 - sp.dampening) * d; }
    s_buf[i] = b;
    d = select(b, d + sp.momentum * b, sp.nesterov != 0u);
  }
  s_p[i] = pv - sp.lr * d;
}

@compute @workgroup_size(WG)
fn adam_step(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>) {
  let i = flat_index(gid, nwg);
  if (i >= ap.n) { return; }
  if (ap.has_skip != 0u && a_skip[0] != 0.0) { return; } // flag_nonfinite flagged a gradient
  var pv = a_p[i];
  var gv = a_g[i];
  if (ap.weight_decay != 0.0) {
    if (ap.decoupled != 0u) { pv = pv * (1.0 - ap.lr * ap.weight_decay); } else { gv = gv + ap.weight_decay * pv; }
  }
  var mv = a_m[i];
  mv = mv + (gv - mv) * (1.0 - ap.beta1);
  let vv = a_v[i] * ap.beta2 + (1.0 - ap.beta2) * gv * gv;
  a_m[i] = mv;
  a_v[i] = vv;
  let denom = sqrtf(vv) / ap.bc2_sqrt + ap.eps;
  a_p[i] = pv - ap.step_size * (mv / denom);
}

// The step guard: flag[0] = mark when flag[0] is 0 and x holds a NaN or an infinity. Invocations
// that find one all write the same mark; a later dispatch sees the flag set and leaves it.
@compute @workgroup_size(WG)
fn flag_nonfinite(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>) {
  let i = flat_index(gid, nwg);
  if (i >= fp.n) { return; }
  if (is_nonfinite(f_x[i]) && f_flag[0] == 0.0) { f_flag[0] = fp.mark; }
}

// g *= min(1, maxNorm / (sqrt(sumSq[0]) + 1e-6))
@compute @workgroup_size(WG)
fn clip_scale(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>) {
  let i = flat_index(gid, nwg);
  if (i >= kp.n) { return; }
  let coef = kp.max_norm / (sqrtf(k_sum_sq[0]) + 1e-6);
  if (coef >= 1.0) { return; }
  k_g[i] = k_g[i] * coef;
}
