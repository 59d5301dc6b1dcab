/**
 * Splits a TCP byte stream into frames that end with one delimiter byte, whatever the reads
 * look like: one byte at a time, many frames at once, or a read that stops mid-frame.
 * The servers frame questions ('?') and the load generator frames answers ('.') with it.
 */

export type FrameSink = (frame: Buffer) => void;

export class Framer {
  private partial: Buffer | null = null;

  /** @param maxFrameBytes the longest frame allowed, its delimiter included. */
  constructor(
    private readonly delimiter: number,
    private readonly maxFrameBytes: number,
  ) {}

  /** Bytes of an unfinished frame held back for the next read. */
  get pendingBytes(): number {
    return this.partial === null ? 0 : this.partial.length;
  }

  /**
   * Hands every complete frame in `chunk` to `onFrame`, in order. Frames that lie wholly in
   * the chunk are views into it, not copies.
   * @returns false when a frame grew past the limit; the rest of the chunk is dropped and
   * the stream cannot be trusted any more.
   */
  push(chunk: Buffer, onFrame: FrameSink): boolean {
    let start = 0;
    if (this.partial !== null) {
      const end = chunk.indexOf(this.delimiter);
      if (end === -1) {
        const total = this.partial.length + chunk.length;
        if (total >= this.maxFrameBytes) return this.overflow();
        this.partial = Buffer.concat([this.partial, chunk], total);
        return true;
      }
      const frameLength = this.partial.length + end + 1;
      if (frameLength > this.maxFrameBytes) return this.overflow();
      const frame = Buffer.concat([this.partial, chunk.subarray(0, end + 1)], frameLength);
      this.partial = null;
      onFrame(frame);
      start = end + 1;
    }
    while (start < chunk.length) {
      const end = chunk.indexOf(this.delimiter, start);
      if (end === -1) break;
      if (end + 1 - start > this.maxFrameBytes) return this.overflow();
      onFrame(chunk.subarray(start, end + 1));
      start = end + 1;
    }
    if (start < chunk.length) {
      if (chunk.length - start >= this.maxFrameBytes) return this.overflow();
      // A copy, so that a small leftover does not pin the whole read buffer.
      this.partial = Buffer.from(chunk.subarray(start));
    }
    return true;
  }

  /** Forgets any unfinished frame (for a connection that starts over). */
  reset(): void {
    this.partial = null;
  }

  private overflow(): false {
    this.partial = null;
    return false;
  }
}
