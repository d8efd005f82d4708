import { formatDuration } from '../lib/cli/render/format-duration.js';

type Child = Node | string | number | null | undefined | false;

/** Makes an element with attributes (`on*` functions become listeners) and children. */
function h<K extends keyof HTMLElementTagNameMap>(
  tag: K,
  attributes: Record<string, string | boolean | number | EventListener | undefined> = {},
  ...children: (Child | Child[])[]
): HTMLElementTagNameMap[K] {
  const element = document.createElement(tag);
  for (const [name, value] of Object.entries(attributes)) {
    if (value === undefined || value === false) continue;
    if (name.startsWith('on') && typeof value === 'function') element.addEventListener(name.slice(2), value);
    else element.setAttribute(name, value === true ? '' : String(value));
  }
  for (const child of children.flat()) {
    if (child === null || child === undefined || child === false) continue;
    element.append(child instanceof Node ? child : String(child));
  }
  return element;
}

/** Replaces the main area's content and moves focus to its heading, for keyboard and screen-reader users. */
function show(...children: Child[]): HTMLElement {
  const main = document.getElementById('main') as HTMLElement;
  main.replaceChildren(
    ...children
      .filter((child): child is Node | string => child !== null && child !== undefined && child !== false)
      .map((child) => (typeof child === 'number' ? String(child) : child)),
  );
  return main;
}

/** Says something to screen readers (and shows it in the status line). */
function announce(text: string): void {
  const region = document.getElementById('announce');
  if (region !== null) region.textContent = text;
}

/* Where a page leaves what the next page is to announce (this tab only). */
const PENDING_ANNOUNCEMENT = 'cnf-admin:announce';

/**
 * Goes to another page of the ui and announces `text` there, once it has
 * loaded: an announcement made just before a page load is lost with the page.
 */
function goAnnouncing(url: string, text: string): void {
  sessionStorage.setItem(PENDING_ANNOUNCEMENT, text);
  location.assign(url);
}

/** Announces what the page before this one left to announce (see {@link goAnnouncing}), once. */
function announcePending(): void {
  const text = sessionStorage.getItem(PENDING_ANNOUNCEMENT);
  if (text === null) return;
  sessionStorage.removeItem(PENDING_ANNOUNCEMENT);
  announce(text);
}

/** A duration in ms as people read it, in the CLI's words (`3 min 5 s`, `2 h 5 min`); `–` for none. */
function duration(ms: number | undefined | null): string {
  return ms === undefined || ms === null ? '–' : formatDuration(ms);
}

/** A time in the reader's time zone. */
function when(iso: string | undefined | null): string {
  return iso === undefined || iso === null ? '–' : new Date(iso).toLocaleString();
}

/** A status as a badge: the word itself, never colour alone. */
function badge(status: string): HTMLElement {
  return h('span', { class: `badge status-${status}` }, status);
}

export { announce, announcePending, badge, duration, goAnnouncing, h, show, when };
