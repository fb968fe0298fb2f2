// Deterministic float32 exp and sigmoid, in SIMD (4 lanes) and scalar form.
// Both forms run the same IEEE operations in the same order (wasm has no FMA), so a lane of the
// vector version and the scalar version give bitwise-identical results: SIMD tails, the scalar
// build and the SIMD build all agree. Cephes-style range reduction and polynomial (~2 ulp).

const EXP_HI: f32 = 88.3;
const EXP_LO: f32 = -87.3;
const LOG2E: f32 = 1.44269504088896341;
const LN2_HI: f32 = 0.693359375;
const LN2_LO: f32 = -2.12194440e-4;
const P0: f32 = 1.9875691500e-4;
const P1: f32 = 1.3981999507e-3;
const P2: f32 = 8.3334519073e-3;
const P3: f32 = 4.1665795894e-2;
const P4: f32 = 1.6666665459e-1;
const P5: f32 = 5.0000001201e-1;

// @ts-ignore: decorator
@inline
export function expf(x: f32): f32 {
  x = min<f32>(max<f32>(x, EXP_LO), EXP_HI);
  const n = nearest<f32>(x * LOG2E);
  const r = x - n * LN2_HI - n * LN2_LO;
  let p = P0 * r + P1;
  p = p * r + P2;
  p = p * r + P3;
  p = p * r + P4;
  p = p * r + P5;
  const y = p * (r * r) + r + 1;
  return y * reinterpret<f32>((<i32>n + 127) << 23);
}

// sigmoid(x) for x below SIG_LO is 1 / (1 + exp(87.3)) = 1.2e-38, the smallest normal float's
// order, never a subnormal: GPUs flush subnormals to 0, and 0 * Inf (NaN) where the CPU had
// 4.7e-39 * Inf (Inf) would part the backends (test/nan-parity.test.ts). Off by < 1.2e-38 there.
const SIG_LO: f32 = -87.3;

// @ts-ignore: decorator
@inline
export function sigmoidf(x: f32): f32 {
  return 1 / (1 + expf(-max<f32>(x, SIG_LO)));
}

// The vector forms avoid the wasm operations x86 has no single instruction for (V8 emulates them in
// 5-8): f32x4.min / max, which order -0 < +0 and propagate NaN, become pmin / pmax, which equal them
// whenever the second operand is a constant that is neither NaN nor zero (NaN x passes through as x);
// and trunc_sat of n, an integer in [-126, 127] here, becomes the bits of n + 1.5 * 2^23, whose low
// mantissa bits hold n. Same values, bitwise, as the scalar forms.
const ROUND_MAGIC: f32 = 12582912.0; // 1.5 * 2^23
const ROUND_MAGIC_BITS: i32 = 0x4b400000;

// The vector constants, read from static memory: V8 rebuilds a v128.const from immediates at every
// use inside a loop (three instructions), while a load from a fixed address is one.
const VEC = memory.data<f32>([
  EXP_LO, EXP_LO, EXP_LO, EXP_LO, EXP_HI, EXP_HI, EXP_HI, EXP_HI, LOG2E, LOG2E, LOG2E, LOG2E,
  LN2_HI, LN2_HI, LN2_HI, LN2_HI, LN2_LO, LN2_LO, LN2_LO, LN2_LO, P0, P0, P0, P0, P1, P1, P1, P1,
  P2, P2, P2, P2, P3, P3, P3, P3, P4, P4, P4, P4, P5, P5, P5, P5, 1, 1, 1, 1,
  ROUND_MAGIC, ROUND_MAGIC, ROUND_MAGIC, ROUND_MAGIC, SIG_LO, SIG_LO, SIG_LO, SIG_LO, 0.5, 0.5, 0.5, 0.5,
], 16);
const V_EXP_LO = 0, V_EXP_HI = 1, V_LOG2E = 2, V_LN2_HI = 3, V_LN2_LO = 4, V_P0 = 5, V_P1 = 6, V_P2 = 7, V_P3 = 8, V_P4 = 9, V_P5 = 10;
export const V_ONE = 11;
const V_MAGIC = 12, V_SIG_LO = 13;
export const V_HALF = 14;
const SCALE_BIAS = memory.data<i32>([127 - ROUND_MAGIC_BITS, 127 - ROUND_MAGIC_BITS, 127 - ROUND_MAGIC_BITS, 127 - ROUND_MAGIC_BITS], 16);

/** The splat vector constant number k of the table above. */
// @ts-ignore: decorator
@inline
export function vconst(k: i32): v128 {
  return v128.load(VEC + (<usize>k << 4));
}

// @ts-ignore: decorator
@inline
export function exp4(x: v128): v128 {
  return expClamped4(f32x4.pmin(f32x4.pmax(x, vconst(V_EXP_LO)), vconst(V_EXP_HI)));
}

/** exp4 of an x already in [EXP_LO, EXP_HI]. */
// @ts-ignore: decorator
@inline
function expClamped4(x: v128): v128 {
  const n = f32x4.nearest(f32x4.mul(x, vconst(V_LOG2E)));
  const r = f32x4.sub(f32x4.sub(x, f32x4.mul(n, vconst(V_LN2_HI))), f32x4.mul(n, vconst(V_LN2_LO)));
  let p = f32x4.add(f32x4.mul(vconst(V_P0), r), vconst(V_P1));
  p = f32x4.add(f32x4.mul(p, r), vconst(V_P2));
  p = f32x4.add(f32x4.mul(p, r), vconst(V_P3));
  p = f32x4.add(f32x4.mul(p, r), vconst(V_P4));
  p = f32x4.add(f32x4.mul(p, r), vconst(V_P5));
  const y = f32x4.add(f32x4.add(f32x4.mul(p, f32x4.mul(r, r)), r), vconst(V_ONE));
  const nBits = f32x4.add(n, vconst(V_MAGIC)); // as i32: ROUND_MAGIC_BITS + n
  const scale = i32x4.shl(i32x4.add(nBits, v128.load(SCALE_BIAS)), 23);
  return f32x4.mul(y, scale);
}

// @ts-ignore: decorator
@inline
export function sigmoid4(x: v128): v128 {
  const one = vconst(V_ONE);
  // -max(x, SIG_LO) <= 87.3 < EXP_HI: only exp4's lower clamp can change it (the same bits as exp4)
  return f32x4.div(one, f32x4.add(one, expClamped4(f32x4.pmax(f32x4.neg(f32x4.pmax(x, vconst(V_SIG_LO))), vconst(V_EXP_LO)))));
}
