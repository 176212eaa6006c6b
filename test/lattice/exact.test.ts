import { describe, expect, it } from 'vitest';
import { ising, potts, type Bond } from '../../src/lattice/bond.ts';
import { allStates } from '../../src/lattice/configurations.ts';
import { bruteForceLattice } from '../../src/lattice/exact/bruteForce.ts';
import { isingRingLogLambda, isingTorusLogZ } from '../../src/lattice/exact/isingTorusLogZ.ts';
import { ISING_CRITICAL_BETA, onsagerLogZPerSite } from '../../src/lattice/exact/onsager.ts';
import { ringCorrelation, transferStationary } from '../../src/lattice/exact/transferStationary.ts';
import { logTransferWeightOf } from '../../src/lattice/transferWeight.ts';

const CATALAN = 0.915965594177219015;

describe("Kaufman's finite-size ln Z (2D Ising, periodic L×L)", () => {
  for (const L of [2, 3, 4]) {
    it(`equals brute-force enumeration of all 2^${L * L} states for L=${L} at β ∈ {0.05, 0.3, β_c, 0.6, 1.5}`, () => {
      for (const beta of [0.05, 0.3, ISING_CRITICAL_BETA, 0.6, 1.5]) {
        const brute = bruteForceLattice(L, ising(beta)).logZ;
        expect(Math.abs(isingTorusLogZ(L, beta) - brute) / Math.abs(brute), `β=${beta}`).toBeLessThan(1e-12);
      }
    });
  }

  it('approaches Onsager per site as L grows: exponentially off criticality (plus ln 2 from the two ordered states), O(1/L²) at β_c', () => {
    expect(Math.abs(isingTorusLogZ(128, 0.3) / 128 ** 2 - onsagerLogZPerSite(0.3))).toBeLessThan(1e-13);
    // Ordered phase: Z_L ≈ 2 e^{−βF_bulk} (both magnetised sectors), so ln Z_L / N − (−βf) → ln 2 / N.
    expect(Math.abs((isingTorusLogZ(256, 0.6) - Math.LN2) / 256 ** 2 - onsagerLogZPerSite(0.6))).toBeLessThan(1e-13);
    expect(Math.abs(isingTorusLogZ(256, 0.6) / 256 ** 2 - onsagerLogZPerSite(0.6))).toBeGreaterThan(1e-5);
    const d64 = Math.abs(isingTorusLogZ(64, ISING_CRITICAL_BETA) / 64 ** 2 - onsagerLogZPerSite(ISING_CRITICAL_BETA));
    const d128 = Math.abs(isingTorusLogZ(128, ISING_CRITICAL_BETA) / 128 ** 2 - onsagerLogZPerSite(ISING_CRITICAL_BETA));
    expect(d128).toBeLessThan(1e-4);
    expect(d64 / d128).toBeGreaterThan(3.5); // ≈ 4 for a 1/L² correction
    expect(d64 / d128).toBeLessThan(4.5);
  });

  it('β = 0 gives N ln 2; rejects L < 2', () => {
    expect(isingTorusLogZ(5, 0)).toBeCloseTo(25 * Math.LN2, 12);
    expect(() => isingTorusLogZ(1, 0.3)).toThrow(/L must be an integer ≥ 2/);
  });
});

