/**
 * The committed results file the bench's tests read (format 1: 3 architectures x {none, io} x
 * persistent x {1, 16} connections x 3 repetitions, plus a pool point that never started).
 */
import { fileURLToPath } from 'node:url';

export const RESULTS_FIXTURE = fileURLToPath(new URL('../../../test/fixtures/bench-results-v1.json', import.meta.url));
