import { get, href } from './api.js';
import { h, show, when } from './dom.js';
import { moveText, type StageMove } from './moves.js';

interface ReleasesDocument {
  window: number;
  aliases: { name: string; release: string }[];
  releases: {
    release: string;
    createdAt: string;
    live: boolean;
    runs: number;
    failed: number;
    lastRunAt: string | null;
    deployedBy?: string;
    deployedAt?: string;
  }[];
  /** The live pair's moves, newest first. */
  moves: StageMove[];
  notes: string[];
}

/** What went live and when, newest first, with the runs of each release. */
async function releasesView(): Promise<void> {
  const releases = await get<ReleasesDocument>('/api/releases');
  show(
    h('h1', {}, 'Releases'),
    ...releases.notes.map((note) => h('p', { class: 'note' }, note)),
    h('p', { class: 'dim' }, 'Alias pairs: ', releases.aliases.map((pair) => `${pair.name} → ${pair.release}`).join(', ') || 'none'),
    h(
      'ol',
      { class: 'timeline', 'aria-label': 'Releases, newest first' },
      releases.releases.map((release) =>
        h(
          'li',
          { class: release.live ? 'live' : '' },
          h('h2', {}, h('code', {}, release.release), release.live ? h('span', { class: 'badge status-succeeded' }, 'live') : ''),
          h(
            'p',
            {},
            `Created ${when(release.createdAt)}`,
            release.deployedBy === undefined ? '' : ` · deployed by ${release.deployedBy}, ${when(release.deployedAt)}`,
          ),
          h(
            'p',
            {},
            h('a', { href: href('/runs', { release: release.release }) }, `${release.runs} run(s)`),
            release.failed === 0
              ? ''
              : [' · ', h('a', { href: href('/runs', { release: release.release, status: 'failed' }) }, `${release.failed} failed`)],
            release.lastRunAt === null ? '' : ` · last ${when(release.lastRunAt)}`,
          ),
        ),
      ),
    ),
    h('p', { class: 'dim' }, `Run counts from the newest ${releases.window} runs.`),
    h('h2', { id: 'moves' }, 'What went live, and who moved it'),
    releases.moves.length === 0
      ? h('p', { class: 'dim' }, 'No deploys or rollbacks recorded.')
      : h(
          'ol',
          { class: 'moves', 'aria-labelledby': 'moves' },
          releases.moves.map((move) =>
            h('li', { class: `move-${move.cause}` }, h('time', { datetime: move.at }, when(move.at)), ' ', moveText(move)),
          ),
        ),
  );
}

export { releasesView };
