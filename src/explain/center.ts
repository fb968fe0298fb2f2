// Centered shape functions: each term's mean contribution over the samples (per output) moves into
// the intercept, so a flat term reads 0 (not an arbitrary offset that looks important) and the
// intercept is the average prediction; intercept + contributions still equals the model's output.

export interface Centered {
  /** (terms, samples, outDim), each term's mean over the samples subtracted. */
  contributions: Float64Array;
  /** (terms, outDim): the means moved. */
  offsets: number[][];
  /** bias + the sum of the offsets, per output. */
  intercept: number[];
}

export function centerContributions(raw: Float32Array, terms: number, samples: number, outDim: number, bias: readonly number[]): Centered {
  const contributions = new Float64Array(raw.length), intercept = [...bias];
  const offsets = Array.from({ length: terms }, (_, t) => Array.from({ length: outDim }, (_, k) => {
    let sum = 0;
    for (let n = 0; n < samples; n++) sum += raw[(t * samples + n) * outDim + k];
    const mean = sum / samples;
    for (let n = 0; n < samples; n++) contributions[(t * samples + n) * outDim + k] = raw[(t * samples + n) * outDim + k] - mean;
    intercept[k] += mean;
    return mean;
  }));
  return { contributions, offsets, intercept };
}
