// Shape helpers and the error type for bad shapes: every message names the layer or op, the
// expected and the actual shape.

import { ShapeError } from './errors.js';

export { ShapeError };

export type Shape = readonly number[];

export function formatShape(shape: Shape): string {
  return `(${shape.join(', ')})`;
}

export function shapeError(where: string, what: string, expected: string, actual: Shape): ShapeError {
  return new ShapeError(`${where}: expected ${what} of shape ${expected}, got ${formatShape(actual)}`);
}

export function numelOf(shape: Shape): number {
  let n = 1;
  for (const d of shape) n *= d;
  return n;
}

export function sameShape(a: Shape, b: Shape): boolean {
  return a.length === b.length && a.every((d, i) => d === b[i]);
}

export function checkShapeArg(where: string, shape: Shape): void {
  if (!Array.isArray(shape)) throw new ShapeError(`${where}: the shape must be an array of non-negative integers, got ${shape === null ? 'null' : typeof shape}`);
  for (const d of shape) {
    if (!Number.isInteger(d) || d < 0) throw new ShapeError(`${where}: invalid shape ${formatShape(shape)}`);
  }
}

/** `shape` with its one -1 (if any) resolved so that it holds as many elements as `from`. */
export function resolveShape(where: string, from: Shape, shape: readonly number[]): number[] {
  const known = shape.filter((d) => d !== -1);
  const free = shape.length - known.length;
  const total = numelOf(from);
  const out = [...shape];
  if (free > 1 || known.some((d) => !Number.isInteger(d) || d < 0)) {
    throw new ShapeError(`${where}: invalid target shape ${formatShape(shape)}`);
  }
  if (free === 1) {
    const rest = numelOf(known);
    if (rest === 0 || total % rest !== 0) throw new ShapeError(`${where}: cannot reshape ${formatShape(from)} to ${formatShape(shape)}`);
    out[shape.indexOf(-1)] = total / rest;
  }
  if (numelOf(out) !== total) throw new ShapeError(`${where}: cannot reshape ${formatShape(from)} to ${formatShape(shape)}`);
  return out;
}
