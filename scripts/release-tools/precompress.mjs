// Writes <file>.br and <file>.gz beside each WebAssembly, JavaScript and
// CSS file of the folder it is given (the site's pkg folder, after a
// release build): the server sends these to browsers that accept them,
// compressed once here rather than on every download
// (src/server/compressed.rs).
//   node precompress.mjs <folder> [--gzip-goal <file>=<bytes>]...
// With a goal, it also says whether the file's gzip copy is within it and
// exits 1 when one is not (scripts/bench.sh checks the bundle this way).
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { brotliCompressSync, constants, gzipSync } from 'node:zlib';

const { values, positionals } = parseArgs({
  allowPositionals: true,
  options: { 'gzip-goal': { type: 'string', multiple: true, default: [] } },
});
const folder = positionals[0];
const goals = new Map();
for (const goal of values['gzip-goal']) {
  const [name, bytes] = goal.split('=');
  if (!name || !/^\d+$/.test(bytes ?? '')) {
    console.error(`not a goal: ${goal} (want <file>=<bytes>)`);
    process.exit(2);
  }
  goals.set(name, Number(bytes));
}
if (positionals.length !== 1) {
  console.error('usage: node precompress.mjs <folder> [--gzip-goal <file>=<bytes>]...');
  process.exit(2);
}
const sizes = new Map();
for (const name of readdirSync(folder)) {
  if (!/\.(wasm|js|css)$/.test(name)) continue;
  const path = join(folder, name);
  const bytes = readFileSync(path);
  const br = brotliCompressSync(bytes, {
    params: {
      [constants.BROTLI_PARAM_QUALITY]: constants.BROTLI_MAX_QUALITY,
      [constants.BROTLI_PARAM_SIZE_HINT]: bytes.length,
    },
  });
  const gz = gzipSync(bytes, { level: 9 });
  writeFileSync(`${path}.br`, br);
  writeFileSync(`${path}.gz`, gz);
  sizes.set(name, gz.length);
  console.log(`${name}: ${bytes.length} bytes, brotli ${br.length}, gzip ${gz.length}`);
}
let missed = 0;
for (const [name, goal] of goals) {
  const size = sizes.get(name);
  if (size === undefined) {
    console.log(`${name}: not in ${folder}; goal missed`);
    missed += 1;
    continue;
  }
  const met = size <= goal;
  console.log(`${name}: gzip ${size} of a goal of ${goal} bytes (${(size / goal).toFixed(2)}): goal ${met ? 'met' : 'missed'}`);
  if (!met) missed += 1;
}
process.exit(missed === 0 ? 0 : 1);
