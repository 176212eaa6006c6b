/**
 * Stress check of the two-thread RbmEngine (src/energy/rbmEngine.ts): `--procs` processes (default
 * 4, twice the cores here, so the threads are preempted at every point of the command protocol) each
 * repeat, for `--seconds`, three CD/PCD updates (momentum and weight decay on), a short AIS run and a
 * weights checksum on a 784 × 500 RBM, alternating a long-lived engine with fresh ones, and compare
 * every number with a one-thread engine's. Prints the runs and those that differed (with the first
 * differing number); exit 1 when any did.
 *
 *   npx tsx bench/rbm-threads-race.ts                       # 2-thread engines, 4 processes × 240 s
 *   npx tsx bench/rbm-threads-race.ts --threads 1           # the control: 1-thread engines
 *
 * Measured here (2026-12-01, 2 cores): 2 threads 9 differing runs in 5 751 (in 4 sessions of 300–400 s;
 * the first difference in the CD loss of the third update, or in one AIS weight, by 0.1–0.3 nats);
 * 1 thread 0 in 4 873. Hence RbmEngine's default of one thread.
 */
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { createRbm } from '../src/energy/rbm.ts';
import { RbmEngine } from '../src/energy/rbmEngine.ts';
import { Rng } from '../src/random/rng.ts';
import { parseArgs } from './args.ts';

const V = 784;
const H = 500;

/** One run's numbers: per update loss and reconstruction error, the AIS log weights, a weights checksum. */
function run(engine: RbmEngine): number[] {
  const model = createRbm(V, H, new Rng(3));
  const batch = Float64Array.from({ length: 64 * V }, (_, k) => (((k * 2654435761) >>> 0) % 5 === 0 ? 1 : 0));
  engine.load(model);
  engine.setVelocity({ W: new Float64Array(H * V), vBias: new Float64Array(V), hBias: new Float64Array(H) });
  engine.setChains(null);
  const rng = new Rng(1);
  const out: number[] = [];
  for (let k = 0; k < 3; k++) {
    const info = engine.cdStep(rng, batch, { k: 1, learningRate: 0.01, momentum: 0.5, weightDecay: 1e-4, persistent: k > 0 });
    out.push(info.loss, info.reconstructionError);
  }
  const betas = Float64Array.from({ length: 11 }, (_, k) => k / 10);
  out.push(...engine.aisWeights(new Rng(7), 20, betas, new Float64Array(V).fill(-1)).logWeights);
  const w = engine.snapshot().W;
  let sum = 0;
  for (let k = 0; k < w.length; k++) sum += w[k] * (k % 7);
  out.push(sum);
  return out;
}

function child(seconds: number, threads: 1 | 2): void {
  const model = createRbm(V, H, new Rng(3));
  const one = new RbmEngine(model, { threads: 1 });
  const refNumbers = run(one);
  const ref = refNumbers.join(',');
  one.dispose();
  let runs = 0;
  let bad = 0;
  let reused = new RbmEngine(model, { threads });
  const end = Date.now() + seconds * 1000;
  while (Date.now() < end) {
    // Alternate a long-lived engine with fresh ones (a fresh engine's worker starts mid-run).
    const fresh = runs % 2 === 1;
    const engine = fresh ? new RbmEngine(model, { threads }) : reused;
    const got = run(engine);
    if (got.join(',') !== ref) {
      bad++;
      const first = got.findIndex((v, k) => v !== refNumbers[k]);
      process.stderr.write(`run ${runs} (${fresh ? 'fresh' : 'long-lived'} engine): first difference at number ${first} of ${got.length}: ${refNumbers[first]} vs ${got[first]}\n`);
    }
    if (fresh) engine.dispose();
    runs++;
  }
  reused.dispose();
  process.stdout.write(JSON.stringify({ runs, bad }) + '\n');
  process.exit(0);
}

const args = parseArgs(process.argv.slice(2), { procs: '4', seconds: '240', child: '', threads: '2' });
const seconds = Number(args.seconds);
if (args.child !== '') child(seconds, Number(args.threads) === 1 ? 1 : 2);
else {
  const procs = Number(args.procs);
  const self = fileURLToPath(import.meta.url);
  const results = await Promise.all(
    Array.from({ length: procs }, () => new Promise<{ runs: number; bad: number }>((resolve, reject) => {
      const p = spawn(process.execPath, [...process.execArgv, self, '--child', '1', '--seconds', String(seconds), '--threads', args.threads], { stdio: ['ignore', 'pipe', 'inherit'] });
      let text = '';
      p.stdout.on('data', (d) => (text += d));
      p.on('exit', (code) => (code === 0 ? resolve(JSON.parse(text.trim().split('\n').pop()!)) : reject(new Error(`child exited ${code}`))));
    })),
  );
  const runs = results.reduce((s, r) => s + r.runs, 0);
  const bad = results.reduce((s, r) => s + r.bad, 0);
  console.log(`${procs} processes × ${seconds} s: ${runs} runs of a ${args.threads}-thread engine, ${bad} differed from the one-thread engine`);
  process.exit(bad > 0 ? 1 : 0);
}
