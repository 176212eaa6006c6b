import { vi } from 'vitest';
import { main } from '../../src/cli/main.ts';

/** Runs the CLI in this process with stdout and stderr captured: its exit code and both streams. */
export async function runMain(args: string[]): Promise<{ code: number; stderr: string; stdout: string }> {
  let stderr = '', stdout = '';
  const e = vi.spyOn(process.stderr, 'write').mockImplementation((s) => ((stderr += String(s)), true));
  const o = vi.spyOn(process.stdout, 'write').mockImplementation((s) => ((stdout += String(s)), true));
  try {
    return { code: await main(args), stderr, stdout };
  } finally {
    e.mockRestore();
    o.mockRestore();
  }
}
