/**
 * The timing half of scripts/gpu-check.sh (issue 14): the showcase, the large configuration and the
 * image VAEs on `webgpu` against wasm, PyTorch CUDA (where torch sees a GPU) and PyTorch on the CPU,
 * each measurement a fresh process with its own time cap, all inside one budget; writes a Markdown
 * table with steps/s and ratios.
 *
 *   npx tsx bench/gpu-check.ts --budget 300 --out bench/gpu-check.md [--preamble FILE]
 *   npx tsx bench/gpu-check.ts --probe          Dawn's adapter, or why there is none (one JSON line)
 *
 * A measurement that would not fit in what is left of the budget is listed as skipped; one that
 * fails or runs past its cap is listed with the reason. Without a WebGPU adapter the webgpu rows
 * say so and the rest is measured as usual.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { cpus } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { probeAdapter, type AdapterProbe } from '../src/backend/webgpu.ts';
import { parseArgs } from './args.ts';
import type { Workload } from './gpu-step.ts';

const here = dirname(fileURLToPath(import.meta.url));
const root = join(here, '..');
const args = parseArgs(process.argv.slice(2), { budget: '300', out: join(here, 'gpu-check.md'), preamble: '', probe: 'false' });

if (args.probe === 'true') {
  process.stdout.write(`${JSON.stringify(await probeAdapter())}\n`);
  process.exit(0);
}

type Impl = 'ours webgpu' | 'ours wasm' | 'PyTorch CUDA' | 'PyTorch CPU';
interface Plan {
  workload: Workload;
  impl: Impl;
  steps: number;
  warmup: number;
  /** Cap on the timed steps (the step script stops at the next read-back after it). */
  maxSeconds: number;
  /** Allowance for start-up (imports, backend start, shader compilation, CUDA context) on top of maxSeconds. */
  startup: number;
}
interface Row extends Plan {
  device: string;
  timed?: number;
  seconds?: number;
  stepsPerS?: number;
  msPerStep?: number;
  note: string;
}

const WORKLOAD_LABEL: Record<Workload, string> = {
  showcase: 'showcase (random axis, ε 0.2, N 200, batch 50)',
  large: 'large (N 1000, batch 256)',
  mlp: 'image VAE, mlp (batch 128)',
  conv: 'image VAE, conv (batch 128)',
};
// Steps and caps per implementation: GPU rows get a few hundred steps, the CPU rows fewer (a conv
// step is seconds on one wasm thread). Caps keep the slowest case inside the budget.
const PLANS: Record<Impl, Record<Workload, [steps: number, warmup: number, maxSeconds: number]>> = {
  'ours webgpu': { showcase: [300, 20, 20], large: [100, 5, 25], mlp: [300, 10, 20], conv: [200, 5, 25] },
  'ours wasm': { showcase: [200, 20, 10], large: [12, 2, 15], mlp: [60, 5, 10], conv: [10, 2, 15] },
  'PyTorch CUDA': { showcase: [300, 20, 10], large: [100, 10, 10], mlp: [300, 10, 10], conv: [300, 10, 10] },
  'PyTorch CPU': { showcase: [100, 5, 8], large: [10, 1, 12], mlp: [60, 5, 8], conv: [20, 2, 12] },
};
// Seconds for imports, backend start, shader compilation / CUDA context and the warm-up steps.
const STARTUP: Record<Impl, number> = { 'ours webgpu': 60, 'ours wasm': 30, 'PyTorch CUDA': 45, 'PyTorch CPU': 35 };

const budgetMs = Number(args.budget) * 1000;
const started = Date.now();
const left = () => budgetMs - (Date.now() - started);
const log = (s: string) => process.stderr.write(`gpu-check: ${s}\n`);

const probe: AdapterProbe = await probeAdapter();
log(probe.found ? `WebGPU adapter: ${probe.adapter}` : `no WebGPU adapter (Dawn: ${probe.reason}); the webgpu rows are skipped`);
const torch = findTorch();
log(torch == null ? 'no python3 with torch: the PyTorch rows are skipped' : `PyTorch ${torch.version} at ${torch.python}, CUDA ${torch.cuda ? `available (${torch.gpu})` : 'not available'}`);

