// No subnormal floats on the deterministic CPU path. Carries that decay geometrically (every
// backward through time, fixed-point iterations) reach the subnormal range (|v| < 2^-126) after
// enough steps; on most x86 CPUs an operation on a subnormal costs ~100 cycles and wasm cannot set
// a flush-to-zero mode. So such values are flushed explicitly, below FLUSH_BELOW = 2^-64, with the
// same rule in the SIMD and scalar code (and in kernels/common.wgsl's flushf): bitwise-identical
// builds, and no result depends on the thread count. NaN and infinities pass through unchanged.
// A value below 2^-64 added to a gradient element of magnitude g changes it only when
// g < 2^-64 / 2^-24 = 2^-40 (~9e-13): far below anything a float32 optimizer step can resolve.
// Later layers carry the perturbation as any gradient (a layer norm can amplify it): measured on
// the seed's model at seq 512, the largest change of any gradient element is 1.5e-16 of that
// gradient's largest element (bench/subnormals.bench.ts). Why 2^-64 and not lower: a flushed value
// (0 or >= 2^-64) times a factor >= 2^-39 is >= 2^-103, and sums of such products are multiples of
// 2^-126, so the kernels downstream (linear, layer norm backward) cannot make subnormals of them.

export const FLUSH_BELOW: f32 = 5.421010862427522e-20; // 2^-64

// @ts-ignore: decorator
@inline
export function flush(x: f32): f32 {
  return Mathf.abs(x) < FLUSH_BELOW ? 0 : x;
}

// @ts-ignore: decorator
@inline
export function flush4(x: v128): v128 {
  return v128.andnot(x, f32x4.lt(f32x4.abs(x), v128.load(FLUSH_BELOW_VEC)));
}

// FLUSH_BELOW in every lane, loaded (one instruction) rather than rebuilt at each use (see math.ts's VEC).
const FLUSH_BELOW_VEC = memory.data<f32>([FLUSH_BELOW, FLUSH_BELOW, FLUSH_BELOW, FLUSH_BELOW], 16);
