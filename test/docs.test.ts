/** docs/ and README stay true to the code: generated tables current, every relative link resolving. */
import assert from 'node:assert/strict';
import { existsSync, statSync } from 'node:fs';
import { dirname, join, normalize } from 'node:path';
import { describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { blockNames, markdownPages, readPage, regenerateBlocks } from '../tools/docs-blocks.js';
import { OPTION_TABLES } from '../tools/option-tables.js';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const PAGES = markdownPages(ROOT);

/** GitHub's heading anchors: lower case, punctuation dropped, spaces to hyphens. */
function anchorsOf(text: string): Set<string> {
  const anchors = new Set<string>();
  const seen = new Map<string, number>();
  for (const match of text.replace(/```[\s\S]*?```/g, '').matchAll(/^#{1,6} (.+)$/gm)) {
    const base = (match[1] ?? '')
      .trim()
      .toLowerCase()
      .replace(/[^\p{L}\p{N}\s_-]/gu, '')
      .replace(/ /g, '-');
    const count = seen.get(base) ?? 0;
    seen.set(base, count + 1);
    anchors.add(count === 0 ? base : `${base}-${count}`);
  }
  return anchors;
}

function relativeLinks(text: string): string[] {
  const withoutCode = text.replace(/```[\s\S]*?```/g, '').replace(/`[^`\n]*`/g, '');
  return [...withoutCode.matchAll(/\]\(([^)\s]+)\)/g)]
    .map((match) => match[1] ?? '')
    .filter((target) => !/^[a-z]+:/i.test(target));
}

describe('docs', () => {
  it('has every command options table as the declarations make it (npm run docs rewrites them)', () => {
    const named = new Set<string>();
    for (const page of PAGES) {
      const text = readPage(ROOT, page);
      for (const name of blockNames(text)) named.add(name);
      assert.equal(text, regenerateBlocks(text, page), `${page} has a stale options table: run npm run docs`);
    }
    assert.deepEqual([...named].sort(), Object.keys(OPTION_TABLES).sort());
  });

  it('links only to files and headings that exist', () => {
    const broken: string[] = [];
    for (const page of PAGES) {
      for (const link of relativeLinks(readPage(ROOT, page))) {
        const [file = '', anchor] = link.split('#');
        const target = file === '' ? page : normalize(join(dirname(page), decodeURIComponent(file)));
        if (!existsSync(join(ROOT, target))) {
          broken.push(`${page}: ${link}`);
          continue;
        }
        const isPage = target.endsWith('.md') && statSync(join(ROOT, target)).isFile();
        if (anchor !== undefined && isPage && !anchorsOf(readPage(ROOT, target)).has(anchor)) {
          broken.push(`${page}: ${link} (no such heading)`);
        }
      }
    }
    assert.deepEqual(broken, []);
  });

  it('keeps README a front page', () => {
    const lines = readPage(ROOT, 'README.md').split('\n').length;
    assert.ok(lines <= 250, `README.md has ${lines} lines; the manual belongs in docs/`);
  });
});
