// The measuring kernels of bench/floor.bench.ts (AssemblyScript; the bench compiles this file with
// the asc API at run time, SIMD on, no relaxed SIMD). Not part of the library.

// Multiply-add peak: `chains` independent accumulators, each acc = acc * m + c per iteration
// (f32x4.mul then f32x4.add: wasm has no fused multiply-add outside relaxed SIMD). With m < 1 the
// values converge to c / (1 - m): no overflow, no subnormals. Every accumulator lives in a register;
// m and c are built from the arguments so that the compiler cannot fold or hoist the work.
// Returns a sum of the accumulators so the loop is not dead code.

// 12 chains: 24 vector operations per iteration, 96 flops.
export function madd12(iters: i32, seed: f32, m1: f32, c1: f32): f32 {
  const m = f32x4.splat(m1), c = f32x4.splat(c1);
  let a0 = f32x4.splat(seed), a1 = f32x4.splat(seed + 1), a2 = f32x4.splat(seed + 2), a3 = f32x4.splat(seed + 3);
  let a4 = f32x4.splat(seed + 4), a5 = f32x4.splat(seed + 5), a6 = f32x4.splat(seed + 6), a7 = f32x4.splat(seed + 7);
  let a8 = f32x4.splat(seed + 8), a9 = f32x4.splat(seed + 9), a10 = f32x4.splat(seed + 10), a11 = f32x4.splat(seed + 11);
  for (let i = 0; i < iters; i++) {
    a0 = f32x4.add(f32x4.mul(a0, m), c); a1 = f32x4.add(f32x4.mul(a1, m), c);
    a2 = f32x4.add(f32x4.mul(a2, m), c); a3 = f32x4.add(f32x4.mul(a3, m), c);
    a4 = f32x4.add(f32x4.mul(a4, m), c); a5 = f32x4.add(f32x4.mul(a5, m), c);
    a6 = f32x4.add(f32x4.mul(a6, m), c); a7 = f32x4.add(f32x4.mul(a7, m), c);
    a8 = f32x4.add(f32x4.mul(a8, m), c); a9 = f32x4.add(f32x4.mul(a9, m), c);
    a10 = f32x4.add(f32x4.mul(a10, m), c); a11 = f32x4.add(f32x4.mul(a11, m), c);
  }
  const s = f32x4.add(f32x4.add(f32x4.add(a0, a1), f32x4.add(a2, a3)), f32x4.add(f32x4.add(a4, a5), f32x4.add(a6, a7)));
  const t = f32x4.add(s, f32x4.add(f32x4.add(a8, a9), f32x4.add(a10, a11)));
  return f32x4.extract_lane(t, 0) + f32x4.extract_lane(t, 1) + f32x4.extract_lane(t, 2) + f32x4.extract_lane(t, 3);
}

// 8 chains: 16 vector operations per iteration, 64 flops (fewer registers, for a core that spills 12).
export function madd8(iters: i32, seed: f32, m1: f32, c1: f32): f32 {
  const m = f32x4.splat(m1), c = f32x4.splat(c1);
  let a0 = f32x4.splat(seed), a1 = f32x4.splat(seed + 1), a2 = f32x4.splat(seed + 2), a3 = f32x4.splat(seed + 3);
  let a4 = f32x4.splat(seed + 4), a5 = f32x4.splat(seed + 5), a6 = f32x4.splat(seed + 6), a7 = f32x4.splat(seed + 7);
  for (let i = 0; i < iters; i++) {
    a0 = f32x4.add(f32x4.mul(a0, m), c); a1 = f32x4.add(f32x4.mul(a1, m), c);
    a2 = f32x4.add(f32x4.mul(a2, m), c); a3 = f32x4.add(f32x4.mul(a3, m), c);
    a4 = f32x4.add(f32x4.mul(a4, m), c); a5 = f32x4.add(f32x4.mul(a5, m), c);
    a6 = f32x4.add(f32x4.mul(a6, m), c); a7 = f32x4.add(f32x4.mul(a7, m), c);
  }
  const s = f32x4.add(f32x4.add(f32x4.add(a0, a1), f32x4.add(a2, a3)), f32x4.add(f32x4.add(a4, a5), f32x4.add(a6, a7)));
  return f32x4.extract_lane(s, 0) + f32x4.extract_lane(s, 1) + f32x4.extract_lane(s, 2) + f32x4.extract_lane(s, 3);
}

