// The long table every source becomes: one row per (entity, time) observation, cells by column.
import { DataError } from './errors.js';
import type { Cell } from './cells.js';

export interface LongTable {
  readonly columns: readonly string[];
  readonly rows: readonly (readonly Cell[])[];
  /** The 1-based row number of each row, for error messages (a CSV's header is row 1). */
  readonly rowNumbers: readonly number[];
}

/**
 * The name a CSV's unnamed first column gets: there, R's write.csv and pandas' to_csv write the row
 * names (the index). The column chooser leaves it out of the features when it numbers or labels the
 * rows, as it does any such column.
 */
export const ROW_NAMES = 'row_names';

/** Checks a header: no empty names, no name twice. */
export function checkHeader(columns: readonly string[], where: { row: number }): void {
  const seen = new Set<string>();
  columns.forEach((name, i) => {
    if (name === '') {
      // A CSV's unnamed first column is read as row names and its trailing unnamed columns dropped while empty.
      throw new DataError('csv', `column ${i + 1} of the header has no name: name it, or remove the column`, where);
    }
    if (seen.has(name)) throw new DataError('duplicate-column', 'the header names this column twice', { column: name, row: where.row });
    seen.add(name);
  });
}

/** A long table from objects (e.g. parsed JSON); the columns are the keys of the first object. */
export function tableFromRows(objects: readonly Record<string, Cell>[]): LongTable {
  if (objects.length === 0) throw new DataError('empty', 'no rows');
  const columns = Object.keys(objects[0]);
  checkHeader(columns, { row: 1 });
  const rows = objects.map((o) => columns.map((c) => o[c]));
  return { columns, rows, rowNumbers: objects.map((_, i) => i + 1) };
}
