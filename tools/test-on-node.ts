/**
 * `npm run test:node24`: the whole test suite (the built dist/test/*.test.js, as `npm test`
 * runs it) under another Node release line, installed on first use into .cache/node. The
 * servers the tests start run under it too: they are started with the running node.
 */
import { spawnSync } from 'node:child_process';
import { readdirSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { fail, parseOrExit } from '../lib/cli.js';
import { ensureNodeRuntime, parseNodeLines } from '../lib/node-runtimes.js';

const PROG = 'test-on-node';
const TEST_DIR = fileURLToPath(new URL('../test/', import.meta.url));

const [line] = parseOrExit(PROG, () => parseNodeLines(process.argv[2] ?? '', 'the Node line'));
if (line === undefined) fail(PROG, 'name one Node release line, e.g. 24', 2);
let runtime;
try {
  runtime = ensureNodeRuntime(line, (text) => process.stderr.write(`${PROG}: ${text}\n`));
} catch (error) {
  fail(PROG, error instanceof Error ? error.message : String(error), 1);
}
const files = readdirSync(TEST_DIR)
  .filter((name) => name.endsWith('.test.js'))
  .sort()
  .map((name) => path.join(TEST_DIR, name));
process.stderr.write(`${PROG}: ${files.length} test files under Node ${runtime.version}\n`);
const run = spawnSync(runtime.execPath, ['--test', '--test-concurrency=1', ...files], { stdio: 'inherit' });
process.exitCode = run.status ?? 1;
