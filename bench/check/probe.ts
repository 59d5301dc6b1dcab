/** Which cost metrics this machine can measure now, and why not when it cannot. */
import { processTreeMeasurable } from '../../lib/process-tree.js';
import { probeInstructionsCounter } from './instructions.js';
import type { CostMetric } from './metrics.js';
import { threadRuntimeAvailable } from '../../lib/tree-cpu.js';

export interface MetricProbe {
  measurable: CostMetric[];
  /** Why a metric is missing, one line each. */
  notes: string[];
}

export function probeMetrics(): MetricProbe {
  const measurable: CostMetric[] = [];
  const notes: string[] = [];
  const counter = probeInstructionsCounter();
  if (counter.available) measurable.push('instructions');
  else notes.push(`instructions unavailable: ${counter.reason}`);
  if (processTreeMeasurable() && threadRuntimeAvailable()) measurable.push('normalised-cpu');
  else notes.push('normalised CPU unavailable: no /proc/<pid>/task/<tid>/schedstat on this system');
  return { measurable, notes };
}
