/**
 * The project's own files (the run ledger, the local stage's state) are
 * checked with zod's small build, `zod/mini`: a few kilobytes where zod's
 * full build is hundreds, so that every command loads and compiles only what
 * it uses. That build has no messages of its own; this gives it English ones.
 */
import { config } from 'zod/mini';
import en from 'zod/v4/locales/en.js';

/** Gives zod English messages, unless the app has chosen a locale. Call it before parsing. */
function useSchemaMessages(): void {
  if (config().localeError === undefined) config(en());
}

export { useSchemaMessages };
