/**
 * A fresh client now and then during a fault: connect, ask one question, close. The load
 * generator's connections were there before the fault; this says whether a newcomer is still
 * served, and how fast. One attempt at a time, each given up after ATTEMPT_TIMEOUT_MS.
 */
import net from 'node:net';
import { APHORISMS } from '../../protocol/zen.js';

export interface ProbeAttempt {
  /** When the attempt began, ms after `origin`. */
  atMs: number;
  /** Connect to answer, ms; null when no answer came within the timeout. */
  latencyMs: number | null;
}

export const ATTEMPT_TIMEOUT_MS = 1000;
const APHORISM = APHORISMS[0]!;

/** One question on a new connection; resolves to the latency in ms, or null. */
function askOnce(host: string, port: number): Promise<number | null> {
  const begin = performance.now();
  return new Promise((resolve) => {
    const socket = net.connect({ host, port, noDelay: true }, () => socket.write(APHORISM.question));
    let received = Buffer.alloc(0);
    const done = (latency: number | null): void => {
      clearTimeout(timer);
      socket.destroy();
      resolve(latency);
    };
    const timer = setTimeout(() => done(null), ATTEMPT_TIMEOUT_MS);
    socket.on('data', (chunk: Buffer) => {
      received = Buffer.concat([received, chunk]);
      if (received.includes(APHORISM.answer)) done(performance.now() - begin);
    });
    socket.on('error', () => done(null));
    socket.on('close', () => done(null));
  });
}

export class FreshClientProbe {
  private readonly attempts: ProbeAttempt[] = [];
  private stopped = false;
  private wake: (() => void) | null = null;
  private readonly running: Promise<void>;

  /**
   * Asks every `everyMs` until stop(), starting no attempt after `lastStartAt` (performance.now()
   * time), so that none outlasts the load it is read against; `origin` is time zero of the attempts.
   */
  constructor(host: string, port: number, everyMs: number, origin: number, lastStartAt: number) {
    this.running = (async () => {
      while (!this.stopped && performance.now() <= lastStartAt) {
        const begin = performance.now();
        const latencyMs = await askOnce(host, port);
        this.attempts.push({ atMs: Math.round(begin - origin), latencyMs });
        const pause = everyMs - (performance.now() - begin);
        if (pause > 0 && !this.stopped) {
          await new Promise<void>((resolve) => {
            const timer = setTimeout(resolve, pause);
            this.wake = () => {
              clearTimeout(timer);
              resolve();
            };
          });
        }
      }
    })();
  }

  /** Ends the probe once its attempt in progress has ended; at most ATTEMPT_TIMEOUT_MS. */
  async stop(): Promise<ProbeAttempt[]> {
    this.stopped = true;
    this.wake?.();
    await this.running;
    return [...this.attempts];
  }
}
