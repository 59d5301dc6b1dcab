/**
 * The progress bar on stderr: the point being measured and the time left. The time left is
 * the plan's estimate for the remaining points, scaled by how the finished points compared
 * with their estimate, so it corrects itself on a slower or busier machine.
 */
import cliProgress from 'cli-progress';
import { estimateSeconds, type BenchPoint } from '../shared/plan.js';
import type { RunProgress } from './runner.js';

export function formatSeconds(seconds: number): string {
  const whole = Math.max(0, Math.round(seconds));
  const minutes = Math.floor(whole / 60);
  return minutes > 0 ? `${minutes}m${String(whole % 60).padStart(2, '0')}s` : `${whole}s`;
}

export class BenchProgress {
  private readonly bar: cliProgress.SingleBar;
  /** The plan's share of one run, servers' start and stop included. */
  private readonly perRunS: number;
  private plannedRemainingS: number;
  private plannedDoneS = 0;
  private readonly startedAt = performance.now();
  private failures = 0;

  constructor(points: readonly BenchPoint[], repeat: number) {
    this.perRunS = estimateSeconds(points, 1) / Math.max(points.length, 1);
    this.plannedRemainingS = this.perRunS * points.length * repeat;
    this.bar = new cliProgress.SingleBar(
      {
        format: '{bar} {value}/{total} | {point} | {failures} | about {left} left',
        hideCursor: true,
        clearOnComplete: false,
        etaBuffer: 1,
      },
      cliProgress.Presets.shades_classic,
    );
    this.bar.start(points.length * repeat, 0, {
      point: 'starting',
      left: formatSeconds(this.plannedRemainingS),
      failures: 'no failures',
    });
  }

  onStart(progress: RunProgress): void {
    const repetition = progress.repetition > 1 ? ` (rep ${progress.repetition})` : '';
    this.bar.update(progress.index, { point: `${progress.point.id}${repetition}`, left: this.left() });
  }

  onDone(progress: RunProgress, failed: boolean): void {
    this.plannedRemainingS -= this.perRunS;
    this.plannedDoneS += this.perRunS;
    if (failed) this.failures++;
    this.bar.update(progress.index + 1, {
      left: this.left(),
      failures: this.failures === 0 ? 'no failures' : `${this.failures} failed`,
    });
  }

  stop(): void {
    this.bar.stop();
  }

  private left(): string {
    const actualDoneS = (performance.now() - this.startedAt) / 1000;
    const pace = this.plannedDoneS > 0 ? actualDoneS / this.plannedDoneS : 1;
    return formatSeconds(this.plannedRemainingS * pace);
  }
}
