// The minGRU recurrence, fused: h_t = (1 - z_t) * h_{t-1} + z_t * g(hid_t), z = sigmoid(gate),
// g(x) = x + 0.5 (x >= 0) else sigmoid(x), h_{-1} = h0 or 0.
// Layouts (row-major, float32): hg (groups, seq, 2*dim) with the hidden half first and the gate
// half second (the to_hidden_and_gate output, read in place); h, dh (groups, seq, dim);
// h0, dh0 (groups, 1, dim). groups = terms * batch. A pointer of 0 means "absent".
// SIMD runs over 4 channels at a time; the sweep over time is sequential, which is optimal on a CPU.
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

export function mingru_scan_forward(hg: usize, h0: usize, h: usize, groups: i32, seq: i32, dim: i32): void {
  const rowH = <usize>dim << 2;
  const rowHG = rowH << 1;
  for (let gi = 0; gi < groups; gi++) {
    const hgG = hg + <usize>gi * <usize>seq * rowHG;
    const hG = h + <usize>gi * <usize>seq * rowH;
    const h0G: usize = h0 ? h0 + <usize>gi * rowH : 0;
    let c = 0;
    if (ASC_FEATURE_SIMD) {
      const one = f32x4.splat(1);
      for (; c + 4 <= dim; c += 4) {
        const off = <usize>c << 2;
        let state = h0G ? v128.load(h0G + off) : f32x4.splat(0);
        let pIn = hgG + off;
        let pOut = hG + off;
        for (let t = 0; t < seq; t++) {
          const z = sigmoid4(v128.load(pIn + rowH));
          const cand = g4(v128.load(pIn));
          state = f32x4.add(f32x4.mul(f32x4.sub(one, z), state), f32x4.mul(z, cand));
          v128.store(pOut, state);
          pIn += rowHG;
          pOut += rowH;
        }
      }
    }
    for (; c < dim; c++) {
      const off = <usize>c << 2;
      let state: f32 = h0G ? load<f32>(h0G + off) : 0;
      let pIn = hgG + off;
      let pOut = hG + off;
      for (let t = 0; t < seq; t++) {
        const z = sigmoidf(load<f32>(pIn + rowH));
        const cand = gf(load<f32>(pIn));
        state = (1 - z) * state + z * cand;
        store<f32>(pOut, state);
        pIn += rowHG;
        pOut += rowH;
      }
    }
  }
}

// Reverse recurrence: d_t = dh_t + (1 - z_{t+1}) d_{t+1}; then
// dgate_t = d_t (g_t - h_{t-1}) z_t (1 - z_t), dhid_t = d_t z_t g'(hid_t), dh0 = (1 - z_0) d_0.
// Writes dhg (same layout as hg) and, if dh0 != 0, dh0. h is the forward output.
export function mingru_scan_backward(
  hg: usize, h0: usize, h: usize, dh: usize, dhg: usize, dh0: usize, groups: i32, seq: i32, dim: i32,
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
    let c = 0;
    if (ASC_FEATURE_SIMD) {
      const one = f32x4.splat(1);
      const zero = f32x4.splat(0);
      for (; c + 4 <= dim; c += 4) {
        const off = <usize>c << 2;
        let carry = zero;
        for (let t = seq - 1; t >= 0; t--) {
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
          v128.store(pOut, f32x4.mul(f32x4.mul(d, z), dcand));
          v128.store(pOut + rowH, f32x4.mul(f32x4.mul(f32x4.mul(d, f32x4.sub(cand, prev)), z), oneMinusZ));
          carry = flush4(f32x4.mul(oneMinusZ, d));
        }
        if (dh0G) v128.store(dh0G + off, carry);
      }
    }
    for (; c < dim; c++) {
      const off = <usize>c << 2;
      let carry: f32 = 0;
      for (let t = seq - 1; t >= 0; t--) {
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
        store<f32>(pOut, d * z * dcand);
        store<f32>(pOut + rowH, d * (cand - prev) * z * oneMinusZ);
        carry = flush(oneMinusZ * d);
      }
      if (dh0G) store<f32>(dh0G + off, carry);
    }
  }
}
