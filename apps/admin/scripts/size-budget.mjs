// Fails the build when the console's JavaScript passes 250 KB gzipped (issue 9): a budget kept is a budget checked.
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';

const BUDGET = 250 * 1024;
const dir = new URL('../dist/assets/', import.meta.url).pathname;
const files = readdirSync(dir).filter((f) => f.endsWith('.js') || f.endsWith('.css'));
let js = 0;
for (const f of files) {
  const raw = readFileSync(join(dir, f));
  const gz = gzipSync(raw, { level: 9 }).length;
  if (f.endsWith('.js')) js += gz;
  process.stdout.write(
    `${f.padEnd(40)} ${(raw.length / 1024).toFixed(1).padStart(7)} KB  gzip ${(gz / 1024).toFixed(1).padStart(6)} KB\n`,
  );
}
process.stdout.write(`JavaScript, gzipped: ${(js / 1024).toFixed(1)} KB of ${BUDGET / 1024} KB\n`);
if (js > BUDGET) {
  process.stderr.write('the admin console is over its JavaScript budget\n');
  process.exit(1);
}
