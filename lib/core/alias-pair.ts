import { ReleaseMismatchError } from './errors.js';
import type { AliasPairStatus } from './platform.js';

/**
 * The release an alias pair serves, after checking that both halves agree.
 *
 * @throws ReleaseMismatchError showing both releases when web and admin differ.
 */
function releaseOfPair(pair: AliasPairStatus, stage: string): string {
  if (pair.web.release !== pair.admin.release) {
    throw new ReleaseMismatchError(
      `Release mismatch on stage ${stage}: web:${pair.name} serves ${pair.web.release} (version ${pair.web.version}) ` +
        `but admin:${pair.name} points at ${pair.admin.release} (version ${pair.admin.version}).`,
      {
        hint: `Redeploy the stage to move both aliases together, or pick a release with --release ${pair.web.release}.`,
        pair: { web: pair.web.release, admin: pair.admin.release },
      },
    );
  }
  return pair.web.release;
}

export { releaseOfPair };
