/**
 * Whether a run's release is the one a filter names: the whole id, or its
 * start (`r-7deeb` finds `r-7deeb439707e`), as a short git commit names one,
 * in any case, with or without its `r-`. The one rule of the ledger's
 * `release` filter, on both stages.
 *
 * @example
 * releaseMatches('r-7deeb439707e', '7DEEB'); // true
 */
function releaseMatches(release: string, start: string): boolean {
  const wanted = start.toLowerCase();
  return release.startsWith(wanted.startsWith('r-') ? wanted : `r-${wanted}`);
}

export { releaseMatches };
