/**
 * Entry of a point's child process (see runPointProcess): runs the CLI with the arguments it was
 * given and exits with the command's code. If the parent goes away (a worker killed with SIGKILL),
 * the IPC channel closes and the point interrupts itself as Ctrl-C would — flushing what it has and
 * marking its run `interrupted` — instead of running on as an orphan.
 *
 * With `--host` as its only argument it stays up and runs one CLI invocation per `{ argv }` message,
 * answering `{ code }` after each (PointHost): a sweep's worker slot then pays the start-up — loading
 * the toolkit and TF.js, a few seconds — once instead of once per point.
 */
import { main } from '../cli/main.ts';

/** Whether a host is running an invocation (a host whose parent went away exits once it is idle). */
let running = false;
process.on('disconnect', () => {
  if (running) process.kill(process.pid, 'SIGINT');
  else process.exit(130);
});
if (process.argv[2] === '--host' && process.argv.length === 3) {
  const answer = (code: number) => {
    running = false;
    if (process.connected) process.send?.({ code });
    else process.exit(code);
  };
  process.on('message', (message: { argv?: string[] }) => {
    if (!Array.isArray(message?.argv)) return;
    // Each invocation starts clean: main reads the exit code a command leaves in process.exitCode.
    process.exitCode = undefined;
    running = true;
    void main(message.argv).then(answer, (err: unknown) => {
      process.stderr.write(`error: ${err instanceof Error ? err.message.split('\n')[0] : String(err)}\n`);
      answer(1);
    });
  });
} else {
  running = true;
  const code = await main(process.argv.slice(2));
  process.exit(code);
}
