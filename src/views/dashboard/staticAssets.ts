import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';

/** A file the dashboard serves, held in memory. */
export interface StaticAsset {
  readonly body: Buffer;
  readonly type: string;
}

const require = createRequire(import.meta.url);
const own = (name: string) => fileURLToPath(new URL(`./assets/${name}`, import.meta.url));

/**
 * The allow-list: URL path → file. Nothing else on disk is ever served, and no file path is
 * built from a request. Files are read once, when the server starts.
 */
const FILES: ReadonlyArray<readonly [string, string, string]> = [
  ['/', own('index.html'), 'text/html; charset=utf-8'],
  ['/app.js', own('app.js'), 'text/javascript; charset=utf-8'],
  ['/style.css', own('style.css'), 'text/css; charset=utf-8'],
  ['/uPlot.iife.min.js', require.resolve('uplot/dist/uPlot.iife.min.js'), 'text/javascript; charset=utf-8'],
  ['/uPlot.min.css', require.resolve('uplot/dist/uPlot.min.css'), 'text/css; charset=utf-8'],
];

export function loadStaticAssets(): ReadonlyMap<string, StaticAsset> {
  return new Map(FILES.map(([url, file, type]) => [url, { body: readFileSync(file), type }]));
}
