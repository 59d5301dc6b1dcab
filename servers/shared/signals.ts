/**
 * The signals a server meets, caught from the moment this module is loaded. main.ts imports it
 * before anything else, so that a stop signal that arrives while the server is still loading or
 * starting is kept and acted on once it listens, instead of killing it half-started (a cluster
 * primary killed that way leaves its workers to fail on a broken channel).
 */

/**
 * Each of them stops a server gracefully. Left to their default, SIGHUP (a closed terminal),
 * SIGQUIT and SIGUSR2 would kill it at once, with no "stopped" line.
 */
export const STOP_SIGNALS: readonly NodeJS.Signals[] = ['SIGTERM', 'SIGINT', 'SIGHUP', 'SIGQUIT', 'SIGUSR2'];

/** Signals received before anyone asked for them; two are all that matter (the second means "now"). */
const early: NodeJS.Signals[] = [];
let onStop: ((signal: NodeJS.Signals) => void) | null = null;

for (const name of STOP_SIGNALS) {
  process.on(name, (signal: NodeJS.Signals) => {
    if (onStop !== null) onStop(signal);
    else if (early.length < 2) early.push(signal);
  });
}
// Node opens its inspector on port 9229 when it gets SIGUSR1: anyone allowed to signal a
// benchmark server would get a debugger into it. With a listener of our own, it does not.
process.on('SIGUSR1', () => undefined);

/** Hands every stop signal to `stop`, first those that came before this call. */
export function onStopSignal(stop: (signal: NodeJS.Signals) => void): void {
  onStop = stop;
  for (const signal of early.splice(0)) stop(signal);
}
