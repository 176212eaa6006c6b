import { tableToIPC, type Table as ArrowTable } from 'apache-arrow';
import { Compression, Table as WasmTable, WriterPropertiesBuilder, writeParquet } from 'parquet-wasm';

/** Parquet compression codecs the sink offers (all readable by DuckDB, pyarrow and polars). */
export type ParquetCodec = 'zstd' | 'snappy' | 'none';

const CODECS: Record<ParquetCodec, Compression> = {
  zstd: Compression.ZSTD,
  snappy: Compression.SNAPPY,
  none: Compression.UNCOMPRESSED,
};

const DICTIONARY_PAGE_LIMIT = 16 * 1024;

/**
 * One complete Parquet file (footer included) holding `table`.
 *
 * The only place that knows the Parquet writer: parquet-wasm (arrow-rs compiled to WebAssembly),
 * chosen over hyparquet-writer and @dsnp/parquetjs for its list-column speed and spec-compliant
 * nested types — docs/parquet-writer.md has the measurements.
 */
export function encodeParquet(table: ArrowTable, codec: ParquetCodec = 'snappy'): Uint8Array {
  const props = new WriterPropertiesBuilder()
    .setCompression(CODECS[codec])
    // A small dictionary limit keeps dictionaries where they pay (±1 outcomes: ~1 bit per value,
    // run ids, tags) and gives up early on continuous floats, whose failed dictionary otherwise
    // costs 5× the write time and ~15% more bytes (docs/parquet-writer.md).
    .setDictionaryPageSizeLimit(DICTIONARY_PAGE_LIMIT)
    .setCreatedBy('qubit-rx (parquet-wasm)')
    .build();
  // Both wasm objects are consumed by writeParquet (Rust takes them by value).
  return writeParquet(WasmTable.fromIPCStream(tableToIPC(table, 'stream')), props);
}
