// Elementwise binary ops (same shapes), scalar affine maps, fills, row copies and the one transpose.
// Lengths are in float32 elements; out may alias an input (not for the transpose). Op codes are the
// spec's binaryOps in order (scripts/check-kernels.mjs checks the constants below against it).

const ADD = 0, SUB = 1, MUL = 2, DIV = 3;

export function fill(out: usize, n: i32, value: f32): void {
  let i = 0;
  if (ASC_FEATURE_SIMD) {
    const v = f32x4.splat(value);
    for (; i + 4 <= n; i += 4) v128.store(out + (<usize>i << 2), v);
  }
  for (; i < n; i++) store<f32>(out + (<usize>i << 2), value);
}

function binary4(a: v128, b: v128, op: i32): v128 {
  switch (op) {
    case ADD: return f32x4.add(a, b);
    case SUB: return f32x4.sub(a, b);
    case MUL: return f32x4.mul(a, b);
    default: return f32x4.div(a, b);
  }
}

function binary1(a: f32, b: f32, op: i32): f32 {
  switch (op) {
    case ADD: return a + b;
    case SUB: return a - b;
    case MUL: return a * b;
    default: return a / b;
  }
}

export function binary_forward(a: usize, b: usize, out: usize, n: i32, op: i32): void {
  let i = 0;
  if (ASC_FEATURE_SIMD) {
    for (; i + 4 <= n; i += 4) {
      const off = <usize>i << 2;
      v128.store(out + off, binary4(v128.load(a + off), v128.load(b + off), op));
    }
  }
  for (; i < n; i++) {
    const off = <usize>i << 2;
    store<f32>(out + off, binary1(load<f32>(a + off), load<f32>(b + off), op));
  }
}

// Gradients of out = a op b: da and/or db (0 = not needed).
export function binary_backward(a: usize, b: usize, dy: usize, da: usize, db: usize, n: i32, op: i32): void {
  for (let i = 0; i < n; i++) {
    const off = <usize>i << 2;
    const g = load<f32>(dy + off);
    const av = load<f32>(a + off), bv = load<f32>(b + off);
    if (da) store<f32>(da + off, op == MUL ? g * bv : op == DIV ? g / bv : g);
    if (db) store<f32>(db + off, op == ADD ? g : op == SUB ? -g : op == MUL ? g * av : -g * av / (bv * bv));
  }
}

// out = x * scale + shift
export function affine_scalar(x: usize, out: usize, n: i32, scale: f32, shift: f32): void {
  let i = 0;
  if (ASC_FEATURE_SIMD) {
    const s = f32x4.splat(scale), t = f32x4.splat(shift);
    for (; i + 4 <= n; i += 4) {
      const off = <usize>i << 2;
      v128.store(out + off, f32x4.add(f32x4.mul(v128.load(x + off), s), t));
    }
  }
  for (; i < n; i++) {
    const off = <usize>i << 2;
    store<f32>(out + off, load<f32>(x + off) * scale + shift);
  }
}

// Copies a block of `count` rows along the middle axis of (outer, n, inner) tensors:
// dst[o, dstStart + k, :] = src[o, srcStart + k, :] for k < count. Slicing and concatenation
// along any axis reduce to this; srcN = 0 broadcasts one source row to every outer index.
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

// Indexed row copies between (outer, rows, inner) and (outer, n, inner): gather (scatter 0)
// dst[o, k, :] = src[o, index[k], :]; scatter (1) dst[o, index[k], :] = src[o, k, :], the other
// rows of dst untouched. index holds row numbers as float32 integers (the last valid step of each
// sample of a ragged batch, in one call instead of one copy per sample).
export function copy_rows_indexed(src: usize, dst: usize, index: usize, outer: i32, n: i32, rows: i32, inner: i32, scatter: i32): void {
  const rowBytes = <usize>inner << 2;
  const srcRows = <usize>(scatter ? rows : n), dstRows = <usize>(scatter ? n : rows);
  for (let o = 0; o < outer; o++) {
    const from = src + <usize>o * srcRows * rowBytes, to = dst + <usize>o * dstRows * rowBytes;
    for (let k = 0; k < rows; k++) {
      const f = load<f32>(index + (<usize>k << 2));
      // A row number outside [0, n) (or NaN) copies nothing: never a write outside the tensor.
      if (!(f >= 0 && f < <f32>n)) continue;
      const r = <usize><i32>f;
      if (scatter) memory.copy(to + r * rowBytes, from + <usize>k * rowBytes, rowBytes);
      else memory.copy(to + <usize>k * rowBytes, from + r * rowBytes, rowBytes);
    }
  }
}

// dst (cols, rows) = src (rows, cols) transposed: weights to and from the layouts the kernels use.
export function transpose_2d(src: usize, dst: usize, rows: i32, cols: i32): void {
  for (let r = 0; r < rows; r++) {
    for (let q = 0; q < cols; q++) {
      store<f32>(dst + ((<usize>q * <usize>rows + <usize>r) << 2), load<f32>(src + ((<usize>r * <usize>cols + <usize>q) << 2)));
    }
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
