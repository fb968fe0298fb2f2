// Fused optimizer steps (PyTorch update rules) and gradient-norm clipping. Twin of assembly/optim.ts.

struct SgdParams { n: u32, nesterov: u32, first_step: u32, lr: f32, momentum: f32, dampening: f32, weight_decay: f32 }
@group(0) @binding(0) var<uniform> sp: SgdParams;
@group(0) @binding(1) var<storage, read_write> s_p: array<f32>;
@group(0) @binding(2) var<storage, read> s_g: array<f32>;
@group(0) @binding(3) var<storage, read_write> s_buf: array<f32>;

@compute @workgroup_size(WG)
fn sgd_step(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>) {
  let i = flat_index(gid, nwg);
  if (i >= sp.n) { return; }
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

struct AdamParams { n: u32, decoupled: u32, lr: f32, beta1: f32, beta2: f32, eps: f32, weight_decay: f32, step_size: f32, bc2_sqrt: f32 }
@group(0) @binding(0) var<uniform> ap: AdamParams;
@group(0) @binding(1) var<storage, read_write> a_p: array<f32>;
@group(0) @binding(2) var<storage, read> a_g: array<f32>;
@group(0) @binding(3) var<storage, read_write> a_m: array<f32>;
@group(0) @binding(4) var<storage, read_write> a_v: array<f32>;

@compute @workgroup_size(WG)
fn adam_step(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>) {
  let i = flat_index(gid, nwg);
  if (i >= ap.n) { return; }
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
  let denom = sqrt(vv) / ap.bc2_sqrt + ap.eps;
  a_p[i] = pv - ap.step_size * (mv / denom);
}

// g *= min(1, maxNorm / (sqrt(sumSq[0]) + 1e-6))
struct ClipParams { n: u32, max_norm: f32 }
@group(0) @binding(0) var<uniform> kp: ClipParams;
@group(0) @binding(1) var<storage, read_write> k_g: array<f32>;
@group(0) @binding(2) var<storage, read> k_sum_sq: array<f32>;

@compute @workgroup_size(WG)
fn clip_scale(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>) {
  let i = flat_index(gid, nwg);
  if (i >= kp.n) { return; }
  let coef = kp.max_norm / (sqrt(k_sum_sq[0]) + 1e-6);
  if (coef >= 1.0) { return; }
  k_g[i] = k_g[i] * coef;
}
