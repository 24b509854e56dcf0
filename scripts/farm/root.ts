// The project's root directory, from wherever this module runs (compiled in dist/scripts/farm, or
// as TypeScript source under the test runner).

import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

export function projectRoot(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  while (!existsSync(join(dir, 'package.json'))) {
    const up = dirname(dir);
    if (up === dir) throw new Error('cannot find the project root (no package.json above this script)');
    dir = up;
  }
  return dir;
}
