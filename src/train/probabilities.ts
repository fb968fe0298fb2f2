// Probabilities from logits for predict(): sigmoid (binary) and row softmax (multiclass), computed
// by the CPU backend's kernels (the same bits on every engine and for every model device).
import { tensor } from '../creation.js';
import { sigmoid, exp } from '../ops/elementwise.js';
import { tidy } from '../memory.js';
import { noGrad } from '../autograd.js';
import { cpu } from '../backend/default-device.js';

export function sigmoidValues(logits: Float32Array): Float32Array {
  if (logits.length === 0) return new Float32Array(0);
  return noGrad(() => tidy(() => sigmoid(tensor(logits, [logits.length], { device: cpu })).toArraySync()));
}

/** Rows of `classes` logits -> rows of probabilities: exp(x - max) / sum, the max taken per row. */
export function softmaxRows(logits: Float32Array, classes: number): Float32Array {
  if (logits.length === 0) return new Float32Array(0);
  const shifted = new Float32Array(logits.length);
  for (let r = 0; r < logits.length; r += classes) {
    let m = -Infinity;
    for (let c = 0; c < classes; c++) m = Math.max(m, logits[r + c]);
    for (let c = 0; c < classes; c++) shifted[r + c] = logits[r + c] - m;
  }
  const e = noGrad(() => tidy(() => exp(tensor(shifted, [shifted.length], { device: cpu })).toArraySync()));
  for (let r = 0; r < e.length; r += classes) {
    let z = 0;
    for (let c = 0; c < classes; c++) z += e[r + c];
    for (let c = 0; c < classes; c++) e[r + c] /= z;
  }
  return e;
}

/** The first largest score of each row. */
export function argmaxRows(scores: Float32Array, classes: number): Int32Array {
  const out = new Int32Array(scores.length / classes);
  for (let i = 0; i < out.length; i++) {
    let best = 0;
    for (let c = 1; c < classes; c++) if (scores[i * classes + c] > scores[i * classes + best]) best = c;
    out[i] = best;
  }
  return out;
}
