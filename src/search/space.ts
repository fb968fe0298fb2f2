// The search space of `search`: per training option, a list of values (grid and random search) or
// a range (random search: integers uniform, lr and weightDecay log-uniform; targetChange, true or
// false, takes a list only). A trial's configuration is one value per option named in the space.
import { Generator } from '../random.js';
import { ArgumentError, describeValue } from '../errors.js';

export const spaceKeys = ['hiddenDim', 'blocks', 'lr', 'weightDecay', 'epochs', 'patience', 'batchSize', 'members', 'targetChange'] as const;
export type SpaceKey = (typeof spaceKeys)[number];

/** A range to draw from: integers uniformly in [min, max]; lr and weightDecay log-uniformly in [min, max] (min > 0). */
export interface Range {
  min: number;
  max: number;
}

/** A value of a searched option: a number, or true / false (targetChange). */
export type SpaceValue = number | boolean;
type NumericKey = Exclude<SpaceKey, 'targetChange'>;

export type SearchSpace = Partial<Record<NumericKey, readonly number[] | Range>> & { targetChange?: readonly boolean[] };

/** One trial's training options: a value for each option the space names. */
export type TrialConfig = Partial<Record<NumericKey, number>> & { targetChange?: boolean };

const logUniform: readonly SpaceKey[] = ['lr', 'weightDecay'];
/** The least value of each integer option (blocks may be 0: the additive terms alone). */
const integerMin: Partial<Record<SpaceKey, number>> = { hiddenDim: 1, blocks: 0, epochs: 1, patience: 1, batchSize: 1, members: 1 };

function checkValue(key: SpaceKey, v: unknown, where: string): SpaceValue {
  if (key === 'targetChange') {
    if (where.startsWith('.')) throw new ArgumentError(`search: space.targetChange is a list of true and false, not a range`);
    if (typeof v !== 'boolean') throw new ArgumentError(`search: space.targetChange${where} must be true or false, got ${describeValue(v)}`);
    return v;
  }
  // A list may turn weight decay off (0); a range is drawn log-uniformly, so its ends are positive.
  if (key === 'weightDecay' && !where.startsWith('.')) {
    if (typeof v !== 'number' || !(v >= 0 && Number.isFinite(v))) throw new ArgumentError(`search: space.${key}${where} must be a number >= 0, got ${describeValue(v)}`);
  } else if (logUniform.includes(key)) {
    if (typeof v !== 'number' || !(v > 0 && Number.isFinite(v))) throw new ArgumentError(`search: space.${key}${where} must be a positive number, got ${describeValue(v)}`);
  } else if (!Number.isInteger(v) || (v as number) < integerMin[key]!) {
    throw new ArgumentError(`search: space.${key}${where} must be an integer >= ${integerMin[key]}, got ${describeValue(v)}`);
  }
  return v as number;
}

/** The space checked: known options only, each a non-empty list or a range of valid values. */
export function checkSpace(space: unknown, grid: boolean): SearchSpace {
  if (typeof space !== 'object' || space === null || Array.isArray(space)) throw new ArgumentError(`search: the space must be an object of option -> values, got ${describeValue(space)}`);
  const entries = Object.entries(space).filter(([, v]) => v !== undefined);
  if (entries.length === 0) throw new ArgumentError(`search: the space names no option (${spaceKeys.join(', ')})`);
  for (const [key, values] of entries) {
    if (!spaceKeys.includes(key as SpaceKey)) throw new ArgumentError(`search: space.${key} is not a searchable option (${spaceKeys.join(', ')})`);
    const k = key as SpaceKey;
    if (Array.isArray(values)) {
      if (values.length === 0) throw new ArgumentError(`search: space.${k} is an empty list`);
      values.forEach((v, i) => checkValue(k, v, `[${i}]`));
    } else if (typeof values === 'object' && values !== null && 'min' in values && 'max' in values) {
      if (grid) throw new ArgumentError(`search: space.${k} is a range; a grid search needs a list of values`);
      const r = values as Range;
      checkValue(k, r.min, '.min');
      checkValue(k, r.max, '.max');
      if (r.max < r.min) throw new ArgumentError(`search: space.${k} has max ${r.max} < min ${r.min}`);
    } else {
      throw new ArgumentError(`search: space.${k} must be a list of values or a range { min, max }, got ${describeValue(values)}`);
    }
  }
  return Object.fromEntries(spaceKeys.filter((k) => (space as SearchSpace)[k] !== undefined).map((k) => [k, (space as SearchSpace)[k]]));
}

/** Every combination of the lists, the last option varying fastest. */
export function gridConfigs(space: SearchSpace): TrialConfig[] {
  let configs: TrialConfig[] = [{}];
  for (const key of spaceKeys) {
    const values = space[key];
    if (values === undefined) continue;
    configs = configs.flatMap((c) => (values as readonly SpaceValue[]).map((v) => ({ ...c, [key]: v })));
  }
  return configs;
}

/** `trials` configurations drawn from the seed: a list's values uniformly, a range uniformly (integers) or log-uniformly (lr). */
export function randomConfigs(space: SearchSpace, trials: number, seed: number): TrialConfig[] {
  const gen = new Generator(seed);
  return Array.from({ length: trials }, () => {
    const c: Partial<Record<SpaceKey, SpaceValue>> = {};
    for (const key of spaceKeys) {
      const values = space[key];
      if (values === undefined) continue;
      if (Array.isArray(values)) c[key] = values[gen.int(values.length)];
      else {
        const { min, max } = values as Range;
        c[key] = logUniform.includes(key) ? Math.exp(Math.log(min) + gen.uniform() * (Math.log(max) - Math.log(min))) : min + gen.int(max - min + 1);
      }
    }
    return c as TrialConfig;
  });
}

/** A trial's configuration as the log says it: `hiddenDim 8, lr 0.001836` (fractions to 4 significant digits; trials.csv keeps them whole). */
export function describeConfig(config: TrialConfig): string {
  return Object.entries(config).map(([k, v]) => `${k} ${typeof v === 'number' && !Number.isInteger(v) ? Number(v.toPrecision(4)) : v}`).join(', ');
}
