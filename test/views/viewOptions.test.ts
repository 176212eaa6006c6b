import { existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { Command } from 'commander';
import { from, lastValueFrom, toArray } from 'rxjs';
import { afterAll, describe, expect, it } from 'vitest';
import { UserFacingError } from '../../src/options/userFacingError.ts';
import { addViewOptions, viewsFromOptions, type ViewOptions } from '../../src/views/viewOptions.ts';
import { SseClient } from './dashboard/sseClient.ts';
import { syntheticMetrics } from './syntheticMetrics.ts';

const dirs: string[] = [];
afterAll(() => dirs.forEach((d) => rmSync(d, { recursive: true, force: true })));
const tmp = () => {
  const d = mkdtempSync(join(tmpdir(), 'views-'));
  dirs.push(d);
  return d;
};

function parse(argv: string[]): ViewOptions {
  const cmd = addViewOptions(new Command('x').exitOverride().configureOutput({ writeErr: () => undefined }).option('--out <dir>', 'out', 'output').option('--quiet', 'quiet', false));
  cmd.parse(argv, { from: 'user' });
  return cmd.opts();
}

const lines = () => {
  const out: string[] = [];
  const stream = new Writable({ write: (c, _e, cb) => (out.push(String(c)), cb()) }) as Writable & { isTTY?: boolean };
  stream.isTTY = false;
  return { stream, text: () => out.join('') };
};

describe('addViewOptions', () => {
  it('parses the flags with and without values, and rejects a bad port naming the flag', () => {
    expect(parse([])).toMatchObject({ plots: true });
    expect(parse([]).dashboard).toBeUndefined();
    expect(parse(['--dashboard'])).toMatchObject({ dashboard: true });
    expect(parse(['--dashboard', '8080', '--tensorboard'])).toMatchObject({ dashboard: 8080, tensorboard: true });
    expect(parse(['--tensorboard', 'tb', '--no-plots', '--host', '0.0.0.0'])).toMatchObject({ tensorboard: 'tb', plots: false, host: '0.0.0.0' });
    expect(() => parse(['--dashboard', '70000'])).toThrow(/--dashboard.*expected an integer ≥ 0 and ≤ 65535, got 70000/);
  });
});

describe('viewsFromOptions', () => {
  it('one operator feeds progress, TensorBoard, the dashboard and the plots from the same stream', async () => {
    const out = tmp();
    const tb = tmp();
    const runDir = join(out, 'p', 'r1');
    const said: string[] = [];
    const progressOut = lines();
    const opts = parse(['--dashboard', '0', '--tensorboard', tb, '--out', out]);
    const views = await viewsFromOptions(opts, {
      info: { id: 'r1', pipeline: 'p', total: 200, config: { qubits: 4 } },
      runDir,
      progress: { label: 'train', keys: ['kl'], stream: progressOut.stream },
      say: (l) => said.push(l),
    });
    try {
      expect(views.dashboardUrl).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/$/);
      expect(views.tensorboardDir).toBe(join(tb, 'p', 'r1'));
      const viewer = new SseClient(views.dashboardUrl!);
      await viewer.until(() => viewer.count('hello') === 1);
      const records = syntheticMetrics(200, 20);
      const passed = await lastValueFrom(from(records).pipe(views.operator, toArray()));
      expect(passed).toEqual(records);
      // The figures the plots wrote at the end are announced to the page and listed from the run directory.
      await viewer.until(() => viewer.count('figure') === 2);
      expect(viewer.events.filter((e) => e.event === 'figure').map((e) => e.data)).toEqual([
        { run: 'r1', name: 'scalars.svg' },
        { run: 'r1', name: 'histograms.svg' },
      ]);
      viewer.close();
      const figures = await (await fetch(views.dashboardUrl + 'api/figures/live/r1')).json();
      expect(figures.map((f: { name: string }) => f.name)).toEqual(['histograms.svg', 'scalars.svg']);
      expect(() => views.figure('../scalars.svg')).toThrow(/name must be a .svg or .png file name/);

      expect(said).toEqual([
        `tensorboard: event files in ${join(tb, 'p', 'r1')} (view: tensorboard --logdir ${tb})`,
        `dashboard: ${views.dashboardUrl}`,
      ]);
      expect(readdirSync(join(tb, 'p', 'r1'))).toEqual([expect.stringMatching(/^events\.out\.tfevents\.\d+\./)]);
      expect(readdirSync(runDir).sort()).toEqual(['histograms.svg', 'scalars.svg']);
      expect(progressOut.text()).toMatch(/^train step 20\/200 \| .* \| loss [\d.]+  kl [\d.-]+\n/);
      expect(progressOut.text()).toMatch(/train step 200\/200 .* \| done in/);
      const runs = await (await fetch(views.dashboardUrl + 'api/runs')).json();
      expect(runs).toEqual([expect.objectContaining({ info: { id: 'r1', pipeline: 'p', total: 200, config: { qubits: 4 } }, status: 'completed' })]);
    } finally {
      await views.close();
    }
  });

  it('without view flags: only progress (silent with --quiet) and the plots; a bare --tensorboard writes into the run directory', async () => {
    const out = tmp();
    const runDir = join(out, 'p', 'r2');
    const progressOut = lines();
    const quiet = await viewsFromOptions(parse(['--quiet', '--out', out]), { info: { id: 'r2', pipeline: 'p' }, runDir, progress: { stream: progressOut.stream }, say: () => undefined });
    await lastValueFrom(from(syntheticMetrics(40, 20)).pipe(quiet.operator, toArray()));
    expect(progressOut.text()).toBe('');
    expect(quiet.dashboardUrl).toBeUndefined();
    expect(readdirSync(runDir).sort()).toEqual(['histograms.svg', 'scalars.svg']);
    await quiet.serveUntilInterrupted(); // returns at once without a dashboard

    const runDir3 = join(out, 'p', 'r3');
    const tbOnly = await viewsFromOptions(parse(['--tensorboard', '--no-plots', '--quiet', '--out', out]), { info: { id: 'r3', pipeline: 'p' }, runDir: runDir3, say: () => undefined });
    await lastValueFrom(from(syntheticMetrics(40, 20)).pipe(tbOnly.operator, toArray()));
    expect(tbOnly.tensorboardDir).toBe(runDir3);
    expect(readdirSync(runDir3)).toEqual([expect.stringMatching(/^events\.out\.tfevents\./)]);
    expect(existsSync(join(runDir3, 'scalars.svg'))).toBe(false);
  });

  it('a taken port is a one-line user error naming --dashboard', async () => {
    const blocker = createServer();
    await new Promise<void>((r) => blocker.listen(0, '127.0.0.1', r));
    const port = (blocker.address() as { port: number }).port;
    try {
      const attempt = viewsFromOptions(parse(['--dashboard', String(port), '--quiet']), { info: { id: 'r', pipeline: 'p' }, say: () => undefined });
      await expect(attempt).rejects.toThrow(UserFacingError);
      await expect(attempt).rejects.toThrow(`--dashboard: port ${port} on 127.0.0.1 is in use; pick another (--dashboard <port>, or 0 for any free port)`);
    } finally {
      blocker.close();
    }
  });
});
