/** `npm run bench:http` options: the load generator's own entries for what it varies. */
import { usageLines } from '../../lib/option-table.js';
import { LOAD_OPTIONS } from '../../loadgen/load-options.js';

export const HTTP_SPEED_OPTIONS = {
  rounds: {
    kind: 'integer',
    flag: 'rounds',
    arg: 'N',
    default: 5,
    min: 1,
    max: 100,
    help: 'rounds; each measures every server x instrument x pipeline once, in a rotating order',
  },
  connections: LOAD_OPTIONS.connections,
  warmupS: { ...LOAD_OPTIONS.warmupS, default: 0.5 },
  durationS: { ...LOAD_OPTIONS.durationS, default: 2, help: 'seconds measured per run' },
  json: { kind: 'flag', flag: 'json', help: 'one JSON object on stdout instead of the tables' },
} as const;

export const HTTP_SPEED_USAGE = `usage: npm run bench:http -- [options]

How fast the HTTP twins and the two HTTP instruments are: our async server over HTTP beside a
minimal node:http server answering the same bodies, each driven by autocannon and by our
generator, at pipeline 1 and 16; throughput, and the CPU each server and each generator
spends per answer. Take the machine lock around it (flock /tmp/zenbench-machine.lock).

${usageLines(HTTP_SPEED_OPTIONS)}`;
