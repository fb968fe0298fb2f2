// Elementwise unary ops by op code (the op constants are generated from the spec's unaryOps). Twin of assembly/unary.ts.

fn forward1(x: f32, op: u32) -> f32 {
  switch op {
    case RELU: { return maxf(x, 0.0); } // NaN propagates, as f32.max on the CPU
    case SIGMOID: { return sigmoidf(x); }
    case TANH: { return 2.0 * sigmoidf(2.0 * x) - 1.0; }
    case EXP: { return expf(x); }
    case LOG: { return logf(x); }
    case SQUARE: { return x * x; }
    case SQRT: { return sqrtf(x); }
    case ABS: { return abs(x); }
    default: { return -x; }
  }
}

fn backward1(x: f32, y: f32, dy: f32, op: u32) -> f32 {
  switch op {
    case RELU: { return select(0.0, dy, x > 0.0); }
    case SIGMOID: { return dy * y * (1.0 - y); }
    case TANH: { return dy * (1.0 - y * y); }
    case EXP: { return dy * y; }
    case LOG: { return dy / x; }
    case SQUARE: { return dy * 2.0 * x; }
    case SQRT: { return dy * 0.5 / y; }
    case ABS: { return select(select(0.0, -dy, x < 0.0), dy, x > 0.0); }
    default: { return -dy; }
  }
}

@compute @workgroup_size(WG)
fn unary_forward(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>) {
  let i = flat_index(gid, nwg);
  if (i >= unary_forward_u.n) { return; }
  unary_forward_y[i] = forward1(unary_forward_x[i], unary_forward_u.op);
}

@compute @workgroup_size(WG)
fn unary_backward(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>) {
  let i = flat_index(gid, nwg);
  if (i >= unary_backward_u.n) { return; }
  unary_backward_dx[i] = backward1(unary_backward_x[i], unary_backward_y[i], unary_backward_dy[i], unary_backward_u.op);
}

// Softplus, twin of assembly/unary.ts. log1p(e) as log(u) * e / (u - 1), u = 1 + e (accurate where
// e is tiny and 1 + e rounds to 1); NaN passes through the same way.
fn log1pf(e: f32) -> f32 {
  let u = 1.0 + e;
  return select(logf(u) * e / (u - 1.0), e, u == 1.0);
}

@compute @workgroup_size(WG)
fn softplus_forward(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>) {
  let i = flat_index(gid, nwg);
  let u = softplus_forward_u;
  if (i >= u.n) { return; }
  let v = softplus_forward_x[i];
  let bv = u.beta * v;
  softplus_forward_y[i] = select(log1pf(expf(bv)) / u.beta, v, bv > u.threshold);
}

@compute @workgroup_size(WG)
fn softplus_backward(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>) {
  let i = flat_index(gid, nwg);
  let u = softplus_backward_u;
  if (i >= u.n) { return; }
  let bv = u.beta * softplus_backward_x[i];
  let g = softplus_backward_dy[i];
  softplus_backward_dx[i] = select(g * sigmoidf(bv), g, bv > u.threshold);
}
