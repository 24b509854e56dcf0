// A recording TCP proxy for tests (127.0.0.1 only): everything each side sends is forwarded to the
// other and kept, so a test can check what an eavesdropper on the wire would have seen.

import { connect, createServer, type Server, type Socket } from 'node:net';

export interface RecordingProxy {
  port: number;
  /** Bytes from the connecting side (client → target), all connections in order. */
  fromClient(): Buffer;
  /** Bytes from the target (target → client). */
  fromTarget(): Buffer;
  close(): Promise<void>;
}

/** `from`: the address the proxy connects to the target from (each peer its own, for per-address logs). */
export async function recordingProxy(targetPort: number, from?: string): Promise<RecordingProxy> {
  const up: Buffer[] = [];
  const down: Buffer[] = [];
  const sockets = new Set<Socket>();
  const server: Server = createServer((client) => {
    const target = connect({ host: '127.0.0.1', port: targetPort, ...(from ? { localAddress: from } : {}) });
    for (const s of [client, target]) {
      sockets.add(s);
      s.on('error', () => {});
      s.on('close', () => sockets.delete(s));
    }
    client.on('data', (d: Buffer) => {
      up.push(d);
      target.write(d);
    });
    target.on('data', (d: Buffer) => {
      down.push(d);
      client.write(d);
    });
    client.on('close', () => target.destroy());
    target.on('close', () => client.destroy());
  });
  await new Promise<void>((res) => server.listen(0, '127.0.0.1', res));
  return {
    port: (server.address() as { port: number }).port,
    fromClient: () => Buffer.concat(up),
    fromTarget: () => Buffer.concat(down),
    close: () =>
      new Promise((res) => {
        for (const s of sockets) s.destroy();
        server.close(() => res());
      }),
  };
}

/** TLS records in a byte stream: content type and length of each (a partial last one is left out). */
export function tlsRecords(bytes: Buffer): { type: number; length: number; body: Buffer }[] {
  const out: { type: number; length: number; body: Buffer }[] = [];
  let i = 0;
  while (i + 5 <= bytes.length) {
    const type = bytes[i] as number;
    const length = bytes.readUInt16BE(i + 3);
    if (i + 5 + length > bytes.length) break;
    out.push({ type, length, body: bytes.subarray(i + 5, i + 5 + length) });
    i += 5 + length;
  }
  return out;
}
