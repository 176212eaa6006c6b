import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { DuckDBInstance } from '@duckdb/node-api';
import { chromium, type Browser } from 'playwright-core';
import { afterAll, describe, expect, it } from 'vitest';
import { createModel, DEFAULT_CONFIG, emergentClassicality } from '../../../pipelines/emergent-classicality.ts';
import { selectBackend } from '../../../src/backend/selectBackend.ts';
import { openRun, superviseRun } from '../../../src/sinks/index.ts';
import { writeFileAtomic } from '../../../src/sinks/writeFileAtomic.ts';
import { dashboard } from '../../../src/views/dashboard/dashboard.ts';
import { startDashboard, type DashboardServer } from '../../../src/views/dashboard/dashboardServer.ts';
import { lineChartSvg } from '../../../src/views/plots/lineChartSvg.ts';

const CHROMIUM = '/usr/bin/chromium';
const ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'];
/** Where the screenshot goes. `DASHBOARD_SCREENSHOT=docs/dashboard.png` refreshes the README's image. */
const SHOT = process.env.DASHBOARD_SCREENSHOT ?? join(tmpdir(), 'qubit-rx-dashboard.png');
/** Training steps of the run; the README image uses a longer one (`DASHBOARD_STEPS=1000`). */
const STEPS = Number(process.env.DASHBOARD_STEPS ?? 120);

/** TensorBoard's debiased EMA, written independently of the page's. */
function ema(values: number[], w: number): number[] {
  let last = 0;
  return values.map((v, i) => {
    last = last * w + (1 - w) * v;
    return last / (1 - w ** (i + 1));
  });
}

interface PageApi {
  __dashboard: {
    runIds(): string[];
    chartData(key: string): (number | null)[][] | null;
    figures(): { name: string; loaded: boolean }[];
  };
}
type Win = Window & PageApi;

let browser: Browser | undefined;
let server: DashboardServer | undefined;
let root: string | undefined;
afterAll(async () => {
  await browser?.close();
  await server?.close();
  if (root) rmSync(root, { recursive: true, force: true });
});

