import { describe, it, expect } from 'vitest';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

/**
 * The README is a front door and the manual lives in docs/: every relative link of README.md
 * and docs/**\/*.md reaches a file, and every `#anchor` a heading of its page, by GitHub's
 * slug rules. External links (http:, https:, mailto:) are not fetched. The README stays at
 * most 320 lines.
 */
const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const README_MAX_LINES = 320;

/** Markdown files under a folder, recursively, as paths relative to ROOT. */
function markdownUnder(dir: string): string[] {
  const out: string[] = [];
  for (const entry of readdirSync(join(ROOT, dir), { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) out.push(...markdownUnder(path));
    else if (entry.name.endsWith('.md')) out.push(path);
  }
  return out.sort();
}

/** The lines of a page outside fenced code blocks (``` or ~~~), with their line numbers. */
function prose(text: string): Array<{ line: number; text: string }> {
  const out: Array<{ line: number; text: string }> = [];
  let fence: string | null = null;
  text.split('\n').forEach((l, i) => {
    const m = /^\s{0,3}(`{3,}|~{3,})/.exec(l);
    if (m) {
      if (fence === null) fence = m[1]!;
      else if (m[1]!.startsWith(fence)) fence = null;
      return;
    }
    if (fence === null) out.push({ line: i + 1, text: l });
  });
  return out;
}

/**
 * GitHub's anchor for a heading (github-slugger): the heading's text without markup,
 * lowercased, punctuation dropped except `-` and `_`, each space a `-`; a repeated slug
 * gets `-1`, `-2`, ... in order.
 *
 * @example
 *   slug('Moving a store: `segue store copy`') // 'moving-a-store-segue-store-copy'
 */
function slug(heading: string): string {
  return heading
    .replace(/!?\[([^\]]*)\]\([^)]*\)/g, '$1') // links and images: their text
    .replace(/<[^>]+>/g, '') // inline HTML tags
    .replace(/`/g, '')
    .replace(/\*+/g, '')
    .trim()
    .toLowerCase()
    .replace(/[^\p{L}\p{M}\p{N}\p{Pc} -]/gu, '')
    .replace(/ /g, '-');
}

/** The anchors a page offers: its headings' slugs (repeats numbered) and explicit HTML ids. */
function anchors(text: string): Set<string> {
  const seen = new Map<string, number>();
  const out = new Set<string>();
  for (const { text: l } of prose(text)) {
    const h = /^\s{0,3}#{1,6}\s+(.*?)(?:\s+#+)?\s*$/.exec(l);
    if (h) {
      const base = slug(h[1]!);
      const n = seen.get(base) ?? 0;
      seen.set(base, n + 1);
      out.add(n === 0 ? base : `${base}-${n}`);
    }
    for (const m of l.matchAll(/<a\s+(?:name|id)="([^"]+)"/g)) out.add(m[1]!);
  }
  return out;
}

/** Every link target of a page (inline links, images, reference definitions) outside code. */
function links(text: string): Array<{ line: number; target: string }> {
  const out: Array<{ line: number; target: string }> = [];
  for (const { line, text: l } of prose(text)) {
    const bare = l.replace(/(`+)[^`]*?\1/g, ''); // inline code spans hold no links
    for (const m of bare.matchAll(/!?\[[^\]]*\]\(\s*(<[^>]*>|[^)\s]+)(?:\s+"[^"]*")?\s*\)/g)) {
      out.push({ line, target: m[1]!.replace(/^<|>$/g, '') });
    }
    const def = /^\s{0,3}\[[^\]]+\]:\s*(<[^>]*>|\S+)/.exec(bare);
    if (def) out.push({ line, target: def[1]!.replace(/^<|>$/g, '') });
  }
  return out;
}

/** The broken relative links of one page (path relative to ROOT), each as `line: target: why`. */
function brokenLinks(page: string, read: (path: string) => string = (p) => readFileSync(p, 'utf8')): string[] {
  const from = join(ROOT, page);
  const broken: string[] = [];
  for (const { line, target } of links(read(from))) {
    if (/^[a-z][a-z0-9+.-]*:/i.test(target)) continue; // http:, https:, mailto:: not fetched
    const hash = target.indexOf('#');
    const path = decodeURIComponent(hash < 0 ? target : target.slice(0, hash));
    const anchor = hash < 0 ? null : decodeURIComponent(target.slice(hash + 1));
    const to = path === '' ? from : resolve(dirname(from), path);
    const where = `${page}:${line}: ${target}`;
    if (!existsSync(to)) {
      broken.push(`${where}: no such file ${relative(ROOT, to)}`);
      continue;
    }
    if (anchor === null || anchor === '') continue;
    if (statSync(to).isDirectory() || !to.endsWith('.md')) {
      broken.push(`${where}: an anchor into ${relative(ROOT, to)}, which is not a markdown page`);
      continue;
    }
    if (!anchors(read(to)).has(anchor)) broken.push(`${where}: no heading #${anchor} in ${relative(ROOT, to)}`);
  }
  return broken;
}

const PAGES = ['README.md', ...markdownUnder('docs')];

describe('documentation links', () => {
  it('finds the pages and their links', () => {
    expect(PAGES).toContain('docs/cli.md');
    expect(links(readFileSync(join(ROOT, 'README.md'), 'utf8')).length).toBeGreaterThan(20);
  });

  it.each(PAGES)('%s: every relative link reaches its file and heading', (page) => {
    expect(brokenLinks(page)).toEqual([]);
  });

  it(`README.md is a front door of at most ${README_MAX_LINES} lines`, () => {
    const lines = readFileSync(join(ROOT, 'README.md'), 'utf8').replace(/\n$/, '').split('\n').length;
    expect(lines).toBeLessThanOrEqual(README_MAX_LINES);
  });
});

describe('the link checker', () => {
  it('makes GitHub slugs', () => {
    expect(slug('Moving a store: `segue store copy`')).toBe('moving-a-store-segue-store-copy');
    expect(slug('`segue serve`, `segue keys`')).toBe('segue-serve-segue-keys');
    expect(slug("Segue's NDJSON format")).toBe('segues-ndjson-format');
    expect(slug('Online state, features and the ranker')).toBe('online-state-features-and-the-ranker');
    expect(slug('A / B')).toBe('a--b');
    expect(slug('snake_case and **bold** and [a link](x.md)')).toBe('snake_case-and-bold-and-a-link');
    expect(slug('Scale-out')).toBe('scale-out');
  });

  it('numbers repeated headings and ignores headings in code', () => {
    const a = anchors('# Title\n## Results\n```sh\n# a comment\n```\n## Results\n<a name="here"></a>\n');
    expect([...a].sort()).toEqual(['here', 'results', 'results-1', 'title']);
  });

  it('reads inline links, images, titles and reference definitions, not code', () => {
    const found = links('see [a](a.md#x) and ![b](<b c.png> "t")\n`[no](no.md)`\n```\n[no](no.md)\n```\n[ref]: r.md\n').map((l) => l.target);
    expect(found).toEqual(['a.md#x', 'b c.png', 'r.md']);
  });

  it('reports a missing file, a missing heading and a heading in the same page, and skips external links', () => {
    const pages: Record<string, string> = {
      [join(ROOT, 'README.md')]: '# Top\n## Here\n[ok](#here) [bad](#nowhere) [web](https://example.com/x#y)\n[gone](docs/missing.md) [cli](docs/cli.md#no-such-heading) [cli ok](docs/cli.md)\n',
      [join(ROOT, 'docs/cli.md')]: '# The CLI\n',
    };
    const broken = brokenLinks('README.md', (p) => pages[p] ?? readFileSync(p, 'utf8'));
    expect(broken).toHaveLength(3);
    expect(broken[0]).toMatch(/#nowhere: no heading #nowhere in README\.md$/);
    expect(broken[1]).toMatch(/no such file docs\/missing\.md$/);
    expect(broken[2]).toMatch(/no heading #no-such-heading in docs\/cli\.md$/);
  });
});
