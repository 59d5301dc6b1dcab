/**
 * Every command's option table by the name its docs page uses in its
 * `<!-- options:NAME -->` block: what tools/update-docs.ts writes there and the docs test checks.
 */
import type { OptionTable } from '../lib/option-table.js';
import { CAPACITY_OPTIONS } from '../bench/capacity/capacity-options.js';
import { CHECK_OPTIONS } from '../bench/check/check-options.js';
import { COMPARE_OPTIONS } from '../bench/compare/compare-options.js';
import { faultsOptionTable } from '../bench/faults/faults-options.js';
import { HTTP_SPEED_OPTIONS } from '../bench/http-speed/http-speed-options.js';
import { MICRO_OPTIONS } from '../bench/micro/micro-options.js';
import { PROFILE_OPTIONS } from '../bench/profile/profile-options.js';
import { benchOptionTable } from '../bench/run/bench-options.js';
import { LOAD_COMMAND_OPTIONS } from '../loadgen/load-options.js';
import { ARCHITECTURE_NAMES } from '../servers/registry.js';
import { SERVER_OPTIONS } from '../servers/server-options.js';

export const OPTION_TABLES: Readonly<Record<string, OptionTable>> = {
  server: SERVER_OPTIONS,
  load: LOAD_COMMAND_OPTIONS,
  bench: benchOptionTable(ARCHITECTURE_NAMES),
  'bench-faults': faultsOptionTable(ARCHITECTURE_NAMES),
  'bench-compare': COMPARE_OPTIONS,
  'bench-micro': MICRO_OPTIONS,
  'bench-loadgen': CAPACITY_OPTIONS,
  'bench-http': HTTP_SPEED_OPTIONS,
  profile: PROFILE_OPTIONS,
  check: CHECK_OPTIONS,
};
