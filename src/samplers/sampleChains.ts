import { Observable } from 'rxjs';
import { Rng } from '../random/rng.ts';
import type { Kernel, KernelInfo, KernelState } from './kernel.ts';
import type { KernelFactory, KernelParams } from './kernelParams.ts';
import { checkInteger, checkInverseMass, checkPosition, checkPositive } from './validate.ts';
import { windowAdaptation, type WindowAdaptation, type WindowAdaptationOptions, type WindowAdaptationState } from './windowAdaptation.ts';

export interface SampleChainsOptions<S extends KernelState, I extends KernelInfo> {
  /** Builds the kernel from tuning parameters, e.g. `(p) => nuts(target, p)`. */
  readonly makeKernel: KernelFactory<S, I>;
  /** One starting point per chain, each length dim; the number of chains is its length (≥ 1). */
  readonly initialPositions: readonly Float64Array[];
  /** Warm-up iterations per chain (integer ≥ 0), emitted with phase 'warmup'. */
  readonly warmup: number;
  /** Sampling iterations per chain (integer ≥ 0), emitted with phase 'sampling'. */
  readonly draws: number;
  /** Run Stan's window adaptation (step size and diagonal mass) during warm-up; otherwise `params` stay fixed. */
  readonly adapt: boolean;
  /** Initial step size and inverse mass diagonal (default ones), the same for every chain. */
  readonly params: { readonly stepSize: number; readonly inverseMassDiag?: ArrayLike<number> };
  /** Randomness: one child per chain is forked from it, so chains are independent and reproducible. */
  readonly rng: Rng;
  /** Keep every thin-th iteration of each phase, starting with its first (Stan's `thin`); default 1. */
  readonly thin?: number;
  /** Passed to `windowAdaptation` when `adapt` (target acceptance, buffers, `target` for the step-size heuristic). */
  readonly adaptation?: Omit<WindowAdaptationOptions, 'numWarmup'>;
  /** Wall-clock budget of one synchronous chunk before yielding to the event loop; default 10 ms. */
  readonly chunkMs?: number;
}

/** One iteration of all chains. Arrays are fresh per emission: keep them. */
export interface ChainsDraw<I extends KernelInfo = KernelInfo> {
  /** 0-based, counting warm-up iterations first, then sampling. */
  readonly iteration: number;
  readonly phase: 'warmup' | 'sampling';
  /** Positions after this iteration, shape [chains, dim] row-major (row c is chain c). */
  readonly positions: Float64Array;
  /** The kernel's info per chain, length chains. */
  readonly infos: readonly I[];
  /** Parameters each chain's transition used, length chains. */
  readonly params: readonly KernelParams[];
}

/** All iterations of a run, as `runChains` returns them. Draw arrays are per chain, shape [kept, dim] row-major. */
export interface ChainsResult<S extends KernelState, I extends KernelInfo> {
  readonly dim: number;
  readonly chains: number;
  /** Sampling draws, per chain [kept, dim]. */
  readonly draws: Float64Array[];
  /** Sampling infos, [chain][kept]. */
  readonly infos: I[][];
  /** Warm-up draws, per chain [kept, dim]. */
  readonly warmupDraws: Float64Array[];
  readonly warmupInfos: I[][];
  /** Parameters used for sampling (adapted or given), per chain. */
  readonly params: KernelParams[];
  /** Final kernel states, per chain. */
  readonly states: S[];
}

/** The per-subscription engine both entry points drive, one iteration of all chains at a time. */
interface ChainsRunner<S extends KernelState, I extends KernelInfo> {
  readonly done: boolean;
  /** Advances every chain one iteration; returns whether thinning keeps it. */
  advance(): boolean;
  /** The iteration just advanced: its index, phase, infos and the params its transitions used. */
  readonly last: { readonly iteration: number; readonly phase: ChainsDraw['phase']; readonly infos: I[]; readonly params: KernelParams[] };
  /** Chain c's current state. */
  state(c: number): S;
  finalParams(): KernelParams[];
}

