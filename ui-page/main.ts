import './style.css';
import { ApiError, href } from './api.js';
import { announcePending, h, show } from './dom.js';
import { releasesView } from './releases-view.js';
import { runView } from './run-view.js';
import { runsView } from './runs-view.js';
import { loadSession } from './session.js';
import { tasksView, taskView } from './tasks-view.js';

const SECTIONS = [
  { path: '/runs', label: 'Runs' },
  { path: '/tasks', label: 'Tasks' },
  { path: '/releases', label: 'Releases' },
];

/** The title of one item's page, by its section. */
const ITEM_TITLES: Readonly<Record<string, string>> = { runs: 'a run', tasks: 'a task' };

function navigation(current: string, stage: string, platform: string, live: string | null): void {
  const nav = document.getElementById('nav') as HTMLElement;
  nav.replaceChildren(
    h('strong', { class: 'brand' }, 'cnf-admin'),
    ...SECTIONS.map((section) =>
      h('a', { href: href(section.path), 'aria-current': current.startsWith(section.path) ? 'page' : undefined }, section.label),
    ),
  );
  (document.getElementById('stage') as HTMLElement).textContent = `stage ${stage} (${platform}) · live ${live ?? 'none'}`;
}

/** The stage the session named, once it has: every title names it. */
let titleStage: string | undefined;

/** Sets the tab's title: what the page shows (a section, "not found"), then the stage where known. */
function title(label: string): void {
  document.title = `${label}${titleStage === undefined ? '' : ` · ${titleStage}`} · cnf-admin`;
}

async function render(): Promise<void> {
  const path = location.pathname === '/' ? '/runs' : location.pathname;
  // The session and the page's own data load side by side: the runs list does not wait for the catalog.
  const loading = loadSession();
  const [, section, name] = path.split('/').map(decodeURIComponent);
  const named = loading.then((session) => {
    navigation(path, session.stage, session.platform, session.liveRelease);
    // Not the name from the address: a secure value typed into it would reach the tab, the history and bookmarks.
    titleStage = session.stage;
    title(name === undefined ? (section ?? 'runs') : (ITEM_TITLES[section ?? ''] ?? section ?? 'runs'));
    return session;
  });
  if (section !== 'tasks' && section !== 'releases' && name === undefined) return runsView(named);
  const session = await named;
  if (section === 'runs' && name !== undefined) return runView(session, name);
  if (section === 'tasks' && name !== undefined) return taskView(name, session);
  if (section === 'tasks') return tasksView();
  return releasesView();
}

render().then(announcePending, (error: unknown) => {
  const message = error instanceof ApiError && error.status === 401 ? `${error.message}` : (error as Error).message;
  const notFound = error instanceof ApiError && error.status === 404;
  // The tab says it too: a run that is not there is no "a run" tab.
  title(notFound ? 'not found' : 'something went wrong');
  show(
    h('h1', {}, notFound ? 'Not found' : 'Something went wrong'),
    h('p', { role: 'alert' }, message),
    h('p', {}, h('a', { href: href('/runs') }, 'Go to the runs')),
  );
});
