import type { Observable, Subscription } from 'rxjs';
import type { MetricRecord } from '../metrics/records.ts';
import type { FinalStatus, Run } from './openRun.ts';
import { persist } from './persist.ts';

/** How a supervised run ended. */
export interface RunOutcome {
  status: FinalStatus;
  /** Why it did not complete: the error's message, or the signal's name. */
  reason?: string;
  /** The process exit code a command should end with: 0 completed, 1 failed, 128 + signal number when interrupted (130 for SIGINT). */
  exitCode: number;
  /** The run directory. */
  dir: string;
}

export interface SuperviseRunOptions {
  /** Signals that interrupt the run. Default SIGINT and SIGTERM. */
  signals?: readonly NodeJS.Signals[];
}

const SIGNAL_EXIT: Partial<Record<NodeJS.Signals, number>> = { SIGINT: 130, SIGTERM: 143, SIGHUP: 129 };

/**
 * Runs a pipeline's record stream into `run` to the end and closes the run with the status it
 * ended in — the one place every command gets "nothing lost" from:
 *
 * - completes → flush, `completed`, exit code 0;
 * - errors (a NaN guard, a failed write, a bug) → flush what was buffered, `failed` with the error's
 *   one-line message as reason, exit code 1;
 * - SIGINT/SIGTERM (Ctrl-C) → unsubscribe the pipeline, flush, `interrupted`, exit code 130/143.
 *   A second signal while that final flush runs exits at once (segments already renamed stay valid).
 *
 * Resolves, never rejects: a command turns the outcome into its exit code. Signal handlers live
 * only while the run does.
 *
 * @example
 *   const outcome = await superviseRun(run, records$);
 *   if (outcome.status !== 'completed') throw new UserFacingError(outcome.reason!, outcome.exitCode);
 */
export function superviseRun(run: Run, records$: Observable<MetricRecord>, options: SuperviseRunOptions = {}): Promise<RunOutcome> {
  const signals = options.signals ?? ['SIGINT', 'SIGTERM'];
  return new Promise<RunOutcome>((resolvePromise) => {
    let subscription: Subscription | undefined;
    let ending = false;

    const end = async (status: FinalStatus, reason: string | undefined, exitCode: number): Promise<void> => {
      if (ending) return;
      ending = true;
      subscription?.unsubscribe();
      try {
        await run.close(status, reason);
      } catch (err) {
        // The close could not write everything: whatever was renamed before is still valid.
        if (status !== 'interrupted') {
          status = 'failed';
          exitCode = 1;
        }
        reason = reason ?? messageOf(err);
      }
      for (const [signal, handler] of handlers) process.off(signal, handler);
      resolvePromise({ status, reason, exitCode, dir: run.dir });
    };

    const handlers = signals.map((signal) => {
      const handler = (): void => {
        if (ending) process.exit(SIGNAL_EXIT[signal] ?? 130); // second Ctrl-C: give up on the final flush
        void end('interrupted', signal, SIGNAL_EXIT[signal] ?? 130);
      };
      process.on(signal, handler);
      return [signal, handler] as const;
    });

    subscription = records$.pipe(persist(run)).subscribe({
      error: (err) => void end('failed', messageOf(err), 1),
      complete: () => void end('completed', undefined, 0),
    });
  });
}

function messageOf(err: unknown): string {
  return (err instanceof Error ? err.message : String(err)).split('\n')[0];
}