if (!existsSync(CHROMIUM)) {
  describe('dashboard in headless Chromium', () => {
    it.skip(`skipped: ${CHROMIUM} is missing (apt-get install -y chromium; .ci/run installs it)`, () => {});
  });
} else {
  describe('dashboard in headless Chromium', () => {
    it('shows a real short training run live, agreeing with its Parquet scalars, and reopens it from Parquet', { timeout: 90_000 }, async () => {
      await selectBackend('wasm');
      root = mkdtempSync(join(tmpdir(), 'dash-e2e-'));
      const config = { ...DEFAULT_CONFIG, steps: STEPS, every: 10, qubits: 50, evalRecords: 100, checkpointEvery: 0 };
      const model = createModel(config);
      const { seed, ...runConfig } = config;
      const run = await openRun({ root, pipeline: 'emergent-classicality', config: runConfig, seed, backend: 'wasm', flushMs: 500 });
      server = await startDashboard({ port: 0, runsRoot: root });
      const info = { id: run.id, pipeline: 'emergent-classicality', config, total: config.steps };

      browser = await chromium.launch({ executablePath: CHROMIUM, args: ARGS });
      const page = await browser.newPage({ viewport: { width: 1400, height: 1000 } });
      const problems: string[] = [];
      page.on('console', (m) => {
        if (m.type() === 'error' || m.type() === 'warning') problems.push(`${m.type()}: ${m.text()}`);
      });
      page.on('pageerror', (e) => problems.push(`pageerror: ${e.message}`));
      await page.goto(server.url);

      // The page is open before the run starts: everything it shows arrives live.
      const outcome = superviseRun(run, emergentClassicality(config, model).pipe(dashboard(server, info, { dir: run.dir })));
      await page.waitForFunction(() => ((window as unknown as Win).__dashboard.chartData('loss')?.[0]?.length ?? 0) > 0, null, { timeout: 60_000 });
      const finished = await outcome;
      model.dispose();
      expect(finished.status).toBe('completed');

      // The persisted scalars, read by an independent Parquet reader.
      const db = await (await DuckDBInstance.create(':memory:', { threads: '1' })).connect();
      const rows = (
        await db.runAndReadAll(`SELECT step, loss FROM read_parquet('${join(run.dir, 'scalars-*.parquet')}', union_by_name = true) ORDER BY step`)
      ).getRowObjectsJS() as { step: bigint; loss: number }[];
      const steps = rows.map((r) => Number(r.step));
      const loss = rows.map((r) => r.loss);
      expect(steps).toEqual(Array.from({ length: STEPS / 10 }, (_, i) => 10 * (i + 1)));

      await page.waitForFunction((n) => (window as unknown as Win).__dashboard.chartData('loss')?.[0]?.length === n, steps.length);
      await page.waitForSelector('.runs .status.completed');
      const live = (await page.evaluate(() => (window as unknown as Win).__dashboard.chartData('loss')))!;
      expect(live[0]).toEqual(steps); // x: the steps
      expect(live[1]).toEqual(loss); // raw series: exactly the persisted values
      const smoothed = ema(loss, 0.6);
      live[2].forEach((v, i) => expect(v).toBeCloseTo(smoothed[i], 9)); // default smoothing 0.6, TensorBoard's EMA

      // Smoothing 0 draws the raw values.
      await page.locator('#smoothing').fill('0');
      await page.waitForFunction(() => {
        const d = (window as unknown as Win).__dashboard.chartData('loss')!;
        return d[2].every((v, i) => v === d[1][i]);
      });
      await page.locator('#smoothing').fill('0.6');

      // One heat-map per histogram tag, and the config on the page.
      const tags = await page.locator('.heatmap').evaluateAll((els) => els.map((e) => (e as HTMLElement).dataset.tag));
      expect(tags).toEqual(['magnetisation', 'm', 'z']);
      await expect(page.locator('#config').textContent()).resolves.toContain('scheme');

      // Figures of the run directory: one announced (shown at once), one found by the page's polling.
      const figures = () => page.evaluate(() => (window as unknown as Win).__dashboard.figures());
      const lossSvg = lineChartSvg([{ label: 'loss', x: steps, y: loss }], { title: 'loss (from Parquet)', xLabel: 'step', yLabel: 'loss', logY: true });
      await writeFileAtomic(join(run.dir, 'loss.svg'), new TextEncoder().encode(lossSvg));
      server.figure(run.id, 'loss.svg');
      await page.waitForFunction(() => JSON.stringify((window as unknown as Win).__dashboard.figures()) === JSON.stringify([{ name: 'loss.svg', loaded: true }]));
      writeFileSync(join(run.dir, 'pixel.png'), Buffer.from('iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkYPhfDwAChwGA60e6kgAAAABJRU5ErkJggg==', 'base64'));
      await page.waitForFunction(() => (window as unknown as Win).__dashboard.figures().filter((f) => f.loaded).length === 2, null, { timeout: 10_000 });
      expect((await figures()).map((f) => f.name)).toEqual(['loss.svg', 'pixel.png']);
      expect(await page.locator('#figures img[alt="loss.svg"]').evaluate((img) => (img as HTMLImageElement).naturalWidth)).toBe(720);

      await page.waitForTimeout(400); // one redraw tick, then the picture of the live run
      mkdirSync(dirname(SHOT), { recursive: true });
      await page.screenshot({ path: SHOT, fullPage: true });

      // Open the same run from its Parquet tables: a second line on each chart, same values.
      const id = `emergent-classicality/${run.id}`;
      await page.locator('#finished').focus();
      await page.waitForSelector(`#finished option[value="${id}"]`, { state: 'attached' });
      await page.locator('#finished').selectOption(id);
      await page.locator('#open').click();
      await page.waitForFunction(() => (window as unknown as Win).__dashboard.chartData('loss')?.length === 5);
      const both = (await page.evaluate(() => (window as unknown as Win).__dashboard.chartData('loss')))!;
      expect(both[0]).toEqual(steps);
      expect(both[1]).toEqual(loss);
      expect(both[3]).toEqual(loss);
      expect(await page.evaluate(() => (window as unknown as Win).__dashboard.runIds())).toEqual([run.id, `file:${id}`]);
      // The opened run is selected: its figures now come from the finished listing, the same files.
      // Wait for the finished listing itself: the live run's two images are loaded already, so counting loaded ones would race the switch.
      await page.waitForFunction(() => {
        const imgs = [...document.querySelectorAll('#figures img')] as HTMLImageElement[];
        return imgs.length === 2 && imgs.every((i) => i.src.includes('/api/figure/finished/') && i.complete && i.naturalWidth > 0);
      });
      expect(await page.locator('#figures img').evaluateAll((imgs) => imgs.map((i) => new URL((i as HTMLImageElement).src).pathname))).toEqual([
        `/api/figure/finished/emergent-classicality/${run.id}/loss.svg`,
        `/api/figure/finished/emergent-classicality/${run.id}/pixel.png`,
      ]);

      expect(problems).toEqual([]);
      console.info(`dashboard screenshot: ${SHOT}`);
    });
  });
}
