// npm does not link a package's own `bin` entries into its own node_modules/.bin, yet operators
// and tests run `node_modules/.bin/RS_v11 <cfg>` straight after `npm ci`. This links them and
// marks the compiled entry points executable (tsc keeps the shebang but not the mode).
import { chmodSync, existsSync, mkdirSync, readFileSync, rmSync, symlinkSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'));
const binDir = join(root, 'node_modules', '.bin');
mkdirSync(binDir, { recursive: true });
for (const [name, target] of Object.entries(pkg.bin)) {
  const abs = join(root, target);
  if (!existsSync(abs)) {
    console.error(`link-bins: ${target} is missing; did the build fail?`);
    process.exit(1);
  }
  chmodSync(abs, 0o755);
  const link = join(binDir, name);
  rmSync(link, { force: true });
  symlinkSync(relative(binDir, abs), link);
}
