import { Apparatus, type ApparatusConfig } from './apparatus.ts';
import type { RecordSampler } from './apparatusSource.ts';
import { MultiSystemApparatus, type MultiSystemApparatusConfig } from './multiSystemApparatus.ts';
import { RotatedApparatus, transverseFrame } from './rotatedApparatus.ts';

/**
 * A record sampler as plain, structured-cloneable data, so another thread can rebuild it and draw
 * the same records from the same generator state (`apparatusSource`'s worker thread).
 */
export type SamplerSpec =
  | { readonly kind: 'apparatus'; readonly config: Required<ApparatusConfig> }
  | {
      readonly kind: 'rotated';
      readonly config: { epsilon: number | readonly number[]; qubits: number; alpha0: number };
      /** the unit axes exactly as the sampler holds them, shape [N, 3]. */
      readonly axes: Float64Array;
    }
  | { readonly kind: 'multi-system'; readonly config: Required<MultiSystemApparatusConfig> };

/**
 * The spec of `sampler`, or null when it cannot be shipped: only instances of exactly `Apparatus`,
 * `RotatedApparatus` or `MultiSystemApparatus` can — a subclass or an instance whose `sample` was
 * replaced may draw differently from the class it names, so it stays on its own thread.
 *
 * @example
 *   samplerSpec(new Apparatus({ scheme: 'fixed', epsilon: 0.2, qubits: 8 }))?.kind; // 'apparatus'
 */
export function samplerSpec(sampler: RecordSampler): SamplerSpec | null {
  if (Object.hasOwn(sampler, 'sample')) return null;
  const proto = Object.getPrototypeOf(sampler) as unknown;
  if (proto === Apparatus.prototype) return { kind: 'apparatus', config: (sampler as Apparatus).config };
  if (proto === RotatedApparatus.prototype) {
    const app = sampler as RotatedApparatus;
    const { epsilon, qubits, alpha0 } = app.config;
    return { kind: 'rotated', config: { epsilon, qubits, alpha0 }, axes: app.axes.slice() };
  }
  if (proto === MultiSystemApparatus.prototype) {
    const app = sampler as MultiSystemApparatus;
    return {
      kind: 'multi-system',
      config: {
        scheme: app.scheme,
        epsilon: Array.from(app.epsilons),
        qubits: app.qubits,
        systems: app.systems,
        assignment: Array.from(app.assignment),
        alpha0: Array.from(app.alpha0s),
      },
    };
  }
  return null;
}

/** Rebuilds the sampler of `spec`: the same records as the original for the same generator state. */
export function samplerFromSpec(spec: SamplerSpec): RecordSampler {
  switch (spec.kind) {
    case 'apparatus':
      return new Apparatus(spec.config);
    case 'multi-system':
      return new MultiSystemApparatus(spec.config);
    case 'rotated':
      return rotatedFromSpec(spec.config, spec.axes);
  }
}

/**
 * Normalising an axis that is already unit length can move it by an ulp (its hypot need not be
 * exactly 1), so the rebuilt sampler takes the original's axes bit for bit and recomputes the
 * per-qubit frames from them with the class's own `transverseFrame`.
 */
function rotatedFromSpec(config: { epsilon: number | readonly number[]; qubits: number; alpha0: number }, axes: Float64Array): RotatedApparatus {
  const app = new RotatedApparatus({ ...config, axes });
  if (app.axes.every((v, k) => Object.is(v, axes[k]))) return app;
  const frames = app as unknown as { e1: Float64Array; e2: Float64Array; shared: boolean };
  app.axes.set(axes);
  for (let i = 0; i < app.qubits; i++) transverseFrame(app.axes, i, frames.e1, frames.e2);
  frames.shared = axes.every((v, k) => v === axes[k % 3]);
  return app;
}
