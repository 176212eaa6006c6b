import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

export const REPO = fileURLToPath(new URL('../..', import.meta.url));

export interface Spawned {
  child: ChildProcess;
  stdout: () => string;
  stderr: () => string;
  /** exit code, or 128 + signal number when killed by a signal */
  exited: Promise<number>;
}

/** Runs a TypeScript entry point of this repo in a child node process (tsx loader), capturing its output. */
export function spawnTs(script: string, args: string[]): Spawned {
  const child = spawn(process.execPath, ['--import', 'tsx', script, ...args], { cwd: REPO, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  let err = '';
  child.stdout!.on('data', (d) => (out += d));
  child.stderr!.on('data', (d) => (err += d));
  const exited = new Promise<number>((resolve) => {
    child.on('exit', (code, signal) => resolve(code ?? 128 + (signal === 'SIGKILL' ? 9 : signal === 'SIGINT' ? 2 : 15)));
  });
  return { child, stdout: () => out, stderr: () => err, exited };
}

/** Polls until `dirOf()` names a directory holding at least `n` files starting with `prefix`. */
export async function waitForSegments(dirOf: () => string | undefined, prefix: string, n: number, timeoutMs = 60_000): Promise<string> {
  const start = Date.now();
  for (;;) {
    const dir = dirOf();
    if (dir && existsSync(dir) && readdirSync(dir).filter((f) => f.startsWith(prefix) && f.endsWith('.parquet')).length >= n) return dir;
    if (Date.now() - start > timeoutMs) throw new Error(`waitForSegments: fewer than ${n} ${prefix}* files in ${dir} after ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 25));
  }
}
