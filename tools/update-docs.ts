/** `npm run docs`: rewrites the generated options tables in docs/ from the declarations. */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { markdownPages, readPage, regenerateBlocks } from './docs-blocks.js';

/** This file runs as dist/tools/update-docs.js; the project is two levels up. */
const ROOT = fileURLToPath(new URL('../../', import.meta.url));

for (const page of markdownPages(ROOT)) {
  const text = readPage(ROOT, page);
  const updated = regenerateBlocks(text, page);
  if (updated !== text) {
    writeFileSync(join(ROOT, page), updated);
    process.stdout.write(`updated ${page}\n`);
  }
}
