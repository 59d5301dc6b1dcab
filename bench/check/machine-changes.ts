/**
 * What differs between the machine a baseline was recorded on and the one checking against it.
 * A new kernel build moved every point of the check by about 10% on the same kind of VM
 * (docs/check.md), so the report names such a difference beside its verdict.
 */
import type { BenchEnvironment } from '../report/results-format.js';

/** The parts of the environment that change the cost of an answer without any change to the code. */
export type MachineTraits = Pick<BenchEnvironment, 'kernel' | 'cpuModel' | 'node'>;

const TRAIT_NAMES: Record<keyof MachineTraits, string> = { kernel: 'kernel', cpuModel: 'CPU', node: 'Node' };

/** One "trait: baseline → now" entry per trait that differs; empty when the machines agree. */
export function machineChanges(recorded: MachineTraits, now: MachineTraits): string[] {
  return (Object.keys(TRAIT_NAMES) as (keyof MachineTraits)[])
    .filter((trait) => recorded[trait] !== now[trait])
    .map((trait) => `${TRAIT_NAMES[trait]} ${recorded[trait]} → ${now[trait]}`);
}
