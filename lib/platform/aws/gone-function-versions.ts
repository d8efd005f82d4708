/**
 * Why a release cannot be rolled back to for its code: the web or admin
 * function version it was published as is gone (deleted, or never
 * published): `undefined` in place of that version, however the caller holds
 * it (a version number, a function version). Undefined where both are there.
 *
 * @example
 * goneFunctionVersions('7', undefined); // "its admin function version is gone"
 */
function goneFunctionVersions(webVersion: unknown, adminVersion: unknown): string | undefined {
  const gone = [webVersion === undefined ? 'web' : [], adminVersion === undefined ? 'admin' : []].flat();
  return gone.length === 0 ? undefined : `its ${gone.join(' and ')} function version${gone.length > 1 ? 's are' : ' is'} gone`;
}

export { goneFunctionVersions };
