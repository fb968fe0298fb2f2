// Fused losses (PyTorch semantics, reduction 'mean'), on the calling thread. Each forward sums the
// per-element (or per-row) losses in index order into a float64 accumulator, so the result does
// not depend on the thread count; exp is math.ts's expf, log and log1p AssemblyScript's (musl's)
// software Mathf: deterministic everywhere. Each backward is elementwise and reads dOut[0].
import { expf, sigmoidf } from "./math";

// ---- L1: mean |a - b| -----------------------------------------------------------------------------

export function l1_loss_forward(a: usize, b: usize, out: usize, n: i32): void {
  let s: f64 = 0;
  for (let i = 0; i < n; i++) {
    const off = <usize>i << 2;
    s += <f64>Mathf.abs(load<f32>(a + off) - load<f32>(b + off));
  }
  store<f32>(out, <f32>(s / <f64>n));
}

// da = sign(a - b) g / n (0 at a == b; NaN for NaN, where PyTorch 1.13's sign(NaN) gives 0), db = -da.
export function l1_loss_backward(a: usize, b: usize, dOut: usize, da: usize, db: usize, n: i32): void {
  const scale = load<f32>(dOut) / <f32>n;
  for (let i = 0; i < n; i++) {
    const off = <usize>i << 2;
    const d = load<f32>(a + off) - load<f32>(b + off);
    const g = (d > 0 ? <f32>1 : d < 0 ? <f32>-1 : d * 0) * scale;
    if (da) store<f32>(da + off, g);
    if (db) store<f32>(db + off, -g);
  }
}

// ---- Huber (PyTorch HuberLoss): 0.5 d^2 where |d| < delta, else delta (|d| - delta / 2) ---------------

export function huber_loss_forward(a: usize, b: usize, out: usize, n: i32, delta: f32): void {
  let s: f64 = 0;
  for (let i = 0; i < n; i++) {
    const off = <usize>i << 2;
    const d = load<f32>(a + off) - load<f32>(b + off);
    const ad = Mathf.abs(d), c = min<f32>(ad, delta); // c (ad - c / 2): 0.5 d^2 below delta, the line above
    s += <f64>(c * (ad - <f32>0.5 * c));
  }
  store<f32>(out, <f32>(s / <f64>n));
}

// da = clamp(a - b, -delta, delta) g / n, db = -da.
export function huber_loss_backward(a: usize, b: usize, dOut: usize, da: usize, db: usize, n: i32, delta: f32): void {
  const scale = load<f32>(dOut) / <f32>n;
  for (let i = 0; i < n; i++) {
    const off = <usize>i << 2;
    const d = load<f32>(a + off) - load<f32>(b + off);
    const g = min<f32>(max<f32>(d, -delta), delta) * scale; // wasm's f32.min / max propagate NaN
    if (da) store<f32>(da + off, g);
    if (db) store<f32>(db + off, -g);
  }
}

// ---- BCE with logits (PyTorch BCEWithLogitsLoss) ------------------------------------------------------
// loss = (1 - y) x + lw softplus(-x), lw = 1 + (pw - 1) y, softplus(-x) = max(-x, 0) + log1p(exp(-|x|)):
// with pw = 1 this is max(x, 0) - x y + log1p(exp(-|x|)), finite for any finite x. posWeight (classes
// values) is broadcast over the last dim: element i uses posWeight[i % classes].

// @ts-ignore: decorator
@inline
function softplusNeg(x: f32): f32 {
  return max<f32>(-x, 0) + Mathf.log1p(expf(-Mathf.abs(x)));
}

// @ts-ignore: decorator
@inline
function posWeightAt(posWeight: usize, classes: i32, i: i32): f32 {
  return posWeight ? load<f32>(posWeight + (<usize>(i % classes) << 2)) : 1;
}

export function bce_logits_forward(x: usize, y: usize, posWeight: usize, out: usize, n: i32, classes: i32): void {
  let s: f64 = 0;
  for (let i = 0; i < n; i++) {
    const off = <usize>i << 2;
    const xi = load<f32>(x + off), yi = load<f32>(y + off);
    const lw: f32 = 1 + (posWeightAt(posWeight, classes, i) - 1) * yi;
    s += <f64>((1 - yi) * xi + lw * softplusNeg(xi));
  }
  store<f32>(out, <f32>(s / <f64>n));
}

