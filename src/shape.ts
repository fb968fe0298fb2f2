// Shape helpers and the error type for bad shapes: every message names the layer or op, the
// expected and the actual shape.

export type Shape = readonly number[];

export class ShapeError extends Error {
  override name = 'ShapeError';
}

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
  for (const d of shape) {
    if (!Number.isInteger(d) || d < 0) throw new ShapeError(`${where}: invalid shape ${formatShape(shape)}`);
  }
}
