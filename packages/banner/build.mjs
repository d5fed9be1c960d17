// Builds dist/banner.js (IIFE), dist/banner.esm.js, dist/tcf.js and dist/manifest.json; fails over the size budget.
import { createHash } from 'node:crypto';
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';
import { build, transform } from 'esbuild';

const here = dirname(fileURLToPath(import.meta.url));
const dist = join(here, 'dist');
const { version } = JSON.parse(readFileSync(join(here, 'package.json'), 'utf8'));
/** JS + CSS, gzipped, of what every visitor downloads. */
const BUDGET = 6 * 1024;

rmSync(dist, { recursive: true, force: true });
mkdirSync(dist);
const css = (
  await transform(readFileSync(join(here, 'src/banner.css'), 'utf8'), { loader: 'css', minify: true })
).code.trim();
const common = {
  bundle: true,
  minify: true,
  target: 'es2020',
  define: { __LAWFUL_CSS__: JSON.stringify(css) },
  legalComments: 'none',
  logLevel: 'warning',
};
await build({ ...common, entryPoints: [join(here, 'src/auto.ts')], format: 'iife', outfile: join(dist, 'banner.js') });
await build({
  ...common,
  entryPoints: [join(here, 'src/index.ts')],
  format: 'esm',
  outfile: join(dist, 'banner.esm.js'),
});
await build({ ...common, entryPoints: [join(here, 'src/tcf.ts')], format: 'esm', outfile: join(dist, 'tcf.js') });

const files = {};
const rows = [];
for (const name of ['banner.js', 'banner.esm.js', 'tcf.js']) {
  const bytes = readFileSync(join(dist, name));
  const gz = gzipSync(bytes, { level: 9 }).length;
  files[name] = {
    bytes: bytes.length,
    gzip: gz,
    integrity: `sha384-${createHash('sha384').update(bytes).digest('base64')}`,
  };
  rows.push(`${name.padEnd(14)} ${String(bytes.length).padStart(7)} B raw ${String(gz).padStart(6)} B gzip`);
}
writeFileSync(join(dist, 'manifest.json'), `${JSON.stringify({ name: '@lawful/banner', version, files }, null, 2)}\n`);
console.log(rows.join('\n'));
// The CSS is inside banner.js, so its gzip size is the JS+CSS total a visitor pays.
const total = files['banner.js'].gzip;
console.log(`banner JS+CSS gzip: ${total} B (budget ${BUDGET} B, CSS alone ${css.length} B raw)`);
if (total > BUDGET) {
  console.error(`FAIL: banner is ${total - BUDGET} B over its ${BUDGET} B gzip budget`);
  process.exit(1);
}
