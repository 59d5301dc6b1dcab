/** The architectures the tests run: those of the registry that this Node can run (reuseport needs 22.12). */
import { runnableArchitectures } from '../../servers/registry.js';

export const RUNNABLE_NAMES: readonly string[] = runnableArchitectures().map((architecture) => architecture.name);

/**
 * Those that serve many connections at once. inetd does too, but only --workers at a time
 * (each in a process of its own); the others wait in its acceptor.
 */
export const CONCURRENT_NAMES: readonly string[] = RUNNABLE_NAMES.filter((name) => name !== 'blocking');

/**
 * Those for which 200 clients at once is a test of concurrency. For inetd it is 200 process
 * start-ups, 2 at a time on the 2-core machine (--workers is the cap that keeps a flood from
 * forking the machine to death): seconds of forking that prove nothing more than 20 would.
 */
export const MANY_CLIENT_NAMES: readonly string[] = CONCURRENT_NAMES.filter((name) => name !== 'inetd');
