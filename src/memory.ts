// Who frees tensor memory, so a training loop stays flat without the user disposing anything:
// - Every module forward (and rnam.tidy) runs in a scope. When it returns, the tensors created in
//   it that it does not return are internal: freed at once if no autograd node saved them,
//   otherwise when the last node that saved them is released, which backward() does as it passes
//   each node. What a nested scope returns passes to the enclosing scope, which decides in turn.
//   So a tensor lives only as long as the forward that made it, or the graph that needs it.
// - Tensors the user holds (returned from a top-level forward, rnam.tensor, top-level ops) are
//   freed by dispose(), or by the FinalizationRegistry backstop once garbage-collected.
import { Tensor } from './tensor.js';

let current: Tensor[] | null = null;

export function track(t: Tensor): void {
  if (current) current.push(t);
}

function collectTensors(value: unknown, into: Set<Tensor>): void {
  if (value instanceof Tensor) into.add(value);
  else if (Array.isArray(value)) for (const v of value) collectTensors(v, into);
  else if (value && typeof value === 'object' && Object.getPrototypeOf(value) === Object.prototype) {
    for (const v of Object.values(value)) collectTensors(v, into);
  }
}

/**
 * Runs `fn` in a memory scope: tensors it creates and does not return are released when it
 * returns (now, or after backward when autograd saved them).
 */
export function tidy<T>(fn: () => T): T {
  const outer = current;
  const created: Tensor[] = [];
  current = created;
  let result: T;
  try {
    result = fn();
  } catch (err) {
    current = outer;
    for (const t of created) t._releaseInternal();
    throw err;
  }
  current = outer;
  const kept = new Set<Tensor>();
  collectTensors(result, kept);
  for (const t of created) {
    if (!kept.has(t)) t._releaseInternal();
    else if (outer) outer.push(t);
  }
  return result;
}

/** Runs `fn` outside any scope: what it creates is owned by the caller (backward, optimizers). */
export function untracked<T>(fn: () => T): T {
  const outer = current;
  current = null;
  try {
    return fn();
  } finally {
    current = outer;
  }
}
