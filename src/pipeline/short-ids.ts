// Window mode: ids with fewer rows than a window (and, for training, its horizon) make no sample.
// Real panels have them (a patient seen once, a sensor installed late); they are left out rather
// than refused, and counted here so that is said, over one table or a stream's chunks.
import { counted } from '../plural.js';

export interface ShortIds {
  /** How many ids made no sample. */
  count: number;
  /** The first of them, in input order (at most EXAMPLES). */
  examples: string[];
}

const EXAMPLES = 5;

export class ShortIdCounter {
  private count = 0;
  private readonly examples: string[] = [];

  add(ids: readonly string[]): void {
    this.count += ids.length;
    for (const id of ids) if (this.examples.length < EXAMPLES) this.examples.push(id);
  }

  list(): ShortIds {
    return { count: this.count, examples: [...this.examples] };
  }
}

/** A whole list of ids, counted. */
export function shortIdsOf(ids: readonly string[]): ShortIds {
  const counter = new ShortIdCounter();
  counter.add(ids);
  return counter.list();
}

/** "1 id (18)" / "7 ids (a, b, c, d, e and 2 more)". */
export function describeIds({ count, examples }: ShortIds): string {
  const more = count > examples.length ? ` and ${count - examples.length} more` : '';
  return `${counted(count, 'id')} (${examples.join(', ')}${more})`;
}
