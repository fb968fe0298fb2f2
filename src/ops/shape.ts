// Shape ops. reshape shares storage; slice and cat copy rows with the copy_rows kernel by viewing
// each tensor as (outer, n, inner) around the axis.
import { Tensor } from '../tensor.js';
import { record } from '../autograd.js';
import { formatShape, numelOf, ShapeError, type Shape } from '../shape.js';
import { checkSameDevice } from './common.js';
import { ArgumentError, describeValue } from '../errors.js';

/** x with another shape over the same values (no copy); one dimension may be -1. */
export function reshape(x: Tensor, shape: readonly number[]): Tensor {
  return x.reshape(shape);
}

/** An index argument must be an integer: slice(x, 0, 0.5) would otherwise make a fractional shape. */
function checkInteger(where: string, name: string, v: number): void {
  if (!Number.isInteger(v)) throw new ArgumentError(`${where}: ${name} must be an integer, got ${describeValue(v)}`);
}

function normalizeAxis(where: string, axis: number, ndim: number): number {
  checkInteger(where, 'axis', axis);
  const a = axis < 0 ? axis + ndim : axis;
  if (a < 0 || a >= ndim) throw new ShapeError(`${where}: axis ${axis} is out of range for ${ndim} dimensions`);
  return a;
}

/** (outer, n, inner) view of a shape around `axis`. */
function around(shape: Shape, axis: number): [number, number, number] {
  return [numelOf(shape.slice(0, axis)), shape[axis], numelOf(shape.slice(axis + 1))];
}

/** x[..., start:end, ...] along `axis` (negative start/end count from the end, as in Python). */
export function slice(x: Tensor, axis: number, start: number, end: number = x.shape[axis < 0 ? axis + x.ndim : axis]): Tensor {
  const a = normalizeAxis('slice', axis, x.ndim);
  checkInteger('slice', 'start', start);
  checkInteger('slice', 'end', end);
  const n = x.shape[a];
  const s = Math.min(Math.max(start < 0 ? start + n : start, 0), n);
  const e = Math.min(Math.max(end < 0 ? end + n : end, s), n);
  const [outer, , inner] = around(x.shape, a);
  const outShape = [...x.shape];
  outShape[a] = e - s;
  const y = Tensor.empty(outShape, x.device);
  x.device.copy_rows({ src: x.buffer, dst: y.buffer, outer, srcN: n, dstN: e - s, inner, srcStart: s, dstStart: 0, count: e - s });
  return record('slice', { inputs: { x }, outputs: { y }, saved: [], backward: ({ y: g }) => {
    const dx = Tensor.empty(x.shape, x.device);
    x.device.fill({ out: dx.buffer, n: dx.numel, value: 0 });
    x.device.copy_rows({ src: g.buffer, dst: dx.buffer, outer, srcN: e - s, dstN: n, inner, srcStart: 0, dstStart: s, count: e - s });
    return { x: dx };
  } }).y;
}

/** Concatenation along `axis`; all other dimensions must agree. */
export function cat(tensors: readonly Tensor[], axis = 0): Tensor {
  if (tensors.length === 0) throw new ShapeError('cat: needs at least one tensor');
  const first = tensors[0];
  const a = normalizeAxis('cat', axis, first.ndim);
  checkSameDevice('cat', tensors);
  for (const t of tensors) {
    if (t.ndim !== first.ndim || t.shape.some((d, i) => i !== a && d !== first.shape[i])) {
      throw new ShapeError(`cat: shapes ${formatShape(first.shape)} and ${formatShape(t.shape)} differ outside axis ${axis}`);
    }
  }
  const total = tensors.reduce((sum, t) => sum + t.shape[a], 0);
  const outShape = [...first.shape];
  outShape[a] = total;
  const [outer, , inner] = around(outShape, a);
  const y = Tensor.empty(outShape, first.device);
  const starts: number[] = [];
  let at = 0;
  for (const t of tensors) {
    starts.push(at);
    first.device.copy_rows({ src: t.buffer, dst: y.buffer, outer, srcN: t.shape[a], dstN: total, inner, srcStart: 0, dstStart: at, count: t.shape[a] });
    at += t.shape[a];
  }
  // The inputs are named by position: t0, t1, ...
  const inputs = Object.fromEntries(tensors.map((t, i) => [`t${i}`, t]));
  return record('cat', { inputs, outputs: { y }, saved: [], backward: ({ y: g }) =>
    Object.fromEntries(tensors.map((t, i) => {
      const dt = Tensor.empty(t.shape, t.device);
      t.device.copy_rows({ src: g.buffer, dst: dt.buffer, outer, srcN: total, dstN: t.shape[a], inner, srcStart: starts[i], dstStart: 0, count: t.shape[a] });
      return [`t${i}`, dt];
    })),
  }).y;
}

/**
 * x cut into `parts` equal pieces along `axis` (each a copy), as one op: its backward writes each
 * piece's gradient into its rows of one dx (zeros where a piece has none), where slicing piece by
 * piece would sum `parts` full-size gradients.
 */
export function split(x: Tensor, axis: number, parts: number): Tensor[] {
  const a = normalizeAxis('split', axis, x.ndim);
  checkInteger('split', 'parts', parts);
  const n = x.shape[a];
  if (parts < 1 || n % parts !== 0) throw new ShapeError(`split: ${n} rows along axis ${axis} do not cut into ${parts} equal parts`);
  const [outer, , inner] = around(x.shape, a), size = n / parts;
  const outShape = [...x.shape];
  outShape[a] = size;
  const outputs: Record<string, Tensor> = {};
  for (let i = 0; i < parts; i++) {
    const y = Tensor.empty(outShape, x.device);
    x.device.copy_rows({ src: x.buffer, dst: y.buffer, outer, srcN: n, dstN: size, inner, srcStart: i * size, dstStart: 0, count: size });
    outputs[`y${i}`] = y;
  }
  const out = record('split', { inputs: { x }, outputs, saved: [], backward: (grads: Record<string, Tensor | null>) => {
    const dx = Tensor.empty(x.shape, x.device);
    if (Object.values(grads).some((g) => !g)) x.device.fill({ out: dx.buffer, n: dx.numel, value: 0 });
    for (let i = 0; i < parts; i++) {
      const g = grads[`y${i}`];
      if (g) x.device.copy_rows({ src: g.buffer, dst: dx.buffer, outer, srcN: size, dstN: n, inner, srcStart: 0, dstStart: i * size, count: size });
    }
    return { x: dx };
  } });
  return Array.from({ length: parts }, (_, i) => out[`y${i}`]);
}