// 6 multiply chains feeding 6 add chains (p = p * m; s = s + p): a multiply and an add never wait
// on each other's latency in the same chain. 12 vector operations per iteration, 48 flops.
export function maddSplit(iters: i32, seed: f32, m1: f32, c1: f32): f32 {
  const m = f32x4.splat(m1);
  let p0 = f32x4.splat(seed), p1 = f32x4.splat(seed + c1), p2 = f32x4.splat(seed + 2 * c1);
  let p3 = f32x4.splat(seed + 3 * c1), p4 = f32x4.splat(seed + 4 * c1), p5 = f32x4.splat(seed + 5 * c1);
  let s0 = f32x4.splat(0), s1 = f32x4.splat(0), s2 = f32x4.splat(0), s3 = f32x4.splat(0), s4 = f32x4.splat(0), s5 = f32x4.splat(0);
  for (let i = 0; i < iters; i++) {
    p0 = f32x4.mul(p0, m); s0 = f32x4.add(s0, p0); p1 = f32x4.mul(p1, m); s1 = f32x4.add(s1, p1);
    p2 = f32x4.mul(p2, m); s2 = f32x4.add(s2, p2); p3 = f32x4.mul(p3, m); s3 = f32x4.add(s3, p3);
    p4 = f32x4.mul(p4, m); s4 = f32x4.add(s4, p4); p5 = f32x4.mul(p5, m); s5 = f32x4.add(s5, p5);
  }
  const s = f32x4.add(f32x4.add(f32x4.add(s0, s1), f32x4.add(s2, s3)), f32x4.add(s4, s5));
  return f32x4.extract_lane(s, 0) + f32x4.extract_lane(s, 1) + f32x4.extract_lane(s, 2) + f32x4.extract_lane(s, 3);
}

// Streaming kernels over `n` floats (n a multiple of 16), four vectors per iteration.
export function copy(src: usize, dst: usize, n: i32): void {
  const end = src + (<usize>n << 2);
  for (; src < end; src += 64, dst += 64) {
    v128.store(dst, v128.load(src)); v128.store(dst, v128.load(src, 16), 16);
    v128.store(dst, v128.load(src, 32), 32); v128.store(dst, v128.load(src, 48), 48);
  }
}

export function scale(src: usize, dst: usize, n: i32, s1: f32): void {
  const s = f32x4.splat(s1);
  const end = src + (<usize>n << 2);
  for (; src < end; src += 64, dst += 64) {
    v128.store(dst, f32x4.mul(v128.load(src), s)); v128.store(dst, f32x4.mul(v128.load(src, 16), s), 16);
    v128.store(dst, f32x4.mul(v128.load(src, 32), s), 32); v128.store(dst, f32x4.mul(v128.load(src, 48), s), 48);
  }
}

// Read-only stream: a sum, for the read bandwidth alone.
export function sum(src: usize, n: i32): f32 {
  let a = f32x4.splat(0), b = f32x4.splat(0), c = f32x4.splat(0), d = f32x4.splat(0);
  const end = src + (<usize>n << 2);
  for (; src < end; src += 64) {
    a = f32x4.add(a, v128.load(src)); b = f32x4.add(b, v128.load(src, 16));
    c = f32x4.add(c, v128.load(src, 32)); d = f32x4.add(d, v128.load(src, 48));
  }
  const s = f32x4.add(f32x4.add(a, b), f32x4.add(c, d));
  return f32x4.extract_lane(s, 0) + f32x4.extract_lane(s, 1) + f32x4.extract_lane(s, 2) + f32x4.extract_lane(s, 3);
}
