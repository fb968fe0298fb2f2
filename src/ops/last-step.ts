// The last valid step of each right-padded sequence: what a sequence model reads when sequences
// in a batch have different lengths. Steps are copied in one kernel call: copy_rows when all
// lengths agree, else copy_rows_indexed with each sample's row.
import { Tensor } from '../tensor.js';
import { record } from '../autograd.js';
import { formatShape, ShapeError } from '../shape.js';
import { ArgumentError } from '../errors.js';

/** Checks `lengths` against (batch, seq): integers in [1, seq], one per sample. */
export function checkLengths(where: string, lengths: ArrayLike<number>, batch: number, seq: number): void {
  if (lengths.length !== batch) throw new ShapeError(`${where}: lengths hold ${lengths.length} values, expected one per sample (batch ${batch})`);
  for (let b = 0; b < batch; b++) {
    const n = lengths[b];
    if (!Number.isInteger(n) || n < 1 || n > seq) {
      throw new ArgumentError(`${where}: lengths[${b}] is ${n}, expected an integer in [1, ${seq}] (the padded sequence length)`);
    }
  }
}

/**
 * x (batch, seq, dim) -> (batch, dim), or grouped x (terms, batch, seq, dim) -> (terms, batch, dim):
 * step lengths[b] - 1 of each sample b (right padding), or the last step when lengths is omitted.
 */
export function lastStep(x: Tensor, lengths?: ArrayLike<number> | null, where = 'lastStep'): Tensor {
  if (x.ndim !== 3 && x.ndim !== 4) throw new ShapeError(`${where}: expected x (batch, seq, dim) or (terms, batch, seq, dim), got ${formatShape(x.shape)}`);
  const terms = x.ndim === 4 ? x.shape[0] : 1;
  const [batch, seq, dim] = x.shape.slice(-3);
  const lens = lengths ?? new Int32Array(batch).fill(seq);
  checkLengths(where, lens, batch, seq);
  const outShape = x.ndim === 4 ? [terms, batch, dim] : [batch, dim];
  const uniform = Array.prototype.every.call(lens, (n: number) => n === lens[0]);
  // toSteps false: x -> y (forward); true: y -> x's shape (backward, into zeros).
  const copy = (src: Tensor, dst: Tensor, toSteps: boolean) => {
    const dev = src.device;
    if (uniform) {
      // View x as (terms * batch, seq, dim) and y as (terms * batch, 1, dim): one call.
      const step = lens[0] - 1;
      dev.copy_rows({ src: src.buffer, dst: dst.buffer, outer: terms * batch, srcN: toSteps ? 1 : seq, dstN: toSteps ? seq : 1,
        inner: dim, srcStart: toSteps ? 0 : step, dstStart: toSteps ? step : 0, count: 1 });
      return;
    }
    // View x as (terms, batch * seq, dim) and y as (terms, batch, dim): row b * seq + len - 1 <-> row b.
    if (index) {
      dev.copy_rows_indexed({ src: src.buffer, dst: dst.buffer, index: index.buffer, outer: terms, n: batch * seq, rows: batch, inner: dim, scatter: toSteps });
      return;
    }
    for (let b = 0; b < batch; b++) {
      const row = b * seq + lens[b] - 1;
      dev.copy_rows({ src: src.buffer, dst: dst.buffer, outer: terms, srcN: toSteps ? batch : batch * seq, dstN: toSteps ? batch * seq : batch,
        inner: dim, srcStart: toSteps ? b : row, dstStart: toSteps ? row : b, count: 1 });
    }
  };
  const index = uniform || batch * seq > MAX_INDEXED_ROWS ? null : rowIndex(x, Float32Array.from({ length: batch }, (_, b) => b * seq + lens[b] - 1));
  return gatherSteps('lastStep', x, outShape, copy, index);
}

/** copy_rows_indexed's row numbers are float32, exact below 2^24; a longer view copies sample by sample. */
const MAX_INDEXED_ROWS = 2 ** 24;

/** Row numbers as the float32 `index` of copy_rows_indexed: scratch kept for the backward pass. */
function rowIndex(x: Tensor, rows: Float32Array): Tensor {
  const t = Tensor.scratch([rows.length], x.device);
  x.device.write(t.buffer, rows);
  return t;
}

/** y = copy(x) (toSteps false) as a differentiable op; backward copies dy back into zeros of x's shape (toSteps true). */
function gatherSteps(name: string, x: Tensor, outShape: number[], copy: (src: Tensor, dst: Tensor, toSteps: boolean) => void, index: Tensor | null): Tensor {
  const y = Tensor.empty(outShape, x.device);
  copy(x, y, false);
  return record(name, { inputs: { x }, outputs: { y }, saved: index ? [index] : [], backward: ({ y: g }) => {
    const dx = Tensor.empty(x.shape, x.device);
    x.device.fill({ out: dx.buffer, n: dx.numel, value: 0 });
    copy(g, dx, true);
    return { x: dx };
  } }).y;
}

/**
 * Time-major x (seq, batch, dim) -> (batch, dim): step lengths[b] - 1 of each sample b (the
 * recurrent layers' hN without batchFirst). Lengths are required.
 */
export function lastStepTimeMajor(x: Tensor, lengths: ArrayLike<number>, where = 'lastStepTimeMajor'): Tensor {
  if (x.ndim !== 3) throw new ShapeError(`${where}: expected x (seq, batch, dim), got ${formatShape(x.shape)}`);
  const [seq, batch, dim] = x.shape;
  checkLengths(where, lengths, batch, seq);
  // x viewed as (seq * batch, dim): row (len - 1) * batch + b <-> row b of y.
  const index = seq * batch > MAX_INDEXED_ROWS ? null : rowIndex(x, Float32Array.from({ length: batch }, (_, b) => (lengths[b] - 1) * batch + b));
  const copy = (src: Tensor, dst: Tensor, toSteps: boolean) => {
    if (index) {
      src.device.copy_rows_indexed({ src: src.buffer, dst: dst.buffer, index: index.buffer, outer: 1, n: seq * batch, rows: batch, inner: dim, scatter: toSteps });
      return;
    }
    for (let b = 0; b < batch; b++) {
      const row = (lengths[b] - 1) * batch + b;
      src.device.copy_rows({ src: src.buffer, dst: dst.buffer, outer: 1, srcN: toSteps ? batch : seq * batch, dstN: toSteps ? seq * batch : batch,
        inner: dim, srcStart: toSteps ? b : row, dstStart: toSteps ? row : b, count: 1 });
    }
  };
  return gatherSteps('lastStepTimeMajor', x, [batch, dim], copy, index);
}
