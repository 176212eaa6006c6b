import { Command } from 'commander';

/** `sample`: streams apparatus records to a Parquet table. (Being built: see issue 2.) */
export function sampleCommand(): Command {
  return new Command('sample').description('stream weak-measurement apparatus records to a Parquet table').action(() => {
    process.stderr.write('sample: not implemented yet\n');
    process.exitCode = 1;
  });
}
