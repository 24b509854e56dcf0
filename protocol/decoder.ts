// Streaming decoder (§2.2): reassembles frames from a TCP byte stream however it is chunked, with
// many frames per chunk or one frame across many chunks. A frame is at most 255 bytes, so the only
// state kept between chunks is one partial frame, copied into a 255-byte buffer that exists only
// while it waits (a connection spends nearly all its life between whole frames, and every user has
// a decoder): the decoder never holds on to a received chunk and never buffers more than 254 bytes.
//
// Errors are terminal: after the first one the decoder ignores all further input and emits nothing
// more. It never throws; errors reach `onError` exactly once.

import type { AnyCommand } from './commands.js';
import { decodeFrameInto } from './codec.js';
import { MAX_FRAME_BYTES, MIN_FRAME_BYTES } from './constants.js';
import { ErrorCode, protocolError } from './errors.js';

export interface DecoderEvents {
  onCommand(command: AnyCommand, inCoFrame: boolean): void;
  onError(err: unknown): void;
}

export class StreamDecoder {
  private partial: Buffer | null = null;
  private partialLen = 0;
  private dead = false;
  /** Commands of the frame being decoded; emitted only once the whole frame decoded cleanly. */
  private readonly batch: { command: AnyCommand; co: boolean }[] = [];
  private readonly collect = (command: AnyCommand, co: boolean) => {
    this.batch.push({ command, co });
  };
  framesDecoded = 0;

  constructor(private readonly events: DecoderEvents) {}

  get isDead(): boolean {
    return this.dead;
  }

  /** Bytes of an incomplete frame held between chunks (always < 255). */
  get bufferedBytes(): number {
    return this.partialLen;
  }

  push(chunk: Buffer): void {
    if (this.dead) return;
    try {
      let off = 0;
      if (this.partial !== null) {
        const partial = this.partial;
        const frameLen = partial[0] as number;
        const take = Math.min(frameLen - this.partialLen, chunk.length);
        chunk.copy(partial, this.partialLen, 0, take);
        this.partialLen += take;
        off = take;
        if (this.partialLen < frameLen) return;
        this.partialLen = 0;
        this.partial = null;
        this.frame(partial.subarray(0, frameLen));
      }
      while (off < chunk.length) {
        const frameLen = chunk[off] as number;
        if (frameLen < MIN_FRAME_BYTES) {
          throw protocolError(ErrorCode.FRAME_TOO_SHORT, `length byte ${frameLen} (minimum ${MIN_FRAME_BYTES})`);
        }
        if (off + frameLen > chunk.length) {
          this.partial = Buffer.allocUnsafe(MAX_FRAME_BYTES);
          chunk.copy(this.partial, 0, off);
          this.partialLen = chunk.length - off;
          return;
        }
        this.frame(chunk.subarray(off, off + frameLen));
        off += frameLen;
      }
    } catch (err) {
      this.fail(err);
    }
  }

  private frame(frame: Buffer): void {
    this.batch.length = 0;
    decodeFrameInto(frame, this.collect);
    this.framesDecoded++;
    for (const { command, co } of this.batch) {
      if (this.dead) return;
      this.events.onCommand(command, co);
    }
    this.batch.length = 0;
  }

  /** Stops the decoder from the outside (for example when its connection closes). */
  kill(): void {
    this.dead = true;
    this.partialLen = 0;
    this.partial = null;
  }

  private fail(err: unknown): void {
    if (this.dead) return;
    this.dead = true;
    this.partialLen = 0;
    this.partial = null;
    this.batch.length = 0;
    this.events.onError(err);
  }
}
