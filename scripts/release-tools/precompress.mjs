// Writes <file>.br and <file>.gz beside each WebAssembly, JavaScript and
// CSS file of the folder it is given (the site's pkg folder, after a
// release build): the server sends these to browsers that accept them,
// compressed once here rather than on every download
// (src/server/compressed.rs).
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { brotliCompressSync, constants, gzipSync } from 'node:zlib';

const folder = process.argv[2];
if (!folder) {
  console.error('usage: node precompress.mjs <folder>');
  process.exit(2);
}
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
  console.log(`${name}: ${bytes.length} bytes, brotli ${br.length}, gzip ${gz.length}`);
}
