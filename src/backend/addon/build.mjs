// Builds the host-kernel addon (addon.c, sgemm.c) with node-gyp when the package is installed
// (package.json's "install"). Never fails the install: without a C compiler, or on a platform the
// build does not support, it says so in one line and the toolkit runs on its WebAssembly kernels.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
// npm tells its scripts where its bundled node-gyp is; run by hand, look beside npm.
const candidates = [
  process.env.npm_config_node_gyp,
  join(dirname(process.execPath), '..', 'lib', 'node_modules', 'npm', 'node_modules', 'node-gyp', 'bin', 'node-gyp.js'),
].filter((p) => p != null && existsSync(p));
if (process.env.QUBIT_RX_NATIVE === '0') {
  console.log('qubit-rx: QUBIT_RX_NATIVE=0, host kernels not built (the WebAssembly kernels are used)');
  process.exit(0);
}
if (candidates.length === 0) {
  console.log('qubit-rx: node-gyp not found, host kernels not built (the WebAssembly kernels are used)');
  process.exit(0);
}
// Node's own headers (installed beside it by Debian, nvm and the official tarballs), so that no
// download is attempted; npm passes its `nodedir` setting itself.
const prefix = join(dirname(process.execPath), '..');
const nodedir = process.env.npm_config_nodedir ?? (existsSync(join(prefix, 'include', 'node', 'node_api.h')) ? prefix : undefined);
const args = [candidates[0], 'rebuild', '--release', ...(nodedir ? [`--nodedir=${nodedir}`] : [])];
const res = spawnSync(process.execPath, args, { cwd: here, encoding: 'utf8' });
if (res.status !== 0) {
  const why = `${res.stderr ?? ''}\n${res.stdout ?? ''}`.split('\n').find((l) => /error/i.test(l)) ?? `exit ${res.status}`;
  console.log(`qubit-rx: host kernels not built (${why.trim()}); the WebAssembly kernels are used`);
  process.exit(0);
}
console.log('qubit-rx: host kernels built (src/backend/addon/build/Release/qubit_rx_host.node)');
