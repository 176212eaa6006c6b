import { execFile } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** What a run records about the code that produced it. */
export interface Provenance {
  /** This toolkit's version (package.json). */
  packageVersion: string | null;
  /** Versions of the runtime and of the packages that shape the numbers, e.g. `{ node: "v20.20.2", "@tensorflow/tfjs-core": "4.22.0" }`. */
  versions: Record<string, string | null>;
  /** `git rev-parse HEAD` of the working directory, null outside a git checkout. */
  gitCommit: string | null;
}

const TRACKED = ['@tensorflow/tfjs-core', '@tensorflow/tfjs-backend-wasm', 'rxjs', 'apache-arrow', 'parquet-wasm'] as const;
const require = createRequire(import.meta.url);

export async function provenance(cwd = process.cwd()): Promise<Provenance> {
  const own = readPackageJson(join(dirname(fileURLToPath(import.meta.url)), '..', '..', 'package.json'));
  const versions: Record<string, string | null> = { node: process.version, 'qubit-rx': own?.version ?? null };
  for (const name of TRACKED) versions[name] = installedVersion(name);
  return { packageVersion: own?.version ?? null, versions, gitCommit: await gitHead(cwd) };
}

/** Version of an installed package, found by walking up from its resolved entry to its package.json. */
function installedVersion(name: string): string | null {
  let dir: string;
  try {
    dir = dirname(require.resolve(name));
  } catch {
    return null;
  }
  for (let i = 0; i < 8; i++) {
    const pkg = readPackageJson(join(dir, 'package.json'));
    if (pkg?.name === name) return pkg.version ?? null;
    const up = dirname(dir);
    if (up === dir) break;
    dir = up;
  }
  return null;
}

function readPackageJson(path: string): { name?: string; version?: string } | null {
  if (!existsSync(path)) return null;
  try {
    return JSON.parse(readFileSync(path, 'utf8'));
  } catch {
    return null;
  }
}

function gitHead(cwd: string): Promise<string | null> {
  return new Promise((resolve) => {
    execFile('git', ['rev-parse', 'HEAD'], { cwd, timeout: 2000 }, (err, stdout) => {
      const sha = String(stdout).trim();
      resolve(err || !/^[0-9a-f]{40}$/.test(sha) ? null : sha);
    });
  });
}
