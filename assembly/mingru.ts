// The minGRU recurrence, fused: h_t = (1 - z_t) * h_{t-1} + z_t * g(hid_t), z = sigmoid(gate),
// g(x) = x + 0.5 (x >= 0) else sigmoid(x), h_{-1} = h0 or 0.
// Layouts (row-major, float32): hg (groups, seq, 2*dim) with the hidden half first and the gate
// half second (the to_hidden_and_gate output, read in place); h, dh (groups, seq, dim);
// h0, dh0 (groups, 1, dim). groups = terms * batch. A pointer of 0 means "absent".
// lengths (groups), optional: each group's valid steps as float32 integers (right padding). A padded
// step t >= lengths[g] is the identity map (a_t = 1, b_t = 0): the state is carried, h_t = h_{len-1},
// and backward writes dhg_t = 0 and carries d_t on unchanged. Without lengths every step is valid,
// and the valid steps run exactly the operations they ran before lengths existed.
// SIMD runs over 4 channels at a time; the sweep over time is sequential, which is optimal on a CPU.
// Backward: the carry (it decays geometrically, by 1 - z per step) and every gradient written are
// flushed (./flush.ts). The forward state is not: h_t is a convex combination of h_{t-1} and
// g(hid_t) > 0, so it drifts towards g instead of decaying to 0, and falls below the flush threshold
// only with hidden pre-activations below -44 (g = sigmoid(hid) < 2^-64), which no sane model has.
import { sigmoidf, sigmoid4 } from "./math";
import { flush, flush4 } from "./flush";

// @ts-ignore: decorator
@inline
function g4(x: v128): v128 {
  return v128.bitselect(f32x4.add(x, f32x4.splat(0.5)), sigmoid4(x), f32x4.ge(x, f32x4.splat(0)));
}

// @ts-ignore: decorator
@inline
function gf(x: f32): f32 {
  return x >= 0 ? x + 0.5 : sigmoidf(x);
}

// @ts-ignore: decorator
@inline
function validSteps(lengths: usize, gi: i32, seq: i32): i32 {
  return lengths ? min<i32>(<i32>load<f32>(lengths + (<usize>gi << 2)), seq) : seq;
}

export function mingru_scan_forward(hg: usize, h0: usize, h: usize, lengths: usize, groups: i32, seq: i32, dim: i32): void {
  const rowH = <usize>dim << 2;
  const rowHG = rowH << 1;
  for (let gi = 0; gi < groups; gi++) {
    const hgG = hg + <usize>gi * <usize>seq * rowHG;
    const hG = h + <usize>gi * <usize>seq * rowH;
    const h0G: usize = h0 ? h0 + <usize>gi * rowH : 0;
    const len = validSteps(lengths, gi, seq);
    let c = 0;
    if (ASC_FEATURE_SIMD) {
      const one = f32x4.splat(1);
      for (; c + 4 <= dim; c += 4) {
        const off = <usize>c << 2;
        let state = h0G ? v128.load(h0G + off) : f32x4.splat(0);
        let pIn = hgG + off;
        let pOut = hG + off;
        for (let t = 0; t < len; t++) {
          const z = sigmoid4(v128.load(pIn + rowH));
          const cand = g4(v128.load(pIn));
          state = f32x4.add(f32x4.mul(f32x4.sub(one, z), state), f32x4.mul(z, cand));
          v128.store(pOut, state);
          pIn += rowHG;
          pOut += rowH;
        }
        for (let t = len; t < seq; t++) {
          v128.store(pOut, state);
          pOut += rowH;
        }
      }
    }
    for (; c < dim; c++) {
      const off = <usize>c << 2;
      let state: f32 = h0G ? load<f32>(h0G + off) : 0;
      let pIn = hgG + off;
      let pOut = hG + off;
      for (let t = 0; t < len; t++) {
        const z = sigmoidf(load<f32>(pIn + rowH));
        const cand = gf(load<f32>(pIn));
        state = (1 - z) * state + z * cand;
        store<f32>(pOut, state);
        pIn += rowHG;
        pOut += rowH;
      }
      for (let t = len; t < seq; t++) {
        store<f32>(pOut, state);
        pOut += rowH;
      }
    }
  }
}

