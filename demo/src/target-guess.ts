// The page's first guess of the target column, which the user then confirms or changes: a column
// whose name reads as an outcome (died_within_3y, status, species, deny, resp), else the last
// numeric column, where R and pandas exports often put the response.
const OUTCOME_WORDS = new Set([
  'y', 'target', 'label', 'outcome', 'class', 'response', 'resp', 'status', 'died', 'dead', 'death', 'survived',
  'survival', 'deny', 'default', 'churn', 'diagnosis', 'species', 'event', 'fatal',
]);

/** A column name's words: split at non-letters and digits and at lower-to-upper case changes (diedWithin3y: died, within, 3y). */
function words(name: string): string[] {
  return name.replace(/([a-z])([A-Z])/g, '$1 $2').toLowerCase().split(/[^a-z0-9]+/).filter(Boolean);
}

/** Of `columns` (the id and time guesses left out by the caller), the first whose name reads as an outcome, else the last of `numeric`. */
export function guessTarget(columns: readonly string[], numeric: readonly string[]): string | undefined {
  return columns.find((c) => words(c).some((w) => OUTCOME_WORDS.has(w))) ?? numeric.filter((c) => columns.includes(c)).at(-1);
}
