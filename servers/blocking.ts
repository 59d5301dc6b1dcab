/**
 * blocking: the book's srv_single.py. One connection is served from start to finish while
 * the others wait, accepted by the kernel but not read, and all work blocks the one thread.
 */
import type { Socket } from 'node:net';
import { answerFor } from '../protocol/zen.js';
import type { Architecture } from './shared/architecture.js';
import { meetFault } from './shared/fault.js';
import { listen } from './shared/listener.js';
import { createService } from './shared/protocols.js';
import { serviceCosts } from './shared/service-time.js';
import { blockThread, burnCpu } from './shared/work.js';

export const blockingArchitecture: Architecture = {
  name: 'blocking',
  summary: 'single-threaded, one connection at a time, work blocks the thread',
  takes: [],
  async start(options) {
    const cost = serviceCosts(options);
    function answer(question: Buffer): Buffer | Promise<Buffer> {
      const crashed = meetFault(options);
      if (crashed !== null) return crashed;
      burnCpu(cost.cpuUs());
      blockThread(cost.ioMs());
      return answerFor(question);
    }

    const service = createService(options, answer);
    const waiting: Socket[] = [];
    let serving = false;

    function serveNext(): void {
      const socket = waiting.shift();
      serving = socket !== undefined;
      if (socket === undefined) return;
      void service.serve(socket).then(serveNext);
      socket.resume();
    }

    const listening = await listen(
      options,
      service,
      (socket) => {
        socket.on('error', () => socket.destroy()); // a waiting client may give up
        waiting.push(socket);
        if (!serving) serveNext();
      },
      { pauseOnConnect: true },
    );
    return {
      ...listening,
      async close() {
        for (const socket of waiting.splice(0)) socket.destroy();
        await listening.close();
      },
    };
  },
};
