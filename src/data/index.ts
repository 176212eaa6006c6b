export { DataFileError } from './dataFileError.ts';
export { encodeNpy, formatShape, parseNpy, type NpyArray, type NpyDtype } from './npy.ts';
export { DEFAULT_COLUMN, parseCsvSeries } from './csv.ts';
export { readSeries, type ReadSeriesOptions } from './readSeries.ts';
