/** A move of the stage's live pair, as the API gives it (see lib/cli/ui/stage-moves.ts). */
interface StageMove {
  at: string;
  cause: string;
  release: string;
  config?: number;
  restoredConfig?: number;
  by?: string;
  reason?: string;
}

/** A move in a few words: what went live, how, and who did it. */
function moveText(move: StageMove): string {
  const pair = `${move.release}${move.config === undefined ? '' : ` with config v${move.config}`}`;
  const by = move.by === undefined ? '' : ` by ${move.by}`;
  const reason = move.reason === undefined ? '' : `: ${move.reason}`;
  if (move.cause === 'rollback') return `↩ Rolled back to ${pair}${by}${reason}`;
  if (move.cause === 'deploy') return `⇡ Deployed ${pair}${by}`;
  // `config rollback vN` makes a new version equal to vN: a rollback of the config alone.
  if (move.cause === 'config-rollback') {
    const to = move.restoredConfig === undefined ? '' : ` to v${move.restoredConfig}`;
    return `↩ Config rolled back${to}: v${move.config ?? '?'} went live${by}`;
  }
  return `Config v${move.config ?? '?'} went live (${move.cause})${by}`;
}

export { moveText };
export type { StageMove };
