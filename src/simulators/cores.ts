import { availableParallelism } from 'node:os';

/**
 * The environment variable that tells a process how many cores are its own: set by the sweep's
 * pool and the queue worker for each point when several run on one machine (cores / points at
 * once), as OMP_NUM_THREADS does for OpenMP programs.
 */
export const CORES_ENV = 'QUBIT_RX_CORES';

/**
 * Cores this process may use: QUBIT_RX_CORES when it holds an integer ≥ 1, else every core the
 * OS gives it. Decides whether `apparatusSource` draws in a worker thread beside the training step.
 */
export function coresAvailable(env: NodeJS.ProcessEnv = process.env, machine?: number): number {
  const raw = env[CORES_ENV];
  const n = raw == null ? NaN : Number(raw);
  // `machine`: availableParallelism() read once by a caller that asks per matrix product (a syscall each time).
  return Number.isSafeInteger(n) && n >= 1 ? n : machine ?? availableParallelism();
}

/** Each of `concurrent` processes' share of this machine's cores, at least 1. */
export function coresPerProcess(concurrent: number): number {
  return Math.max(1, Math.floor(coresAvailable() / Math.max(1, concurrent)));
}
