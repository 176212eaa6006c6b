/**
 * How often does the multi-system VAE discover the K bits? Trains the same config for seeds
 * 1 … S and prints, per seed, the final assignment accuracy and the latent's share of the bit
 * information; a seed "discovers" when every ancilla is assigned right (accuracy 1).
 *
 *   npx tsx bench/multi-system-seeds.ts [--seeds 8] [--qubits 20] [--epsilon 1] [--steps 600] [--modulate true|false]
 */
import { lastValueFrom, toArray } from 'rxjs';
import { createMultiSystemModel, DEFAULT_MULTI_SYSTEM_CONFIG, multiSystem, type MultiSystemConfig } from '../pipelines/multi-system.ts';
import { selectBackend } from '../src/backend/selectBackend.ts';
import type { ScalarsRecord } from '../src/metrics/records.ts';
import { parseArgs } from './args.ts';

const args = parseArgs(process.argv.slice(2), { seeds: '8', qubits: '20', epsilon: '1', steps: '600', modulate: 'true' });
const seeds = Number(args.seeds);
const base: MultiSystemConfig = {
  ...DEFAULT_MULTI_SYSTEM_CONFIG,
  qubits: Number(args.qubits),
  epsilon: Number(args.epsilon),
  steps: Number(args.steps),
  every: Number(args.steps),
  checkpointEvery: 0,
  modulate: args.modulate !== 'false',
};
await selectBackend('wasm');
console.log(`K ${base.systems}, N ${base.qubits}, ε ${base.epsilon}, ${base.steps} steps, lr ${base.lr}, reg ${base.reg}, modulate ${base.modulate}`);
console.log('seed\taccuracy\tshare\tseconds');
let found = 0;
for (let seed = 1; seed <= seeds; seed++) {
  const config = { ...base, seed };
  const started = performance.now();
  const model = createMultiSystemModel(config);
  const records = await lastValueFrom(multiSystem(config, model, {}).pipe(toArray()));
  model.dispose();
  const last = records.filter((r): r is ScalarsRecord => r.kind === 'scalars').at(-1)!.values;
  if (last.assignment_accuracy === 1) found++;
  console.log(`${seed}\t${last.assignment_accuracy.toFixed(3)}\t${last.bit_info_share.toFixed(3)}\t${((performance.now() - started) / 1000).toFixed(1)}`);
}
console.log(`discovered: ${found} of ${seeds} seeds`);
