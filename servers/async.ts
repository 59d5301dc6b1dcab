/**
 * async: one process, one event loop, every connection at once. A question's simulated I/O
 * is a timer the loop awaits while it goes on serving everyone else.
 */
import { answerFor } from '../protocol/zen.js';
import type { Architecture } from './shared/architecture.js';
import { meetFault } from './shared/fault.js';
import { serveConcurrently } from './shared/listener.js';
import { serviceCosts } from './shared/service-time.js';
import { burnCpu, waitAsync } from './shared/work.js';

export const asyncArchitecture: Architecture = {
  name: 'async',
  summary: 'one process, one event loop, all connections concurrent',
  takes: [],
  start(options) {
    const cost = serviceCosts(options);
    function answer(question: Buffer): Buffer | Promise<Buffer> {
      const crashed = meetFault(options);
      if (crashed !== null) return crashed;
      burnCpu(cost.cpuUs());
      const ioMs = cost.ioMs();
      if (ioMs === 0) return answerFor(question);
      return waitAsync(ioMs).then(() => answerFor(question));
    }
    return serveConcurrently(options, answer);
  },
};
