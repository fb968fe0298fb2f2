// The useful work of the seed model (FirstOrderRNAM), counted from its shapes: the FLOPs a step
// needs and the least memory traffic it can get by with. Used by bench/floor.bench.ts for the
// roofline; the formula is checked against an op-by-op hand count in test/flop-count.test.ts and
// written out in docs/performance.md.
//
// Convention: every scalar add, sub, mul, div, max, sqrt and every activation (sigmoid, the minGRU's
// g, ReLU) counts 1 flop. A linear layer in -> out is in * out multiplies and (in - 1) * out adds
// per row, plus out adds for its bias. Per row (one step of one term of one sample), H = hiddenDim:
//   emb       Linear(1 -> H) + bias                       2H
//   minGRU    projection H -> 2H, no bias                 (2H - 1) * 2H
//             z = sigmoid(gate), h~ = g(hidden) (2 per unit), h = h_prev + z * (h~ - h_prev) (3)   5H
//   residual  u = x + gru(x)                              H
//   ff        LayerNorm(H): mean H, centre H, variance 2H, 1/sqrt(var + eps) 3, scale H, affine 2H   7H + 3
//             Linear(H -> H) + bias, ReLU, Linear(H -> H) + bias                                    4H^2 + H
//             residual out = x + ff(u)                                                             H
// The model reads only each sequence's last step of the last block, so its ff (and residual) is
// counted once per (term, sample), not per step: the minimal work, not what a kernel may spend.
// Then, per (term, sample): proj Linear(H -> H) + bias, ReLU, Linear(H -> O) + bias: 2H^2 + H + 2HO;
// per sample: the additive layer, (T - 1) * O adds over terms and O bias adds: T * O.
// Training adds, per output, the MSE loss: sub, square, and the mean (B * O - 1 adds, 1 div): 3 B O;
// backward counts 2x the forward of every layer (dx and dW of a linear are each its forward's
// work; every elementwise op's derivative and its chain-rule product), except emb, whose input
// needs no gradient: 1x; AdamW counts 16 flops per parameter (moments 7, update 9).
//
// Minimal memory traffic: the input is read once by the forward (T B S floats) and once more by
// the backward (which can recompute each sequence's activations in cache: one (term, sample)
// sequence holds S * H * blocks floats, 128 KiB at the seed's size); the parameters are read once
// per pass, and AdamW reads p, g, m, v and writes p, m, v: 7 floats per parameter; the targets
// and outputs are B * O floats. Every float is 4 bytes.

export interface SeedShape { terms: number; hidden: number; blocks: number; outDim: number; batch: number; seq: number }

export const SEED: Omit<SeedShape, 'batch' | 'seq'> = { terms: 8, hidden: 8, blocks: 4, outDim: 1 };

/** Parameters of FirstOrderRNAM (as its parameters(): emb, blocks, proj, gam). */
export function parameterCount({ terms: T, hidden: H, blocks: L, outDim: O }: Omit<SeedShape, 'batch' | 'seq'>): number {
  const emb = T * (H + H);
  const block = T * H * 2 * H + 2 * H + T * (H * H + H) * 2;
  const proj = T * (H * H + H) + T * (H * O + O);
  return emb + L * block + proj + O;
}

export interface Cost { flops: number; bytes: number }

/** Forward FLOPs split by where they are spent (per the convention above). */
export function forwardParts(s: SeedShape): { emb: number; blocks: number; head: number } {
  const { terms: T, hidden: H, blocks: L, outDim: O, batch: B, seq: S } = s;
  const steps = T * B * S, seqs = T * B;
  const gru = (2 * H - 1) * 2 * H + 5 * H + H; // projection, recurrence, the residual u = x + gru(x)
  const ff = 7 * H + 3 + 4 * H * H + H + H;    // LayerNorm, Linear, ReLU, Linear, residual
  const blocks = L === 0 ? 0 : L * steps * gru + (L - 1) * steps * ff + seqs * ff;
  const head = seqs * (2 * H * H + H + 2 * H * O) + B * T * O;
  return { emb: steps * 2 * H, blocks, head };
}

export function forwardCost(s: SeedShape): Cost {
  const f = forwardParts(s);
  return { flops: f.emb + f.blocks + f.head, bytes: 4 * (s.terms * s.batch * s.seq + parameterCount(s) + s.batch * s.outDim) };
}

export function trainCost(s: SeedShape): Cost {
  const f = forwardParts(s);
  const P = parameterCount(s);
  const lossFlops = 3 * s.batch * s.outDim;
  const flops = f.emb * 2 + (f.blocks + f.head) * 3 + lossFlops * 3 + 16 * P;
  const bytes = 4 * (2 * s.terms * s.batch * s.seq + 2 * P + 7 * P + 2 * s.batch * s.outDim);
  return { flops, bytes };
}
