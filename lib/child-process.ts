/**
 * The processes a bench run has started and not yet stopped, so that Ctrl-C (or any early
 * exit) can take them down instead of leaving a server listening behind.
 */

export type Cleanup = () => Promise<void>;

export class ActiveProcesses {
  private readonly cleanups = new Set<Cleanup>();

  /** Registers how to stop one process; the returned function unregisters it. */
  add(cleanup: Cleanup): () => void {
    this.cleanups.add(cleanup);
    return () => {
      this.cleanups.delete(cleanup);
    };
  }

  get size(): number {
    return this.cleanups.size;
  }

  /** Runs every registered cleanup at once and waits for all of them; never rejects. */
  async stopAll(): Promise<void> {
    const pending = [...this.cleanups];
    this.cleanups.clear();
    await Promise.allSettled(pending.map((cleanup) => cleanup()));
  }
}

/** Wraps an async action so that it runs once, every later call sharing the first's promise. */
export function once<T>(action: () => Promise<T>): () => Promise<T> {
  let result: Promise<T> | null = null;
  return () => {
    result ??= action();
    return result;
  };
}
