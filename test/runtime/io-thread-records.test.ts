// The batches that cross between the main thread and the I/O thread (runtime/io-thread/records.ts).
import t from 'tap';
import { MessageChannel } from 'node:worker_threads';
import { forEachRecord, RecordWriter } from '../../runtime/io-thread/records.js';

function read(buffer: ArrayBuffer, length: number): [number, string][] {
  const got: [number, string][] = [];
  forEachRecord(buffer, length, (id, bytes) => got.push([id, bytes.toString('hex')]));
  return got;
}

t.test('records come out as they went in, in order, an empty one included', async (t) => {
  const w = new RecordWriter();
  t.ok(w.isEmpty);
  t.equal(w.take(), null, 'nothing to take from an empty writer');
  w.append(7, Buffer.from([1, 2, 3]));
  w.append(4_000_000_000, Buffer.alloc(0));
  w.append(7, Buffer.from([9]));
  const taken = w.take();
  if (!taken) throw new Error('expected a batch');
  t.same(read(taken.buffer, taken.length), [
    [7, '010203'],
    [4_000_000_000, ''],
    [7, '09'],
  ]);
  t.ok(w.isEmpty, 'the writer starts again after take()');
});

t.test('a batch grows past its first capacity and its buffer can be transferred', async (t) => {
  const w = new RecordWriter(16);
  const big = Buffer.alloc(1000, 0xab);
  for (let id = 1; id <= 50; id++) w.append(id, big.subarray(0, id * 10));
  const taken = w.take();
  if (!taken) throw new Error('expected a batch');
  const got = read(taken.buffer, taken.length);
  t.equal(got.length, 50);
  t.same(
    got.map(([id, hex]) => [id, hex.length / 2]),
    Array.from({ length: 50 }, (_, i) => [i + 1, (i + 1) * 10]),
  );
  const { port1, port2 } = new MessageChannel();
  const arrived = new Promise<ArrayBuffer>((resolve) => port2.once('message', resolve));
  port1.postMessage(taken.buffer, [taken.buffer]);
  const moved = await arrived;
  port1.close();
  port2.close();
  t.equal(taken.buffer.byteLength, 0, 'the sender no longer holds the bytes');
  t.equal(read(moved, taken.length).length, 50, 'the receiver reads them all');
});

t.test('a record that runs past the batch is an error, not a wrong read', async (t) => {
  const w = new RecordWriter();
  w.append(1, Buffer.from('abcdef'));
  const taken = w.take();
  if (!taken) throw new Error('expected a batch');
  t.throws(() => read(taken.buffer, taken.length - 1), /record for connection 1 runs past the batch/);
});
