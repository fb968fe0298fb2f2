/** `n noun` or `n nouns`: a count in a message, in the number it needs. */
export function counted(n: number, noun: string): string {
  return `${n} ${noun}${n === 1 ? '' : 's'}`;
}
