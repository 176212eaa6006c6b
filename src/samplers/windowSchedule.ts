import { checkInteger } from './validate.ts';

export interface WindowScheduleOptions {
  /** Fast initial buffer (step size only); default 75. */
  readonly initialBuffer?: number;
  /** Fast final buffer (step size only, mass fixed); default 50. */
  readonly finalBuffer?: number;
  /** Length of the first slow window; each next one doubles; default 25. */
  readonly baseWindow?: number;
}

export interface WindowSchedule {
  readonly numWarmup: number;
  /** Buffers and base window actually used (scaled down for a short warm-up). */
  readonly initialBuffer: number;
  readonly baseWindow: number;
  readonly finalBuffer: number;
  /**
   * Slow windows as half-open warm-up iteration ranges [start, end), in order. The positions after
   * iterations start … end − 1 feed the variance estimate; the mass matrix is updated after
   * iteration end − 1. Empty when numWarmup < 20.
   */
  readonly windows: readonly { readonly start: number; readonly end: number }[];
}

/**
 * Stan's warm-up windows (`windowed_adaptation.hpp`): a fast initial buffer, slow windows of
 * 25, 50, 100, … iterations, a fast final buffer; the last slow window is stretched to the final
 * buffer whenever the window after it would not fit. For 1000 warm-up iterations the windows end
 * after iterations 99, 149, 249, 449 and 949 (75 | 25 50 100 200 500 | 50).
 *
 * A warm-up too short for initialBuffer + baseWindow + finalBuffer is split 15% / 75% / 10%
 * (⌊0.15 n⌋, the rest, ⌊0.1 n⌋) into one slow window, as Stan prints; below 20 iterations there are
 * no slow windows. (Stan's code forgets to `restart()` in the 15/75/10 branch, so its single
 * window never closes and the metric is never updated; we do what its message says.)
 *
 * @example
 *   windowSchedule(1000).windows;   // [{start: 75, end: 100}, {start: 100, end: 150}, …, {start: 450, end: 950}]
 */
export function windowSchedule(numWarmup: number, options: WindowScheduleOptions = {}): WindowSchedule {
  const fn = 'windowSchedule';
  checkInteger(fn, 'numWarmup', numWarmup, 0);
  let initialBuffer = options.initialBuffer ?? 75;
  let finalBuffer = options.finalBuffer ?? 50;
  let baseWindow = options.baseWindow ?? 25;
  checkInteger(fn, 'initialBuffer', initialBuffer, 0);
  checkInteger(fn, 'finalBuffer', finalBuffer, 0);
  checkInteger(fn, 'baseWindow', baseWindow, 1);
  if (numWarmup < 20) return { numWarmup, initialBuffer: numWarmup, baseWindow: 0, finalBuffer: 0, windows: [] };
  if (initialBuffer + baseWindow + finalBuffer > numWarmup) {
    // C++ converts 0.15 * n to unsigned by truncation; Math.floor matches for n ≥ 0.
    initialBuffer = Math.floor(0.15 * numWarmup);
    finalBuffer = Math.floor(0.1 * numWarmup);
    baseWindow = numWarmup - (initialBuffer + finalBuffer);
  }

  // Stan's state machine, run once: `next` is the iteration that closes the current window.
  const lastSlow = numWarmup - finalBuffer - 1;
  const windows: { start: number; end: number }[] = [];
  let size = baseWindow;
  let next = initialBuffer + size - 1;
  let start = initialBuffer;
  for (let counter = 0; counter < numWarmup; counter++) {
    if (counter !== next) continue;
    windows.push({ start, end: counter + 1 });
    start = counter + 1;
    if (next === lastSlow) break;
    size *= 2;
    next = counter + size;
    if (next !== lastSlow && next + 2 * size >= numWarmup - finalBuffer) next = lastSlow;
  }
  return { numWarmup, initialBuffer, baseWindow, finalBuffer, windows };
}
