/**
 * Entry of a point's child process (see runPointProcess): runs the CLI with the arguments it was
 * given and exits with the command's code. If the parent goes away (a worker killed with SIGKILL),
 * the IPC channel closes and the point interrupts itself as Ctrl-C would — flushing what it has and
 * marking its run `interrupted` — instead of running on as an orphan.
 */
import { main } from '../cli/main.ts';

process.on('disconnect', () => {
  process.kill(process.pid, 'SIGINT');
});
const code = await main(process.argv.slice(2));
process.exit(code);
