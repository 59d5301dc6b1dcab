/**
 * Splits a TCP byte stream into frames that end with one delimiter byte, whatever the reads
 * look like: one byte at a time, many frames at once, or a read that stops mid-frame.
 * The servers frame questions ('?') and the load generator frames answers ('.') with it.
 */

/** Takes one frame; returning false asks the framer to hold the rest until resume(). */
export type FrameSink = (frame: Buffer) => boolean | void;

export class Framer {
  /** An unfinished frame waiting for the rest of its bytes. */
  private partial: Buffer | null = null;
  /** Bytes not yet framed because the sink asked to stop. */
  private held: Buffer | null = null;

  /** @param maxFrameBytes the longest frame allowed, its delimiter included. */
  constructor(
    private readonly delimiter: number,
    private readonly maxFrameBytes: number,
  ) {}

  /** Bytes of an unfinished frame kept for the next read. */
  get pendingBytes(): number {
    return this.partial === null ? 0 : this.partial.length;
  }

  /** True while the sink has asked to stop and bytes wait for resume(). */
  get isHolding(): boolean {
    return this.held !== null;
  }

  /**
   * Hands every complete frame in `chunk` to `onFrame`, in order, until the sink returns false.
   * Frames that lie wholly in the chunk are views into it, not copies.
   * @returns false when a frame grew past the limit: the stream cannot be trusted any more.
   */
  push(chunk: Buffer, onFrame: FrameSink): boolean {
    if (this.held !== null) {
      this.held = Buffer.concat([this.held, chunk]);
      return true;
    }
    return this.consume(chunk, onFrame);
  }

  /** Goes on with the bytes held back when the sink asked to stop. */
  resume(onFrame: FrameSink): boolean {
    const held = this.held;
    if (held === null) return true;
    this.held = null;
    return this.consume(held, onFrame);
  }

  /** Forgets any unfinished or held bytes. */
  reset(): void {
    this.partial = null;
    this.held = null;
  }

  private consume(chunk: Buffer, onFrame: FrameSink): boolean {
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
      start = end + 1;
      if (onFrame(frame) === false) return this.hold(chunk, start);
    }
    while (start < chunk.length) {
      const end = chunk.indexOf(this.delimiter, start);
      if (end === -1) break;
      if (end + 1 - start > this.maxFrameBytes) return this.overflow();
      const frame = chunk.subarray(start, end + 1);
      start = end + 1;
      if (onFrame(frame) === false) return this.hold(chunk, start);
    }
    if (start < chunk.length) {
      if (chunk.length - start >= this.maxFrameBytes) return this.overflow();
      // A copy, so that a small leftover does not pin the whole read buffer.
      this.partial = Buffer.from(chunk.subarray(start));
    }
    return true;
  }

  private hold(chunk: Buffer, from: number): true {
    if (from < chunk.length) this.held = chunk.subarray(from);
    return true;
  }

  private overflow(): false {
    this.partial = null;
    this.held = null;
    return false;
  }
}
