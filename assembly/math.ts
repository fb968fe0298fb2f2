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

// @ts-ignore: decorator
@inline
export function exp4(x: v128): v128 {
  x = f32x4.min(f32x4.max(x, f32x4.splat(EXP_LO)), f32x4.splat(EXP_HI));
  const n = f32x4.nearest(f32x4.mul(x, f32x4.splat(LOG2E)));
  const r = f32x4.sub(f32x4.sub(x, f32x4.mul(n, f32x4.splat(LN2_HI))), f32x4.mul(n, f32x4.splat(LN2_LO)));
  let p = f32x4.add(f32x4.mul(f32x4.splat(P0), r), f32x4.splat(P1));
  p = f32x4.add(f32x4.mul(p, r), f32x4.splat(P2));
  p = f32x4.add(f32x4.mul(p, r), f32x4.splat(P3));
  p = f32x4.add(f32x4.mul(p, r), f32x4.splat(P4));
  p = f32x4.add(f32x4.mul(p, r), f32x4.splat(P5));
  const y = f32x4.add(f32x4.add(f32x4.mul(p, f32x4.mul(r, r)), r), f32x4.splat(1));
  const scale = i32x4.shl(i32x4.add(i32x4.trunc_sat_f32x4_s(n), i32x4.splat(127)), 23);
  return f32x4.mul(y, scale);
}

// @ts-ignore: decorator
@inline
export function sigmoid4(x: v128): v128 {
  const one = f32x4.splat(1);
  return f32x4.div(one, f32x4.add(one, exp4(f32x4.neg(f32x4.max(x, f32x4.splat(SIG_LO))))));
}
