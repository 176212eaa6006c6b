/**
 * Parquet sink benchmark: `npx tsx bench/parquet-sink.ts [--compare]`
 *
 * 1. (--compare) the candidate writers — parquet-wasm (+ apache-arrow, as the sink uses it),
 *    hyparquet-writer, @dsnp/parquetjs — on a wide scalars table and on list-column sample tables:
 *    write rows/s (best of 3, encode + file write), bytes/row, and what DuckDB reads back (types, values).
 * 2. The sink itself (openRun → persist → close): rows/s for scalars and samples records, and the full
 *    `sample` pipeline (apparatus sampling included) in records/s.
 * 3. On-disk size of representative runs, per table.
 *
 * Files go to bench/.work/parquet-sink (git-ignored). Numbers in docs/parquet-writer.md come from here.
 */
import { mkdirSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import * as arrow from 'apache-arrow';
import { from, lastValueFrom, of, toArray } from 'rxjs';
import { DuckDBInstance } from '@duckdb/node-api';
import { parquetWriteBuffer } from 'hyparquet-writer';
import parquetjs from '@dsnp/parquetjs';
import { histogram, type MetricRecord } from '../src/metrics/records.ts';
import { Rng } from '../src/random/rng.ts';
import { Apparatus, type Scheme } from '../src/simulators/index.ts';
import { encodeParquet } from '../src/sinks/encodeParquet.ts';
import { openRun, persist } from '../src/sinks/index.ts';
import { TableBuffer } from '../src/sinks/tableBuffer.ts';
import { apparatusRows, runSampleApparatus } from '../pipelines/sample-apparatus.ts';

const WORK = 'bench/.work/parquet-sink';
rmSync(WORK, { recursive: true, force: true });
mkdirSync(WORK, { recursive: true });
const db = await (await DuckDBInstance.create(':memory:', { threads: '1' })).connect();
const rowsOf = async (sql: string) => (await db.runAndReadAll(sql)).getRowObjectsJS() as Record<string, unknown>[];
const fmt = (n: number) => Math.round(n).toLocaleString('en-US');
const T0 = Date.UTC(2025, 0, 1);

// ---------------------------------------------------------------- data
const NS = 100_000;
const METRICS = ['loss', 'reconstruction', 'kl', 'reg', 'latent_norm', 'latent_fluctuation', 'nll_exact', 'elbo_gap', 'lr', 'grad_norm'];
const rng = new Rng(1);
const scalarCols = METRICS.map(() => Float64Array.from({ length: NS }, () => rng.normal()));
const wall = Float64Array.from({ length: NS }, (_, i) => T0 + 37 * i);

interface Samples { scheme: Scheme; n: number; planes: Float32Array[]; names: string[]; logProb: Float64Array; m: Float64Array }
function samples(scheme: Scheme, n: number): Samples {
  const app = new Apparatus({ scheme, epsilon: 0.2, qubits: 200 });
  const x = app.sample(n, new Rng(2));
  const k = n * 200;
  const planes = app.dim === 1 ? [x] : [0, 1, 2].map((c) => Float32Array.from({ length: k }, (_, i) => x[3 * i + c]));
  return { scheme, n, planes, names: app.dim === 1 ? ['x'] : ['x1', 'x2', 'x3'], logProb: app.logProb(x, n), m: app.magnetisation(x, n) };
}

function best(reps: number, f: () => void): number {
  let t = Infinity;
  for (let r = 0; r < reps; r++) {
    const s = performance.now();
    f();
    t = Math.min(t, performance.now() - s);
  }
  return t / 1000;
}
async function bestAsync(reps: number, f: () => Promise<void>): Promise<number> {
  let t = Infinity;
  for (let r = 0; r < reps; r++) {
    const s = performance.now();
    await f();
    t = Math.min(t, performance.now() - s);
  }
  return t / 1000;
}

// ---------------------------------------------------------------- 1. writers compared
async function compare(): Promise<void> {
  console.log('\n## 1. Writers compared (best of 3; parquetjs 1 run)\n');
  console.log('| writer | table | rows/s | bytes/row | DuckDB types | values |');
  console.log('|---|---|---:|---:|---|---|');
  const S = { fixed: samples('fixed', 5000), random: samples('random', 5000) };

  const report = async (writer: string, table: string, file: string, rows: number, secs: number, check: (f: string) => Promise<string>) => {
    const t = await rowsOf(`DESCRIBE SELECT * FROM read_parquet('${file}')`);
    const typeList = t.filter((r) => !['loss', 'reconstruction', 'x2', 'x3'].includes(String(r.column_name)) || r.column_name === 'loss')
      .slice(0, 4).map((r) => `${r.column_name} ${r.column_type}`).join(', ');
    console.log(`| ${writer} | ${table} | ${fmt(rows / secs)} | ${fmt(statSync(file).size / rows)} | ${typeList} | ${await check(file)} |`);
  };
  const checkScalars = async (file: string) => {
    const [r] = await rowsOf(`SELECT step, epoch_ms(wall_time::TIMESTAMPTZ) AS ms, typeof(wall_time) AS tt, kl FROM read_parquet('${file}') WHERE step = 4321`);
    const ok = Number(r.step) === 4321 && Number(r.ms) === wall[4321] && r.kl === scalarCols[2][4321];
    return ok ? `ok (${r.tt})` : `WRONG ${JSON.stringify(r, (_, v) => (typeof v === 'bigint' ? String(v) : v))}`;
  };
  const checkSamples = (s: Samples) => async (file: string) => {
    const col = s.names[s.names.length - 1];
    const [r] = await rowsOf(`SELECT len(${col}) AS n, ${col}[17] AS v, log_prob FROM read_parquet('${file}') WHERE index = 777`);
    const ok = Number(r.n) === 200 && r.v === s.planes[s.planes.length - 1][777 * 200 + 16] && r.log_prob === s.logProb[777];
    return ok ? 'ok' : `WRONG ${JSON.stringify(r)}`;
  };

  // parquet-wasm, through the sink's own table builder and encoder
  const pwScalars = (): arrow.Table => {
    const tb = new TableBuffer('scalars', 'bench', [{ name: 'step', kind: 'int64', nullable: false }, { name: 'wall_time', kind: 'timestamp', nullable: false }]);
    for (let i = 0; i < NS; i++) {
      const row: Record<string, number> = { step: i, wall_time: wall[i] };
      for (let k = 0; k < METRICS.length; k++) row[METRICS[k]] = scalarCols[k][i];
      tb.append(row);
    }
    return tb.drain()!;
  };
  const pwSamples = (s: Samples): arrow.Table => {
    const tb = new TableBuffer('samples', 'bench');
    for (let r = 0; r < s.n; r++) {
      const row: Record<string, bigint | number | Float32Array> = { index: BigInt(r) };
      s.names.forEach((name, c) => (row[name] = s.planes[c].subarray(r * 200, (r + 1) * 200)));
      row.log_prob = s.logProb[r];
      row.magnetisation = s.m[r];
      tb.append(row);
    }
    return tb.drain()!;
  };
  let file = join(WORK, 'pw-scalars.parquet');
  await report('parquet-wasm', 'scalars', file, NS, best(3, () => writeFileSync(file, encodeParquet(pwScalars()))), checkScalars);
  for (const s of [S.fixed, S.random]) {
    file = join(WORK, `pw-${s.scheme}.parquet`);
    await report('parquet-wasm', `samples ${s.scheme}`, file, s.n, best(3, () => writeFileSync(file, encodeParquet(pwSamples(s)))), checkSamples(s));
  }
  file = join(WORK, 'pw-zstd-scalars.parquet');
  await report('parquet-wasm zstd', 'scalars', file, NS, best(3, () => writeFileSync(file, encodeParquet(pwScalars(), 'zstd'))), checkScalars);
  file = join(WORK, 'pw-zstd-random.parquet');
  await report('parquet-wasm zstd', 'samples random', file, S.random.n, best(3, () => writeFileSync(file, encodeParquet(pwSamples(S.random), 'zstd'))), checkSamples(S.random));

  // hyparquet-writer: columns in, explicit schema for the list columns
  const hyScalars = () => {
    const columnData: { name: string; data: ArrayLike<unknown>; type: 'INT64' | 'TIMESTAMP' | 'DOUBLE'; nullable: boolean }[] = [
      { name: 'step', data: BigInt64Array.from({ length: NS }, (_, i) => BigInt(i)), type: 'INT64', nullable: false },
      { name: 'wall_time', data: Array.from(wall, (w) => new Date(w)), type: 'TIMESTAMP', nullable: false },
      ...METRICS.map((name, k) => ({ name, data: scalarCols[k], type: 'DOUBLE' as const, nullable: false })),
    ];
    return new Uint8Array(parquetWriteBuffer({ columnData: columnData as never }));
  };
  const hySamples = (s: Samples) => {
    const lists = s.names.map((_, c) => Array.from({ length: s.n }, (_, r) => Array.from(s.planes[c].subarray(r * 200, (r + 1) * 200))));
    const schema = [
      { name: 'root', num_children: 3 + s.names.length },
      { name: 'index', type: 'INT64', repetition_type: 'REQUIRED' },
      ...s.names.flatMap((name) => [
        { name, repetition_type: 'REQUIRED', converted_type: 'LIST', num_children: 1 },
        { name: 'list', repetition_type: 'REPEATED', num_children: 1 },
        { name: 'element', type: 'FLOAT', repetition_type: 'REQUIRED' },
      ]),
      { name: 'log_prob', type: 'DOUBLE', repetition_type: 'REQUIRED' },
      { name: 'magnetisation', type: 'DOUBLE', repetition_type: 'REQUIRED' },
    ];
    const columnData = [
      { name: 'index', data: BigInt64Array.from({ length: s.n }, (_, i) => BigInt(i)) },
      ...s.names.map((name, c) => ({ name, data: lists[c] })),
      { name: 'log_prob', data: s.logProb },
      { name: 'magnetisation', data: s.m },
    ];
    return new Uint8Array(parquetWriteBuffer({ schema: schema as never, columnData: columnData as never }));
  };
  file = join(WORK, 'hy-scalars.parquet');
  await report('hyparquet-writer', 'scalars', file, NS, best(3, () => writeFileSync(file, hyScalars())), checkScalars);
  for (const s of [S.fixed, S.random]) {
    file = join(WORK, `hy-${s.scheme}.parquet`);
    await report('hyparquet-writer', `samples ${s.scheme}`, file, s.n, best(3, () => writeFileSync(file, hySamples(s))), checkSamples(s));
  }

  // @dsnp/parquetjs: row objects, awaited one by one
  file = join(WORK, 'pj-scalars.parquet');
  let secs = await bestAsync(1, async () => {
    const fields: Record<string, unknown> = { step: { type: 'INT64' }, wall_time: { type: 'TIMESTAMP_MILLIS' } };
    for (const m of METRICS) fields[m] = { type: 'DOUBLE' };
    const w = await parquetjs.ParquetWriter.openFile(new parquetjs.ParquetSchema(fields as never), file);
    for (let i = 0; i < NS; i++) {
      const row: Record<string, unknown> = { step: BigInt(i), wall_time: new Date(wall[i]) };
      METRICS.forEach((m, k) => (row[m] = scalarCols[k][i]));
      await w.appendRow(row);
    }
    await w.close();
  });
  await report('@dsnp/parquetjs', 'scalars', file, NS, secs, checkScalars);
  for (const s of [S.fixed, S.random]) {
    file = join(WORK, `pj-${s.scheme}.parquet`);
    secs = await bestAsync(1, async () => {
      const fields: Record<string, unknown> = { index: { type: 'INT64' } };
      for (const name of s.names) fields[name] = { type: 'FLOAT', repeated: true };
      Object.assign(fields, { log_prob: { type: 'DOUBLE' }, magnetisation: { type: 'DOUBLE' } });
      const w = await parquetjs.ParquetWriter.openFile(new parquetjs.ParquetSchema(fields as never), file);
      for (let r = 0; r < s.n; r++) {
        const row: Record<string, unknown> = { index: BigInt(r), log_prob: s.logProb[r], magnetisation: s.m[r] };
        s.names.forEach((name, c) => (row[name] = Array.from(s.planes[c].subarray(r * 200, (r + 1) * 200))));
        await w.appendRow(row);
      }
      await w.close();
    });
    await report('@dsnp/parquetjs', `samples ${s.scheme}`, file, s.n, secs, checkSamples(s));
  }
}

// ---------------------------------------------------------------- 2. the sink
async function sink(): Promise<void> {
  console.log('\n## 2. The sink: openRun → persist → close (rows/s, best of 3)\n');
  const scalarRecords: MetricRecord[] = Array.from({ length: NS }, (_, i) => ({
    kind: 'scalars', step: i, wallTime: wall[i], values: Object.fromEntries(METRICS.map((m, k) => [m, scalarCols[k][i]])),
  }));
  const secs = await bestAsync(3, async () => {
    const run = await openRun({ root: join(WORK, 'sink'), pipeline: 'bench', config: {}, seed: 0, backend: 'none' });
    await lastValueFrom(from(scalarRecords).pipe(persist(run)));
    await run.close('completed');
  });
  console.log(`- scalars (${METRICS.length} metrics): ${fmt(NS / secs)} rows/s`);

  for (const scheme of ['fixed', 'random'] as const) {
    const app = new Apparatus({ scheme, epsilon: 0.2, qubits: 200 });
    const n = 10_000;
    const x = app.sample(n, new Rng(3));
    const records = await lastValueFrom(apparatusRows(app)(of({ index: 0, offset: 0, batch: n, qubits: 200, dim: app.dim, x })).pipe(toArray()));
    const t = await bestAsync(3, async () => {
      const run = await openRun({ root: join(WORK, 'sink'), pipeline: 'bench', config: {}, seed: 0, backend: 'none' });
      await lastValueFrom(from(records).pipe(persist(run)));
      await run.close('completed');
    });
    console.log(`- samples ${scheme}, N = 200 (rows already made): ${fmt(n / t)} rows/s`);
  }

  for (const scheme of ['fixed', 'random'] as const) {
    const records = 20_000;
    const start = performance.now();
    const outcome = await runSampleApparatus({
      config: { scheme, epsilon: 0.2, qubits: 200, alpha0: 0, records, batch: 1000 },
      seed: 1, root: join(WORK, 'pipeline'), backend: 'none',
    });
    const t = (performance.now() - start) / 1000;
    console.log(`- whole \`sample\` pipeline, ${scheme}, N = 200 (sampling + logProb + rows + Parquet): ${fmt(records / t)} records/s (${outcome.status})`);
  }
}

// ---------------------------------------------------------------- 3. sizes
async function sizes(): Promise<void> {
  console.log('\n## 3. On-disk size of representative runs\n');
  const show = (dir: string, what: string) => {
    const byTable = new Map<string, number>();
    for (const f of readdirSync(dir)) {
      const table = f.replace(/(-\d+)?\.(parquet|arrows)$/, (_, __, ext) => (ext === 'arrows' ? '.arrows' : ''));
      byTable.set(table, (byTable.get(table) ?? 0) + statSync(join(dir, f)).size);
    }
    const total = [...byTable.values()].reduce((a, b) => a + b, 0);
    console.log(`- ${what}: ${(total / 2 ** 20).toFixed(2)} MiB — ${[...byTable].map(([t, b]) => `${t} ${(b / 2 ** 10).toFixed(0)} KiB`).join(', ')}`);
  };

  // A VAE-like run: 10 metrics every 10 steps for 100k steps, 3 histograms of 50 bins every 100 steps, flushed every 2 s of a ~15-minute run.
  const run = await openRun({ root: join(WORK, 'sizes'), pipeline: 'vae-like', config: { scheme: 'random', epsilon: 0.2, qubits: 200 }, seed: 0, backend: 'none' });
  const flushes = 450;
  const steps = Array.from({ length: 10_000 }, (_, i) => i * 10);
  const hrng = new Rng(4);
  for (let f = 0; f < flushes; f++) {
    const chunk: MetricRecord[] = [];
    for (let i = Math.floor((f * steps.length) / flushes); i < Math.floor(((f + 1) * steps.length) / flushes); i++) {
      const step = steps[i];
      chunk.push({ kind: 'scalars', step, wallTime: T0 + step * 90, values: Object.fromEntries(METRICS.map((m) => [m, hrng.normal()])) });
      if (step % 100 === 0) for (const tag of ['magnetisation', 'm', 'z']) chunk.push(histogram(tag, step, Array.from({ length: 1000 }, () => hrng.normal() / 2), 50, -1, 1, T0 + step * 90));
    }
    for (const r of chunk) run.append(r);
    await run.flush();
  }
  await run.close('completed');
  show(run.dir, `VAE-like run (10k scalars rows × ${METRICS.length} metrics, 3 × 1000 histograms × 50 bins, ${flushes} flushes)`);

  for (const scheme of ['fixed', 'random'] as const) {
    const outcome = await runSampleApparatus({
      config: { scheme, epsilon: 0.2, qubits: 200, alpha0: 0, records: 10_000, batch: 1000 },
      seed: 1, root: join(WORK, 'sizes'), backend: 'none',
    });
    show(outcome.dir, `default \`sample\` run, ${scheme} (10,000 records, N = 200)`);
  }
}

if (process.argv.includes('--compare')) await compare();
await sink();
await sizes();
