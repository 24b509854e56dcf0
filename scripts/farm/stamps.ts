// Timestamps carried by what bots send, so that whoever receives it knows how old it is. All bots
// run on one machine and read the same clock, so a stamp taken in one worker process can be read
// in another.
//
// Chat and whispers carry a sequence number and the send time in their text. A position carries
// its send time in fields the server relays unchanged and that do not affect distances: the
// direction (0..359, as the client sends it, §5.2 LONGLOC) and the lowest 3 bits of x (under 8
// world units, 8 cm), together 2,880 steps of 10 ms: a 28.8 s window, far longer than any update
// should take.

export function nowMs(): number {
  return performance.timeOrigin + performance.now();
}

const SLOT_MS = 10;
const DIRS = 360;
const LOW = 8;
const SLOTS = DIRS * LOW;

function mod(a: number, n: number): number {
  return ((a % n) + n) % n;
}

/** The x and dir to send for a position at integer `x` sent at `atMs`. */
export function stampMove(x: number, atMs: number): { x: number; dir: number } {
  const slot = Math.floor(atMs / SLOT_MS) % SLOTS;
  return { x: x - mod(x, LOW) + Math.floor(slot / DIRS), dir: slot % DIRS };
}

/** Age in ms (±10) of a position stamped by stampMove, seen at `atMs`; null if it carries no stamp. */
export function moveAgeMs(x: number, dir: number, atMs: number): number | null {
  if (!Number.isInteger(dir) || dir < 0 || dir >= DIRS) return null;
  const sent = mod(x, LOW) * DIRS + dir;
  const now = Math.floor(atMs / SLOT_MS) % SLOTS;
  return mod(now - sent, SLOTS) * SLOT_MS;
}

export type ChatKind = 'say' | 'whisper';

const TAG: Record<ChatKind, string> = { say: 'farm', whisper: 'farm-w' };
const PATTERN = /^\[(farm|farm-w) (\d+) @(\d+(?:\.\d+)?)\]/;

/** A chat line a bot sends: `[farm 12 @1712345678901.3] …` (well under the 255-byte frame). */
export function chatText(kind: ChatKind, seq: number, atMs: number): string {
  return `[${TAG[kind]} ${seq} @${atMs.toFixed(1)}] ${kind === 'say' ? 'walking by' : 'psst'}`;
}

export function parseChat(text: string): { kind: ChatKind; seq: number; atMs: number } | null {
  const m = PATTERN.exec(text);
  if (!m) return null;
  return { kind: m[1] === 'farm' ? 'say' : 'whisper', seq: Number(m[2]), atMs: Number(m[3]) };
}
