#!/usr/bin/env node
import { Command, CommanderError } from 'commander';
import { registerCommands } from './commands/index.ts';
import { UserFacingError } from '../options/userFacingError.ts';
import { BackendError } from '../backend/selectBackend.ts';

/**
 * The single command-line entry point: `npm start -- <command> [options]`, or `qubit-rx <command>`.
 * No command runs the main job. Usage errors print one line and exit with code 2.
 */
export async function main(argv: string[]): Promise<number> {
  const program = new Command('qubit-rx')
    .description('Reactive physics-ML toolkit: apparatus simulators, VAEs and samplers as RxJS pipelines')
    .showSuggestionAfterError(true)
    .exitOverride()
    .configureOutput({ writeErr: (s) => process.stderr.write(s) });
  registerCommands(program);
  program.commands.forEach((c) => c.exitOverride());
  try {
    await program.parseAsync(argv, { from: 'user' });
    return process.exitCode == null ? 0 : Number(process.exitCode);
  } catch (err) {
    if (err instanceof CommanderError) {
      // Help and version requests exit 0; every usage error exits 2.
      return err.exitCode === 0 ? 0 : 2;
    }
    if (err instanceof UserFacingError) {
      process.stderr.write(`error: ${err.message}\n`);
      return err.exitCode;
    }
    if (err instanceof BackendError) {
      // An explicit --backend that is not installed here: a usage error.
      process.stderr.write(`error: ${err.message}\n`);
      return 2;
    }
    throw err;
  }
}

const isEntry = process.argv[1] != null && /(?:main\.ts|qubit-rx(?:\.js)?)$/.test(process.argv[1]);
if (isEntry) {
  main(process.argv.slice(2)).then(
    (code) => process.exit(code),
    (err) => {
      process.stderr.write(`error: ${err instanceof Error ? err.message.split('\n')[0] : String(err)}\n`);
      if (process.env.QUBIT_RX_DEBUG) console.error(err);
      process.exit(1);
    },
  );
}
