// Small elementwise and copy kernels. Lengths are in float32 elements; out may alias an input.

export function fill(out: usize, n: i32, value: f32): void {
  let i = 0;
  if (ASC_FEATURE_SIMD) {
    const v = f32x4.splat(value);
    for (; i + 4 <= n; i += 4) v128.store(out + (<usize>i << 2), v);
  }
  for (; i < n; i++) store<f32>(out + (<usize>i << 2), value);
}

export function add(a: usize, b: usize, out: usize, n: i32): void {
  let i = 0;
  if (ASC_FEATURE_SIMD) {
    for (; i + 4 <= n; i += 4) {
      const off = <usize>i << 2;
      v128.store(out + off, f32x4.add(v128.load(a + off), v128.load(b + off)));
    }
  }
  for (; i < n; i++) {
    const off = <usize>i << 2;
    store<f32>(out + off, load<f32>(a + off) + load<f32>(b + off));
  }
}

// Copies a block of `count` rows along the middle axis of (outer, n, inner) tensors:
// dst[o, dstStart + k, :] = src[o, srcStart + k, :] for k < count. Slicing and concatenation
// along any axis reduce to this.
export function copy_rows(
  src: usize, dst: usize, outer: i32, srcN: i32, dstN: i32, inner: i32, srcStart: i32, dstStart: i32, count: i32,
): void {
  const rowBytes = <usize>inner << 2;
  const bytes = <usize>count * rowBytes;
  for (let o = 0; o < outer; o++) {
    memory.copy(
      dst + (<usize>o * <usize>dstN + <usize>dstStart) * rowBytes,
      src + (<usize>o * <usize>srcN + <usize>srcStart) * rowBytes,
      bytes,
    );
  }
}

// Counts NaN and infinite values, so the runtime can report them instead of propagating them.
export function count_nonfinite(a: usize, n: i32): i32 {
  let bad = 0;
  for (let i = 0; i < n; i++) {
    const v = load<f32>(a + (<usize>i << 2));
    if (v - v != 0) bad++;
  }
  return bad;
}