describe("Onsager's infinite-lattice free energy", () => {
  it('β_c = ln(1+√2)/2 ≈ 0.4406868 and −βf(β_c) = ln2/2 + 2G/π ≈ 0.929695 (G Catalan)', () => {
    expect(ISING_CRITICAL_BETA).toBeCloseTo(0.4406867935, 9);
    expect(onsagerLogZPerSite(ISING_CRITICAL_BETA)).toBeCloseTo(Math.LN2 / 2 + (2 * CATALAN) / Math.PI, 11);
    expect(onsagerLogZPerSite(ISING_CRITICAL_BETA)).toBeCloseTo(0.929695, 6);
  });

  it('matches the high-temperature series ln2 + 2 ln cosh K + t⁴ + 2t⁶ + 4.5t⁸ + 12t¹⁰ + (112/3)t¹² at K = 0.1', () => {
    const K = 0.1, t = Math.tanh(K);
    const series = Math.LN2 + 2 * Math.log(Math.cosh(K)) + t ** 4 + 2 * t ** 6 + 4.5 * t ** 8 + 12 * t ** 10 + (112 / 3) * t ** 12;
    expect(Math.abs(onsagerLogZPerSite(K) - series)).toBeLessThan(3e-12); // next term ~ 1e-12
    // Without the t¹² term it is off by ≈ 3.7e-11: the comparison resolves single series terms.
    expect(Math.abs(onsagerLogZPerSite(K) - (series - (112 / 3) * t ** 12))).toBeGreaterThan(3e-11);
  });

  it('matches the low-temperature series 2K + u² + 2u³ + 4.5u⁴ + 12u⁵ (u = e^{−4K}) at K = 1.5', () => {
    const K = 1.5, u = Math.exp(-4 * K);
    const series = 2 * K + u ** 2 + 2 * u ** 3 + 4.5 * u ** 4 + 12 * u ** 5;
    expect(Math.abs(onsagerLogZPerSite(K) - series)).toBeLessThan(1e-12);
  });
});

describe('transfer-matrix stationary distribution (power iteration)', () => {
  function denseStep(p: Float64Array, units: number, bond: Bond): Float64Array {
    const q = bond.states, all = allStates(units, q), count = p.length;
    const out = new Float64Array(count);
    for (let s = 0; s < count; s++) {
      for (let t = 0; t < count; t++) out[s] += Math.exp(logTransferWeightOf(all.subarray(s * units, (s + 1) * units), all.subarray(t * units, (t + 1) * units), bond)) * p[t];
    }
    const z = out.reduce((a, b) => a + b, 0);
    return out.map((v) => v / z);
  }

  for (const [name, bond, units] of [['Ising β=0.5', ising(0.5), 6], ['Potts q=3 β=1.2', potts(3, 1.2), 4], ['Ising β=1', ising(1), 5]] as [string, Bond, number][]) {
    it(`${name}, N=${units}: normalised fixed point of the dense map T(x,x') built from logTransferWeightOf`, () => {
      const st = transferStationary(units, bond);
      expect(st.probs.reduce((a, b) => a + b, 0)).toBeCloseTo(1, 12);
      const again = denseStep(st.probs, units, bond);
      let l1 = 0;
      for (let s = 0; s < again.length; s++) l1 += Math.abs(again[s] - st.probs[s]);
      expect(l1).toBeLessThan(1e-11);
      // Not uniform (the test would pass trivially otherwise).
      expect(Math.max(...st.probs) / Math.min(...st.probs)).toBeGreaterThan(2);
    });
  }

  it('ln λ equals the exact Ising row-transfer eigenvalue (N/2) ln(2 sinh 2K) + ½ Σ γ_odd, on both sides of β_c', () => {
    for (const [N, beta] of [[4, 0.3], [6, 0.44], [8, 0.7], [12, 0.5]]) {
      expect(transferStationary(N, ising(beta)).logLambda).toBeCloseTo(isingRingLogLambda(N, beta), 9);
    }
  });

  it('correlations: C(0) = 1, C(r) = C(N−r), decay with r at β = 0.3; all zero at β = 0 (uniform)', () => {
    const units = 8, st = transferStationary(units, ising(0.3));
    const c = ringCorrelation(st.probs, units, 2);
    expect(c[0]).toBeCloseTo(1, 12);
    for (let r = 1; r < units; r++) expect(c[r]).toBeCloseTo(c[units - r], 12);
    expect(c[1]).toBeGreaterThan(c[2]);
    expect(c[2]).toBeGreaterThan(c[3]);
    expect(c[3]).toBeGreaterThan(0);
    const c0 = ringCorrelation(transferStationary(units, ising(0)).probs, units, 2);
    for (let r = 1; r < units; r++) expect(Math.abs(c0[r])).toBeLessThan(1e-12);
  });
});
