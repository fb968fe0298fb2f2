// CSV text to a long table, whole or streamed. The parser is papaparse (a runtime dependency): it
// is RFC 4180 complete (quoted fields with delimiters, quotes and line breaks), has no dependencies,
// runs in Node and browsers, and parses incrementally, which the streaming source needs; d3-dsv, the
// other candidate, parses whole strings only and pulls in three CLI dependencies.
// Both paths drive papaparse's core Parser with `ignoreLastRow` and carry the unfinished last row
// into the next chunk, which is how papaparse's own streamers work; one code path, any chunk source.
import Papa from 'papaparse';
import { DataError } from './errors.js';
import { checkHeader, ROW_NAMES, type LongTable } from './table.js';
import { DECIMAL_COMMA } from './cells.js';

export interface CsvOptions {
  /** The field separator; by default read from the header line (see headerDelimiter). */
  delimiter?: string;
}

/** One parsed record with its 1-based row number (the header is row 1). */
export interface CsvRecord {
  readonly cells: readonly string[];
  readonly row: number;
}

/** Splits CSV text given in chunks into records; blank lines are skipped (their numbers still count). */
class RecordSplitter {
  private parser: Papa.Parser | null = null;
  /** True when the delimiter is not a comma: a cell like '0,5' can then only be a number with a decimal comma. */
  private decimalCommas = false;
  private carry = '';
  private row = 0;
  private started = false;

  constructor(private readonly options: CsvOptions) {}

  /** The complete records in `chunk` (after what was carried); `last` flushes the final row. */
  push(chunk: string, last: boolean): CsvRecord[] {
    let text = this.carry + chunk;
    if (!this.started) {
      if (text.length === 0 && !last) return [];
      text = text.replace(/^\ufeff/, '');
      // The line ending is read from the first line break: '\r\n' files are common (spreadsheets).
      const nl = text.indexOf('\n');
      if (nl < 0 && !last) {
        this.carry = text;
        return [];
      }
      const delimiter = this.options.delimiter ?? headerDelimiter(nl < 0 ? text : text.slice(0, nl));
      this.decimalCommas = delimiter !== ',';
      this.parser = new Papa.Parser({ delimiter, newline: nl > 0 && text[nl - 1] === '\r' ? '\r\n' : '\n' });
      this.started = true;
    }
    const result = this.parser!.parse(text, 0, !last) as { data: string[][]; errors: { row?: number; message: string }[]; meta: { cursor: number } };
    const bad = result.errors[0];
    if (bad) throw new DataError('csv', `the CSV is malformed: ${bad.message}`, { row: this.row + (bad.row ?? 0) + 1 });
    this.carry = last ? '' : text.slice(result.meta.cursor);
    const records: CsvRecord[] = [];
    for (const cells of result.data) {
      this.row++;
      if (cells.length === 1 && cells[0].trim() === '') continue;
      if (this.decimalCommas) {
        for (let j = 0; j < cells.length; j++) if (cells[j].includes(',') && DECIMAL_COMMA.test(cells[j])) cells[j] = cells[j].replace(',', '.');
      }
      records.push({ cells, row: this.row });
    }
    return records;
  }
}

/**
 * The delimiter of a CSV whose header line is `line`: a comma when the header has one outside quotes,
 * else the semicolon, tab or bar it has most of (spreadsheets in many locales write ';'), else a comma.
 */
export function headerDelimiter(line: string): string {
  const counts = new Map<string, number>([[',', 0], [';', 0], ['\t', 0], ['|', 0]]);
  let quoted = false;
  for (const ch of line) {
    if (ch === '"') quoted = !quoted;
    else if (!quoted && counts.has(ch)) counts.set(ch, counts.get(ch)! + 1);
  }
  if (counts.get(',')! > 0) return ',';
  let best = ',', most = 0;
  for (const [d, n] of counts) if (n > most) [best, most] = [d, n];
  return best;
}

/** A checked header: its column names, and its width in cells (wider when it ends in unnamed columns). */
interface Header {
  columns: string[];
  width: number;
}

/**
 * The header's names, checked. Trailing unnamed columns (the empty columns a spreadsheet leaves after
 * the last one it wrote) are dropped: rowCells requires their cells to be empty, so nothing is lost.
 */
function headerOf(r: CsvRecord): Header {
  const names = r.cells.map((c) => c.trim());
  let named = names.length;
  while (named > 0 && names[named - 1] === '') named--;
  const columns = named > 0 ? names.slice(0, named) : names;
  // R's write.csv and pandas' to_csv write the row names (the index) first, under no name.
  if (columns.length > 1 && columns[0] === '' && !columns.includes(ROW_NAMES)) columns[0] = ROW_NAMES;
  checkHeader(columns, r);
  return { columns, width: names.length };
}

/** A data row's cells under the header's named columns: the width checked, dropped columns empty. */
function rowCells(r: CsvRecord, h: Header): readonly string[] {
  if (r.cells.length !== h.width) throw new DataError('csv', `the row has ${r.cells.length} cells, the header ${h.width}`, { row: r.row });
  if (h.width === h.columns.length) return r.cells;
  for (let i = h.columns.length; i < h.width; i++) {
    const v = r.cells[i].trim();
    if (v !== '') throw new DataError('csv', `column ${i + 1} has no name in the header but holds '${v}' here: name it in the header, or remove the column`, { row: r.row });
  }
  return r.cells.slice(0, h.columns.length);
}

function tableFromRecords(records: CsvRecord[]): LongTable {
  const [first, ...data] = records;
  if (!first) throw new DataError('empty', 'the CSV is empty');
  const header = headerOf(first);
  if (data.length === 0) throw new DataError('empty', 'the CSV has a header and no data rows', { row: first.row });
  return { columns: header.columns, rows: data.map((r) => rowCells(r, header)), rowNumbers: data.map((r) => r.row) };
}

/** Parses a whole CSV text (header first) into a long table. */
export function readCsv(text: string, options: CsvOptions = {}): LongTable {
  return tableFromRecords(new RecordSplitter(options).push(text, true));
}

/** A source of CSV text in chunks: a Node stream (fs.createReadStream), a fetch body, file.stream(). */
export type TextChunks = AsyncIterable<string | Uint8Array> | Iterable<string>;

/**
 * Streams a CSV's records as objects by column name, holding one chunk at a time: rows split
 * across chunks, even inside quoted fields, come out whole. Yields [header, then records].
 */
export async function* csvRecords(chunks: TextChunks, options: CsvOptions = {}): AsyncGenerator<{ columns: readonly string[]; record: CsvRecord }> {
  const splitter = new RecordSplitter(options);
  const decoder = new TextDecoder('utf-8');
  let header: Header | null = null;
  const emit = function* (records: CsvRecord[]) {
    for (const r of records) {
      if (!header) {
        header = headerOf(r);
        continue;
      }
      const cells = rowCells(r, header);
      yield { columns: header.columns, record: cells === r.cells ? r : { cells, row: r.row } };
    }
  };
  for await (const chunk of chunks as AsyncIterable<string | Uint8Array>) {
    yield* emit(splitter.push(typeof chunk === 'string' ? chunk : decoder.decode(chunk, { stream: true }), false));
  }
  yield* emit(splitter.push(decoder.decode(), true));
  if (!header) throw new DataError('empty', 'the CSV is empty');
}
