import { Command, Option } from 'commander';
import { BACKENDS, type BackendName } from '../backend/selectBackend.ts';
import { seedOption } from '../options/optionParsers.ts';

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
      // webgpu: Dawn's Node binding (npm `webgpu`), usable where Dawn finds a GPU adapter.
      new Option('--backend <name>', `compute backend (auto: the first usable of ${BACKENDS.join(', ')})`)
        .choices(['auto', ...BACKENDS])
        .default('auto'),
    )
    .option('--seed <n>', 'random seed (integer ≥ 0)', seedOption, defaults.seed ?? 1)
    .option('--out <dir>', 'root directory for run outputs', 'output')
    .option('--quiet', 'no progress output', false);
}
