// Who frees tensor memory, so a training loop stays flat without the user disposing anything:
// - Every module forward (and rnam.tidy) runs in a scope. When it returns, the tensors created in
//   it that it does not return are internal: freed at once if no autograd node saved them,
//   otherwise when the last node that saved them is released, which backward() does as it passes
//   each node. What a nested scope returns passes to the enclosing scope, which decides in turn.
//   So a tensor lives only as long as the forward that made it, or the graph that needs it.
// - Tensors the user holds (returned from a top-level forward, rnam.tensor, top-level ops) are
//   freed by dispose(), or by the FinalizationRegistry backstop once garbage-collected.

/** What a scope needs of what it tracks: tensor.ts's Tensor (declared here so memory.ts imports nothing). */
export interface Scoped {
  /** Called when the scope that created it ends without returning it. */
  _releaseInternal(): void;
}

let current: Scoped[] | null = null;

export function track(t: Scoped): void {
  if (current) current.push(t);
}

/** Marks the members of `created` that `value` holds (directly, in arrays, or in plain objects). */
function collectReturned(value: unknown, created: ReadonlySet<unknown>, into: Set<unknown>): void {
  if (created.has(value)) into.add(value);
  else if (Array.isArray(value)) for (const v of value) collectReturned(v, created, into);
  else if (value && typeof value === 'object' && Object.getPrototypeOf(value) === Object.prototype) {
    for (const v of Object.values(value)) collectReturned(v, created, into);
  }
}

/**
 * Runs `fn` in a memory scope: tensors it creates and does not return are released when it
 * returns (now, or after backward when autograd saved them).
 */
export function tidy<T>(fn: () => T): T {
  const outer = current;
  const created: Scoped[] = [];
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
  const kept = new Set<unknown>();
  collectReturned(result, new Set(created), kept);
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
