import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { concat, from, lastValueFrom, NEVER, throwError, toArray } from 'rxjs';
import { afterAll, describe, expect, it } from 'vitest';
import { histogram, type HistogramRecord, type MetricRecord, type ScalarsRecord } from '../../../src/metrics/records.ts';
import { crc32c } from '../../../src/views/tensorboard/crc32c.ts';
import { histogramProto } from '../../../src/views/tensorboard/encodeEvent.ts';
import { tensorboard } from '../../../src/views/tensorboard/tensorboard.ts';

const FIXTURES = fileURLToPath(new URL('../../fixtures/tensorboard/', import.meta.url));
const PROTOC = '/usr/bin/protoc';
const T0 = 1_700_000_000_000;

/** Splits a TFRecord file, checking both masked CRCs of every frame (independently of the writer's framing code). */
function splitRecords(bytes: Buffer): Buffer[] {
  const mask = (b: Uint8Array) => {
    const c = crc32c(b);
    return ((((c >>> 15) | (c << 17)) >>> 0) + 0xa282ead8) % 2 ** 32;
  };
  const out: Buffer[] = [];
  let at = 0;
  while (at < bytes.length) {
    const n = Number(bytes.readBigUInt64LE(at));
    expect(bytes.readUInt32LE(at + 8), `length CRC at byte ${at}`).toBe(mask(bytes.subarray(at, at + 8)));
    const data = bytes.subarray(at + 12, at + 12 + n);
    expect(data.length, `record at byte ${at} is complete`).toBe(n);
    expect(bytes.readUInt32LE(at + 12 + n), `data CRC at byte ${at}`).toBe(mask(data));
    out.push(data);
    at += 16 + n;
  }
  expect(at).toBe(bytes.length);
  return out;
}

type Text = { [key: string]: Array<string | Text> };

