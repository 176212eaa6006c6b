import { lineChartSvg } from './lineChartSvg.ts';

/** One row of a run's `sensors` table (see vaeMetrics' sensorRecords). */
export interface SensorRow {
  qubit: number;
  epsilon: number;
  saliency: number;
  exact_saliency: number;
  gain?: number;
}

/**
 * Which sensors the model listens to, qubit by qubit: εᵢ, the exact posterior's saliency, the
 * encoder's saliency and (when learned) the decoder's |gain|, each scaled to its largest value so
 * that one axis shows whether the model's profile follows the sensors' — dead sensors are the dips.
 * @example sensorsSvg(rows, 'sensor discovery, dead:0.5@0.4')
 */
export function sensorsSvg(rows: readonly SensorRow[], title = 'sensor discovery'): string {
  const sorted = [...rows].sort((a, b) => a.qubit - b.qubit);
  const x = sorted.map((r) => r.qubit);
  const scaled = (v: number[]) => {
    const top = Math.max(...v.map(Math.abs));
    return v.map((u) => (top > 0 ? Math.abs(u) / top : 0));
  };
  const series = [
    { label: 'εᵢ', x, y: scaled(sorted.map((r) => r.epsilon)), dashed: true, markers: false },
    { label: 'exact posterior saliency', x, y: scaled(sorted.map((r) => r.exact_saliency)), markers: false },
    { label: 'encoder saliency |∂μ_z/∂xᵢ|', x, y: scaled(sorted.map((r) => r.saliency)), markers: true },
  ];
  if (sorted.every((r) => r.gain != null)) series.push({ label: 'decoder |gain gᵢ|', x, y: scaled(sorted.map((r) => r.gain as number)), markers: true });
  return lineChartSvg(series, { title, xLabel: 'qubit i', yLabel: 'relative to its largest value', yRange: [0, 1.15], legend: 'top-right' });
}
