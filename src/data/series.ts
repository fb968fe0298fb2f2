// One entity's observations as a time-sorted series: the step a sample reads is a row index here.
import { DataError, duplicateTimeError } from './errors.js';
import { idCell, numberCell, timeCell, timeKindOf, isMissing, TIME_CELL_FORMS, type Cell, type TimeKind } from './cells.js';
import type { ResolvedColumns } from './columns.js';
import type { LongTable } from './table.js';

export interface Series {
  readonly id: string;
  /** Table row number of each step (for errors). */
  readonly rows: Int32Array;
  /** Time of each step, ascending (dates in ms since 1970). */
  readonly times: Float64Array;
  /** Feature values, (steps, features) row-major, float64 until a dataset is built; NaN = missing. */
  readonly x: Float64Array;
  /** Target of each step, NaN where missing. */
  readonly y: Float64Array;
  readonly length: number;
}

/** The single id used when the table has no id column. */
export const singleSeriesId = '';

/** The time kind of a column from its first cell (numbers, or ISO-8601 dates). */
export function timeKindFrom(cell: Cell, columns: ResolvedColumns, row: number, id?: string): TimeKind {
  if (isMissing(cell)) throw new DataError('missing-value', 'a time cell is empty', { column: columns.time.name, row, id });
  const kind = timeKindOf(cell);
  if (!kind) throw new DataError('non-numeric', `a time cell is neither a number nor a date: '${String(cell)}'; ${TIME_CELL_FORMS}`, { column: columns.time.name, row, id });
  return kind;
}

/** The id of a row ('' without an id column); an empty id is an error. */
export function rowId(cells: readonly Cell[], columns: ResolvedColumns, row: number): string {
  if (!columns.id) return singleSeriesId;
  const id = idCell(cells[columns.id.index]);
  if (id === undefined) throw new DataError('missing-value', 'an id cell is empty', { column: columns.id.name, row });
  return id;
}

/** Parses, sorts by time and checks one id's rows. */
export function buildSeries(id: string, cells: readonly (readonly Cell[])[], rowNumbers: readonly number[], columns: ResolvedColumns, kind: TimeKind): Series {
  const n = cells.length, F = columns.features.length;
  const where = (i: number, column: string) => ({ column, row: rowNumbers[i], id: columns.id ? id : undefined });
  const time = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    const c = cells[i][columns.time.index];
    if (isMissing(c)) throw new DataError('missing-value', 'a time cell is empty', where(i, columns.time.name));
    const t = timeCell(c, kind);
    if (t === undefined) {
      throw new DataError('non-numeric', `a time cell is not ${kind === 'number' ? 'a number' : 'a date'} like the column's first: '${String(c)}'`, where(i, columns.time.name));
    }
    time[i] = t;
  }
  // Stable sort of the row order by time: the file may hold rows in any order.
  const order = Array.from({ length: n }, (_, i) => i).sort((a, b) => time[a] - time[b] || a - b);
  const s = { id, rows: new Int32Array(n), times: new Float64Array(n), x: new Float64Array(n * F), y: new Float64Array(n), length: n };
  order.forEach((src, k) => {
    if (k > 0 && time[src] === time[order[k - 1]]) {
      throw duplicateTimeError(cells[src][columns.time.index], rowNumbers[order[k - 1]], rowNumbers[src], where(src, columns.time.name));
    }
    s.rows[k] = rowNumbers[src];
    s.times[k] = time[src];
    const r = cells[src];
    columns.features.forEach((f, j) => (s.x[k * F + j] = numeric(r[f.index], () => where(src, f.name))));
    s.y[k] = numeric(r[columns.target.index], () => where(src, columns.target.name));
  });
  return s;
}

function numeric(cell: Cell, where: () => { column: string; row: number; id?: string }): number {
  const v = numberCell(cell);
  if (v === undefined) throw new DataError('non-numeric', `a cell is not a number: '${String(cell)}'`, where());
  return v;
}

/** Groups a table's rows by id (ids in order of first appearance) into sorted series. */
export function seriesFromTable(table: LongTable, columns: ResolvedColumns): { series: Series[]; kind: TimeKind } {
  const groups = new Map<string, number[]>();
  table.rows.forEach((cells, i) => {
    const id = rowId(cells, columns, table.rowNumbers[i]);
    let g = groups.get(id);
    if (!g) groups.set(id, (g = []));
    g.push(i);
  });
  const kind = timeKindFrom(table.rows[0][columns.time.index], columns, table.rowNumbers[0], columns.id ? rowId(table.rows[0], columns, table.rowNumbers[0]) : undefined);
  return { series: [...groups].map(([id, idx]) => buildSeries(id, idx.map((i) => table.rows[i]), idx.map((i) => table.rowNumbers[i]), columns, kind)), kind };
}
