/** Persisted metric streams: one run directory of Parquet tables per pipeline run. */
export { openRun, type Run, type RunStatus, type FinalStatus, type OpenRunOptions, type ConfigValue } from './openRun.ts';
export { persist } from './persist.ts';
export { superviseRun, type RunOutcome, type SuperviseRunOptions } from './superviseRun.ts';
export { guardFinite, NonFiniteMetricError, type GuardFiniteOptions } from './guardFinite.ts';
export { SinkWriteError } from './writeFileAtomic.ts';
export type { ParquetCodec } from './encodeParquet.ts';
export type { ColumnKind, CellValue } from './columnBuffer.ts';
