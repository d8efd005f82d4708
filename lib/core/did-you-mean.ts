/*
 * The edit distance of two names (Levenshtein, with a swap of two neighbours
 * counting as one edit, as in Damerau's variant), the measure commander uses
 * for "Did you mean" on commands. Names here are short: the O(n·m) table is
 * cheaper than a dependency.
 */
function editDistance(a: string, b: string): number {
  const rows: number[][] = Array.from({ length: a.length + 1 }, (_, i) =>
    Array.from({ length: b.length + 1 }, (_, j) => (i === 0 ? j : j === 0 ? i : 0)),
  );
  for (let i = 1; i <= a.length; i += 1) {
    for (let j = 1; j <= b.length; j += 1) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      const row = rows[i] as number[];
      const above = rows[i - 1] as number[];
      let best = Math.min((above[j] as number) + 1, (row[j - 1] as number) + 1, (above[j - 1] as number) + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) {
        best = Math.min(best, ((rows[i - 2] as number[])[j - 2] as number) + 1);
      }
      row[j] = best;
    }
  }
  return (rows[a.length] as number[])[b.length] as number;
}

/**
 * The known names closest to what the user typed, for a "Did you mean"
 * line: a name that differs only in case, or by at most a third of its
 * length in edits (at least one), best first.
 *
 * @example
 * closestNames('migrte', ['migrate', 'seed']); // ['migrate']
 * closestNames('Prod', ['local', 'prod']); // ['prod']
 * closestNames('20261124-143927-k3f9qx', runIds, 2); // at most two edits away
 */
function closestNames(typed: string, known: Iterable<string>, maxDistance?: number): string[] {
  const scored: { name: string; distance: number }[] = [];
  for (const name of new Set(known)) {
    if (name === typed) continue;
    const distance = name.toLowerCase() === typed.toLowerCase() ? 0 : editDistance(typed, name);
    const allowed = maxDistance ?? Math.max(1, Math.floor(Math.min(typed.length, name.length) / 3));
    if (distance <= allowed) scored.push({ name, distance });
  }
  const best = Math.min(...scored.map((entry) => entry.distance));
  return scored.filter((entry) => entry.distance === best).map((entry) => entry.name);
}

/**
 * The " Did you mean …?" sentence for a name the user typed, or an empty
 * string when no known name is close.
 *
 * @example
 * didYouMean('migrte', ['migrate', 'seed']); // ' Did you mean "migrate"?'
 */
function didYouMean(typed: string, known: Iterable<string>): string {
  const names = closestNames(typed, known);
  if (names.length === 0) return '';
  return ` Did you mean ${names.map((name) => JSON.stringify(name)).join(' or ')}?`;
}

export { closestNames, didYouMean, editDistance };
