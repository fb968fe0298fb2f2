// Checks of optimizer options, as PyTorch's ValueErrors: an options object with known keys only,
// and every number finite and in range (NaN fails every range).
import { ArgumentError, describeValue } from '../errors.js';

/** `options` must be a plain object of known keys: new AdamW(params, 0.5) or { learningRate } are not silently ignored. */
export function checkOptions(where: string, options: unknown, known: readonly string[]): void {
  if (typeof options === 'number') throw new ArgumentError(`${where}: options must be an object; did you mean { lr: ${options} }?`);
  if (options === null || typeof options !== 'object' || Array.isArray(options)) {
    throw new ArgumentError(`${where}: options must be an object, got ${describeValue(options)}`);
  }
  for (const key of Object.keys(options)) {
    if (!known.includes(key)) throw new ArgumentError(`${where}: unknown option ${key} (known: ${known.join(', ')})`);
  }
}

export interface NumberRange {
  /** Inclusive lower bound. */
  min?: number;
  /** Exclusive lower bound. */
  above?: number;
  /** Exclusive upper bound. */
  below?: number;
  /** Whether Infinity is allowed (default not). */
  infinite?: boolean;
}

/** `v` as a number in range, or an ArgumentError naming it and the range. */
export function checkNumber(where: string, name: string, v: unknown, range: NumberRange): number {
  const ok = typeof v === 'number' && !Number.isNaN(v) && (range.infinite || Number.isFinite(v))
    && (range.min === undefined || v >= range.min) && (range.above === undefined || v > range.above)
    && (range.below === undefined || v < range.below);
  if (!ok) {
    const bounds = [
      range.min !== undefined ? `>= ${range.min}` : '', range.above !== undefined ? `> ${range.above}` : '',
      range.below !== undefined ? `< ${range.below}` : '',
    ].filter(Boolean).join(' and ');
    throw new ArgumentError(`${where}: invalid ${name} ${describeValue(v)} (must be a ${range.infinite ? '' : 'finite '}number${bounds ? ` ${bounds}` : ''})`);
  }
  return v as number;
}
