const SIGNAL_EXIT: Partial<Record<NodeJS.Signals, number>> = { SIGINT: 130, SIGTERM: 143 };

/** The signals a sweep stops on, as two abort signals: the first Ctrl-C interrupts, a second gives up flushing. */
export interface TrappedSignals {
  /** Aborted by the first SIGINT/SIGTERM. */
  readonly signal: AbortSignal;
  /** Aborted by the second. */
  readonly giveUp: AbortSignal;
  /** The first signal caught, if any. */
  caught(): NodeJS.Signals | undefined;
  /** 128 + the first signal's number (130 for SIGINT). */
  exitCode(): number;
  /** Removes the handlers. */
  dispose(): void;
}

/**
 * Catches SIGINT and SIGTERM for the lifetime of a sweep (instead of Node's default of dying at
 * once), so the sweep can interrupt its points, wait for them to flush and record them.
 */
export function trapSignals(signals: readonly NodeJS.Signals[] = ['SIGINT', 'SIGTERM']): TrappedSignals {
  const first = new AbortController();
  const second = new AbortController();
  let caught: NodeJS.Signals | undefined;
  const handler = (sig: NodeJS.Signals) => {
    if (caught == null) {
      caught = sig;
      first.abort(sig);
    } else second.abort(sig);
  };
  for (const s of signals) process.on(s, handler);
  return {
    signal: first.signal,
    giveUp: second.signal,
    caught: () => caught,
    exitCode: () => (caught ? (SIGNAL_EXIT[caught] ?? 130) : 0),
    dispose: () => {
      for (const s of signals) process.off(s, handler);
    },
  };
}
