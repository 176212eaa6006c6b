/**
 * The step counter of a run whose stages run one after another (flows, then samplers): each stage
 * counts its own iterations, the run's `scalars.step` is the clock's tick, so the scalars table, the
 * progress bar and TensorBoard see one increasing step for the whole run.
 */
export class StageClock {
  private ticks = 0;

  /** The next step of the run (0, 1, 2 …). */
  tick(): number {
    return this.ticks++;
  }

  /** Steps taken so far. */
  get now(): number {
    return this.ticks;
  }
}