const rows: Row[] = [];
for (const workload of ['showcase', 'large', 'mlp', 'conv'] as const) {
  for (const impl of ['ours webgpu', 'ours wasm', 'PyTorch CUDA', 'PyTorch CPU'] as const) {
    const [steps, warmup, maxSeconds] = PLANS[impl][workload];
    const plan: Plan = { workload, impl, steps, warmup, maxSeconds, startup: STARTUP[impl] };
    if (impl === 'ours webgpu' && !probe.found) rows.push({ ...plan, device: '–', note: `skipped: no WebGPU adapter (Dawn: ${probe.reason})` });
    else if (impl.startsWith('PyTorch') && torch == null) rows.push({ ...plan, device: '–', note: 'skipped: no python3 with torch' });
    else if (impl === 'PyTorch CUDA' && !torch!.cuda) rows.push({ ...plan, device: '–', note: 'skipped: torch.cuda.is_available() is False' });
    else rows.push(measure(plan));
  }
}

const md = report(rows);
mkdirSync(dirname(args.out), { recursive: true });
writeFileSync(args.out, md);
process.stdout.write(md);
log(`wrote ${args.out} in ${((Date.now() - started) / 1000).toFixed(0)} s`);
process.exit(0);

/** One fresh process of `plan`, capped by its allowance and by what is left of the budget. */
function measure(plan: Plan): Row {
  const wantMs = (plan.maxSeconds + plan.startup) * 1000;
  // Worth starting only with room for start-up and a quarter of the timed cap.
  const minMs = (plan.startup / 2 + plan.maxSeconds / 4) * 1000;
  if (left() < minMs) return { ...plan, device: '–', note: `skipped: ${Math.max(0, left() / 1000).toFixed(0)} s of the budget left` };
  const timeout = Math.min(wantMs, left() - 2000);
  // Leave the step script room to stop at a read-back before the process is killed.
  const maxSeconds = Math.max(1, Math.min(plan.maxSeconds, timeout / 1000 - plan.startup / 2));
  const syncEvery = String(Math.max(1, Math.min(10, Math.floor(plan.steps / 5))));
  const common = ['--workload', plan.workload, '--steps', String(plan.steps), '--warmup', String(plan.warmup), '--max-seconds', maxSeconds.toFixed(1), '--sync-every', syncEvery];
  const cmd = plan.impl.startsWith('ours')
    ? [process.execPath, '--import', 'tsx', join(here, 'gpu-step.ts'), ...common, '--backend', plan.impl === 'ours webgpu' ? 'webgpu' : 'wasm']
    : [torch!.python, join(here, 'gpu_reference.py'), ...common, '--device', plan.impl === 'PyTorch CUDA' ? 'cuda' : 'cpu'];
  log(`${plan.workload} / ${plan.impl}: up to ${(timeout / 1000).toFixed(0)} s`);
  const t = Date.now();
  const res = spawnSync(cmd[0], cmd.slice(1), { cwd: root, encoding: 'utf8', timeout, killSignal: 'SIGKILL', maxBuffer: 16 << 20 });
  const line = (res.stdout ?? '').trim().split('\n').filter((l) => l.startsWith('{')).at(-1);
  if (res.error != null && (res.error as NodeJS.ErrnoException).code === 'ETIMEDOUT') {
    return { ...plan, device: '–', note: `timed out after ${((Date.now() - t) / 1000).toFixed(0)} s (start-up or steps slower than the cap)` };
  }
  if (res.status !== 0 || line == null) {
    const why = (res.stderr ?? '').trim().split('\n').filter((l) => /error/i.test(l)).at(-1) ?? `exit ${res.status}`;
    return { ...plan, device: '–', note: `failed: ${why.slice(0, 200)}` };
  }
  const r = JSON.parse(line) as { device: string | null; steps: number; seconds: number; steps_per_s: number; ms_per_step: number; stopped_by_time: boolean; sample_on?: string };
  const notes = [r.stopped_by_time ? `stopped at the ${maxSeconds.toFixed(0)} s cap` : '', r.sample_on != null && plan.workload !== 'mlp' && plan.workload !== 'conv' ? `apparatus sampled on ${r.sample_on}` : ''];
  const device = r.device ?? (plan.impl === 'ours wasm' ? `wasm, 1 thread (${cpus()[0]?.model.trim() ?? 'cpu'})` : '?');
  log(`  ${r.steps_per_s.toFixed(2)} steps/s over ${r.steps} steps`);
  return { ...plan, device, timed: r.steps, seconds: r.seconds, stepsPerS: r.steps_per_s, msPerStep: r.ms_per_step, note: notes.filter(Boolean).join('; ') };
}

