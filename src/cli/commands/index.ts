import type { Command } from 'commander';
import { sampleCommand } from './sample.ts';
import { knowledgeCommand } from './knowledge.ts';
import { trainCommand } from './train.ts';
import { sweepCommand } from './sweep.ts';
import { isingCommand } from './ising.ts';
import { bananaCommand } from './banana.ts';
import { imageVaeCommand } from './image-vae.ts';
import { rbmCommand } from './rbm.ts';
import { ebmCommand } from './ebm.ts';
import { plotCommand } from './plot.ts';
import { workerCommand } from './worker.ts';
import { dashboardCommand } from '../../views/dashboardCommand.ts';

/** Every subcommand, in `--help` order. The one marked default runs when no command is given. */
export function registerCommands(program: Command): void {
  program.addCommand(trainCommand(), { isDefault: true });
  program.addCommand(sweepCommand());
  program.addCommand(sampleCommand());
  program.addCommand(knowledgeCommand());
  program.addCommand(isingCommand());
  program.addCommand(bananaCommand());
  program.addCommand(imageVaeCommand());
  program.addCommand(rbmCommand());
  program.addCommand(ebmCommand());
  program.addCommand(plotCommand());
  program.addCommand(workerCommand());
  program.addCommand(dashboardCommand());
}
