// The task when --task is not given: from the training targets (0/1: binary; a few non-negative
// whole numbers: multiclass; anything else: regression), said on stderr so the choice is visible.
import type { TaskHint } from '../index.js';
import type { Task } from './args.js';
import { UsageError } from './args.js';

/** At most this many classes are inferred as multiclass; more whole-number values read as a count (regression). */
export const maxInferredClasses = 10;

export function inferTask(hint: TaskHint): Task {
  if (hint.kind === 'binary') return 'binary';
  if (hint.kind === 'integer' && hint.classes !== undefined && hint.classes >= 3 && hint.classes <= maxInferredClasses) return 'multiclass';
  return 'regression';
}

/** Checks an explicit --task against the targets. */
export function checkTask(task: Task, hint: TaskHint, target: string): void {
  if (task === 'binary' && hint.kind !== 'binary') throw new UsageError(`--task binary needs 0/1 targets; column '${target}' holds other values`);
  if (task === 'multiclass' && (hint.kind === 'continuous' || hint.classes === undefined)) {
    throw new UsageError(`--task multiclass needs class indices 0, 1, 2, ... in column '${target}'`);
  }
}
