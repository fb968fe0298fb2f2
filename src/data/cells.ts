// Reading one cell: a number, a missing value, or a time (a number or an ISO-8601 date). Strict on
// purpose: '12abc', 'Infinity' or '0x10' are errors, not numbers, so a shifted column cannot pass.

/** What a table cell may hold: CSV text, or values from objects a user built. */
export type Cell = string | number | boolean | Date | null | undefined;

/**
 * The spellings read as a missing value (besides an empty cell and NaN), compared case-insensitively:
 * R's and pandas' (`NA`, `NaN`, `null`, `#N/A`, `<NA>`), and the `?` of many public data sets and the
 * `.` of SAS and Stata exports, which would otherwise turn a column of numbers into levels.
 */
export const missingSpellings: readonly string[] = ['', 'na', 'n/a', '#n/a', '<na>', 'nan', 'null', '?', '.'];

const decimal = /^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/;
/** A number written with a decimal comma ('0,5', '-12,75'), as spreadsheets in many locales export it. */
export const DECIMAL_COMMA = /^\s*[+-]?\d+,\d+\s*$/;
const isoDate = /^(\d{4})-(\d{2})-(\d{2})(?:[T ](\d{2}):(\d{2})(?::(\d{2})(?:\.(\d{1,9}))?)?(Z|[+-]\d{2}:?\d{2})?)?$/;
// Year first with slashes, as many spreadsheets and databases write dates (2020/1/31, 2020/01/31 08:00):
// unambiguous, unlike 1/31/2020 or 31/1/2020, which are refused.
const slashDate = /^(\d{4})\/(\d{1,2})\/(\d{1,2})(?:[T ](\d{2}):(\d{2})(?::(\d{2})(?:\.(\d{1,9}))?)?)?$/;
// A month (ISO-8601's YYYY-MM, as monthly series are written): its first day.
const yearMonth = /^(\d{4})-(\d{2})$/;

export function isMissing(cell: Cell): boolean {
  if (cell === null || cell === undefined) return true;
  if (typeof cell === 'number') return Number.isNaN(cell);
  if (typeof cell === 'string') return missingSpellings.includes(cell.trim().toLowerCase());
  return false;
}

/** The number in a cell, NaN for a missing one, undefined for anything else (the caller names the place). */
export function numberCell(cell: Cell): number | undefined {
  if (isMissing(cell)) return NaN;
  if (typeof cell === 'number') return readable(cell) ? cell : undefined;
  if (typeof cell === 'string') {
    const s = cell.trim();
    const v = decimal.test(s) ? Number(s) : NaN;
    return readable(v) ? v : undefined;
  }
  return undefined;
}

/** The largest float32, the models' number. */
const FLOAT32_MAX = 3.4028234663852886e38;

/** '1e39' and '1e400' match the grammar, but a model computing in float32 reads them as Infinity (and predicts NaN). */
const readable = (v: number): boolean => Math.abs(v) <= FLOAT32_MAX;

/** A cell that is a number beyond float32's range (numberCell refuses it): said as such in errors. */
export function beyondFloat32(cell: Cell): boolean {
  const v = typeof cell === 'number' ? cell : typeof cell === 'string' && decimal.test(cell.trim()) ? Number(cell.trim()) : NaN;
  return Math.abs(v) > FLOAT32_MAX;
}

/** How an error names a cell numberCell refused: beyond float32's range, or not a number at all. */
export function notANumber(cell: Cell): string {
  return beyondFloat32(cell) ? "a cell is beyond float32's range (±3.4e38), which the model computes in" : 'a cell is not a number';
}

export type TimeKind = 'number' | 'date';

/** What an error about a time cell that is neither kind says after the cell. */
export const TIME_CELL_FORMS = 'a time is a number (days, hours, a visit index) or a date, year first: ISO-8601 YYYY-MM-DD or YYYY/MM/DD, with a time if any (2020-01-31, 2020-01-31T08:00, 2020/1/31 08:00), or a month, YYYY-MM; day- or month-first dates are ambiguous';

