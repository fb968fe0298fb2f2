// Levels a prediction table holds that the model does not know: never seen in training, or too rare
// there to get a score of their own. They are read as 'other'; this counts them so that is said.
import { isMissing } from '../data/cells.js';
import type { LongTable } from '../data/table.js';
import type { PreprocessingRecord } from './preprocessing.js';
import { counted } from '../plural.js';

export interface UnseenLevel {
  /** The categorical feature (static or time-varying). */
  feature: string;
  /** Each unknown level with the number of cells that hold it, most frequent first. */
  levels: { level: string; cells: number }[];
}

/** Counts unknown levels over one table or a stream's chunks. */
export class UnseenLevelCounter {
  private readonly known: [string, Set<string>][];
  private readonly counts = new Map<string, Map<string, number>>();

  constructor(record: PreprocessingRecord) {
    const c = record.columns, m = record.mixed;
    this.known = m ? [
      ...(c.categorical ?? []).map((f, j) => [f, new Set(m.levels[j])] as [string, Set<string>]),
      ...(c.sequenceCategorical ?? []).map((f, j) => [f, new Set(m.sequenceLevels?.[j] ?? [])] as [string, Set<string>]),
    ] : [];
  }

  add(table: LongTable): void {
    for (const [feature, known] of this.known) {
      const index = table.columns.indexOf(feature);
      if (index < 0) continue;
      for (const row of table.rows) {
        const cell = row[index];
        if (isMissing(cell)) continue;
        const level = String(cell).trim();
        if (known.has(level)) continue;
        const byLevel = this.counts.get(feature) ?? new Map<string, number>();
        byLevel.set(level, (byLevel.get(level) ?? 0) + 1);
        this.counts.set(feature, byLevel);
      }
    }
  }

  list(): UnseenLevel[] {
    return [...this.counts].map(([feature, byLevel]) => ({
      feature, levels: [...byLevel].map(([level, cells]) => ({ level, cells })).sort((a, b) => b.cells - a.cells || (a.level < b.level ? -1 : 1)),
    }));
  }
}

/** One line per feature: "ward: 'west' (3 cells), 'up' (1 cell) read as 'other' (not among the model's levels)". */
export function describeUnseenLevels(unseen: readonly UnseenLevel[], shown = 5): string[] {
  return unseen.map(({ feature, levels }) => {
    const named = levels.slice(0, shown).map((l) => `'${l.level}' (${counted(l.cells, 'cell')})`).join(', ');
    const more = levels.length > shown ? ` and ${levels.length - shown} more` : '';
    return `${feature}: ${named}${more} read as 'other' (not among the model's levels)`;
  });
}
