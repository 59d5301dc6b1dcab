/**
 * async: one process, one event loop, every connection at once. A question's simulated I/O
 * is a timer the loop awaits while it goes on serving everyone else.
 */
import { answerFor } from '../protocol/zen.js';
import type { Architecture, ServerOptions } from './shared/architecture.js';
import { meetFault } from './shared/fault.js';
import { serveConcurrently } from './shared/listener.js';
import type { Answer } from './shared/service.js';
import { serviceCosts } from './shared/service-time.js';
import { burnCpu, waitAsync } from './shared/work.js';

/** How one event loop answers: the work on the loop's own thread, the I/O as a timer. Others reuse it. */
export function asyncAnswer(options: ServerOptions): Answer {
  const cost = serviceCosts(options);
  return (question) => {
    const crashed = meetFault(options);
    if (crashed !== null) return crashed;
    burnCpu(cost.cpuUs());
    const ioMs = cost.ioMs();
    if (ioMs === 0) return answerFor(question);
    return waitAsync(ioMs).then(() => answerFor(question));
  };
}

export const asyncArchitecture: Architecture = {
  name: 'async',
  summary: 'one process, one event loop, all connections concurrent',
  takes: [],
  start(options) {
    return serveConcurrently(options, asyncAnswer(options));
  },
};
