// The byte batches that cross between the main thread and the I/O thread: one ArrayBuffer per
// event-loop turn holding every socket's bytes as records of [connection id u32][length u32][bytes],
// moved (transferred) with one postMessage instead of one message per socket.

/** A record's header: connection id and length, both little-endian u32. */
const HEADER = 8;
const FIRST_CAPACITY = 64 * 1024;

export class RecordWriter {
  private buf: Buffer;
  private used = 0;

  constructor(private readonly firstCapacity = FIRST_CAPACITY) {
    this.buf = freshBuffer(firstCapacity);
  }

  get isEmpty(): boolean {
    return this.used === 0;
  }

  append(id: number, bytes: Uint8Array): void {
    const need = this.used + HEADER + bytes.length;
    if (need > this.buf.length) this.grow(need);
    this.buf.writeUInt32LE(id, this.used);
    this.buf.writeUInt32LE(bytes.length, this.used + 4);
    this.buf.set(bytes, this.used + HEADER);
    this.used = need;
  }

  /**
   * The records so far, as an ArrayBuffer of their own (to be transferred) and how many bytes of it
   * are used; the writer starts again on a new buffer.
   */
  take(): { buffer: ArrayBuffer; length: number } | null {
    if (this.used === 0) return null;
    const out = { buffer: this.buf.buffer as ArrayBuffer, length: this.used };
    this.buf = freshBuffer(this.firstCapacity);
    this.used = 0;
    return out;
  }

  private grow(need: number): void {
    let size = this.buf.length * 2;
    while (size < need) size *= 2;
    const bigger = freshBuffer(size);
    this.buf.copy(bigger, 0, 0, this.used);
    this.buf = bigger;
  }
}

/** An unpooled buffer: a pooled one shares its ArrayBuffer with others and cannot be transferred. */
function freshBuffer(size: number): Buffer {
  return Buffer.from(new ArrayBuffer(size));
}

/** Calls `each` with every record's id and bytes (a view into `buffer`, not a copy). */
export function forEachRecord(buffer: ArrayBuffer, length: number, each: (id: number, bytes: Buffer) => void): void {
  const all = Buffer.from(buffer, 0, length);
  let at = 0;
  while (at + HEADER <= length) {
    const id = all.readUInt32LE(at);
    const len = all.readUInt32LE(at + 4);
    const end = at + HEADER + len;
    if (end > length) throw new Error(`I/O batch record for connection ${id} runs past the batch (${end} > ${length})`);
    each(id, all.subarray(at + HEADER, end));
    at = end;
  }
}
