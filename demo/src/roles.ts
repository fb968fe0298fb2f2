// The columns' roles on the page (in the worker): the library's choice for a mapping, as
// Preprocessing.fit makes it (what `rnam train` prints), and the user's changes to it, resolved into
// the named lists trainTable takes (the CLI's --features, --static, --categorical).
import * as rnam from 'rnam';
import type { ColumnRoles, CsvMapping, RolesPreview } from './protocol.js';
import { tableOptions } from './data-sources.js';

/**
 * The columns the library chooses for a mapping (its own choices, the user's left out); `named`: the
 * roles the user chose for some columns, which the library then takes as given (a column the user
 * calls categorical is not profiled as a number, one left out is not read).
 */
export function previewRoles(text: string, mapping: CsvMapping, named: Pick<rnam.PreprocessingOptions, 'static' | 'categorical' | 'exclude'> = {}): RolesPreview {
  try {
    const { preprocessing } = rnam.Preprocessing.fit(rnam.readCsv(text), { ...tableOptions({ ...mapping, roles: undefined, overrides: undefined }, 'additive'), ...named });
    return { roles: rolesOf(preprocessing), mode: preprocessing.record.mode, task: preprocessing.task };
  } catch (err) {
    return { error: (err as Error).message };
  }
}

/** The roles the user named (not 'auto', not 'time-varying', which would turn the library's choice off), as trainTable's options. */
export function namedRoles(chosen: Record<string, string> = {}): Pick<rnam.PreprocessingOptions, 'static' | 'categorical' | 'exclude'> {
  const given = (role: string) => Object.keys(chosen).filter((c) => chosen[c] === role);
  return { static: given('static'), categorical: given('categorical'), exclude: given('none') };
}

/** A fitted preprocessing's columns by role. */
export function rolesOf(pre: rnam.Preprocessing): ColumnRoles & { sequenceCategorical: string[] } {
  const c = pre.record.columns, stat = c.static ?? [], cat = c.categorical ?? [], seqCat = c.sequenceCategorical ?? [];
  return { features: c.features.filter((f) => !stat.includes(f) && !cat.includes(f) && !seqCat.includes(f)), static: [...stat], categorical: [...cat], sequenceCategorical: [...seqCat] };
}

/**
 * The mapping with every role named when the user changed any: the 'auto' columns take the role the
 * library gives them (a categorical one stays categorical: the library decides whether it changes in
 * time), 'none' leaves a column out. Unchanged when every column is 'auto'.
 */
export function resolveRoles(text: string, mapping: CsvMapping): CsvMapping {
  const chosen = mapping.overrides;
  if (!chosen || Object.values(chosen).every((r) => r === 'auto')) return { ...mapping, overrides: undefined };
  const auto = Object.values(chosen).includes('auto') ? previewRoles(text, mapping, namedRoles(chosen)) : null;
  if (auto && !auto.roles) throw new rnam.ArgumentError(`the library cannot choose the roles left on auto: ${auto.error}`);
  const r = auto?.roles;
  const roleOf = (column: string) => {
    const role = chosen[column];
    if (role !== 'auto') return role;
    return r!.static.includes(column) ? 'static' : r!.categorical.includes(column) || r!.sequenceCategorical.includes(column) ? 'categorical' : r!.features.includes(column) ? 'time-varying' : 'none';
  };
  const named = (role: string) => Object.keys(chosen).filter((c) => roleOf(c) === role);
  const roles: ColumnRoles = { features: named('time-varying'), static: named('static'), categorical: named('categorical') };
  if (roles.features.length + roles.static.length + roles.categorical.length === 0) throw new rnam.ArgumentError('every column is left out: choose at least one feature column');
  return { ...mapping, roles, overrides: undefined };
}
