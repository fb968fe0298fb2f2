// Float64 references of the masked recurrences, written straight from the equations: right
// padding with per-sample lengths, padded steps keep the state. SimpleRNN / GRU / LSTM stacks
// output zeros at padded steps and return each sequence's last valid state as hN / cN (PyTorch's
// packed sequences); the minGRU recurrence is mingruRef (reference.ts) with lengths.
// Also central finite differences over a float64 loss, for the gradient checks.

export type MaskedCell = 'rnn_tanh' | 'rnn_relu' | 'gru' | 'lstm';
export const GATES: Record<MaskedCell, number> = { rnn_tanh: 1, rnn_relu: 1, gru: 3, lstm: 4 };

/** One layer's parameters in PyTorch's layouts: wih (G H, in), whh (G H, H), biases (G H) or null. */
export interface MaskedLayer {
  wih: ArrayLike<number>; whh: ArrayLike<number>; bih: ArrayLike<number> | null; bhh: ArrayLike<number> | null;
}

export interface MaskedStack {
  cell: MaskedCell; batch: number; seq: number; inSize: number; hidden: number; layers: MaskedLayer[];
  /** Batch-first (batch, seq, inSize). */
  x: ArrayLike<number>;
  lengths: readonly number[];
  /** (layers, batch, hidden) or null (zeros). */
  h0: ArrayLike<number> | null; c0: ArrayLike<number> | null;
}

const sigmoid = (v: number) => 1 / (1 + Math.exp(-v));

/** out (batch, seq, hidden) with zeros at padded steps, hN and cN (layers, batch, hidden). */
export function maskedStackRef(s: MaskedStack): { out: Float64Array; hN: Float64Array; cN: Float64Array } {
  const { cell, batch, seq, hidden: H, lengths } = s;
  const GH = GATES[cell] * H, L = s.layers.length;
  const hN = new Float64Array(L * batch * H), cN = new Float64Array(L * batch * H);
  let input: ArrayLike<number> = s.x, inSize = s.inSize;
  let out = new Float64Array(batch * seq * H);
  for (let k = 0; k < L; k++) {
    const { wih, whh, bih, bhh } = s.layers[k];
    out = new Float64Array(batch * seq * H);
    for (let b = 0; b < batch; b++) {
      let h = Float64Array.from({ length: H }, (_, j) => (s.h0 ? s.h0[(k * batch + b) * H + j] : 0));
      let c = Float64Array.from({ length: H }, (_, j) => (s.c0 ? s.c0[(k * batch + b) * H + j] : 0));
      for (let t = 0; t < lengths[b]; t++) {
        const gi = new Float64Array(GH), gh = new Float64Array(GH);
        for (let j = 0; j < GH; j++) {
          let u = bih ? bih[j] : 0;
          for (let i = 0; i < inSize; i++) u += wih[j * inSize + i] * input[(b * seq + t) * inSize + i];
          gi[j] = u;
          let v = bhh ? bhh[j] : 0;
          for (let i = 0; i < H; i++) v += whh[j * H + i] * h[i];
          gh[j] = v;
        }
        const hn = new Float64Array(H), cn = new Float64Array(H);
        for (let j = 0; j < H; j++) {
          if (cell === 'rnn_tanh') hn[j] = Math.tanh(gi[j] + gh[j]);
          else if (cell === 'rnn_relu') hn[j] = Math.max(0, gi[j] + gh[j]);
          else if (cell === 'gru') {
            const r = sigmoid(gi[j] + gh[j]), z = sigmoid(gi[H + j] + gh[H + j]);
            const n = Math.tanh(gi[2 * H + j] + r * gh[2 * H + j]);
            hn[j] = (1 - z) * n + z * h[j];
          } else {
            const i = sigmoid(gi[j] + gh[j]), f = sigmoid(gi[H + j] + gh[H + j]);
            const g = Math.tanh(gi[2 * H + j] + gh[2 * H + j]), o = sigmoid(gi[3 * H + j] + gh[3 * H + j]);
            cn[j] = f * c[j] + i * g;
            hn[j] = o * Math.tanh(cn[j]);
          }
        }
        h = hn;
        if (cell === 'lstm') c = cn;
        for (let j = 0; j < H; j++) out[(b * seq + t) * H + j] = h[j];
      }
      for (let j = 0; j < H; j++) {
        hN[(k * batch + b) * H + j] = h[j];
        cN[(k * batch + b) * H + j] = c[j];
      }
    }
    input = out;
    inSize = H;
  }
  return { out, hN, cN };
}

/** d loss / d v[i] for every i by central differences (v is perturbed in place and restored). */
export function centralDifferences(v: Float64Array, loss: () => number, eps = 1e-6): Float64Array {
  const g = new Float64Array(v.length);
  for (let i = 0; i < v.length; i++) {
    const keep = v[i];
    v[i] = keep + eps;
    const up = loss();
    v[i] = keep - eps;
    const down = loss();
    v[i] = keep;
    g[i] = (up - down) / (2 * eps);
  }
  return g;
}

/** sum(a * w) in float64. */
export function dot(a: ArrayLike<number>, w: ArrayLike<number>): number {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += a[i] * w[i];
  return s;
}
