import type { AliasTarget, ReleaseInfo, StageStatus } from '../../core/platform.js';
import { writeJson, writeLine, type CliIo } from '../io.js';
import { formatTable } from '../render/table.js';
import { openStage, type StageOptions } from '../stage-context.js';

/** The options of `cnf-admin status` and `cnf-admin releases`. */
interface StatusCommandOptions extends StageOptions {
  readonly json?: boolean;
}

function describeTarget(target: AliasTarget): string {
  const canary = (target.additionalVersions ?? [])
    .map((extra) => `, ${Math.round(extra.weight * 100)}% to ${extra.release} (version ${extra.version})`)
    .join('');
  return `${target.release} (version ${target.version})${canary}`;
}

/** `cnf-admin status`: the stage's alias pairs, whether each pair agrees, and its releases. */
async function status(options: StatusCommandOptions, io: CliIo): Promise<number> {
  const { platform } = await openStage(io, options);
  const current = await platform.status();
  if (options.json === true) {
    writeJson(io, current);
    return 0;
  }
  writeLine(io.stdout, `Stage ${current.stage} (${current.platform})`);
  if (current.aliases.length === 0) writeLine(io.stdout, '  no alias pairs yet');
  for (const pair of current.aliases) {
    const agree = pair.web.release === pair.admin.release;
    writeLine(io.stdout, `  web:${pair.name.padEnd(6)} ${describeTarget(pair.web)}`);
    writeLine(
      io.stdout,
      `  admin:${pair.name.padEnd(4)} ${describeTarget(pair.admin)}${agree ? '' : '  <- RELEASE MISMATCH (invoke exits 78)'}`,
    );
  }
  writeLine(io.stdout);
  writeLine(io.stdout, releasesTable(current));
  for (const note of current.notes) writeLine(io.stdout, `\n${note}`);
  return 0;
}

/** `cnf-admin releases`: the releases the stage still holds, newest first. */
async function releases(options: StatusCommandOptions, io: CliIo): Promise<number> {
  const { platform } = await openStage(io, options);
  const current = await platform.status();
  if (options.json === true) writeJson(io, current.releases);
  else writeLine(io.stdout, releasesTable(current));
  return 0;
}

function releasesTable(current: StageStatus): string {
  const row = (info: ReleaseInfo): string[] => [
    info.release,
    info.webVersion ?? '-',
    info.adminVersion ?? '-',
    info.createdAt,
    current.aliases
      .filter((pair) => pair.web.release === info.release || pair.admin.release === info.release)
      .map((pair) => pair.name)
      .join(', '),
  ];
  return formatTable(['RELEASE', 'WEB VERSION', 'ADMIN VERSION', 'CREATED', 'ALIASES'], current.releases.map(row));
}

export { releases, status };
export type { StatusCommandOptions };
