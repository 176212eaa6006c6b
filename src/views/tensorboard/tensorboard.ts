import { defer, finalize, tap, type MonoTypeOperatorFunction } from 'rxjs';
import type { MetricRecord } from '../../metrics/records.ts';
import { EventFile, type EventFileOptions } from './eventFile.ts';

export interface TensorboardOptions extends EventFileOptions {
  /** Called once the event file is open, with its path (e.g. to print where it is). */
  onOpen?: (path: string) => void;
}

/**
 * Writes every scalar and histogram passing through to a TensorBoard event file in `dir`, under the
 * seed's tag names (loss → training_loss, magnetisation → x3); records pass on unchanged.
 * Each subscription opens its own file; it is closed on complete, error and unsubscribe.
 * @example metrics$.pipe(tensorboard('output/emergent-classicality/run-1')) // then: tensorboard --logdir output
 */
export function tensorboard(dir: string, options: TensorboardOptions = {}): MonoTypeOperatorFunction<MetricRecord> {
  return (source) =>
    defer(() => {
      const file = new EventFile(dir, options);
      options.onOpen?.(file.path);
      return source.pipe(
        tap((record) => file.write(record)),
        finalize(() => file.close()),
      );
    });
}
