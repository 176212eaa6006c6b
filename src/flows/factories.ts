import type { Rng } from '../random/rng.ts';
import { AdditiveCoupling } from './additiveCoupling.ts';
import { AffineCoupling } from './affineCoupling.ts';
import type { ConditionerOptions } from './conditioner.ts';
import { Flow, type FlowOptions } from './flow.ts';
import { Planar } from './planar.ts';
import type { RationalQuadraticSplineOptions } from './rationalQuadraticSpline.ts';
import { Scaling } from './scaling.ts';
import { SplineCoupling } from './splineCoupling.ts';
import type { Transform } from './transform.ts';

export type PlanarFlowOptions = FlowOptions;

export interface NiceFlowOptions extends FlowOptions, ConditionerOptions {}

export interface RealNvpFlowOptions extends FlowOptions, ConditionerOptions {
  /** Bound of each layer's log-scale (default 3, see `AffineCoupling`). */
  scaleBound?: number;
}

export interface SplineFlowOptions extends FlowOptions, ConditionerOptions, RationalQuadraticSplineOptions {}

function checkCount(what: string, name: string, v: number, min: number): void {
  if (!Number.isInteger(v) || v < min) throw new RangeError(`${what}: ${name} must be an integer ≥ ${min} (got ${v})`);
}

/** Couplings with alternating halves: parity 0, 1, 0, … */
function alternating(layers: number, make: (parity: 0 | 1) => Transform): Transform[] {
  return Array.from({ length: layers }, (_, i) => make((i % 2) as 0 | 1));
}

/**
 * `layers` planar layers (the seed: 5) on N(0, I_dim).
 * @example const flow = planarFlow(2, 5, new Rng(1));
 */
export function planarFlow(dim: number, layers: number, rng: Rng, options: PlanarFlowOptions = {}): Flow {
  checkCount('planarFlow', 'layers', layers, 1);
  return new Flow(Array.from({ length: layers }, () => new Planar(dim, rng)), options);
}

/**
 * NICE as the seed builds it: `couplings` additive couplings (the seed: 3) with alternating halves,
 * then one diagonal scaling layer, on N(0, I_dim). Conditioners: `Conditioner` defaults unless given.
 * @example const flow = niceFlow(2, 3, new Rng(1), { hidden: [8, 8] });
 */
export function niceFlow(dim: number, couplings: number, rng: Rng, options: NiceFlowOptions = {}): Flow {
  checkCount('niceFlow', 'couplings', couplings, 1);
  const { base, ...net } = options;
  return new Flow([...alternating(couplings, (parity) => new AdditiveCoupling(dim, rng, { ...net, parity })), new Scaling(dim)], { base });
}

/**
 * RealNVP: `layers` affine couplings (the seed: 5) with alternating halves, on N(0, I_dim).
 * @example const flow = realNvpFlow(2, 5, new Rng(1));
 */
export function realNvpFlow(dim: number, layers: number, rng: Rng, options: RealNvpFlowOptions = {}): Flow {
  checkCount('realNvpFlow', 'layers', layers, 1);
  const { base, ...net } = options;
  return new Flow(alternating(layers, (parity) => new AffineCoupling(dim, rng, { ...net, parity })), { base });
}

/**
 * Neural spline flow: `layers` rational-quadratic spline couplings (default use: 5) with
 * alternating halves, on N(0, I_dim).
 * @example const flow = splineFlow(2, 5, new Rng(1), { bins: 8, tailBound: 5 });
 */
export function splineFlow(dim: number, layers: number, rng: Rng, options: SplineFlowOptions = {}): Flow {
  checkCount('splineFlow', 'layers', layers, 1);
  const { base, ...net } = options;
  return new Flow(alternating(layers, (parity) => new SplineCoupling(dim, rng, { ...net, parity })), { base });
}
