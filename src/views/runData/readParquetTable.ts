import { readFile } from 'node:fs/promises';
import { tableFromIPC, type Table } from 'apache-arrow';
import { readParquet } from 'parquet-wasm';

/**
 * One Parquet file as an Arrow table. parquet-wasm reads every codec our sink writes (zstd
 * included, which the pure-JS readers lack without extra packages) and is already a dependency.
 */
export async function readParquetTable(path: string): Promise<Table> {
  const bytes = await readFile(path);
  const wasmTable = readParquet(new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.byteLength));
  return tableFromIPC(wasmTable.intoIPCStream());
}
