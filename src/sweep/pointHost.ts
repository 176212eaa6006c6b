import { fork, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { CORES_ENV } from '../simulators/cores.ts';

const ENTRY = fileURLToPath(new URL('./pointProcess.ts', import.meta.url));

/** How one invocation in a host ended. */
export interface HostedRun {
  /** The command's exit code, or null when the host process died (then `signal` may say why). */
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
  /** The host's stderr during this invocation (its last 4 000 characters). */
  readonly stderr: string;
}

export interface PointHostOptions {
  /** QUBIT_RX_CORES of the host (see runPointProcess's `cores`). */
  cores?: number;
  /** Own process group, so a terminal's Ctrl-C reaches only the parent (which forwards it once). */
  detached?: boolean;
  execArgv?: readonly string[];
}

/**
 * A long-lived child process that runs a sweep's points one after another (pointProcess.ts
 * `--host`), so each worker slot loads the toolkit once. One invocation at a time. A host whose
 * process died (a crash, SIGKILL, a second Ctrl-C) starts afresh on the next `run`.
 */
export class PointHost {
  private child: ChildProcess | null = null;
  private stderr = '';

  constructor(private readonly options: PointHostOptions = {}) {}

  /** Runs the CLI with `argv` in the host; resolves when it answers or dies. */
  run(argv: readonly string[]): Promise<HostedRun> {
    const child = this.child ?? this.start();
    this.stderr = '';
    return new Promise((resolve) => {
      const done = (run: HostedRun) => {
        child.off('message', onMessage);
        child.off('exit', onExit);
        resolve(run);
      };
      const onMessage = (m: { code?: number }) => {
        if (typeof m?.code === 'number') done({ code: m.code, signal: null, stderr: this.stderr });
      };
      const onExit = (code: number | null, signal: NodeJS.Signals | null) => done({ code, signal, stderr: this.stderr });
      child.on('message', onMessage);
      child.on('exit', onExit);
      child.send({ argv: [...argv] });
    });
  }

  /** Sends the running invocation SIGINT (the command's Ctrl-C). */
  interrupt(): void {
    this.child?.kill('SIGINT');
  }

  /** Lets the host go: it exits once its channel closes. */
  close(): void {
    const child = this.child;
    this.child = null;
    if (child?.connected) child.disconnect();
  }

  private start(): ChildProcess {
    const env = this.options.cores != null ? { ...process.env, [CORES_ENV]: String(this.options.cores) } : process.env;
    const child = fork(ENTRY, ['--host'], { stdio: ['ignore', 'ignore', 'pipe', 'ipc'], execArgv: [...(this.options.execArgv ?? process.execArgv)], detached: this.options.detached ?? false, env });
    child.stderr?.on('data', (chunk: Buffer) => {
      this.stderr = (this.stderr + chunk.toString('utf8')).slice(-4000);
    });
    child.on('exit', () => {
      if (this.child === child) this.child = null;
    });
    child.on('error', (err) => {
      this.stderr += `\nerror: ${err.message}`;
    });
    this.child = child;
    return child;
  }
}
