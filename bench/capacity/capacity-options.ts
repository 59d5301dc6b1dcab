/** `npm run bench:loadgen` options: the load generator's own entries for what it varies. */
import { usageLines } from '../../lib/option-table.js';
import { LOAD_OPTIONS } from '../../loadgen/load-options.js';

export const CAPACITY_OPTIONS = {
  connections: LOAD_OPTIONS.connections,
  warmupS: LOAD_OPTIONS.warmupS,
  durationS: { ...LOAD_OPTIONS.durationS, help: 'seconds measured per pipeline depth' },
  threads: { ...LOAD_OPTIONS.threads, help: 'generator threads' },
  json: { kind: 'flag', flag: 'json', help: 'one JSON object on stdout instead of the table' },
} as const;

export const CAPACITY_USAGE = `usage: npm run bench:loadgen -- [options]

Measures the answers per second the load generator drives against the async server at
pipeline 1 and 16, and the CPU it uses to do it.

${usageLines(CAPACITY_OPTIONS)}`;
