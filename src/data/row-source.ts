// A stream of rows, CSV text in chunks or row objects, read one record at a time; and the rule every
// streaming reader shares: an id's rows come together (any time order within the id), because an id
// that came back after another id started would need the whole stream in memory.
import { DataError } from './errors.js';
import { csvRecords, type TextChunks } from './csv.js';
import type { Cell } from './cells.js';

/** CSV text in chunks (read with papaparse's incremental parser), or row objects from any (async) iterable. */
export type RowSource =
  | { csv: TextChunks; delimiter?: string }
  | { rows: AsyncIterable<Record<string, Cell>> | Iterable<Record<string, Cell>> };

export interface SourceRecord {
  readonly columns: readonly string[];
  readonly cells: readonly Cell[];
  /** 1-based: a CSV's header is row 1; row objects count from 1. */
  readonly row: number;
}

/** The records of a source in order; the columns are the CSV header or the first object's keys. */
export async function* sourceRecords(source: RowSource): AsyncGenerator<SourceRecord> {
  if ('csv' in source) {
    for await (const { columns, record } of csvRecords(source.csv, { delimiter: source.delimiter })) yield { columns, cells: record.cells, row: record.row };
    return;
  }
  let columns: string[] | null = null, row = 0;
  for await (const obj of source.rows as AsyncIterable<Record<string, Cell>>) {
    columns ??= Object.keys(obj);
    row++;
    yield { columns, cells: columns.map((c) => obj[c]), row };
  }
  if (!columns) throw new DataError('empty', 'the stream has no rows');
}

/** Follows a stream's ids: `next` says whether a row starts a new id, and refuses an id that comes back. */
export class IdRuns {
  private current: string | null = null;
  private readonly done = new Set<string>();

  constructor(private readonly column?: string) {}

  /** True when `id` starts a new run (the previous id is complete); an id seen before the current one is an error. */
  next(id: string, row: number): boolean {
    if (id === this.current) return false;
    if (this.done.has(id)) {
      throw new DataError('unsorted-stream', 'the id comes back after other ids: a stream must hold each id\'s rows together (sort it by id)', { id, row, column: this.column });
    }
    if (this.current !== null) this.done.add(this.current);
    this.current = id;
    return true;
  }
}
