// Elementwise unary ops selected by an op code: the spec's unaryOps in order (scripts/check-kernels.mjs
// checks the constants below against it).
// The SIMD path applies the same per-lane operations as the scalar path, so results are bitwise
// identical either way.
import { expf, sigmoidf, exp4, sigmoid4 } from "./math";

const RELU = 0, SIGMOID = 1, TANH = 2, EXP = 3, LOG = 4, SQUARE = 5, SQRT = 6, ABS = 7, NEG = 8;

// @ts-ignore: decorator
@inline
function tanhf(x: f32): f32 {
  return 2 * sigmoidf(2 * x) - 1;
}

function forward1(x: f32, op: i32): f32 {
  switch (op) {
    case RELU: return max<f32>(x, 0); // f32.max: NaN propagates, as in PyTorch
    case SIGMOID: return sigmoidf(x);
    case TANH: return tanhf(x);
    case EXP: return expf(x);
    case LOG: return Mathf.log(x);
    case SQUARE: return x * x;
    case SQRT: return Mathf.sqrt(x);
    case ABS: return Mathf.abs(x);
    default: return -x;
  }
}

// dx from x, the forward output y and dy.
function backward1(x: f32, y: f32, dy: f32, op: i32): f32 {
  switch (op) {
    case RELU: return x > 0 ? dy : 0;
    case SIGMOID: return dy * y * (1 - y);
    case TANH: return dy * (1 - y * y);
    case EXP: return dy * y;
    case LOG: return dy / x;
    case SQUARE: return dy * 2 * x;
    case SQRT: return dy * 0.5 / y;
    case ABS: return x > 0 ? dy : x < 0 ? -dy : 0;
    default: return -dy;
  }
}

function forward4(x: v128, op: i32): v128 {
  switch (op) {
    case RELU: return f32x4.max(x, f32x4.splat(0));
    case SIGMOID: return sigmoid4(x);
    case TANH: {
      const two = f32x4.splat(2);
      return f32x4.sub(f32x4.mul(two, sigmoid4(f32x4.mul(two, x))), f32x4.splat(1));
    }
    case EXP: return exp4(x);
    case SQUARE: return f32x4.mul(x, x);
    case SQRT: return f32x4.sqrt(x);
    case ABS: return f32x4.abs(x);
    case NEG: return f32x4.neg(x);
    default: { // LOG: lane by lane, the same scalar function
      return f32x4.replace_lane(f32x4.replace_lane(f32x4.replace_lane(f32x4.splat(Mathf.log(f32x4.extract_lane(x, 0))),
        1, Mathf.log(f32x4.extract_lane(x, 1))), 2, Mathf.log(f32x4.extract_lane(x, 2))), 3, Mathf.log(f32x4.extract_lane(x, 3)));
    }
  }
}

export function unary_forward(x: usize, y: usize, n: i32, op: i32): void {
  let i = 0;
  if (ASC_FEATURE_SIMD) {
    for (; i + 4 <= n; i += 4) {
      const off = <usize>i << 2;
      v128.store(y + off, forward4(v128.load(x + off), op));
    }
  }
  for (; i < n; i++) {
    const off = <usize>i << 2;
    store<f32>(y + off, forward1(load<f32>(x + off), op));
  }
}

export function unary_backward(x: usize, y: usize, dy: usize, dx: usize, n: i32, op: i32): void {
  for (let i = 0; i < n; i++) {
    const off = <usize>i << 2;
    store<f32>(dx + off, backward1(load<f32>(x + off), load<f32>(y + off), load<f32>(dy + off), op));
  }
}

// Softplus (PyTorch semantics): log(1 + exp(beta x)) / beta, linear where beta x > threshold.
// exp is math.ts's deterministic expf and log1p musl's (AssemblyScript's Mathf), so results are
// the same on every engine. NaN propagates (the comparison is false for NaN).
export function softplus_forward(x: usize, y: usize, n: i32, beta: f32, threshold: f32): void {
  for (let i = 0; i < n; i++) {
    const off = <usize>i << 2;
    const v = load<f32>(x + off), bv = beta * v;
    store<f32>(y + off, bv > threshold ? v : Mathf.log1p(expf(bv)) / beta);
  }
}

export function softplus_backward(x: usize, dy: usize, dx: usize, n: i32, beta: f32, threshold: f32): void {
  for (let i = 0; i < n; i++) {
    const off = <usize>i << 2;
    const bv = beta * load<f32>(x + off), g = load<f32>(dy + off);
    store<f32>(dx + off, bv > threshold ? g : g * sigmoidf(bv));
  }
}
