import type { MetricRecord } from '../metrics/records.ts';

type Row = Readonly<Record<string, unknown>>;

/** The `summary` rows of a record stream, in order. */
export function summaryRows(records: readonly MetricRecord[]): Row[] {
  return records.flatMap((r) => (r.kind === 'row' && r.table === 'summary' ? [r.row as Row] : []));
}

const num = (v: unknown): number => (typeof v === 'number' ? v : NaN);

function cell(v: number, digits: number, width: number): string {
  const s = Number.isFinite(v) ? (Math.abs(v) >= 1e5 ? v.toExponential(2) : v.toFixed(digits)) : '–';
  return s.padStart(width);
}

/**
 * The end-of-run table of a posterior comparison: one line per method with its exact KL (flows),
 * moment errors and marginal W1 distances (all methods), ESS, R̂ and ESS per second (samplers).
 */
export function formatBananaTable(records: readonly MetricRecord[], setup: { reference: { logEvidence: number } }, status: string, backend: string): string {
  const rows = summaryRows(records);
  const head = [
    `${status} on ${backend}: exact log p(y) = ${setup.reference.logEvidence.toFixed(4)}`,
    '  method   KL(q‖p)     ±   ELBO−logZ  L_1000−logZ  ESS(IS)  |Δmean θ1  θ2|  Δsd θ1    θ2   W1 θ1     θ2  | R̂ max  ESS bulk  ESS/s    time',
  ];
  const lines = rows.map((r) => {
    const flow = r.kind === 'flow';
    const logZ = setup.reference.logEvidence;
    return [
      `  ${String(r.method).padEnd(7)}`,
      flow ? cell(num(r.kl_q_p), 4, 8) : cell(NaN, 4, 8),
      flow ? cell(num(r.kl_q_p_se), 4, 7) : cell(NaN, 4, 7),
      flow ? cell(num(r.elbo) - logZ, 4, 10) : cell(NaN, 4, 10),
      flow ? cell(num(r.iwae_1000) - logZ, 4, 12) : cell(NaN, 4, 12),
      flow ? cell(num(r.is_ess), 3, 8) : cell(NaN, 3, 8),
      '  ' + cell(num(r.mean_theta1_error), 4, 8),
      cell(num(r.mean_theta2_error), 4, 7),
      cell(num(r.sd_theta1_error), 4, 8),
      cell(num(r.sd_theta2_error), 4, 7),
      cell(num(r.w1_theta1), 4, 7),
      cell(num(r.w1_theta2), 4, 7),
      '  ' + (flow ? cell(NaN, 3, 6) : cell(num(r.r_hat_max), 3, 6)),
      flow ? cell(NaN, 0, 9) : cell(num(r.ess_bulk_min), 0, 9),
      flow ? cell(NaN, 0, 7) : cell(num(r.ess_per_s), 0, 7),
      cell(num(r.seconds), 1, 7) + 's',
    ].join(' ');
  });
  return [...head, ...lines].join('\n');
}
