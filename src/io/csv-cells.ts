// Cells written to a CSV that a spreadsheet may open: a text cell starting with '=', '+', '-' or '@'
// (or a tab or carriage return, which some spreadsheets skip before reading a formula) is read as a
// formula, so a feature name or id like `=HYPERLINK(...)` would run when the file is opened. Such a
// cell gets a leading apostrophe, which spreadsheets show as text; numbers, including negative ones
// written as text ("-1.5", "-Infinity"), stay as they are. No CSV quoting here: the writer does that.
import { ArgumentError, describeValue } from '../errors.js';

export interface CsvCellOptions {
  /** Write the cell as it is (for files read back by programs, not spreadsheets). Default false. */
  raw?: boolean;
}

const FORMULA_START = /^[=+\-@\t\r]/;
const NUMBER = /^[+-]?(?:(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?|Infinity)$/;

/** True when a spreadsheet would read `text` as a formula rather than as text or a number. */
export function isFormulaLike(text: string): boolean {
  return FORMULA_START.test(text) && !NUMBER.test(text);
}

/**
 * The cell to write: `value` unchanged unless it is a string a spreadsheet would read as a formula,
 * which comes back prefixed with `'` (`=1+1` -> `'=1+1`, `-1.5` unchanged, `@x` -> `'@x`).
 * Non-string values (numbers, booleans, null) pass through. `{ raw: true }` turns it off.
 */
export function safeCsvCell<T>(value: T, options: CsvCellOptions = {}): T | string {
  if (typeof options !== 'object' || options === null) throw new ArgumentError(`safeCsvCell: options must be an object, got ${describeValue(options)}`);
  if (options.raw !== undefined && typeof options.raw !== 'boolean') throw new ArgumentError(`safeCsvCell: options.raw must be a boolean, got ${describeValue(options.raw)}`);
  if (options.raw === true || typeof value !== 'string') return value;
  return isFormulaLike(value) ? `'${value}` : value;
}