/**
 * The operator that turns a kernel into a stream of draws: a cold Observable emitting one
 * `ChainsDraw` per (kept) iteration carrying every chain, warm-up first, then sampling; it
 * completes after the last draw and errors if a kernel throws.
 *
 * Iterations run in chunks of ~`chunkMs` between `setImmediate` turns, so a progress bar renders
 * and `unsubscribe()` (Ctrl-C) stops the chains within one chunk. Each subscription starts afresh
 * from the same forked random stream — subscribing twice gives the same draws, and the caller's
 * `rng` advances once, when `sampleChains` is called, not per subscription.
 *
 * @example
 *   sampleChains({ makeKernel: (p) => nuts(target, p), initialPositions: [x0, x1, x2, x3],
 *                  warmup: 1000, draws: 1000, adapt: true, params: { stepSize: 1 }, rng,
 *                  adaptation: { target } })
 *     .pipe(filter((d) => d.phase === 'sampling'))
 *     .subscribe((d) => bar.update(d.iteration));
 */
export function sampleChains<S extends KernelState, I extends KernelInfo>(options: SampleChainsOptions<S, I>): Observable<ChainsDraw<I>> {
  const start = prepare('sampleChains', options);
  const chains = options.initialPositions.length;
  const dim = options.initialPositions[0].length;
  const chunkMs = options.chunkMs ?? 10;
  checkPositive('sampleChains', 'chunkMs', chunkMs);
  return new Observable<ChainsDraw<I>>((subscriber) => {
    let runner: ChainsRunner<S, I>;
    try {
      runner = start();
    } catch (err) {
      subscriber.error(err);
      return undefined;
    }
    let handle: ReturnType<typeof setImmediate> | undefined;
    const chunk = (): void => {
      handle = undefined;
      const deadline = performance.now() + chunkMs;
      try {
        while (!runner.done) {
          if (runner.advance()) subscriber.next(snapshot(runner, chains, dim));
          if (subscriber.closed) return;
          if (performance.now() >= deadline) break;
        }
      } catch (err) {
        subscriber.error(err);
        return;
      }
      if (runner.done) subscriber.complete();
      else handle = setImmediate(chunk);
    };
    // Even the first chunk is scheduled: subscribe() returns at once, so its Subscription can stop the run.
    handle = setImmediate(chunk);
    return () => {
      if (handle !== undefined) clearImmediate(handle);
    };
  });
}

/**
 * `sampleChains` run to completion synchronously, collecting every kept iteration — the same
 * engine and random stream, so for equal options it returns exactly the draws the stream emits.
 * For tests, benchmarks and scripts that have nothing to render meanwhile.
 *
 * @example
 *   const run = runChains({ makeKernel: (p) => hmc(target, { ...p, numSteps: 30 }), initialPositions: [x0],
 *                           warmup: 500, draws: 2000, adapt: false, params: { stepSize: 0.05 }, rng });
 *   run.draws[0];   // Float64Array [2000 * dim]
 */
export function runChains<S extends KernelState, I extends KernelInfo>(options: SampleChainsOptions<S, I>): ChainsResult<S, I> {
  const runner = prepare('runChains', options)();
  const chains = options.initialPositions.length;
  const dim = options.initialPositions[0].length;
  const thin = options.thin ?? 1;
  // Rows are written straight into per-chain buffers: no per-iteration emission objects to collect.
  const kept = { warmup: Math.ceil(options.warmup / thin), sampling: Math.ceil(options.draws / thin) };
  const buffers = {
    warmup: Array.from({ length: chains }, () => new Float64Array(kept.warmup * dim)),
    sampling: Array.from({ length: chains }, () => new Float64Array(kept.sampling * dim)),
  };
  const infos: Record<ChainsDraw['phase'], I[][]> = {
    warmup: Array.from({ length: chains }, () => []),
    sampling: Array.from({ length: chains }, () => []),
  };
  const rows = { warmup: 0, sampling: 0 };
  while (!runner.done) {
    if (!runner.advance()) continue;
    const { phase, infos: last } = runner.last;
    const row = rows[phase]++;
    for (let c = 0; c < chains; c++) {
      buffers[phase][c].set(runner.state(c).position, row * dim);
      infos[phase][c].push(last[c]);
    }
  }
  return {
    dim,
    chains,
    draws: buffers.sampling,
    infos: infos.sampling,
    warmupDraws: buffers.warmup,
    warmupInfos: infos.warmup,
    params: runner.finalParams(),
    states: Array.from({ length: chains }, (_, c) => runner.state(c)),
  };
}

