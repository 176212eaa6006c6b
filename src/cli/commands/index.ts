import type { Command } from 'commander';
import { sampleCommand } from './sample.ts';

/** Every subcommand, in `--help` order. The one marked default runs when no command is given. */
export function registerCommands(program: Command): void {
  program.addCommand(sampleCommand(), { isDefault: true });
}
