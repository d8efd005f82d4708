import { existsSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';

/** `moduleResolution` settings that ignore a package's `exports`, and so cannot find `cnf-admin/runtime`. */
const RESOLUTIONS_WITHOUT_EXPORTS = new Set(['node', 'node10', 'classic']);

/** What marks a file as a cnf-admin admin entry. */
const ADMIN_HANDLER = 'createAdminHandler';

/**
 * What in an existing project will not work with cnf-admin as it is, for
 * `init` to say (it changes none of these files itself):
 * - a tsconfig.json whose `moduleResolution` ignores package exports, so
 *   that TypeScript cannot resolve `cnf-admin/runtime` and the other subpaths;
 * - an admin entry that is not a cnf-admin one (no `createAdminHandler`),
 *   which cnf-admin would deploy as the admin function all the same.
 *
 * The tsconfig is read as text (it may hold comments); a setting inherited
 * through `extends` is not seen.
 */
function initWarnings(dir: string, adminEntry: string): string[] {
  const warnings: string[] = [];
  const tsconfigFile = join(dir, 'tsconfig.json');
  if (existsSync(tsconfigFile)) {
    const resolution = /"moduleResolution"\s*:\s*"([^"]+)"/i.exec(readFileSync(tsconfigFile, 'utf8'))?.[1];
    if (resolution !== undefined && RESOLUTIONS_WITHOUT_EXPORTS.has(resolution.toLowerCase())) {
      warnings.push(
        `tsconfig.json has "moduleResolution": "${resolution}", which ignores package exports: TypeScript will not find cnf-admin/runtime. ` +
          'Set "module" and "moduleResolution" to "NodeNext" (or "moduleResolution": "Bundler").',
      );
    }
  }
  if (existsSync(adminEntry) && !readFileSync(adminEntry, 'utf8').includes(ADMIN_HANDLER)) {
    const file = relative(dir, adminEntry).split('\\').join('/');
    warnings.push(
      `${file} exists but is not a cnf-admin admin entry (it does not use ${ADMIN_HANDLER} from cnf-admin/runtime), and cnf-admin would deploy it as the admin function. ` +
        'Make it export handler = createAdminHandler({ tasks }), or point context.cnf.adminEntry in cdk.json at another file.',
    );
  }
  return warnings;
}

export { initWarnings };
