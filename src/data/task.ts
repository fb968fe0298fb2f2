// Hints about the target for choosing a loss and a head: binary 0/1, integer classes, or continuous.

export interface TaskHint {
  /** 'binary': every target is 0 or 1; 'integer': whole numbers (classes or counts); else 'continuous'. */
  readonly kind: 'binary' | 'integer' | 'continuous';
  /** For non-negative integer targets: max + 1, the class count if they are class labels. */
  readonly classes?: number;
}

/** The hint from raw (unstandardized) targets; NaN is ignored. */
export function taskHint(targets: ArrayLike<number>): TaskHint {
  let binary = true, integer = true, nonNegative = true, max = -Infinity;
  for (let i = 0; i < targets.length; i++) {
    const v = targets[i];
    if (Number.isNaN(v)) continue;
    if (v !== 0 && v !== 1) binary = false;
    if (!Number.isInteger(v)) integer = false;
    if (v < 0) nonNegative = false;
    if (v > max) max = v;
  }
  if (max === -Infinity) return { kind: 'continuous' };
  if (binary) return { kind: 'binary', classes: 2 };
  if (integer) return nonNegative ? { kind: 'integer', classes: max + 1 } : { kind: 'integer' };
  return { kind: 'continuous' };
}
