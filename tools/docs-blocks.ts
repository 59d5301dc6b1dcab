/**
 * The generated parts of docs/: each `<!-- options:NAME -->` ... `<!-- /options -->` block
 * holds the options table derived from the command's declarations (tools/option-tables.ts).
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { optionsMarkdown } from '../lib/option-table.js';
import { OPTION_TABLES } from './option-tables.js';

const BLOCK = /(<!-- options:([\w-]+) -->\n)[\s\S]*?(\n<!-- \/options -->)/g;

/** The page with every options block regenerated; an unknown NAME is an error. */
export function regenerateBlocks(text: string, page: string): string {
  return text.replace(BLOCK, (_whole, open: string, name: string, close: string) => {
    const table = OPTION_TABLES[name];
    if (table === undefined) throw new Error(`${page}: no command options named '${name}'`);
    return `${open}${optionsMarkdown(table)}${close}`;
  });
}

/** The names of the options blocks a page has. */
export function blockNames(text: string): string[] {
  return [...text.matchAll(BLOCK)].map((match) => match[2] ?? '');
}

/** Every Markdown file of the manual, and the README, relative to the project's root. */
export function markdownPages(root: string): string[] {
  const pages = ['README.md'];
  const walk = (dir: string): void => {
    for (const entry of readdirSync(join(root, dir), { withFileTypes: true })) {
      const path = `${dir}/${entry.name}`;
      if (entry.isDirectory()) walk(path);
      else if (entry.name.endsWith('.md')) pages.push(path);
    }
  };
  walk('docs');
  return pages;
}

export function readPage(root: string, page: string): string {
  return readFileSync(join(root, page), 'utf8');
}
