/**
 * Whether a run's release is the one a filter names: the whole id, or its
 * start (`r-7deeb` finds `r-7deeb439707e`), as a short git commit names one.
 * The one rule of the ledger's `release` filter, on both stages.
 *
 * @example
 * releaseMatches('r-7deeb439707e', 'r-7deeb'); // true
 */
function releaseMatches(release: string, start: string): boolean {
  return release.startsWith(start);
}

export { releaseMatches };
