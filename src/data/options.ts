// The options shared by the in-memory builders and the streaming source.
import type { Cell } from './cells.js';

/**
 * What to do with a missing feature value (an empty cell, NA, NaN, null):
 * - 'error' (the default): a DataError naming the cell; nothing is guessed behind the user's back.
 * - 'carry-forward': the last observation of the same id carried forward; the values before an id's
 *   first observation take the feature's mean over the training split (0 after standardization).
 * - 'mask' (mixed inputs, AdditiveRNAM): the last observation carried forward, and beside it, at
 *   every step, whether the value was observed and the time since it last was, so a lab that was not
 *   ordered reads differently from one that was and did not change.
 * A missing target is never filled: the series builders refuse it; the mixed-input builder skips
 * (and counts) the samples whose target is unknown.
 */
export type MissingRule = 'error' | 'carry-forward' | 'mask';

export interface ColumnOptions {
  /** The entity column (patient, sensor, station); without it the whole table is one series. */
  id?: string;
  /** The time column: numbers, or ISO-8601 dates (read as UTC when they carry no offset). */
  time: string;
  /** The target column. */
  target: string;
  /**
   * The input columns, in this order. Default: every numeric column but id and time, in header order;
   * the target is among them in window mode (its past predicts its future) and never in panel mode
   * (the last row's target would be an input).
   */
  features?: readonly string[];
  /** Columns the default features leave out. */
  exclude?: readonly string[];
}

export interface WindowOptions {
  /** Steps per window. */
  window: number;
  /** The target is read this many steps after the window's last step (default 1: the next step). */
  horizon?: number;
  /** Steps between the starts of consecutive windows (default 1). */
  stride?: number;
}

/** A time cut: a number or ISO-8601 text like the time column, or a Date. */
export type TimeValue = Cell;

/**
 * Seeded splits. 'entity': whole ids go to train / validation / test by a seeded shuffle (panel
 * and window mode). 'time' (window mode): each id's series is cut into three consecutive blocks,
 * by the fractions of its steps or by time cutoffs, and every window (inputs and target) lies inside
 * one block, so no training sample sees a step of the validation or test period.
 */
export type SplitOptions =
  /** stratify (classification, one sample per id): each label's ids spread over the parts in proportion. */
  | { by: 'entity'; validation?: number; test?: number; seed?: number; stratify?: boolean }
  | { by: 'time'; validation?: number; test?: number }
  | { by: 'time'; validationFrom?: TimeValue; testFrom?: TimeValue };

export interface StandardizeOptions {
  /** Standardize each feature with its training mean and std (default true). */
  features?: boolean;
  /** Standardize the target too, for regression (default false). */
  target?: boolean;
}

export type SplitName = 'train' | 'validation' | 'test';
