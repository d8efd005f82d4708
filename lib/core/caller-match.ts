/**
 * Whether a run's caller is the one a filter names: `part` is any part of
 * it, in any case (`alice` finds `arn:aws:sts::1:assumed-role/Admin/Alice`
 * and `alice@laptop`). The one rule of the ledger's `caller` filter, on
 * both stages.
 */
function callerMatches(caller: string, part: string): boolean {
  return caller.toLowerCase().includes(part.toLowerCase());
}

export { callerMatches };