/** The emission for the iteration the runner just advanced (fresh arrays). */
function snapshot<S extends KernelState, I extends KernelInfo>(runner: ChainsRunner<S, I>, chains: number, dim: number): ChainsDraw<I> {
  const positions = new Float64Array(chains * dim);
  for (let c = 0; c < chains; c++) positions.set(runner.state(c).position, c * dim);
  const { iteration, phase, infos, params } = runner.last;
  return { iteration, phase, positions, infos, params };
}

/** Validates the options (at call time, so mistakes throw where they are written) and returns the runner factory. */
function prepare<S extends KernelState, I extends KernelInfo>(fn: string, options: SampleChainsOptions<S, I>): () => ChainsRunner<S, I> {
  const { makeKernel, initialPositions, warmup, draws, adapt } = options;
  if (typeof makeKernel !== 'function') throw new TypeError(`${fn}: makeKernel must be a function (params) => Kernel`);
  if (!Array.isArray(initialPositions) || initialPositions.length === 0) {
    throw new RangeError(`${fn}: initialPositions must hold one Float64Array per chain (got ${initialPositions?.length ?? initialPositions} chains)`);
  }
  const dim = initialPositions[0].length;
  checkInteger(fn, 'initialPositions[0].length (dim)', dim, 1);
  initialPositions.forEach((x, c) => checkPosition(`${fn}: initialPositions[${c}]`, x, dim));
  checkInteger(fn, 'warmup', warmup, 0);
  checkInteger(fn, 'draws', draws, 0);
  const thin = options.thin ?? 1;
  checkInteger(fn, 'thin', thin, 1);
  checkPositive(fn, 'params.stepSize', options.params.stepSize);
  const initialParams: KernelParams = {
    stepSize: options.params.stepSize,
    inverseMassDiag: checkInverseMass(fn, options.params.inverseMassDiag, dim),
  };
  // Fork now: the caller's rng advances once per call; each subscription replays the same child stream.
  const rootState = options.rng.fork().state();
  const chains = initialPositions.length;
  const total = warmup + draws;

  return () => {
    const root = Rng.fromState(rootState);
    const rngs = initialPositions.map(() => root.fork());
    const adaptation: WindowAdaptation<S, I> | undefined =
      adapt && warmup > 0 ? windowAdaptation(makeKernel, { ...options.adaptation, numWarmup: warmup }) : undefined;
    const adaptStates: WindowAdaptationState<S>[] = [];
    const kernels: Kernel<S, I>[] = [];
    const states: S[] = [];
    const params: KernelParams[] = [];
    for (let c = 0; c < chains; c++) {
      if (adaptation) {
        adaptStates[c] = adaptation.init(rngs[c], initialPositions[c], initialParams);
        states[c] = adaptStates[c].state;
        params[c] = adaptStates[c].params;
      } else {
        kernels[c] = makeKernel(initialParams);
        states[c] = kernels[c].init(initialPositions[c]);
        params[c] = initialParams;
      }
    }
    let iteration = 0;
    let last: ChainsRunner<S, I>['last'] = { iteration: -1, phase: 'warmup', infos: [], params: [] };

    return {
      get done() {
        return iteration >= total;
      },
      get last() {
        return last;
      },
      advance() {
        const warming = iteration < warmup;
        const adapting = adaptation !== undefined && warming;
        const used = params.slice();
        const infos: I[] = new Array(chains);
        for (let c = 0; c < chains; c++) {
          if (adapting) {
            const out = adaptation.step(rngs[c], adaptStates[c]);
            adaptStates[c] = out.state;
            states[c] = out.state.state;
            params[c] = out.state.params;
            infos[c] = out.info;
            if (iteration === warmup - 1) {
              // Warm-up ends: keep the averaged step size and the last mass for sampling.
              const final = adaptation.final(out.state);
              params[c] = final.params;
              kernels[c] = makeKernel(final.params);
            }
          } else {
            const out = kernels[c].step(rngs[c], states[c]);
            states[c] = out.state;
            infos[c] = out.info;
          }
        }
        const phaseIndex = warming ? iteration : iteration - warmup;
        last = { iteration, phase: warming ? 'warmup' : 'sampling', infos, params: used };
        iteration++;
        return phaseIndex % thin === 0;
      },
      state: (c) => states[c],
      finalParams: () => params.slice(),
    };
  };
}
