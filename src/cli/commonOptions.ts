import { Command, Option } from 'commander';
import { BACKENDS, type BackendName } from '../backend/selectBackend.ts';
import { seedOption } from './options.ts';

/** Options every compute command shares. */
export interface CommonOptions {
  backend: BackendName | 'auto';
  seed: number;
  out: string;
  quiet: boolean;
}

export function addCommonOptions(cmd: Command, defaults: { seed?: number } = {}): Command {
  return cmd
    .addOption(
      new Option('--backend <name>', 'compute backend (auto picks the best present)')
        .choices(['auto', ...BACKENDS])
        .default('auto'),
    )
    .option('--seed <n>', 'random seed (integer ≥ 0)', seedOption, defaults.seed ?? 1)
    .option('--out <dir>', 'root directory for run outputs', 'output')
    .option('--quiet', 'no progress output', false);
}
