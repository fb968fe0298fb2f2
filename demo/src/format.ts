// How the page writes numbers.

/** Numbers as a person reads them on an axis: 3 significant digits, no float noise. */
export function short(v: number | null | undefined): string {
  if (v == null || Number.isNaN(v)) return '';
  if (v === 0) return '0';
  const a = Math.abs(v);
  if (a >= 1000 || a < 0.001) return v.toExponential(1);
  return String(Number(v.toPrecision(3)));
}