/** protoc's text format → nested object; every key maps to the list of its occurrences. */
function parseTextFormat(text: string): Text {
  const stack: Text[] = [{}];
  for (const raw of text.split('\n')) {
    const line = raw.trim();
    if (line === '') continue;
    const top = stack[stack.length - 1];
    if (line === '}') {
      stack.pop();
      continue;
    }
    const open = /^(\w+) \{$/.exec(line);
    if (open) {
      const child: Text = {};
      (top[open[1]] ??= []).push(child);
      stack.push(child);
      continue;
    }
    const kv = /^(\w+): (.*)$/.exec(line);
    if (!kv) throw new Error(`unparsed protoc line: ${line}`);
    (top[kv[1]] ??= []).push(kv[2].startsWith('"') ? JSON.parse(kv[2]) : kv[2]);
  }
  return stack[0];
}

function protocDecode(data: Buffer): Text {
  const r = spawnSync(PROTOC, ['--decode=tensorboard.Event', '-I', FIXTURES, 'event.proto'], { input: data });
  if (r.status !== 0) throw new Error(`protoc failed: ${r.stderr.toString()}`);
  return parseTextFormat(r.stdout.toString());
}

const one = (t: Text, key: string) => {
  const v = t[key];
  if (v == null || v.length !== 1) throw new Error(`expected one ${key}, got ${JSON.stringify(v)}`);
  return v[0];
};
const num = (t: Text, key: string) => Number(one(t, key));
const nums = (t: Text, key: string) => (t[key] ?? []).map(Number);

const dirs: string[] = [];
afterAll(() => dirs.forEach((d) => rmSync(d, { recursive: true, force: true })));

function stream(): MetricRecord[] {
  const records: MetricRecord[] = [];
  for (let k = 0; k < 4; k++) {
    const step = 20 * (k + 1);
    const wallTime = T0 + 1000 * k + 250;
    records.push({
      kind: 'scalars',
      step,
      wallTime,
      values: { loss: 10 / (k + 1), kl: 0.1 * k, latent_norm: 0.5 + k, latent_fluctuation: 1 / (k + 2) },
    });
    const xs = Array.from({ length: 50 }, (_, i) => Math.tanh((i - 25) / 10 + 0.3 * k));
    records.push(histogram('magnetisation', step, xs, 8, -1, 1, wallTime));
    records.push(histogram('m', step, xs.map((x) => x / 2), 8, -1, 1, wallTime));
    records.push(histogram('z', step, xs.map((x) => 3 * x), 10, -4, 4, wallTime));
    records.push({ kind: 'row', table: 'samples', row: { step, x: 1 } });
  }
  return records;
}

describe('tensorboard event files', () => {
  const haveProtoc = existsSync(PROTOC);

  it.skipIf(!haveProtoc)('decode with protoc against the published protos: version first, seed tags, values, CRCs', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'tb-'));
    dirs.push(dir);
    const records = stream();
    const passed = await lastValueFrom(from(records).pipe(tensorboard(dir, { hostname: 'testhost', now: () => T0 }), toArray()));
    expect(passed).toEqual(records);

    const files = readdirSync(dir);
    expect(files).toEqual([`events.out.tfevents.${T0 / 1000}.testhost`]);
    const frames = splitRecords(readFileSync(join(dir, files[0])));
    // 1 version event + per step: 1 scalars event + 3 histogram events (table rows are not written).
    expect(frames.length).toBe(1 + 4 * 4);
    const events = frames.map(protocDecode);

    expect(one(events[0], 'file_version')).toBe('brain.Event:2');
    expect(num(events[0], 'wall_time')).toBe(T0 / 1000);

    const expected = records.filter((r): r is ScalarsRecord | HistogramRecord => r.kind !== 'row');
    expected.forEach((rec, i) => {
      const ev = events[i + 1];
      expect(num(ev, 'step')).toBe(rec.step);
      expect(num(ev, 'wall_time')).toBeCloseTo(rec.wallTime / 1000, 6);
      const values = (one(ev, 'summary') as Text).value as Text[];
      if (rec.kind === 'scalars') {
        const got = Object.fromEntries(values.map((v) => [one(v, 'tag'), num(v, 'simple_value')]));
        const s = rec.values;
        expect(Object.keys(got).sort()).toEqual(['kl', 'latent_fluctuation', 'latent_norm', 'training_loss']);
        // simple_value is a float and protoc prints the shortest decimal that rounds to it.
        const f32 = Math.fround;
        expect(f32(got.training_loss)).toBe(f32(s.loss));
        expect(f32(got.kl)).toBe(f32(s.kl));
        expect(f32(got.latent_norm)).toBe(f32(s.latent_norm));
        expect(f32(got.latent_fluctuation)).toBe(f32(s.latent_fluctuation));
      } else if (rec.kind === 'histogram') {
        expect(values.length).toBe(1);
        const tag = one(values[0], 'tag');
        expect(tag).toBe({ magnetisation: 'x3', m: 'm', z: 'z' }[rec.tag]);
        const h = one(values[0], 'histo') as Text;
        const want = histogramProto(rec.edges, rec.counts);
        expect(num(h, 'num')).toBe(50);
        expect(num(h, 'min')).toBe(want.min);
        expect(num(h, 'max')).toBe(want.max);
        expect(nums(h, 'bucket')).toEqual(want.bucket);
        expect(nums(h, 'bucket_limit')).toEqual(want.bucket_limit);
        expect(num(h, 'sum')).toBeCloseTo(want.sum, 10);
        expect(num(h, 'sum_squares')).toBeCloseTo(want.sum_squares, 10);
      }
    });
  });

  it('histogramProto drops empty end bins, so TensorBoard draws exactly the occupied bins', () => {
    const edges = [0, 1, 2, 3, 4, 5];
    const counts = [0, 2, 0, 3, 0];
    const h = histogramProto(edges, counts);
    // TensorBoard: lefts = [min, ...bucket_limit[:-1]], rights = [...bucket_limit[:-1], max].
    const lefts = [h.min, ...h.bucket_limit.slice(0, -1)];
    const rights = [...h.bucket_limit.slice(0, -1), h.max];
    expect(lefts).toEqual([1, 2, 3]);
    expect(rights).toEqual([2, 3, 4]);
    expect(h.bucket).toEqual([2, 0, 3]);
    expect(h.num).toBe(5);
    expect(h.sum).toBe(2 * 1.5 + 3 * 3.5);
    expect(h.sum_squares).toBe(2 * 1.5 ** 2 + 3 * 3.5 ** 2);
    expect(histogramProto([0, 1, 2], [0, 0]).num).toBe(0);
    expect(() => histogramProto([0, 1], [1, 2])).toThrow(/edges must have counts.length \+ 1 = 3 entries, got 2/);
  });

  it('a second writer in the same directory and second gets its own file', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'tb-'));
    dirs.push(dir);
    const opts = { hostname: 'h', now: () => T0 };
    await lastValueFrom(from(stream()).pipe(tensorboard(dir, opts), toArray()));
    await lastValueFrom(from(stream()).pipe(tensorboard(dir, opts), toArray()));
    expect(readdirSync(dir).sort()).toEqual([`events.out.tfevents.${T0 / 1000}.h`, `events.out.tfevents.${T0 / 1000}.h.1`]);
  });

  if (!haveProtoc) it.skip(`protoc decoding skipped: ${PROTOC} missing (apt-get install -y protobuf-compiler)`, () => {});

  it('closes its file on complete, error and unsubscribe (no descriptor left open)', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'tb-'));
    dirs.push(dir);
    const openFds = () => readdirSync('/proc/self/fd').length;
    const before = openFds();
    await lastValueFrom(from(stream()).pipe(tensorboard(dir), toArray()));
    await expect(lastValueFrom(concat(from(stream()), throwError(() => new Error('x'))).pipe(tensorboard(dir)))).rejects.toThrow('x');
    concat(from(stream()), NEVER).pipe(tensorboard(dir)).subscribe().unsubscribe();
    expect(openFds()).toBe(before);
    expect(readdirSync(dir).length).toBe(3);
  });
});
