// Host arrays grown batch by batch: a stream's sample count is known only at its end.
export class Collector {
  private chunks: Float32Array[] = [];
  length = 0;

  push(values: Float32Array): void {
    this.chunks.push(values);
    this.length += values.length;
  }

  values(): Float32Array {
    if (this.chunks.length === 1) return this.chunks[0];
    const out = new Float32Array(this.length);
    let at = 0;
    for (const c of this.chunks) out.set(c, at), (at += c.length);
    this.chunks = [out];
    return out;
  }
}