// dx = ((pw y + 1 - y) sigmoid(x) - pw y) g / n; dy = ((pw - 1) softplus(-x) - x) g / n.
export function bce_logits_backward(x: usize, y: usize, posWeight: usize, dOut: usize, dx: usize, dy: usize, n: i32, classes: i32): void {
  const scale = load<f32>(dOut) / <f32>n;
  for (let i = 0; i < n; i++) {
    const off = <usize>i << 2;
    const xi = load<f32>(x + off), yi = load<f32>(y + off);
    const pw = posWeightAt(posWeight, classes, i);
    if (dx) {
      const t = pw * yi;
      store<f32>(dx + off, ((t + 1 - yi) * sigmoidf(xi) - t) * scale);
    }
    if (dy) store<f32>(dy + off, ((pw - 1) * softplusNeg(xi) - xi) * scale);
  }
}

// ---- cross entropy over class indices (PyTorch CrossEntropyLoss) ------------------------------------
// logits (rows, classes), target (rows) class indices as floats, weight (classes) or absent.
// loss = sum_i w[t_i] nll_i / sum_i w[t_i] over rows whose target is not ignoreIndex, with
// nll_i = logsumexp(x_i) - x_i[t_i], max-subtracted. stats = [sum_i w[t_i], invalid targets, first
// invalid row (-1 if none)]; any invalid target (not an integer in [0, classes) nor ignoreIndex)
// makes the loss and every gradient NaN, and the host reads the stats to report it.

// @ts-ignore: decorator
@inline
function targetClass(t: f32, classes: i32, ignoreIndex: i32): i32 {
  if (t == <f32>ignoreIndex) return -1; // ignored
  if (t >= 0 && t < <f32>classes && Mathf.floor(t) == t) return <i32>t;
  return -2; // invalid (NaN included)
}

// The row's max and sum of exp(x - max) into rowMax/rowSum; NaN max for a row holding NaN or +inf.
let rowMax: f32 = 0, rowSum: f32 = 0;
function rowStats(row: usize, classes: i32): void {
  let m: f32 = -Infinity;
  let bad = false;
  for (let c = 0; c < classes; c++) {
    const v = load<f32>(row + (<usize>c << 2));
    if (v != v) bad = true;
    if (v > m) m = v;
  }
  if (bad || m == Infinity) m = NaN;
  let s: f32 = 0;
  for (let c = 0; c < classes; c++) s += expf(load<f32>(row + (<usize>c << 2)) - m);
  rowMax = m;
  rowSum = s;
}

export function cross_entropy_forward(logits: usize, target: usize, weight: usize, out: usize, stats: usize,
  rows: i32, classes: i32, ignoreIndex: i32): void {
  let num: f64 = 0, den: f64 = 0;
  let invalid = 0, firstInvalid = -1;
  for (let i = 0; i < rows; i++) {
    const k = targetClass(load<f32>(target + (<usize>i << 2)), classes, ignoreIndex);
    if (k == -1) continue;
    if (k == -2) {
      if (invalid == 0) firstInvalid = i;
      invalid++;
      continue;
    }
    const row = logits + (<usize>i * <usize>classes << 2);
    rowStats(row, classes);
    const w: f32 = weight ? load<f32>(weight + (<usize>k << 2)) : 1;
    const nll = (rowMax - load<f32>(row + (<usize>k << 2))) + Mathf.log(rowSum);
    num += <f64>(w * nll);
    den += <f64>w;
  }
  store<f32>(out, invalid ? NaN : <f32>(num / den));
  store<f32>(stats, <f32>den);
  store<f32>(stats + 4, <f32>invalid);
  store<f32>(stats + 8, <f32>firstInvalid);
}

// dLogits[i, c] = w[t_i] (softmax(x_i)[c] - [c == t_i]) g / stats[0]; 0 on ignored rows.
export function cross_entropy_backward(logits: usize, target: usize, weight: usize, stats: usize, dOut: usize, dLogits: usize,
  rows: i32, classes: i32, ignoreIndex: i32): void {
  const invalid = load<f32>(stats + 4) != 0;
  const scale = load<f32>(dOut) / load<f32>(stats);
  for (let i = 0; i < rows; i++) {
    const k = targetClass(load<f32>(target + (<usize>i << 2)), classes, ignoreIndex);
    const row = logits + (<usize>i * <usize>classes << 2), drow = dLogits + (<usize>i * <usize>classes << 2);
    if (k == -1 && !invalid) {
      memory.fill(drow, 0, <usize>classes << 2);
      continue;
    }
    let rowScale: f32 = NaN;
    if (!invalid) {
      rowStats(row, classes);
      rowScale = (weight ? load<f32>(weight + (<usize>k << 2)) : 1) * scale;
    }
    const inv: f32 = 1 / rowSum;
    for (let c = 0; c < classes; c++) {
      const off = <usize>c << 2;
      const p = expf(load<f32>(row + off) - rowMax) * inv;
      store<f32>(drow + off, (c == k ? p - 1 : p) * rowScale);
    }
  }
}
