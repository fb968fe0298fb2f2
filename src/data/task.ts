// Hints about the target for choosing a loss and a head: binary 0/1, integer classes, or continuous.

export interface TaskHint {
  /** 'binary': every target is 0 or 1; 'integer': whole numbers (classes or counts); else 'continuous'. */
  readonly kind: 'binary' | 'integer' | 'continuous';
  /** For non-negative integer targets: max + 1, the class count if they are class labels. */
  readonly classes?: number;
}

/** The hint accumulated one target at a time (a stream's targets are never held); NaN is ignored. */
export class TaskHintAccumulator {
  private binary = true;
  private integer = true;
  private nonNegative = true;
  private max = -Infinity;
  /** Targets added (NaN not counted). */
  count = 0;

  add(v: number): void {
    if (Number.isNaN(v)) return;
    this.count++;
    if (v !== 0 && v !== 1) this.binary = false;
    if (!Number.isInteger(v)) this.integer = false;
    if (v < 0) this.nonNegative = false;
    if (v > this.max) this.max = v;
  }

  hint(): TaskHint {
    if (this.max === -Infinity) return { kind: 'continuous' };
    if (this.binary) return { kind: 'binary', classes: 2 };
    if (this.integer) return this.nonNegative ? { kind: 'integer', classes: this.max + 1 } : { kind: 'integer' };
    return { kind: 'continuous' };
  }
}

/** The hint from raw (unstandardized) targets; NaN is ignored. */
export function taskHint(targets: ArrayLike<number>): TaskHint {
  const acc = new TaskHintAccumulator();
  for (let i = 0; i < targets.length; i++) acc.add(targets[i]);
  return acc.hint();
}
