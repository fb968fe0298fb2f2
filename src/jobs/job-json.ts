// A job's result as plain JSON that every transport carries exactly: finite numbers as they are
// (JSON writes a double's shortest round-trip form), and the numbers JSON cannot carry (NaN,
// ±Infinity, -0) as { $number: 'NaN' | 'Infinity' | '-Infinity' | '-0' }. Cells and metrics are never
// objects of that shape, so reading it back is unambiguous.

type Tagged = { $number: 'NaN' | 'Infinity' | '-Infinity' | '-0' };

export function toJsonSafe(value: unknown): unknown {
  if (typeof value === 'number') {
    if (Number.isFinite(value) && !Object.is(value, -0)) return value;
    return { $number: Object.is(value, -0) ? '-0' : String(value) } as Tagged;
  }
  if (Array.isArray(value)) return value.map(toJsonSafe);
  if (ArrayBuffer.isView(value)) return Array.from(value as unknown as ArrayLike<number>, toJsonSafe);
  if (typeof value === 'object' && value !== null) return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined).map(([k, v]) => [k, toJsonSafe(v)]));
  return value;
}

export function fromJsonSafe(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(fromJsonSafe);
  if (typeof value === 'object' && value !== null) {
    const keys = Object.keys(value);
    if (keys.length === 1 && keys[0] === '$number') return Number((value as Tagged).$number);
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, fromJsonSafe(v)]));
  }
  return value;
}
