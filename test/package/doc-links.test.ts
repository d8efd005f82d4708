/**
 * The README and docs/ link to each other: every relative link names a file
 * that exists, and every `#anchor` a heading of that file, as GitHub makes
 * anchors from headings. A page moved or a heading renamed fails here.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { expect, it } from 'vitest';
import { REPO_ROOT } from '../support/cli.js';

const PAGES = [
  'README.md',
  'CHANGELOG.md',
  ...readdirSync(join(REPO_ROOT, 'docs'))
    .filter((name) => name.endsWith('.md'))
    .map((name) => `docs/${name}`),
];

/** GitHub's anchor for a heading: lower case, punctuation dropped, spaces as dashes. */
const anchorOf = (heading: string): string =>
  heading
    .trim()
    .toLowerCase()
    .replace(/[^\p{L}\p{N} _-]/gu, '')
    .replace(/ /g, '-');

/** The anchors of a Markdown file's headings (outside code blocks). */
function anchorsOf(path: string): Set<string> {
  const anchors = new Set<string>();
  let inCode = false;
  for (const line of readFileSync(path, 'utf8').split('\n')) {
    if (line.startsWith('```')) inCode = !inCode;
    const heading = /^#{1,6} (.*)$/.exec(line);
    if (!inCode && heading) anchors.add(anchorOf(heading[1]!));
  }
  return anchors;
}

/** The relative links of a Markdown file: `[text](target)`, code spans and blocks left out. */
function linksOf(path: string): string[] {
  const text = readFileSync(path, 'utf8')
    .replace(/```[\s\S]*?```/g, '')
    .replace(/`[^`\n]*`/g, '');
  return [...text.matchAll(/\]\(([^)\s]+)\)/g)].map((match) => match[1]!).filter((target) => !/^[a-z]+:/.test(target));
}

it('every relative link in the README and docs/ names a file and a heading that exist', () => {
  const broken: string[] = [];
  for (const page of PAGES) {
    const pagePath = join(REPO_ROOT, page);
    if (!existsSync(pagePath)) continue;
    for (const link of linksOf(pagePath)) {
      const [file, anchor] = link.split('#') as [string, string | undefined];
      const target = file === '' ? pagePath : join(dirname(pagePath), file);
      if (!existsSync(target)) broken.push(`${page}: ${link} (no file ${relative(REPO_ROOT, target)})`);
      else if (anchor !== undefined && target.endsWith('.md') && !anchorsOf(target).has(anchor))
        broken.push(`${page}: ${link} (no heading #${anchor})`);
    }
  }
  expect(broken).toEqual([]);
});
