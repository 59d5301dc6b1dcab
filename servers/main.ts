/** `npm run server -- <architecture> [options]`: start one architecture and announce it. */
// First, so that a signal is caught from the start (see signals.ts).
import { onStopSignal } from './shared/signals.js';
import { fail, parseOrExit } from '../lib/cli.js';
import { parseServerCommand, serverUsage } from './server-options.js';
import { endGrace, ListenError, SHUTDOWN_GRACE_MS } from './shared/listener.js';
import { startWatchdog } from './shared/watchdog.js';
import { unrunnableReason } from './shared/architecture.js';
import { faultText } from './shared/fault.js';
import { hostNodeLine } from '../lib/node-runtimes.js';
import { runUnderNode } from './run-under-node.js';
import { fileURLToPath } from 'node:url';
import { serviceTimeMean, serviceTimeText } from './shared/service-time.js';

const PROG = 'zenbench server';
/** A shutdown that has not finished by then is a bug; say so rather than hang. */
const SHUTDOWN_LIMIT_MS = 4500;
/** Past this the watchdog kills a process whose main thread never came back to stop it. */
const SHUTDOWN_KILL_MS = 4800;

async function main(): Promise<void> {
  // Loaded only now, so that the signal handlers are in place while the architectures (and
  // piscina) load: tens of milliseconds in which a signal would otherwise kill the server.
  const { ARCHITECTURE_NAMES, findArchitecture } = await import('./registry.js');
  const command = parseOrExit(PROG, () => parseServerCommand(process.argv.slice(2), ARCHITECTURE_NAMES));
  if (command.help) {
    process.stdout.write(`${serverUsage(ARCHITECTURE_NAMES)}\n`);
    return;
  }
  const architecture = findArchitecture(command.architecture);
  if (architecture === undefined) fail(PROG, `unknown architecture '${command.architecture}'`, 2);
  const { options } = command;
  if (options.node !== undefined) {
    const [line, ...more] = options.node;
    if (line === undefined || more.length > 0)
      fail(PROG, '--node takes one Node release line for a server, e.g. 24', 2);
    if (line !== hostNodeLine()) {
      const say = (text: string): void => void process.stderr.write(`${PROG}: ${text}\n`);
      try {
        process.exitCode = await runUnderNode(line, fileURLToPath(import.meta.url), process.argv.slice(2), say);
      } catch (error) {
        fail(PROG, error instanceof Error ? error.message : String(error), 1);
      }
      return;
    }
  }
  // Here, not before --node: under another Node the server is judged by that Node.
  const unrunnable = unrunnableReason(architecture);
  if (unrunnable !== null) fail(PROG, `${unrunnable}: run it with a newer node (--node 24)`, 2);
  startWatchdog(PROG, SHUTDOWN_GRACE_MS, SHUTDOWN_KILL_MS, endGrace);

  let server;
  try {
    server = await architecture.start(options);
  } catch (error) {
    if (error instanceof ListenError) fail(PROG, error.message, 1);
    fail(PROG, `${architecture.name} did not start: ${error instanceof Error ? error.message : String(error)}`, 1);
  }

  let stopping: NodeJS.Signals | null = null;
  const stop = (signal: NodeJS.Signals): void => {
    if (stopping !== null) fail(PROG, `${signal} during the shutdown after ${stopping}: stopping at once`, 1);
    stopping = signal;
    setTimeout(
      () => fail(PROG, `shutdown took longer than ${SHUTDOWN_LIMIT_MS} ms after ${signal}`, 1),
      SHUTDOWN_LIMIT_MS,
    ).unref();
    void server.close().then(() => {
      process.stdout.write(`${JSON.stringify({ event: 'stopped', signal, pid: process.pid })}\n`);
      process.exit(0);
    });
  };
  onStopSignal(stop);

  const listening = {
    event: 'listening',
    architecture: architecture.name,
    protocol: options.protocol,
    host: server.host,
    port: server.port,
    pid: process.pid,
    workers: architecture.takes.includes('workers') ? options.workers : 1,
    ...(architecture.takes.includes('schedule') ? { schedule: options.schedule } : {}),
    ...(architecture.takes.includes('threads') ? { threads: options.threads } : {}),
    // The means, as numbers, for readers from before distributions; the specs say how they are drawn.
    cpuUs: serviceTimeMean(options.cpuUs),
    ioMs: serviceTimeMean(options.ioMs),
    cpuUsSpec: serviceTimeText(options.cpuUs),
    ioMsSpec: serviceTimeText(options.ioMs),
    seed: options.seed,
    idleTimeoutS: options.idleTimeoutS,
    questionTimeoutS: options.questionTimeoutS,
    fault: faultText(options.fault),
    node: process.version,
  };
  process.stdout.write(`${JSON.stringify(listening)}\n`);
}

void main();
