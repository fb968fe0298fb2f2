// What trainTable and predictTable read: CSV text, a long table, or row objects.
import { readCsv } from '../data/csv.js';
import { tableFromRows, type LongTable } from '../data/table.js';
import type { Cell } from '../data/cells.js';
import { ArgumentError, describeValue } from '../errors.js';

export type TableInput = string | LongTable | readonly Record<string, Cell>[];

export function toTable(where: string, input: TableInput): LongTable {
  if (typeof input === 'string') return readCsv(input);
  if (Array.isArray(input)) return tableFromRows(input);
  const t = input as Partial<LongTable> | null;
  if (t && Array.isArray(t.columns) && Array.isArray(t.rows) && Array.isArray(t.rowNumbers)) return t as LongTable;
  throw new ArgumentError(`${where}: the data must be CSV text, a table { columns, rows, rowNumbers } (rnam.readCsv) or an array of row objects, got ${describeValue(input)}`);
}
