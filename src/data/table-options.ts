// The options of a table-to-datasets build, read and checked once (shared with the stream).
import { DataError } from './errors.js';
import { checkWindow, type CheckedWindow } from './samples.js';
import type { ColumnOptions, MissingRule, SplitOptions, StandardizeOptions } from './options.js';

export interface TableDatasetOptions extends ColumnOptions {
  /** 'panel': one sample per id (its rows by time, target at the last row); 'window': sliding windows per id. */
  mode: 'panel' | 'window';
  /** Window mode: steps per window. */
  window?: number;
  /** Window mode: the target is read this many steps after the window's last step (default 1). */
  horizon?: number;
  /** Window mode: steps between window starts (default 1). */
  stride?: number;
  /** Panel mode: pad to this length instead of the longest series; longer series keep their last maxLength steps. */
  maxLength?: number;
  split?: SplitOptions;
  /** Default 'error'. */
  missing?: MissingRule;
  /** Default { features: true, target: false }; false for none. */
  standardize?: StandardizeOptions | false;
  /** Window mode: an id with fewer rows than window + horizon is an error (default) or dropped (listed in droppedIds). */
  tooShort?: 'error' | 'drop';
}

export interface CheckedTableOptions {
  window: CheckedWindow | null;
  maxLength?: number;
  missing: MissingRule;
  standardizeFeatures: boolean;
  standardizeTarget: boolean;
  tooShort: 'error' | 'drop';
}

export function checkTableOptions(o: TableDatasetOptions): CheckedTableOptions {
  if (o.mode !== 'panel' && o.mode !== 'window') throw new DataError('option', `mode must be 'panel' or 'window', got ${String(o.mode)}`);
  let window: CheckedWindow | null = null;
  if (o.mode === 'window') {
    if (o.window === undefined) throw new DataError('option', "mode 'window' needs the window length (window: steps)");
    if (o.maxLength !== undefined) throw new DataError('option', "maxLength is for mode 'panel'; windows have `window` steps");
    window = checkWindow({ window: o.window, horizon: o.horizon, stride: o.stride });
  } else {
    for (const k of ['window', 'horizon', 'stride'] as const) if (o[k] !== undefined) throw new DataError('option', `${k} is for mode 'window'`);
    if (o.maxLength !== undefined && !(Number.isInteger(o.maxLength) && o.maxLength >= 1)) throw new DataError('option', `maxLength must be a positive integer, got ${o.maxLength}`);
    if (o.split?.by === 'time') throw new DataError('option', "a time split needs mode 'window' (a panel has one sample per id: split by entity)");
  }
  const missing = o.missing ?? 'error';
  if (missing !== 'error' && missing !== 'carry-forward') {
    throw new DataError('option', missing === 'mask'
      ? "missing 'mask' gives each step an observed flag and a time gap, which the series datasets (one value per step) cannot hold: use trainTable's mixed inputs (rnam.trainTable, `rnam train`)"
      : `missing must be 'error', 'carry-forward' or 'mask', got ${String(missing)}`);
  }
  if (o.split && o.split.by !== 'entity' && o.split.by !== 'time') throw new DataError('option', `split.by must be 'entity' or 'time', got ${String((o.split as { by: unknown }).by)}`);
  const tooShort = o.tooShort ?? 'error';
  if (tooShort !== 'error' && tooShort !== 'drop') throw new DataError('option', `tooShort must be 'error' or 'drop', got ${String(tooShort)}`);
  const s = o.standardize === false ? { features: false, target: false } : o.standardize ?? {};
  return { window, maxLength: o.maxLength, missing, standardizeFeatures: s.features ?? true, standardizeTarget: s.target ?? false, tooShort };
}
