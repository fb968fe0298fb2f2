// Fused optimizer steps with PyTorch's update rules (torch.optim, single-tensor path).

// SGD with momentum, dampening, weight decay and Nesterov. buf is the momentum buffer; firstStep
// != 0 initialises it with the gradient, as PyTorch does.
// skip (0 = absent): a flag_nonfinite flag; when it is set the step writes nothing.
export function sgd_step(p: usize, g: usize, buf: usize, skip: usize, n: i32, lr: f32, momentum: f32, dampening: f32,
  weightDecay: f32, nesterov: i32, firstStep: i32): void {
  if (skip && load<f32>(skip) != 0) return;
  for (let i = 0; i < n; i++) {
    const off = <usize>i << 2;
    const pv = load<f32>(p + off);
    let d = load<f32>(g + off);
    if (weightDecay != 0) d = d + weightDecay * pv;
    if (momentum != 0) {
      const b: f32 = firstStep ? d : momentum * load<f32>(buf + off) + (1 - dampening) * d;
      store<f32>(buf + off, b);
      d = nesterov ? d + momentum * b : b;
    }
    store<f32>(p + off, pv - lr * d);
  }
}

// Adam (decoupled == 0, L2 weight decay added to the gradient) and AdamW (decoupled != 0,
// p *= 1 - lr * weightDecay). stepSize = lr / (1 - beta1^t), bc2Sqrt = sqrt(1 - beta2^t), computed
// by the caller in float64 as PyTorch does.
export function adam_step(p: usize, g: usize, m: usize, v: usize, skip: usize, n: i32, lr: f32, beta1: f32, beta2: f32,
  eps: f32, weightDecay: f32, decoupled: i32, stepSize: f32, bc2Sqrt: f32): void {
  if (skip && load<f32>(skip) != 0) return;
  for (let i = 0; i < n; i++) {
    const off = <usize>i << 2;
    let pv = load<f32>(p + off);
    let gv = load<f32>(g + off);
    if (weightDecay != 0) {
      if (decoupled) pv = pv * (1 - lr * weightDecay);
      else gv = gv + weightDecay * pv;
    }
    let mv = load<f32>(m + off);
    mv = mv + (gv - mv) * (1 - beta1);
    const vv = load<f32>(v + off) * beta2 + (1 - beta2) * gv * gv;
    store<f32>(m + off, mv);
    store<f32>(v + off, vv);
    const denom = Mathf.sqrt(vv) / bc2Sqrt + eps;
    store<f32>(p + off, pv - stepSize * (mv / denom));
  }
}

// The step guard: flag[0] = mark when flag[0] is 0 and x holds a NaN or an infinity (v - v is
// NaN exactly then). The first flagged step's mark stays; every later guarded step is skipped.
export function flag_nonfinite(x: usize, flag: usize, n: i32, mark: f32): void {
  if (load<f32>(flag) != 0) return;
  for (let i = 0; i < n; i++) {
    const v = load<f32>(x + (<usize>i << 2));
    if (v - v != 0) {
      store<f32>(flag, mark);
      return;
    }
  }
}

// g *= min(1, maxNorm / (sqrt(sumSq[0]) + 1e-6)), as torch.nn.utils.clip_grad_norm_.
export function clip_scale(g: usize, sumSq: usize, n: i32, maxNorm: f32): void {
  const coef = maxNorm / (Mathf.sqrt(load<f32>(sumSq)) + <f32>1e-6);
  if (coef >= 1) return;
  for (let i = 0; i < n; i++) {
    const off = <usize>i << 2;
    store<f32>(g + off, load<f32>(g + off) * coef);
  }
}
