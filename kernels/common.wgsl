// Shared helpers: the runtime (src/backend/webgpu/runtime.ts) prepends this file to every other kernel file.
// exp and sigmoid are the same range reduction and polynomial as assembly/math.ts (the GPU may fuse
// multiply-adds, so results agree to an ulp or two, not bitwise). NaN tests inspect the bits,
// because WGSL lets a compiler assume values are finite.

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

fn expf(x0: f32) -> f32 {
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

fn sigmoidf(x: f32) -> f32 {
  return 1.0 / (1.0 + expf(-x));
}

fn is_nonfinite(v: f32) -> bool {
  return (bitcast<u32>(v) & 0x7f800000u) == 0x7f800000u;
}

fn is_nan(v: f32) -> bool {
  return (bitcast<u32>(v) & 0x7fffffffu) > 0x7f800000u;
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