/** A python3 that imports torch (PYTHON, python3 on PATH, /usr/bin/python3, in that order); one with CUDA first. */
function findTorch(): { python: string; version: string; cuda: boolean; gpu: string } | null {
  const found: { python: string; version: string; cuda: boolean; gpu: string }[] = [];
  for (const python of [process.env.PYTHON, 'python3', '/usr/bin/python3'].filter((p): p is string => !!p)) {
    const r = spawnSync(python, ['-c', 'import json, torch; c = torch.cuda.is_available(); print(json.dumps({"version": torch.__version__, "cuda": c, "gpu": torch.cuda.get_device_name(0) if c else ""}))'], { encoding: 'utf8', timeout: 90_000 });
    const line = (r.stdout ?? '').trim().split('\n').at(-1);
    if (r.status === 0 && line?.startsWith('{')) found.push({ python, ...(JSON.parse(line) as { version: string; cuda: boolean; gpu: string }) });
  }
  return found.find((f) => f.cuda) ?? found[0] ?? null;
}

function report(rows: Row[]): string {
  const fmt = (v: number | undefined, d = 2) => (v == null || !Number.isFinite(v) ? '–' : v.toFixed(d));
  const lines: string[] = [];
  if (args.preamble && existsSync(args.preamble)) lines.push(readFileSync(args.preamble, 'utf8').trimEnd(), '');
  lines.push('## Timings', '');
  lines.push(`WebGPU: ${probe.found ? probe.adapter : `no adapter (Dawn: ${probe.reason})`}. PyTorch: ${torch == null ? 'none (no python3 with torch)' : `${torch.version}, CUDA ${torch.cuda ? torch.gpu : 'not available'}`}.`, '');
  lines.push('| workload | implementation | device | steps timed | s | steps/s | ms/step | × ours wasm | × best PyTorch | note |');
  lines.push('|---|---|---|---:|---:|---:|---:|---:|---:|---|');
  for (const r of rows) {
    const same = rows.filter((o) => o.workload === r.workload && o.stepsPerS != null);
    const wasm = same.find((o) => o.impl === 'ours wasm')?.stepsPerS;
    const torchBest = same.filter((o) => o.impl.startsWith('PyTorch')).sort((a, b) => b.stepsPerS! - a.stepsPerS!)[0];
    const vsWasm = r.stepsPerS != null && wasm != null ? `${fmt(r.stepsPerS / wasm)}×` : '–';
    const vsTorch = r.stepsPerS != null && torchBest != null ? `${fmt(r.stepsPerS / torchBest.stepsPerS!)}× (${torchBest.impl.replace('PyTorch ', '')})` : '–';
    lines.push(`| ${WORKLOAD_LABEL[r.workload]} | ${r.impl} | ${r.device} | ${r.timed ?? '–'} | ${fmt(r.seconds, 1)} | ${fmt(r.stepsPerS)} | ${fmt(r.msPerStep)} | ${vsWasm} | ${vsTorch} | ${r.note} |`);
  }
  lines.push('', '## Method', '');
  lines.push(
    '- Each row is one fresh process: `bench/gpu-step.ts` (ours: the product\'s training stages — apparatusSource ▸ toTensor ▸ KL schedule ▸ minimize(encode ▸ sampleLatent ▸ decode ▸ elbo) for the qubit VAE, minibatches ▸ imagesToTensor ▸ minimize(trainingForward) for the image VAEs — on `--backend webgpu` or `wasm`) or `bench/gpu_reference.py` (PyTorch: the references of bench/reference/, unchanged, on CUDA or the CPU with torch\'s default threads).',
    '- Warm-up steps first, untimed (they include WebGPU shader compilation and CUDA start-up). Both sides queue GPU work asynchronously, so the clock is read only after the loss is read back (ours) or after `torch.cuda.synchronize()` (PyTorch): at the end of the warm-up and every few steps (at most 10); steps/s = timed steps / seconds between the first and last read. Apparatus batches are sampled on the CPU by ours (plain JS); PyTorch samples them on the GPU when it runs on CUDA (torch ≥ 2), as its fastest form.',
    `- Steps and caps per implementation (steps, warm-up, cap in s): ${(Object.keys(PLANS) as Impl[]).map((i) => `${i} ${(['showcase', 'large', 'mlp', 'conv'] as const).map((w) => `${w} ${PLANS[i][w].join('/')}`).join(', ')}`).join('; ')}. A run stops at its first read-back past its cap; a measurement that does not fit in what is left of the ${(budgetMs / 1000).toFixed(0)} s budget is skipped, one that runs past cap + start-up allowance is killed and listed as timed out.`,
    '- One measurement per row, no repeats: a quick device check, not the interleaved `npm run bench`.',
  );
  return `${lines.join('\n')}\n`;
}
