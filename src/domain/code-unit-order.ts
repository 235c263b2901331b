// Ordering of machine text — ISO timestamps, dates, ids. They sort by code unit: that is their
// meaning, it is the same everywhere, and it needs no locale data (localeCompare loads ICU's
// collator on first use, ~10 ms of a command, and may order punctuation differently).

/** Negative, zero or positive as `a` sorts before, with or after `b`, code unit by code unit. */
export function compareCodeUnits(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