// Reverse recurrence: d_t = dh_t + (1 - z_{t+1}) d_{t+1}; then
// dgate_t = d_t (g_t - h_{t-1}) z_t (1 - z_t), dhid_t = d_t z_t g'(hid_t), dh0 = (1 - z_0) d_0.
// Writes dhg (same layout as hg) and, if dh0 != 0, dh0. h is the forward output.
export function mingru_scan_backward(
  hg: usize, h0: usize, h: usize, dh: usize, dhg: usize, dh0: usize, lengths: usize, groups: i32, seq: i32, dim: i32,
): void {
  const rowH = <usize>dim << 2;
  const rowHG = rowH << 1;
  for (let gi = 0; gi < groups; gi++) {
    const hgG = hg + <usize>gi * <usize>seq * rowHG;
    const dhgG = dhg + <usize>gi * <usize>seq * rowHG;
    const hG = h + <usize>gi * <usize>seq * rowH;
    const dhG = dh + <usize>gi * <usize>seq * rowH;
    const h0G: usize = h0 ? h0 + <usize>gi * rowH : 0;
    const dh0G: usize = dh0 ? dh0 + <usize>gi * rowH : 0;
    const len = validSteps(lengths, gi, seq);
    let c = 0;
    if (ASC_FEATURE_SIMD) {
      const one = f32x4.splat(1);
      const zero = f32x4.splat(0);
      for (; c + 4 <= dim; c += 4) {
        const off = <usize>c << 2;
        let carry = zero;
        for (let t = seq - 1; t >= len; t--) { // padded: a_t = 1, no gradient into hg
          const pOut = dhgG + <usize>t * rowHG + off;
          v128.store(pOut, zero);
          v128.store(pOut + rowH, zero);
          carry = flush4(f32x4.add(v128.load(dhG + <usize>t * rowH + off), carry));
        }
        for (let t = len - 1; t >= 0; t--) {
          const pIn = hgG + <usize>t * rowHG + off;
          const hid = v128.load(pIn);
          const z = sigmoid4(v128.load(pIn + rowH));
          const s = sigmoid4(hid);
          const pos = f32x4.ge(hid, zero);
          const cand = v128.bitselect(f32x4.add(hid, f32x4.splat(0.5)), s, pos);
          const dcand = v128.bitselect(one, f32x4.mul(s, f32x4.sub(one, s)), pos);
          const prev = t > 0 ? v128.load(hG + <usize>(t - 1) * rowH + off) : (h0G ? v128.load(h0G + off) : zero);
          const d = f32x4.add(v128.load(dhG + <usize>t * rowH + off), carry);
          const oneMinusZ = f32x4.sub(one, z);
          const pOut = dhgG + <usize>t * rowHG + off;
          v128.store(pOut, flush4(f32x4.mul(f32x4.mul(d, z), dcand)));
          v128.store(pOut + rowH, flush4(f32x4.mul(f32x4.mul(f32x4.mul(d, f32x4.sub(cand, prev)), z), oneMinusZ)));
          carry = flush4(f32x4.mul(oneMinusZ, d));
        }
        if (dh0G) v128.store(dh0G + off, carry);
      }
    }
    for (; c < dim; c++) {
      const off = <usize>c << 2;
      let carry: f32 = 0;
      for (let t = seq - 1; t >= len; t--) {
        const pOut = dhgG + <usize>t * rowHG + off;
        store<f32>(pOut, 0);
        store<f32>(pOut + rowH, 0);
        carry = flush(load<f32>(dhG + <usize>t * rowH + off) + carry);
      }
      for (let t = len - 1; t >= 0; t--) {
        const pIn = hgG + <usize>t * rowHG + off;
        const hid = load<f32>(pIn);
        const z = sigmoidf(load<f32>(pIn + rowH));
        const s = sigmoidf(hid);
        const pos = hid >= 0;
        const cand: f32 = pos ? hid + 0.5 : s;
        const dcand: f32 = pos ? 1 : s * (1 - s);
        const prev: f32 = t > 0 ? load<f32>(hG + <usize>(t - 1) * rowH + off) : (h0G ? load<f32>(h0G + off) : 0);
        const d = load<f32>(dhG + <usize>t * rowH + off) + carry;
        const oneMinusZ: f32 = 1 - z;
        const pOut = dhgG + <usize>t * rowHG + off;
        store<f32>(pOut, flush(d * z * dcand));
        store<f32>(pOut + rowH, flush(d * (cand - prev) * z * oneMinusZ));
        carry = flush(oneMinusZ * d);
      }
      if (dh0G) store<f32>(dh0G + off, carry);
    }
  }
}
