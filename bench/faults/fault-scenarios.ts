/**
 * The faults the fault suite runs each architecture through, declared as data, as
 * bench/shared/scenarios.ts declares the bench's workloads. Adding a fault is one entry here
 * (and, for a new kind of injection, its case in fault-runner.ts).
 */

/** How a fault gets into a run. */
export type Injection =
  /** Nothing: the baseline every fault is read against, and the rate the knob's N is set from. */
  | { readonly kind: 'none' }
  /** The server's own --fault knob; N is set so that the first fault comes at the planned moment. */
  | { readonly kind: 'knob'; readonly fault: 'crash' | 'stall' }
  /** A signal at the planned moment, to one worker process where there are any, else to the server. */
  | { readonly kind: 'signal'; readonly signal: 'SIGKILL' | 'SIGTERM'; readonly target: 'worker' | 'server' }
  /** Clients of the suite's own (rogue-clients.ts) from the planned moment to the end of the run. */
  | { readonly kind: 'clients'; readonly clients: RogueKind };

export type RogueKind = 'flood' | 'idle' | 'slowloris';

export interface FaultScenario {
  readonly name: string;
  /** What the fault is, in the reports' words. */
  readonly label: string;
  readonly injection: Injection;
}

export const FAULT_SCENARIOS: readonly FaultScenario[] = [
  { name: 'none', label: 'no fault (the baseline)', injection: { kind: 'none' } },
  {
    name: 'crash',
    label: 'one question in N throws an uncaught error (--fault crash:N)',
    injection: { kind: 'knob', fault: 'crash' },
  },
  {
    name: 'stall',
    label: 'one question in N blocks its thread (--fault stall:N:MS)',
    injection: { kind: 'knob', fault: 'stall' },
  },
  {
    name: 'kill-worker',
    label: 'SIGKILL of one worker process (the whole server where it has none)',
    injection: { kind: 'signal', signal: 'SIGKILL', target: 'worker' },
  },
  {
    name: 'sigterm',
    label: 'SIGTERM to the server under load',
    injection: { kind: 'signal', signal: 'SIGTERM', target: 'server' },
  },
  {
    name: 'flood',
    label: 'a flood of pipelined questions from clients that never read',
    injection: { kind: 'clients', clients: 'flood' },
  },
  {
    name: 'idle',
    label: 'thousands of idle connections',
    injection: { kind: 'clients', clients: 'idle' },
  },
  {
    name: 'slowloris',
    label: 'a slowloris: clients dribbling questions a byte at a time',
    injection: { kind: 'clients', clients: 'slowloris' },
  },
];

export const FAULT_NAMES: readonly string[] = FAULT_SCENARIOS.map((scenario) => scenario.name);

export function findFault(name: string): FaultScenario | undefined {
  return FAULT_SCENARIOS.find((scenario) => scenario.name === name);
}
