/** The protocol module on its own: framing under every shape of read, and the answers. */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { Framer } from '../protocol/framer.js';
import { answerFor, APHORISMS, MAX_QUESTION_BYTES, QUESTION_END, UNKNOWN_APHORISM } from '../protocol/zen.js';

function frameAll(reads: Buffer[], max = MAX_QUESTION_BYTES): { frames: string[]; ok: boolean; pending: number } {
  const framer = new Framer(QUESTION_END, max);
  const frames: string[] = [];
  let ok = true;
  for (const read of reads) ok = ok && framer.push(read, (frame) => void frames.push(frame.toString('latin1')));
  return { frames, ok, pending: framer.pendingBytes };
}

describe('Framer', () => {
  const text = 'Beautiful is better than?Explicit is better than?Simple is';

  test('several questions in one read, and a read that ends mid-question', () => {
    const { frames, ok, pending } = frameAll([Buffer.from(text)]);
    assert.ok(ok);
    assert.deepEqual(frames, ['Beautiful is better than?', 'Explicit is better than?']);
    assert.equal(pending, 'Simple is'.length);
  });

  test('one byte per read gives the same frames', () => {
    const bytes = [...Buffer.from(text)].map((byte) => Buffer.from([byte]));
    assert.deepEqual(frameAll(bytes).frames, ['Beautiful is better than?', 'Explicit is better than?']);
  });

  test('every split of a stream into two reads gives the same frames', () => {
    const stream = Buffer.from('a?bb?ccc?');
    for (let cut = 0; cut <= stream.length; cut++) {
      const { frames } = frameAll([stream.subarray(0, cut), stream.subarray(cut)]);
      assert.deepEqual(frames, ['a?', 'bb?', 'ccc?'], `cut at ${cut}`);
    }
  });

  test('a frame may be exactly the limit long, not one byte more', () => {
    assert.deepEqual(frameAll([Buffer.from(`${'x'.repeat(9)}?`)], 10).frames.length, 1);
    assert.equal(frameAll([Buffer.from(`${'x'.repeat(10)}?`)], 10).ok, false);
    assert.equal(frameAll([Buffer.from('x'.repeat(5)), Buffer.from('x'.repeat(5))], 10).ok, false);
    assert.equal(frameAll([Buffer.from('x'.repeat(5)), Buffer.from('x'.repeat(4))], 10).ok, true);
  });

  test('a sink that says stop holds the rest until resume', () => {
    const framer = new Framer(QUESTION_END, 100);
    const frames: string[] = [];
    const takeOne = (frame: Buffer): boolean => {
      frames.push(frame.toString());
      return false;
    };
    framer.push(Buffer.from('a?b?c'), takeOne);
    assert.deepEqual(frames, ['a?']);
    assert.ok(framer.isHolding);
    framer.push(Buffer.from('?d?'), takeOne); // arrives while holding: kept, not framed
    assert.deepEqual(frames, ['a?']);
    framer.resume((frame) => void frames.push(frame.toString()));
    assert.deepEqual(frames, ['a?', 'b?', 'c?', 'd?']);
    assert.equal(framer.isHolding, false);
  });
});

describe('answerFor', () => {
  test('the three aphorisms', () => {
    for (const { question, answer } of APHORISMS) assert.equal(answerFor(question).toString(), answer.toString());
    assert.equal(answerFor(Buffer.from('Beautiful is better than?')).toString(), 'Ugly.');
  });

  test('anything else is an unknown aphorism', () => {
    for (const other of ['?', 'beautiful is better than?', 'Beautiful is better than ?', '\xff\xfe?']) {
      assert.equal(answerFor(Buffer.from(other, 'latin1')), UNKNOWN_APHORISM, other);
    }
  });

  test('leading whitespace, as from a person typing into nc, is skipped', () => {
    assert.equal(answerFor(Buffer.from('\r\n Simple is better than?')).toString(), 'Complex.');
  });
});
