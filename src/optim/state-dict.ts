// The optimizer state dict (PyTorch's optimizer.state_dict()): per-parameter slots by parameter
// index, and the hyper-parameters, so training can stop and resume exactly.
import { Tensor } from '../tensor.js';
import { formatShape, sameShape } from '../shape.js';
import { StateDictError, describeValue } from '../errors.js';

/** A hyper-parameter value: a number, a flag, or a pair (Adam's betas). */
export type HyperParameter = number | boolean | readonly number[];

/** One parameter's state: the steps taken and its buffers (SGD: momentumBuffer; Adam: expAvg, expAvgSq). */
export interface OptimizerParamState {
  step: number;
  slots: Record<string, Tensor>;
}

export interface OptimizerParamGroup {
  /** The indices of the group's parameters in the optimizer's parameter list. */
  params: number[];
  [hyperParameter: string]: HyperParameter;
}

export interface OptimizerStateDict {
  /** The optimizer class ('SGD', 'Adam', 'AdamW'): loading into another class is an error. */
  optimizer: string;
  /** By parameter index; a parameter that was never stepped has no entry. */
  state: Record<number, OptimizerParamState>;
  /** One group (rnam optimizers have one) with every hyper-parameter. */
  paramGroups: OptimizerParamGroup[];
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/**
 * Checks a state dict against an optimizer's class, parameters and slot names without changing
 * anything; returns the group's hyper-parameters and the entries by index. Every problem is listed
 * in one StateDictError.
 */
export function checkOptimizerState(where: string, className: string, params: readonly Tensor[], slotNames: readonly string[],
  sd: unknown): { hyper: Record<string, HyperParameter>; entries: Map<number, OptimizerParamState> } {
  const fail = (problems: string[]) => new StateDictError(`${where}: ${problems.join('; ')}`);
  if (!isRecord(sd)) throw fail([`expected a state dict { optimizer, state, paramGroups }, got ${describeValue(sd)}`]);
  if (sd.optimizer !== className) throw fail([`the state is of ${describeValue(sd.optimizer)}, not ${className}`]);
  const groups = sd.paramGroups;
  if (!Array.isArray(groups) || groups.length !== 1 || !isRecord(groups[0])) throw fail(['paramGroups must be an array of one group']);
  const { params: indices, ...hyper } = groups[0] as Record<string, unknown>;
  const n = params.length;
  if (!Array.isArray(indices) || indices.length !== n || indices.some((v, i) => v !== i)) {
    throw fail([`paramGroups[0].params must list the ${n} parameters 0..${n - 1}, got ${Array.isArray(indices) ? `${indices.length} entries` : describeValue(indices)}`]);
  }
  if (!isRecord(sd.state)) throw fail([`state must be an object by parameter index, got ${describeValue(sd.state)}`]);
  const problems: string[] = [];
  const entries = new Map<number, OptimizerParamState>();
  for (const key of Object.keys(sd.state)) {
    const i = Number(key);
    if (!Number.isInteger(i) || i < 0 || i >= n || String(i) !== key) {
      problems.push(`state has an entry ${JSON.stringify(key)}, but the optimizer has parameters 0..${n - 1}`);
      continue;
    }
    const entry = sd.state[key];
    if (!isRecord(entry) || !isRecord(entry.slots)) {
      problems.push(`state[${i}] must be { step, slots }`);
      continue;
    }
    const step = entry.step;
    if (typeof step !== 'number' || !Number.isSafeInteger(step) || step < 1) problems.push(`state[${i}].step must be a positive integer, got ${describeValue(step)}`);
    const slots = entry.slots;
    const p = params[i];
    for (const name of slotNames) {
      const t = slots[name];
      if (!(t instanceof Tensor)) problems.push(`state[${i}] is missing slot ${name} (a Tensor of shape ${formatShape(p.shape)})`);
      else if (t.disposed) problems.push(`state[${i}].${name} was disposed`);
      else if (!sameShape(t.shape, p.shape)) problems.push(`state[${i}].${name}: expected shape ${formatShape(p.shape)}, got ${formatShape(t.shape)}`);
      else if (t.device !== p.device && !t.device.syncRead) problems.push(`state[${i}].${name} is on ${t.device.kind}, which cannot be read synchronously: move it to the parameter's device first`);
    }
    for (const name of Object.keys(slots)) if (!slotNames.includes(name)) problems.push(`state[${i}] has an unknown slot ${name} (${className} keeps ${slotNames.join(', ')})`);
    entries.set(i, entry as unknown as OptimizerParamState);
  }
  if (problems.length) throw fail(problems);
  return { hyper: hyper as Record<string, HyperParameter>, entries };
}
