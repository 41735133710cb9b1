import { describe, expect, it } from '@jest/globals';
import { existsSync, readFileSync, statSync } from 'node:fs';

// The documents link each other, the code and the charts by relative path, and their sections by anchor. A
// section moved from one README to another, or a file renamed, leaves a link that GitHub and npm render dead;
// this spec finds it before a reader does.

const ROOT = new URL('../../', import.meta.url);

/** The documents whose links are checked, by their path from the repository's root. */
const DOCUMENTS = ['README.md', 'libs/references/README.md', 'apps/catalogue/README.md', 'ARCHITECTURE.md', 'BENCHMARKS.md'];

/**
 * The files a link of the library's README may name: it is the package's README, rendered on the npm page
 * from the tarball, where only what the package ships is there. LICENSE and CHANGELOG.md are copied in from
 * the repository's root at pack time (scripts/pack-references.mjs), so they are checked at the root.
 */
const SHIPPED_BESIDE_THE_LIBRARY_README = ['CHANGELOG.md', 'LICENSE'];
const LIBRARY_README = 'libs/references/README.md';

interface Link {
  document: string;
  target: string;
  line: number;
}

/** The text outside fenced code blocks, line by line (a `# …` line in a shell block is no heading). */
function proseLines(text: string): { text: string; line: number }[] {
  let fenced = false;
  const lines: { text: string; line: number }[] = [];
  text.split('\n').forEach((line, index) => {
    if (/^\s*```/.test(line)) fenced = !fenced;
    else if (!fenced) lines.push({ text: line, line: index + 1 });
  });
  return lines;
}

/** Every inline link and image of a document; a code span (`a[0](x)`) holds none. */
function linksOf(document: string): Link[] {
  const text = readFileSync(new URL(document, ROOT), 'utf8');
  return proseLines(text).flatMap(({ text: line, line: number }) =>
    [...line.replace(/`[^`]*`/g, 'code').matchAll(/!?\[[^\]]*\]\(([^)\s]+)(?:\s+"[^"]*")?\)/g)].map((match) => ({
      document,
      target: match[1],
      line: number,
    })),
  );
}

/** The anchors GitHub (and npm) give the headings of a document: lower case, punctuation dropped, spaces as '-'. */
function anchorsOf(document: string): Set<string> {
  const anchors = new Set<string>();
  const seen = new Map<string, number>();
  for (const { text } of proseLines(readFileSync(new URL(document, ROOT), 'utf8'))) {
    const heading = /^#{1,6}\s+(.*?)\s*#*\s*$/.exec(text)?.[1];
    if (heading === undefined) continue;
    const slug = heading
      .replace(/\[([^\]]*)\]\([^)]*\)/g, '$1')
      .toLowerCase()
      .replace(/[^\p{L}\p{M}\p{N}\p{Pc}\- ]/gu, '')
      .replace(/ /g, '-');
    const count = seen.get(slug) ?? 0;
    anchors.add(count === 0 ? slug : `${slug}-${count}`);
    seen.set(slug, count + 1);
  }
  return anchors;
}

const isRelative = (target: string) => !/^[a-z][a-z0-9+.-]*:/i.test(target) && !target.startsWith('//');

/** Where a relative link of `document` leads: the file's path from the root ('' for the document itself) and its anchor. */
function resolve(link: Link): { path: string; anchor?: string } {
  const [file, anchor] = link.target.split('#', 2) as [string, string | undefined];
  if (!file) return { path: link.document, anchor };
  // LICENSE and CHANGELOG.md sit beside the library's README only in the package: their source is at the root.
  if (link.document === LIBRARY_README && SHIPPED_BESIDE_THE_LIBRARY_README.includes(file)) return { path: file, anchor };
  const url = new URL(decodeURIComponent(file), new URL(link.document, ROOT));
  return { path: url.pathname.slice(ROOT.pathname.length), anchor };
}

const relativeLinks = DOCUMENTS.flatMap(linksOf).filter((link) => isRelative(link.target));
const where = (link: Link) => `${link.document}:${link.line} ${link.target}`;

describe('the links of the documents', () => {
  it('finds the links it checks (each README links the others)', () => {
    for (const document of DOCUMENTS) expect(existsSync(new URL(document, ROOT))).toBe(true);
    const targets = relativeLinks.map((link) => `${link.document} -> ${resolve(link).path}`);
    expect(targets).toEqual(
      expect.arrayContaining([
        'README.md -> libs/references/README.md',
        'README.md -> apps/catalogue/README.md',
        'README.md -> ARCHITECTURE.md',
        'README.md -> BENCHMARKS.md',
        'README.md -> CHANGELOG.md',
        'apps/catalogue/README.md -> libs/references/README.md',
      ]),
    );
  });

  it('point at files of the repository, by a path relative to the document (no machine path, no file:// URL)', () => {
    const absolute = DOCUMENTS.flatMap(linksOf).filter((link) => link.target.startsWith('/') || /^file:/i.test(link.target));
    expect(absolute.map(where)).toEqual([]);
  });

  it('point at a file that exists', () => {
    const dead = relativeLinks.filter((link) => {
      const { path } = resolve(link);
      return path.startsWith('..') || !existsSync(new URL(path, ROOT));
    });
    expect(dead.map(where)).toEqual([]);
  });

  it("point at a heading that exists, when they name one (in the document itself or in another Markdown file)", () => {
    const dead = relativeLinks.filter((link) => {
      const { path, anchor } = resolve(link);
      if (anchor === undefined || !path.endsWith('.md') || !existsSync(new URL(path, ROOT))) return false;
      if (statSync(new URL(path, ROOT)).isDirectory()) return false;
      return !anchorsOf(path).has(anchor);
    });
    expect(dead.map(where)).toEqual([]);
  });

  it("of the library's README, the package's, name only its own headings and the files the package ships", () => {
    const links = relativeLinks.filter((link) => link.document === LIBRARY_README);
    const outside = links.filter((link) => {
      const file = link.target.split('#', 1)[0];
      return file !== '' && !SHIPPED_BESIDE_THE_LIBRARY_README.includes(file);
    });
    expect(outside.map(where)).toEqual([]);
    for (const file of SHIPPED_BESIDE_THE_LIBRARY_README) expect(existsSync(new URL(file, ROOT))).toBe(true);
  });
});
