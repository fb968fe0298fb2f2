// How the page writes numbers.

/** Numbers as a person reads them on an axis: 3 significant digits, no float noise. */
export function short(v: number | null | undefined, digits = 3): string {
  if (v == null || Number.isNaN(v)) return '';
  if (v === 0) return '0';
  const a = Math.abs(v);
  if (a >= 1e6 || a < 0.001) return v.toExponential(digits - 2);
  return String(Number(v.toPrecision(digits)));
}

/**
 * An axis's tick labels: whole numbers as they are (a year stays 1996, not 2.0e+3), else short(),
 * with more digits until neighbouring ticks read differently.
 */
export function tickLabels(ticks: (number | null)[]): string[] {
  // uPlot gives null for a tick it draws without a label (between a log axis's decades).
  const shown = ticks.filter((t): t is number => t != null && Number.isFinite(t));
  const label = (f: (t: number) => string) => ticks.map((t) => (t != null && Number.isFinite(t) ? f(t) : ''));
  if (shown.every((t) => Number.isInteger(t) && Math.abs(t) < 1e7)) return label(String);
  for (let digits = 3; digits <= 9; digits++) {
    if (new Set(shown.map((t) => short(t, digits))).size === shown.length) return label((t) => short(t, digits));
  }
  return label(String);
}
