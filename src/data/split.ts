// Seeded splits that leak nothing: whole entities (a seeded shuffle of the ids, stratified by the
// label for classification) or, per series, three consecutive time blocks (train, then validation,
// then test).
import { Generator } from '../random.js';
import { DataError } from './errors.js';
import { timeCell, timeKindOf, type TimeKind } from './cells.js';
import type { SplitName, SplitOptions, TimeValue } from './options.js';
import type { Series } from './series.js';

function fraction(value: number | undefined, name: string): number {
  const v = value ?? 0;
  if (!(v >= 0 && v < 1)) throw new DataError('option', `split.${name} must be a fraction in [0, 1), got ${value}`);
  return v;
}

/** The split fractions, checked: validation + test < 1. */
export function splitFractions(split: { validation?: number; test?: number }): { validation: number; test: number } {
  const validation = fraction(split.validation, 'validation'), test = fraction(split.test, 'test');
  if (validation + test >= 1) throw new DataError('option', `split.validation + split.test must leave some training data, got ${validation} + ${test}`);
  return { validation, test };
}

/**
 * A seeded order of the items in which every prefix holds each stratum in about its share: each
 * stratum (strata[i] is item i's) shuffled on its own, its k-th of n items placed at (k + 0.5) / n,
 * strata in label order at equal places. A split that takes the first items of this order then
 * holds each class in its proportion (within one item), where a plain shuffle can leave a small
 * class nearly out of a small test part. Without strata, a plain shuffle.
 */
export function spreadOrder<T>(items: readonly T[], strata: readonly string[] | null, gen: Generator): T[] {
  if (!strata) return gen.shuffle([...items]);
  const groups = new Map<string, T[]>();
  items.forEach((item, i) => {
    const group = groups.get(strata[i]);
    if (group) group.push(item);
    else groups.set(strata[i], [item]);
  });
  const placed: { at: number; stratum: number; item: T }[] = [];
  [...groups.keys()].sort().forEach((label, stratum) => {
    const group = gen.shuffle(groups.get(label)!);
    group.forEach((item, k) => placed.push({ at: (k + 0.5) / group.length, stratum, item }));
  });
  placed.sort((a, b) => a.at - b.at || a.stratum - b.stratum);
  return placed.map((p) => p.item);
}

/**
 * Assigns ids to splits: a seeded order of the ids in order of first appearance (spreadOrder: a
 * shuffle, stratified when each id's label is given), then the first round(test * n) to test, the
 * next round(validation * n) to validation, the rest to train. A fraction > 0 that rounds to no id
 * is an error.
 */
export function entitySplit(ids: readonly string[], split: { validation?: number; test?: number; seed?: number }, strata: readonly string[] | null = null): Map<string, SplitName> {
  const { validation, test } = splitFractions(split);
  const n = ids.length, gen = new Generator(split.seed ?? 0);
  const order = spreadOrder(ids, strata, gen);
  const nTest = Math.round(test * n), nVal = Math.round(validation * n);
  for (const [name, f, count] of [['test', test, nTest], ['validation', validation, nVal]] as const) {
    if (f > 0 && count === 0) throw new DataError('option', `split.${name} = ${f} of ${n} ids is no id: give a larger fraction or more ids`);
  }
  if (n - nTest - nVal < 1) throw new DataError('option', `the split leaves no id of ${n} for training`);
  const out = new Map<string, SplitName>();
  order.forEach((id, k) => out.set(id, k < nTest ? 'test' : k < nTest + nVal ? 'validation' : 'train'));
  return out;
}

/** Row indices where each id's validation and test blocks start ([train | validation | test]). */
export interface TimeBlocks {
  validationStart: number;
  testStart: number;
}

export type TimeCut = { validation: number; test: number } | { validationFrom?: number; testFrom?: number };

/** Reads the split's time options once (cutoffs parsed like the time column). */
export function timeCut(split: Extract<SplitOptions, { by: 'time' }>, kind: TimeKind): TimeCut {
  if ('validationFrom' in split || 'testFrom' in split) {
    const s = split as { validationFrom?: TimeValue; testFrom?: TimeValue };
    const read = (v: TimeValue, name: string) => {
      const t = v === undefined ? undefined : timeCell(v, kind);
      if (v !== undefined && t === undefined) {
        throw new DataError('option', `split.${name} '${String(v)}' is not ${kind === 'number' ? 'a number' : 'a date'} like the time column (it reads as ${timeKindOf(v) ?? 'neither'})`);
      }
      return t;
    };
    const validationFrom = read(s.validationFrom, 'validationFrom'), testFrom = read(s.testFrom, 'testFrom');
    if (validationFrom !== undefined && testFrom !== undefined && testFrom < validationFrom) throw new DataError('option', 'split.testFrom is before split.validationFrom');
    return { validationFrom, testFrom };
  }
  return splitFractions(split as { validation?: number; test?: number });
}

/** The blocks of one series: by fractions of its steps (rounded), or by the first step at or after each cutoff. */
export function timeBlocks(s: Series, cut: TimeCut): TimeBlocks {
  const n = s.length;
  if ('validation' in cut) {
    const nTest = Math.round(cut.test * n), nVal = Math.round(cut.validation * n);
    return { validationStart: n - nTest - nVal, testStart: n - nTest };
  }
  const first = (t: number | undefined) => {
    if (t === undefined) return n;
    let k = 0;
    while (k < n && s.times[k] < t) k++;
    return k;
  };
  const testStart = first(cut.testFrom);
  return { validationStart: cut.validationFrom === undefined ? testStart : first(cut.validationFrom), testStart };
}

/** The block [from, to) of a split in a series. */
export function blockRange(b: TimeBlocks, name: SplitName, n: number): [number, number] {
  return name === 'train' ? [0, b.validationStart] : name === 'validation' ? [b.validationStart, b.testStart] : [b.testStart, n];
}

/**
 * The split of one id from a seeded hash of its text (FNV-1a, then a 32-bit mix with the seed), for
 * data read as a stream: no id list is held, each id's part is known as it comes. The shares are met
 * in expectation, not to the id as entitySplit's shuffle meets them.
 */
export function hashedSplit(split: { validation?: number; test?: number; seed?: number }): (id: string) => SplitName {
  const { validation, test } = splitFractions(split);
  const seed = (split.seed ?? 0) >>> 0;
  return (id) => {
    let h = 0x811c9dc5 ^ seed;
    for (let i = 0; i < id.length; i++) h = Math.imul(h ^ id.charCodeAt(i), 0x01000193);
    h = Math.imul(h ^ (h >>> 16), 0x85ebca6b);
    h = Math.imul(h ^ (h >>> 13), 0xc2b2ae35);
    const u = ((h ^ (h >>> 16)) >>> 0) / 2 ** 32;
    return u < test ? 'test' : u < test + validation ? 'validation' : 'train';
  };
}
