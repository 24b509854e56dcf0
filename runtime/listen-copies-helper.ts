// The helper behind runtime/listen-copies.ts: it sends the listening socket it is given back to
// its parent as many times as asked (each arrives there as a descriptor of its own), then ends.
// It never listens on the socket itself, so it cannot take a connection meant for its parent.

interface CopyRequest {
  kind: 'copy';
  copies: number;
}

process.on('disconnect', () => process.exit(0));
process.once('message', (request: CopyRequest, handle: unknown) => {
  const send = process.send?.bind(process);
  if (!send || request.kind !== 'copy' || !handle) process.exit(1);
  for (let i = 0; i < request.copies; i++) send({ kind: 'copy' }, handle as never, { keepOpen: true });
  send({ kind: 'done' });
});
