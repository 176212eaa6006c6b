/**
 * Sweeps of the emergent-classicality VAE over measurement strength ε and qubit count N — the
 * seed's open questions: how m(μ_z) follows the magnetisation as a function of N (or ε), whether
 * the statistics collapse on Nε² (universality), how σ_z scales with Nε² (the seed saw ≈ −0.34
 * where −1/2 was expected), and where the latent space bifurcates.
 */
import type { EmergentClassicalityConfig } from './emergent-classicality.ts';
import type { ScalarsRecord } from '../src/metrics/records.ts';

export interface SweepAxes {
  epsilon: readonly number[];
  qubits: readonly number[];
}

/** The grid's configs, ε outer and N inner, every other setting from `base`. */
export function sweepGrid(base: EmergentClassicalityConfig, axes: SweepAxes): EmergentClassicalityConfig[] {
  if (axes.epsilon.length === 0 || axes.qubits.length === 0) throw new RangeError('sweepGrid: each axis needs at least one value');
  return axes.epsilon.flatMap((epsilon) => axes.qubits.map((qubits) => ({ ...base, epsilon, qubits })));
}

/** One finished grid point, as a row of the sweep's `points` table. */
export interface SweepPoint {
  [column: string]: string | number;
  /** The VAE run of this point (join with its scalars on run_id). */
  vae_run_id: string;
  status: string;
  scheme: string;
  epsilon: number;
  qubits: number;
  /** Nε², the seed's universal variable. */
  n_eps2: number;
  step: number;
  loss: number;
  elbo_gap: number;
  m_mag_corr: number;
  m_mag_slope: number;
  mag_artanh_slope: number;
  latent_norm: number;
  latent_fluctuation: number;
  z_bimodality: number;
  z_separation: number;
}

export function sweepPoint(config: EmergentClassicalityConfig, runId: string, status: string, last: ScalarsRecord | undefined): SweepPoint {
  const v = last?.values ?? {};
  const get = (k: string) => v[k] ?? NaN;
  return {
    vae_run_id: runId,
    status,
    scheme: config.scheme,
    epsilon: config.epsilon,
    qubits: config.qubits,
    n_eps2: config.qubits * config.epsilon ** 2,
    step: last?.step ?? 0,
    loss: get('loss'),
    elbo_gap: get('elbo_gap'),
    m_mag_corr: get('m_mag_corr'),
    m_mag_slope: get('m_mag_slope'),
    mag_artanh_slope: get('mag_artanh_slope'),
    latent_norm: get('latent_norm'),
    latent_fluctuation: get('latent_fluctuation'),
    z_bimodality: get('z_bimodality'),
    z_separation: get('z_separation'),
  };
}
