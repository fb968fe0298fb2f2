// Resolving the column options against a header: indices, the default feature list, the checks.
import { DataError } from './errors.js';
import { MOSTLY_NUMERIC, notANumber, numberCell, isMissing, type Cell } from './cells.js';
import type { ColumnOptions } from './options.js';
import { ROW_NAMES } from './table.js';

export interface ResolvedColumns {
  readonly id?: { name: string; index: number };
  readonly time: { name: string; index: number };
  readonly target: { name: string; index: number };
  readonly features: readonly { name: string; index: number }[];
}

function find(columns: readonly string[], name: string, role: string): { name: string; index: number } {
  const index = columns.indexOf(name);
  if (index < 0) throw new DataError('missing-column', `the ${role} column is not in the header (${columns.join(', ')})`, { column: name });
  return { name, index };
}

/**
 * `rows` are sample rows for the default feature list (every numeric column): a column counts as
 * numeric when all its non-missing cells there are numbers and at least one is; one that is mostly
 * numbers with a stray text cell is a DataError naming the cell (row numbers from `rowNumbers`,
 * else 1-based data rows), not a column silently left out. The target joins the default features
 * only when `targetIsInput` (window mode).
 */
export function resolveColumns(columns: readonly string[], options: ColumnOptions, targetIsInput: boolean,
  rows: readonly (readonly Cell[])[] | null, targetOptional = false, rowNumbers?: readonly number[]): ResolvedColumns {
  const id = options.id !== undefined ? find(columns, options.id, 'id') : undefined;
  const time = find(columns, options.time, 'time');
  // New data to predict may lack the target column: its cells then read as missing (index -1).
  const target = targetOptional && !columns.includes(options.target) ? { name: options.target, index: -1 } : find(columns, options.target, 'target');
  let features: { name: string; index: number }[];
  if (options.features) {
    if (options.features.length === 0) throw new DataError('option', 'features is empty');
    features = options.features.map((name) => find(columns, name, 'feature'));
    const excluded = options.features.find((n) => (options.exclude ?? []).includes(n));
    if (excluded !== undefined) throw new DataError('option', 'a column is both named as a feature and excluded', { column: excluded });
    const twice = options.features.find((n, i) => options.features!.indexOf(n) !== i);
    if (twice !== undefined) throw new DataError('option', 'a feature is named twice', { column: twice });
    for (const f of features) {
      if (f.name === options.id || f.name === options.time) throw new DataError('option', 'the id and time columns cannot be features', { column: f.name });
    }
    if (!targetIsInput && features.some((f) => f.name === target.name)) {
      throw new DataError('target-leak', 'the target column is a feature, and the sample\'s target is read at its last input step', { column: target.name });
    }
  } else {
    for (const name of options.exclude ?? []) find(columns, name, 'excluded');
    if (!rows) throw new DataError('option', 'name the features: a stream cannot be scanned for its numeric columns');
    features = columns.map((name, index) => ({ name, index }))
      // a CSV's unnamed first column (row names) tells how the file was written, not what a sample is
      .filter((c) => c.name !== options.id && c.name !== options.time && c.name !== ROW_NAMES && !(options.exclude ?? []).includes(c.name) && (targetIsInput || c.name !== target.name))
      .filter((c) => isNumericColumn(rows, c.index, c.name, rowNumbers));
    if (features.length === 0) throw new DataError('option', 'no numeric feature column besides id, time and target');
  }
  return { id, time, target, features };
}

function isNumericColumn(rows: readonly (readonly Cell[])[], index: number, name: string, rowNumbers?: readonly number[]): boolean {
  let numbers = 0, texts = 0, firstText = -1;
  for (let i = 0; i < rows.length; i++) {
    const cell = rows[i][index];
    if (isMissing(cell)) continue;
    if (numberCell(cell) !== undefined) numbers++;
    else if (texts++ === 0) firstText = i;
  }
  if (texts > 0 && numbers / (numbers + texts) >= MOSTLY_NUMERIC) {
    const cell = rows[firstText][index];
    throw new DataError('non-numeric', `${notANumber(cell)}: '${String(cell)}' in a column of numbers (fix the cell, or name the features to leave the column out)`,
      { column: name, row: rowNumbers?.[firstText] ?? firstText + 1 });
  }
  return texts === 0 && numbers > 0;
}
