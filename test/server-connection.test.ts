/**
 * The zen TCP connection (servers/shared/tcp-connection.ts) driven by hand through a fake socket,
 * for the orderings that a real socket produces only now and then: here the peer's end arrives
 * while the connection is holding back part of a read because its client is not reading.
 * Sync answers are how blocking, async and cluster answer; a promise is how pool does.
 */
import assert from 'node:assert/strict';
import type { Socket } from 'node:net';
import { Duplex } from 'node:stream';
import { describe, test } from 'node:test';
import { setImmediate as turn } from 'node:timers/promises';
import { answerFor } from '../protocol/zen.js';
import type { Answer } from '../servers/shared/service.js';
import { TcpService } from '../servers/shared/tcp-connection.js';

/** A socket whose writes complete only when the test says so: a client that is not reading. */
class SlowReaderSocket extends Duplex {
  readonly written: Buffer[] = [];
  ended = false;
  private readonly unfinished: Array<() => void> = [];

  constructor() {
    super({ allowHalfOpen: true, writableHighWaterMark: 64 });
  }

  override _read(): void {}

  override _write(chunk: Buffer, _encoding: BufferEncoding, done: () => void): void {
    this.written.push(chunk);
    this.unfinished.push(done);
  }

  override _final(done: () => void): void {
    this.ended = true;
    done();
  }

  /** The client reads what was written so far. */
  readAll(): boolean {
    const callbacks = this.unfinished.splice(0);
    for (const done of callbacks) done();
    return callbacks.length > 0;
  }

  setNoDelay(): this {
    return this;
  }
}

const syncAnswer: Answer = (question) => answerFor(question);
const promisedAnswer: Answer = (question) => Promise.resolve(answerFor(question));

for (const [style, answer] of [
  ['sync answers (blocking, async, cluster)', syncAnswer],
  ['promised answers (pool)', promisedAnswer],
] as const) {
  describe(`the shared connection with ${style}`, () => {
    test("the peer's end while part of a read is held back loses no answer", async () => {
      const questions = 600;
      const socket = new SlowReaderSocket();
      const service = new TcpService({ idleTimeoutS: 0, questionTimeoutS: 0, verbose: false }, answer);
      void service.serve(socket as unknown as Socket);
      socket.emit('data', Buffer.from('Simple is better than?'.repeat(questions)));
      await turn();
      // What a paused net.Socket does when the last chunk and the FIN were already buffered.
      socket.emit('end');
      for (let round = 0; round < 10_000 && !socket.ended; round++) {
        socket.readAll();
        await turn();
      }
      socket.readAll();
      const text = Buffer.concat(socket.written).toString('latin1');
      assert.equal(text.split('.').length - 1, questions);
      assert.equal(text, 'Complex.'.repeat(questions));
      assert.ok(socket.ended, 'the connection ended after its answers');
    });
  });
}