/**
 * Milliseconds since 1970 for an ISO-8601 date or date-time ('2015-03-01', '2015-03-01T12:00',
 * '2015-03-01 12:00:00.5+02:00') or a year-first date with slashes ('2015/3/1', '2015/03/01 12:00');
 * one without an offset is read as UTC, so the order and the cutoffs
 * never depend on the machine's time zone. undefined when the text is not such a date.
 */
export function isoDateMs(text: string): number | undefined {
  const t = text.trim();
  const m = isoDate.exec(t) ?? slashDate.exec(t) ?? yearMonth.exec(t);
  if (!m) return undefined;
  const [, y, month, day = '01', h = '00', mi = '00', s = '00', frac, zone] = m;
  const mo = month.padStart(2, '0'), d = day.padStart(2, '0');
  const ms = Date.parse(`${y}-${mo}-${d}T${h}:${mi}:${s}${frac ? '.' + frac.slice(0, 3).padEnd(3, '0') : ''}${zone ? normalizeZone(zone) : 'Z'}`);
  if (Number.isNaN(ms)) return undefined;
  // Date.parse rolls 2015-02-30 over to March in some engines: check the calendar date itself.
  const check = new Date(Date.UTC(Number(y), Number(mo) - 1, Number(d)));
  if (check.getUTCFullYear() !== Number(y) || check.getUTCMonth() !== Number(mo) - 1 || check.getUTCDate() !== Number(d)) return undefined;
  return ms;
}

function normalizeZone(zone: string): string {
  return zone === 'Z' || zone.includes(':') ? zone : `${zone.slice(0, 3)}:${zone.slice(3)}`;
}

/** The kind of a time cell, undefined when it is neither a number nor a date (ISO-8601, or year first with slashes). */
export function timeKindOf(cell: Cell): TimeKind | undefined {
  if (cell instanceof Date) return 'date';
  if (typeof cell === 'number') return Number.isFinite(cell) ? 'number' : undefined;
  if (typeof cell !== 'string') return undefined;
  if (decimal.test(cell.trim())) return Number.isFinite(Number(cell.trim())) ? 'number' : undefined;
  return isoDateMs(cell) !== undefined ? 'date' : undefined;
}

/** A time cell of the given kind as a number (dates in ms since 1970), undefined when it is not of that kind. */
export function timeCell(cell: Cell, kind: TimeKind): number | undefined {
  if (kind === 'number') {
    if (typeof cell === 'number') return Number.isFinite(cell) ? cell : undefined;
    const v = typeof cell === 'string' && decimal.test(cell.trim()) ? Number(cell.trim()) : NaN;
    return Number.isFinite(v) ? v : undefined;
  }
  if (cell instanceof Date) return Number.isNaN(cell.getTime()) ? undefined : cell.getTime();
  return typeof cell === 'string' ? isoDateMs(cell) : undefined;
}

/**
 * A date feature's cell as a decimal year: the year plus the elapsed share of it (2020-07-02 is
 * 2020.5, 2021-01-01 is 2021), a number on a scale a reader knows, in charts and contributions.
 * NaN for a missing cell, undefined for a cell that is no date (ISO-8601 or year first with slashes).
 */
export function dateYears(cell: Cell): number | undefined {
  if (isMissing(cell)) return NaN;
  const ms = cell instanceof Date ? cell.getTime() : typeof cell === 'string' ? isoDateMs(cell) : undefined;
  if (ms === undefined || Number.isNaN(ms)) return undefined;
  const year = new Date(ms).getUTCFullYear(), start = yearStart(year);
  return year + (ms - start) / (yearStart(year + 1) - start);
}

/** Midnight UTC on 1 January of a year (Date.UTC would read years 0-99 as 1900-1999). */
function yearStart(year: number): number {
  const d = new Date(0);
  d.setUTCFullYear(year, 0, 1);
  return d.getTime();
}

/** An id cell as a string key (ids may be numbers in objects; 7 and '7' are the same entity). */
export function idCell(cell: Cell): string | undefined {
  if (cell === null || cell === undefined) return undefined;
  const s = cell instanceof Date ? cell.toISOString() : String(cell).trim();
  return s === '' ? undefined : s;
}

/** At least this share of a column's non-missing cells are numbers for a stray text cell to be called an error (a typo), not a column of text. */
export const MOSTLY_NUMERIC = 0.9;
