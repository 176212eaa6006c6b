import { lastValueFrom, map, take, toArray } from 'rxjs';
import { describe, expect, it } from 'vitest';
import { trainingSteps } from '../../src/objectives/trainingSteps.ts';
import { learningRatePhases } from '../../src/objectives/trainInPhases.ts';
import { leaveOneOutAdvantage, meanAndStderr } from '../../src/objectives/statmechStep.ts';

describe('trainingSteps', () => {
  it('emits steps start … start+count−1 and completes; the same seed replays the same random streams', async () => {
    const a = await lastValueFrom(trainingSteps(5, 7).pipe(map((s) => [s.step, s.rng.uniform()]), toArray()));
    const b = await lastValueFrom(trainingSteps(5, 7).pipe(map((s) => [s.step, s.rng.uniform()]), toArray()));
    expect(a.map((x) => x[0])).toEqual([0, 1, 2, 3, 4]);
    expect(b).toEqual(a);
    const c = await lastValueFrom(trainingSteps(5, 8).pipe(map((s) => s.rng.uniform()), toArray()));
    expect(c).not.toEqual(a.map((x) => x[1]));
  });

  it('consecutive ranges (phases) reproduce one long run exactly', async () => {
    const whole = await lastValueFrom(trainingSteps(6, 3).pipe(map((s) => s.rng.uniform()), toArray()));
    const first = await lastValueFrom(trainingSteps(2, 3, 0).pipe(map((s) => s.rng.uniform()), toArray()));
    const rest = await lastValueFrom(trainingSteps(4, 3, 2).pipe(map((s) => s.rng.uniform()), toArray()));
    expect([...first, ...rest]).toEqual(whole);
  });

  it('yields to the event loop between steps and stops on unsubscribe', async () => {
    const seen: number[] = [];
    let timerRan = false;
    setImmediate(() => (timerRan = true));
    await lastValueFrom(trainingSteps(1000, 1).pipe(map((s) => seen.push(s.step)), take(3)));
    expect(timerRan).toBe(true);
    await new Promise((r) => setTimeout(r, 20));
    expect(seen).toEqual([0, 1, 2]);
  });

  it('rejects bad counts naming them', () => {
    expect(() => trainingSteps(-1, 1)).toThrow(/count must be an integer ≥ 0 \(got -1\)/);
    expect(() => trainingSteps(2, 1, 0.5)).toThrow(/start must be an integer ≥ 0/);
  });
});

describe('learning-rate phases and helpers', () => {
  it('splits steps 60/25/15 % at lr, lr/4, lr/16; constant is one phase', () => {
    expect(learningRatePhases(100, 0.1)).toEqual([{ steps: 60, lr: 0.1 }, { steps: 25, lr: 0.025 }, { steps: 15, lr: 0.00625 }]);
    expect(learningRatePhases(7, 0.1, 'constant')).toEqual([{ steps: 7, lr: 0.1 }]);
    expect(learningRatePhases(3, 0.1).reduce((s, p) => s + p.steps, 0)).toBe(3);
  });

  it('leave-one-out advantages sum to zero and exclude the sample itself', () => {
    const a = leaveOneOutAdvantage([1, 2, 6]);
    expect(Array.from(a)).toEqual([1 - 4, 2 - 3.5, 6 - 1.5]);
    expect(() => leaveOneOutAdvantage([1])).toThrow(/≥ 2 samples/);
    const { mean, stderr } = meanAndStderr([1, 2, 3, 4]);
    expect(mean).toBe(2.5);
    expect(stderr).toBeCloseTo(Math.sqrt(5 / 3 / 4), 12);
  });
});
