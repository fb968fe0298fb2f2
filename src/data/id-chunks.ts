// A stream of rows cut into long tables of whole ids, each small enough to hold: what predicting a
// file larger than memory reads. A chunk ends at an id boundary once it holds about `chunkSamples`
// samples (panel mode: ids; window and table modes: rows, at most one sample each) or 8 times as
// many rows, so memory stays flat however long the stream is; a single id is never cut.
import { DataError } from './errors.js';
import { idCell, type Cell } from './cells.js';
import type { LongTable } from './table.js';
import { sourceRecords, IdRuns, type RowSource } from './row-source.js';

export interface IdChunkOptions {
  /** The id column; absent, the stream is one series (panel, window) or one sample per row (table). */
  id?: string;
  /** 'table': one sample per row, no time column (an id, when named, is on one row only). */
  mode: 'panel' | 'window' | 'table';
  chunkSamples: number;
}

const ROWS_PER_SAMPLE_CAP = 8;

/** The stream's rows in tables of whole ids, in stream order, with their row numbers; an id that comes back is an error. */
export async function* idChunks(source: RowSource, o: IdChunkOptions): AsyncGenerator<LongTable> {
  if (!(Number.isInteger(o.chunkSamples) && o.chunkSamples >= 1)) throw new DataError('option', `chunkSamples must be a positive integer, got ${o.chunkSamples}`);
  const maxRows = o.chunkSamples * ROWS_PER_SAMPLE_CAP;
  let columns: readonly string[] | null = null, idIndex = -1, runs: IdRuns | null = null;
  let rows: (readonly Cell[])[] = [], rowNumbers: number[] = [], ids = 0;
  for await (const r of sourceRecords(source)) {
    if (!columns) {
      columns = r.columns;
      if (o.id !== undefined) {
        idIndex = columns.indexOf(o.id);
        if (idIndex < 0) throw new DataError('missing-column', `the id column is not in the header (${columns.join(', ')})`, { column: o.id });
      }
      runs = new IdRuns(o.id);
    }
    const key = idKey(r.cells, r.row, idIndex, o);
    if (key === null || runs!.next(key, r.row)) {
      if (rows.length > 0 && ((o.mode === 'panel' ? ids : rows.length) >= o.chunkSamples || rows.length >= maxRows)) {
        yield { columns, rows, rowNumbers };
        rows = [];
        rowNumbers = [];
        ids = 0;
      }
      ids++;
    }
    rows.push(r.cells);
    rowNumbers.push(r.row);
  }
  if (!columns) throw new DataError('empty', 'the stream has no rows');
  if (rows.length === 0) throw new DataError('empty', 'the CSV has a header and no data rows', { row: 1 });
  yield { columns, rows, rowNumbers };
}

/**
 * The id a row belongs to, as the in-memory builders group rows: '' without an id column (one
 * series); in table mode each row is its own sample (null without an id column, never repeated), and
 * a repeated id is refused where the table would refuse it.
 */
function idKey(cells: readonly Cell[], row: number, idIndex: number, o: IdChunkOptions): string | null {
  if (o.mode === 'table') return idIndex < 0 ? null : idCell(cells[idIndex]) ?? String(row);
  if (idIndex < 0) return '';
  const id = idCell(cells[idIndex]);
  if (id === undefined) throw new DataError('missing-value', 'an id cell is empty', { column: o.id, row });
  return id;
}
