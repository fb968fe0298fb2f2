// Float64 reference implementations of every kernel, written straight from the equations.
// Inputs are the float32 values the kernels see; outputs are float64.

export function linearRef(x: ArrayLike<number>, w: ArrayLike<number>, b: ArrayLike<number> | null,
  terms: number, rows: number, inDim: number, outDim: number): Float64Array {
  const y = new Float64Array(terms * rows * outDim);
  for (let t = 0; t < terms; t++)
    for (let r = 0; r < rows; r++)
      for (let o = 0; o < outDim; o++) {
        let acc = b ? b[t * outDim + o] : 0;
        for (let i = 0; i < inDim; i++) acc += x[(t * rows + r) * inDim + i] * w[(t * inDim + i) * outDim + o];
        y[(t * rows + r) * outDim + o] = acc;
      }
  return y;
}

export function linearBackwardRef(x: ArrayLike<number>, w: ArrayLike<number>, dy: ArrayLike<number>,
  terms: number, rows: number, inDim: number, outDim: number) {
  const dx = new Float64Array(terms * rows * inDim);
  const dw = new Float64Array(terms * inDim * outDim);
  const db = new Float64Array(terms * outDim);
  for (let t = 0; t < terms; t++)
    for (let r = 0; r < rows; r++)
      for (let o = 0; o < outDim; o++) {
        const g = dy[(t * rows + r) * outDim + o];
        db[t * outDim + o] += g;
        for (let i = 0; i < inDim; i++) {
          dx[(t * rows + r) * inDim + i] += g * w[(t * inDim + i) * outDim + o];
          dw[(t * inDim + i) * outDim + o] += g * x[(t * rows + r) * inDim + i];
        }
      }
  return { dx, dw, db };
}

const sigmoid = (v: number) => 1 / (1 + Math.exp(-v));
const candidate = (v: number) => (v >= 0 ? v + 0.5 : sigmoid(v));

/**
 * h_t = (1 - z_t) h_{t-1} + z_t g(hid_t) over hg (groups, seq, 2*dim), h0 (groups, dim) or null;
 * with lengths (one per group), steps t >= lengths[g] carry the state (a_t = 1, b_t = 0).
 */
export function mingruRef(hg: ArrayLike<number>, h0: ArrayLike<number> | null, groups: number, seq: number, dim: number,
  lengths?: ArrayLike<number>): Float64Array {
  const h = new Float64Array(groups * seq * dim);
  for (let g = 0; g < groups; g++)
    for (let c = 0; c < dim; c++) {
      let state = h0 ? h0[g * dim + c] : 0;
      for (let t = 0; t < seq; t++) {
        const row = (g * seq + t) * 2 * dim;
        if (!lengths || t < lengths[g]) {
          const z = sigmoid(hg[row + dim + c]);
          state = (1 - z) * state + z * candidate(hg[row + c]);
        }
        h[(g * seq + t) * dim + c] = state;
      }
    }
  return h;
}

/** Gradients of sum(h * dh) with respect to hg and h0, by the reverse recurrence in float64. */
export function mingruBackwardRef(hg: ArrayLike<number>, h0: ArrayLike<number> | null, dh: ArrayLike<number>,
  groups: number, seq: number, dim: number) {
  const h = mingruRef(hg, h0, groups, seq, dim);
  const dhg = new Float64Array(groups * seq * 2 * dim);
  const dh0 = new Float64Array(groups * dim);
  for (let g = 0; g < groups; g++)
    for (let c = 0; c < dim; c++) {
      let carry = 0;
      for (let t = seq - 1; t >= 0; t--) {
        const row = (g * seq + t) * 2 * dim;
        const hid = hg[row + c];
        const z = sigmoid(hg[row + dim + c]);
        const s = sigmoid(hid);
        const prev = t > 0 ? h[(g * seq + t - 1) * dim + c] : h0 ? h0[g * dim + c] : 0;
        const d = dh[(g * seq + t) * dim + c] + carry;
        dhg[row + c] = d * z * (hid >= 0 ? 1 : s * (1 - s));
        dhg[row + dim + c] = d * (candidate(hid) - prev) * z * (1 - z);
        carry = (1 - z) * d;
      }
      dh0[g * dim + c] = carry;
    }
  return { dhg, dh0 };
}

export function layerNormRef(x: ArrayLike<number>, w: ArrayLike<number> | null, b: ArrayLike<number> | null, rows: number, dim: number, eps: number) {
  const y = new Float64Array(rows * dim), mean = new Float64Array(rows), rstd = new Float64Array(rows);
  for (let r = 0; r < rows; r++) {
    let s = 0;
    for (let i = 0; i < dim; i++) s += x[r * dim + i];
    const mu = s / dim;
    let v = 0;
    for (let i = 0; i < dim; i++) v += (x[r * dim + i] - mu) ** 2;
    const rs = 1 / Math.sqrt(v / dim + eps);
    mean[r] = mu;
    rstd[r] = rs;
    for (let i = 0; i < dim; i++) y[r * dim + i] = (x[r * dim + i] - mu) * rs * (w ? w[i] : 1) + (b ? b[i] : 0);
  }
  return { y, mean, rstd };
}

const sig = (v: number) => 1 / (1 + Math.exp(-v));
/** [forward, derivative] per unary op code (opcodes.ts order). */
export const unaryRef: [(x: number) => number, (x: number) => number][] = [
  [(x) => Math.max(x, 0), (x) => (x > 0 ? 1 : 0)],
  [sig, (x) => sig(x) * (1 - sig(x))],
  [Math.tanh, (x) => 1 - Math.tanh(x) ** 2],
  [Math.exp, Math.exp],
  [Math.log, (x) => 1 / x],
  [(x) => x * x, (x) => 2 * x],
  [Math.sqrt, (x) => 0.5 / Math.sqrt(x)],
  [Math.abs, Math.sign],
  [(x) => -x, () => -1],
];

/** [forward, d/da, d/db] per binary op code. */
export const binaryRef: [(a: number, b: number) => number, (a: number, b: number) => number, (a: number, b: number) => number][] = [
  [(a, b) => a + b, () => 1, () => 1],
  [(a, b) => a - b, () => 1, () => -1],
  [(a, b) => a * b, (_a, b) => b, (a) => a],
  [(a, b) => a / b, (_a, b) => 1 / b, (a, b) => -a / (b * b)],
];

/** One PyTorch Adam/AdamW step (torch.optim single-tensor path) in float64. */
export function adamRef(p: ArrayLike<number>, g: ArrayLike<number>, m: ArrayLike<number>, v: ArrayLike<number>, step: number,
  o: { lr: number; beta1: number; beta2: number; eps: number; weightDecay: number; decoupled: boolean }) {
  const P = Float64Array.from(p), M = Float64Array.from(m), V = Float64Array.from(v);
  const bc1 = 1 - o.beta1 ** step, bc2 = 1 - o.beta2 ** step;
  for (let i = 0; i < P.length; i++) {
    let gi = g[i];
    if (o.decoupled) P[i] *= 1 - o.lr * o.weightDecay;
    else gi += o.weightDecay * P[i];
    M[i] = o.beta1 * M[i] + (1 - o.beta1) * gi;
    V[i] = o.beta2 * V[i] + (1 - o.beta2) * gi * gi;
    P[i] -= (o.lr / bc1) * M[i] / (Math.sqrt(V[i]) / Math.sqrt(bc2) + o.eps);
  }
  return { p: P, m: M, v: V };
}
