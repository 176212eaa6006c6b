import { lastValueFrom, map, tap } from 'rxjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { tf } from '../../src/backend/tf.ts';
import { selectBackend } from '../../src/backend/selectBackend.ts';
import { Rng } from '../../src/random/rng.ts';
import { AutoregressiveModel } from '../../src/autoregressive/AutoregressiveModel.ts';
import { CyclicSymmetrized } from '../../src/autoregressive/CyclicSymmetrized.ts';
import { ising } from '../../src/lattice/bond.ts';
import { isingTorusLogZ } from '../../src/lattice/exact/isingTorusLogZ.ts';
import { minimize, runSync } from '../../src/operators/minimize.ts';
import { learningRatePhases, trainInPhases } from '../../src/objectives/trainInPhases.ts';
import { variationalFreeEnergy } from '../../src/objectives/variationalFreeEnergy.ts';
import { exactBetaFreeEnergy, flatGradient } from './exactReferences.ts';

beforeAll(async () => {
  await selectBackend('wasm');
});

describe('objective (3): variational free energy (VAN)', () => {
  it('its REINFORCE gradient is an unbiased estimate of the exact ∇(βF_q) (enumeration, L = 3), and F̂_q of the exact F_q', () => {
    const L = 3, bond = ising(0.4), R = 32;
    const model = new AutoregressiveModel(L * L, [2, 6, 2], { rng: new Rng(2), activation: 'tanh' });
    const exact = flatGradient(() => exactBetaFreeEnergy(model, L, bond), model.variables);
    const exactF = tf.tidy(() => exactBetaFreeEnergy(model, L, bond).dataSync()[0]) / bond.beta / (L * L);
    const obj = variationalFreeEnergy(model, { bond, L, batch: 256 });
    const rng = new Rng(3);
    const mean = new Float64Array(exact.length), sq = new Float64Array(exact.length);
    let fSum = 0, fVar = 0;
    for (let r = 0; r < R; r++) {
      let f = 0, se = 0;
      const g = flatGradient(() => {
        const e = runSync(obj, { step: 0, rng: rng.fork() });
        f = e.scalars.free_energy;
        se = e.scalars.free_energy_stderr;
        return e.loss;
      }, model.variables);
      fSum += f / R;
      fVar += se ** 2 / R / R;
      for (let k = 0; k < g.length; k++) { mean[k] += g[k] / R; sq[k] += (g[k] * g[k]) / R; }
    }
    let err = 0, noise = 0;
    for (let k = 0; k < exact.length; k++) {
      err += (mean[k] - exact[k]) ** 2;
      noise += ((sq[k] - mean[k] ** 2) * R) / (R - 1) / R;
    }
    expect(err / noise).toBeLessThan(2.5);
    expect(Math.abs(fSum - exactF)).toBeLessThan(4 * Math.sqrt(fVar));
    model.dispose();
  });

  it('L = 4, β = 0.44 with β annealing: F̂_q ≥ F − 4σ at every step, exact F_q within 1e-3 relative of Kaufman, tensors flat', async () => {
    const L = 4, N = 16, beta = 0.44, bond = ising(beta);
    const model = new AutoregressiveModel(N, [2, 16, 2], { rng: new Rng(1), activation: 'tanh' });
    const sym = new CyclicSymmetrized(model);
    const objective = variationalFreeEnergy(sym, { bond, L, batch: 256 });
    const exactF = (b: number) => -isingTorusLogZ(L, b) / b / N;
    let violations = 0, worst = Infinity;
    const counts: number[] = [];
    await lastValueFrom(
      trainInPhases(learningRatePhases(400, 0.01), 1, model.variables, (s, adam) =>
        s.pipe(
          map((e) => ({ ...e, beta: beta * (1 - 0.98 ** (e.step + 1)) })),
          minimize(objective, adam),
        ),
      ).pipe(
        tap((e) => {
          // Variational upper bound at this step's β, within the estimate's statistical error.
          const z = (e.scalars.free_energy - exactF(e.scalars.beta)) / e.scalars.free_energy_stderr;
          worst = Math.min(worst, z);
          if (z < -4) violations++;
          if (e.step % 50 === 49) counts.push(tf.memory().numTensors);
        }),
      ),
    );
    expect(violations, `worst z = ${worst}`).toBe(0);
    const fq = tf.tidy(() => exactBetaFreeEnergy(sym, L, bond).dataSync()[0]) / beta / N;
    const f = exactF(beta);
    expect(fq).toBeGreaterThanOrEqual(f - 1e-5 * Math.abs(f)); // exact bound up to float32 rounding
    expect((fq - f) / Math.abs(f)).toBeLessThan(1e-3);
    expect(new Set(counts).size).toBe(1);
    model.dispose();
  });

  it('rejects a model of the wrong size and a non-positive β, naming them', () => {
    const model = new AutoregressiveModel(9, [2, 3, 2], { rng: new Rng(1) });
    expect(() => variationalFreeEnergy(model, { bond: ising(1), L: 4, batch: 8 })).toThrow(/model has 9 units, an L=4 lattice needs 16/);
    const obj = variationalFreeEnergy(model, { bond: ising(1), L: 3, batch: 8 });
    expect(() => runSync(obj, { step: 3, rng: new Rng(1), beta: 0 })).toThrow(/beta must be > 0 at step 3 \(got 0\)/);
    model.dispose();
  });
});
