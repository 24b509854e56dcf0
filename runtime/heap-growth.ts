// How much V8 lets its heap grow past what is alive (keyword HeapGrowth). After each full
// collection V8 sets the next collection's limit at the live size times a factor it picks from
// the allocation rate: a RoomServer under load allocates fast (every frame read and written) and
// V8 picks up to 4×, so that a server with 100 MB alive held 300 MB or more (BENCHMARKS.md). A
// fixed factor keeps the heap close to what lives in it for more frequent, mostly concurrent,
// marking. The flag is read whenever V8 computes a limit, so setting it at run time applies from
// the next collection (and a reload may change it).

import { setFlagsFromString } from 'node:v8';

/** 0 leaves V8 its own, adaptive factor (a running server keeps the last one set). */
export function setHeapGrowth(percent: number): void {
  if (percent > 0) setFlagsFromString(`--heap-growing-percent=${percent}`);
}
