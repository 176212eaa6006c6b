import { describe, expect, it } from 'vitest';
import { aggregateReplicates, summaryRow } from '../../src/sweep/aggregateReplicates.ts';

describe('aggregateReplicates', () => {
  const rows = [
    { epsilon: 0.1, seed: 1, status: 'completed', sigma: 1, gap: NaN },
    { epsilon: 0.1, seed: 2, status: 'completed', sigma: 2, gap: 0.5 },
    { epsilon: 0.1, seed: 3, status: 'completed', sigma: 6, gap: NaN },
    { epsilon: 0.2, seed: 1, status: 'failed', sigma: 100, gap: 1 },
    { epsilon: 0.2, seed: 2, status: 'completed', sigma: 4, gap: 2 },
  ];

  it('averages the completed replicates of each cell, with the standard error s/√n', () => {
    const [a, b] = aggregateReplicates(rows, { cellKeys: ['epsilon'], metrics: ['sigma', 'gap'] });
    // sigma over 1, 2, 6: mean 3, sample variance ((−2)² + (−1)² + 3²)/2 = 7, SE √(7/3).
    expect(a).toEqual({ axes: { epsilon: 0.1 }, replicates: 3, mean: { sigma: 3, gap: 0.5 }, se: { sigma: Math.sqrt(7 / 3), gap: NaN } });
    // The failed point makes no replicate: one left, no standard error.
    expect(b).toEqual({ axes: { epsilon: 0.2 }, replicates: 1, mean: { sigma: 4, gap: 2 }, se: { sigma: NaN, gap: NaN } });
    expect(summaryRow(a)).toEqual({ epsilon: 0.1, replicates: 3, mean_sigma: 3, se_sigma: Math.sqrt(7 / 3), mean_gap: 0.5, se_gap: NaN });
  });

  it('keeps a cell with no completed point, with 0 replicates and NaN means', () => {
    const [cell] = aggregateReplicates([{ epsilon: 1, status: 'failed', sigma: 1 }], { cellKeys: ['epsilon'], metrics: ['sigma'] });
    expect(cell.replicates).toBe(0);
    expect(cell.mean.sigma).toBeNaN();
  });
});
