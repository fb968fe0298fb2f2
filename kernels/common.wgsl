// Shared helpers: the runtime (src/backend/webgpu/runtime.ts) prepends this file to every other kernel file.
// exp and sigmoid are the same range reduction and polynomial as assembly/math.ts (the GPU may fuse
// multiply-adds, so results agree to an ulp or two, not bitwise). NaN tests inspect the bits,
// because WGSL lets a compiler assume values are finite.
//
// NaN and infinities follow the wasm kernels (IEEE arithmetic; f32.min/max return NaN when either
// operand is NaN). WGSL leaves min, max, clamp, exp and log of NaN to the implementation, and
// SwiftShader turns NaN into numbers there (max(NaN, lo) = lo, log(NaN) = 89.1), so kernels call
// maxf, minf, expf and logf below, never the builtins on values that can be NaN. test/nan-parity.test.ts
// runs every kernel with NaN and infinities on both backends.

override WG: u32 = 256u;

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

fn is_nonfinite(v: f32) -> bool {
  return (bitcast<u32>(v) & 0x7f800000u) == 0x7f800000u;
}

fn is_nan(v: f32) -> bool {
  return (bitcast<u32>(v) & 0x7fffffffu) > 0x7f800000u;
}

// A quiet NaN made at run time (a NaN constant is a WGSL shader-creation error).
fn nan_from(v: f32) -> f32 {
  return bitcast<f32>(bitcast<u32>(v) | 0x7fc00000u);
}

// wasm's f32.max and f32.min: NaN if either operand is NaN.
fn maxf(a: f32, b: f32) -> f32 {
  return select(select(max(a, b), b, is_nan(b)), a, is_nan(a));
}

fn minf(a: f32, b: f32) -> f32 {
  return select(select(min(a, b), b, is_nan(b)), a, is_nan(a));
}

// v != 0, true for NaN (as wasm's skip test `s == 0`, false for NaN): a compiler may emit the
// ordered comparison, false for NaN, for WGSL's !=.
fn nonzero(v: f32) -> bool {
  return is_nan(v) || v != 0.0;
}

// Mathf.log: NaN for NaN and x < 0, -Inf at 0, +Inf at +Inf.
fn logf(x: f32) -> f32 {
  let inf = bitcast<f32>(0x7f800000u | (bitcast<u32>(x) & 0u));
  var r = select(log(x), -inf, x == 0.0);
  r = select(r, inf, x == inf);
  return select(r, nan_from(x), is_nan(x) || x < 0.0);
}

// Mathf.sqrt: NaN for NaN and x < 0.
fn sqrtf(x: f32) -> f32 {
  return select(sqrt(x), nan_from(x), is_nan(x) || x < 0.0);
}

// The range reduction clamps x (so exp(+Inf) is the largest value it reaches, as on wasm); NaN stays NaN.
fn expf(x0: f32) -> f32 {
  if (is_nan(x0)) { return x0; }
  let x = min(max(x0, EXP_LO), EXP_HI);
  let n = round(x * LOG2E);
  let r = x - n * LN2_HI - n * LN2_LO;
  var p = P0 * r + P1;
  p = p * r + P2;
  p = p * r + P3;
  p = p * r + P4;
  p = p * r + P5;
  let y = p * (r * r) + r + 1.0;
  return y * bitcast<f32>((i32(n) + 127) << 23u);
}

// As assembly/math.ts: x is clamped below at -87.3, so the result is never a subnormal (which
// the GPU may flush to 0 where the CPU keeps it).
fn sigmoidf(x: f32) -> f32 {
  return 1.0 / (1.0 + expf(-maxf(x, -87.3)));
}

// No subnormals (see assembly/flush.ts): |x| < 2^-64 becomes 0, NaN and infinities pass through.
const FLUSH_BELOW: f32 = 5.421010862427522e-20;
fn flushf(x: f32) -> f32 {
  return select(x, 0.0, abs(x) < FLUSH_BELOW);
}

// The flat index of an invocation in a 1-D problem dispatched as a 2-D grid (x up to 65535 groups).
fn flat_index(gid: vec3<u32>, nwg: vec3<u32>) -> u32 {
  return gid.y * nwg.x * WG + gid.x;
}
