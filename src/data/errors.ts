// The one error type of the data pipeline: what went wrong (a code), and where (column, row, id),
// so a user can find the offending cell in their own file.
import { RnamError } from '../errors.js';

export type DataErrorCode =
  | 'empty'            // no header, or a header and no data rows
  | 'csv'              // the CSV itself is malformed (an unclosed quote, a row with too many or too few cells)
  | 'missing-column'   // a named column is not in the header
  | 'duplicate-column' // a header names the same column twice
  | 'non-numeric'      // a feature, target or time cell that is not a number (or, for time, an ISO-8601 date)
  | 'missing-value'    // an empty / NaN cell under missing: 'error', or one no rule can fill
  | 'duplicate-time'   // two rows with the same (id, time)
  | 'too-few-rows'     // no id with the rows a window and its horizon need (or, where refused, one without them)
  | 'unsorted-stream'  // a streamed id that comes back after another id started
  | 'shape'            // an array whose size does not match its named shape
  | 'target-leak'      // the target column is also an input at the step it is read
  | 'option';          // an option out of range or inconsistent with the data

export interface DataErrorWhere {
  column?: string;
  /** 1-based row of the table: a CSV's header is row 1 (its line number when no quoted field holds a line break); rows given as objects count from 1. */
  row?: number;
  id?: string;
}

export class DataError extends RnamError {
  override name = 'DataError';
  readonly code: DataErrorCode;
  // declared, not initialised: a field that does not apply is absent rather than undefined
  declare readonly column?: string;
  declare readonly row?: number;
  declare readonly id?: string;
  /** The message without its place (column, row, id), to put in a wider context. */
  readonly detail: string;

  constructor(code: DataErrorCode, message: string, where: DataErrorWhere = {}) {
    const place = [where.column !== undefined ? `column '${where.column}'` : '', where.row !== undefined ? `row ${where.row}` : '',
      where.id !== undefined ? `id '${where.id}'` : ''].filter(Boolean).join(', ');
    super(place ? `${message} (${place})` : message);
    this.code = code;
    this.detail = message;
    if (where.column !== undefined) this.column = where.column;
    if (where.row !== undefined) this.row = where.row;
    if (where.id !== undefined) this.id = where.id;
  }
}

/** Two rows of one series at one time: which rows, and what to do about it. */
export function duplicateTimeError(time: unknown, first: number, second: number, where: DataErrorWhere): DataError {
  return new DataError('duplicate-time', `two rows have the same time '${String(time)}' (rows ${first} and ${second}): a series holds one row per time; merge the two, or drop one`, where);
}
