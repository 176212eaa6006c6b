import { fork } from 'node:child_process';
import { availableParallelism } from 'node:os';
import { fileURLToPath } from 'node:url';
import { CORES_ENV } from '../simulators/cores.ts';
import { findRunDir, lastScalars } from './lastScalars.ts';
import type { PointHost } from './pointHost.ts';
import type { PointJob, PointProgress, PointResult, PointStatus } from './pointJob.ts';

const ENTRY = fileURLToPath(new URL('./pointProcess.ts', import.meta.url));

/**
 * The child's Node flags: this process's own when they load TypeScript (tsx, as `npm start` and
 * `qubit-rx` run), else tsx's loader (a test runner's worker has other flags).
 */
export function tsExecArgv(): string[] {
  return process.execArgv.some((a) => a.includes('tsx')) ? process.execArgv : ['--import', 'tsx'];
}

/**
 * A point's Node flags (tsExecArgv), plus V8's `--single-threaded` when the point has fewer cores
 * than the machine (`cores` < availableParallelism(): other points run beside it). A training run
 * uses more than its one core — V8 compiles and collects garbage on helper threads (a lone
 * `train --qubits 200 --steps 2000` with QUBIT_RX_CORES=1: 36.6 s wall, 43.0 s CPU) — and beside a
 * second run those helpers preempt the other's main thread. Measured on the 2 cores (2026-12-01,
 * the 4-point sweep of `sweep --epsilon 0.1,0.2 --qubits 50,200 --steps 2000 --workers 2`,
 * interleaved): 68.9 and 66.5 s with `--single-threaded`, 72.4 and 72.4 s with
 * `--single-threaded-gc` only; two such runs side by side took 49.7/50.1 s with V8's defaults and
 * 44.6/45.0 s with `--single-threaded`.
 */
export function pointExecArgv(cores?: number): string[] {
  const argv = tsExecArgv();
  const shared = cores != null && cores < availableParallelism();
  return shared && !argv.includes(SINGLE_THREADED) ? [...argv, SINGLE_THREADED] : argv;
}

const SINGLE_THREADED = '--single-threaded';

export interface RunPointOptions {
  /** Aborting sends the point SIGINT: it flushes, marks its run `interrupted` and exits 130. */
  signal?: AbortSignal;
  /** Called about every `progressMs` with the point's newest flushed scalars. */
  onProgress?: (progress: PointProgress) => void;
  /** Polling interval of the progress, ms (default 1000). */
  progressMs?: number;
  /**
   * Cores this point may use (integer ≥ 1), passed as QUBIT_RX_CORES: with several points on one
   * machine each gets its share, so none starts a sampling thread on a core another point is using.
   * Default: the child's own count (all cores).
   */
  cores?: number;
  /** Run in this long-lived host (a pool's worker slot) instead of a fresh process per point. */
  host?: PointHost;
  /** Extra arguments after the point's own (e.g. `--backend wasm`, `--flush-interval 1`). */
  extraArgs?: readonly string[];
  /** Aborting (after `signal`) sends a second SIGINT: the point gives up its final flush and exits at once. */
  giveUp?: AbortSignal;
  /**
   * Run the point in its own process group (default false), so a terminal's Ctrl-C reaches only
   * this process, which interrupts the point through `signal` — exactly one SIGINT per point.
   */
  detached?: boolean;
}

/**
 * Runs one sweep point as its own Node process — the CLI command with the point's arguments, its
 * own `--out` and `--quiet` — so points run in parallel on separate cores and a crash takes only
 * its point down. The child runs under the same loader as this process (tsx), is tied to it by an
 * IPC channel (it interrupts itself if this process dies), and its result is read from what it
 * wrote: the run directory under `job.out` and its last flushed scalars.
 *
 * Never rejects for a failing point: the result says `failed` with the command's last stderr line.
 * @example
 *   const r = await runPointProcess({ sweepId, index: 0, command: 'train', args: ['--epsilon', '0.1'], out: 'output/s/runs/p0000-a1' });
 */
export function runPointProcess(job: PointJob, options: RunPointOptions = {}): Promise<PointResult> {
  const started = Date.now();
  const argv = [job.command, ...job.args, ...(options.extraArgs ?? []), '--out', job.out, '--quiet'];
  return new Promise((resolve) => {
    let stderr = '';
    let abort: () => void;
    const host = options.host;
    if (host) {
      abort = () => host.interrupt();
      void host.run(argv).then((run) => {
        stderr = run.stderr;
        finish(run.code, run.signal);
      });
    } else {
      const env = options.cores != null ? { ...process.env, [CORES_ENV]: String(options.cores) } : process.env;
      const child = fork(ENTRY, argv, { stdio: ['ignore', 'ignore', 'pipe', 'ipc'], execArgv: pointExecArgv(options.cores), detached: options.detached ?? false, env });
      child.stderr?.on('data', (chunk: Buffer) => {
        stderr = (stderr + chunk.toString('utf8')).slice(-4000);
      });
      abort = () => child.kill('SIGINT');
      child.on('exit', (code, signal) => finish(code, signal));
      child.on('error', (err) => {
        stderr += `\nerror: ${err.message}`;
      });
    }
    options.signal?.addEventListener('abort', abort, { once: true });
    if (options.signal?.aborted) abort();
    options.giveUp?.addEventListener('abort', abort, { once: true });
    let runDir: string | null = null;
    const poll = options.onProgress
      ? setInterval(() => {
          runDir ??= findRunDir(job.out);
          const last = runDir ? lastScalars(runDir) : null;
          if (last) options.onProgress!({ index: job.index, step: last.step, values: last.values });
        }, options.progressMs ?? 1000)
      : null;
    const finish = (code: number | null, signal: NodeJS.Signals | null) => {
      if (poll) clearInterval(poll);
      options.signal?.removeEventListener('abort', abort);
      options.giveUp?.removeEventListener('abort', abort);
      const exitCode = code ?? (signal === 'SIGKILL' ? 137 : 130);
      const status: PointStatus = exitCode === 0 ? 'completed' : exitCode >= 128 ? 'interrupted' : 'failed';
      runDir ??= findRunDir(job.out);
      const lines = stderr.trim().split('\n').filter((l) => l.trim() !== '');
      // The command's one-line error, else a crash's `SomeError: …` line, else its last line.
      const said = [...lines].reverse().find((l) => l.startsWith('error: ')) ?? lines.find((l) => /^\w*Error\b/.test(l)) ?? lines.at(-1);
      const reason = status === 'completed' ? null : (said?.replace(/^error: /, '') ?? (signal ? `killed by ${signal}` : `exit code ${exitCode}`));
      resolve({ index: job.index, status, reason, exitCode, runDir, last: runDir ? lastScalars(runDir) : null, seconds: (Date.now() - started) / 1000 });
    };
  });
}
