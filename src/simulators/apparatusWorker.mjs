// Entry of apparatusSource's sampling thread (apparatusWorker.ts). A worker thread starts without
// the parent's TypeScript loader when the parent runs under vitest (or plain node), so this plain
// JavaScript entry registers tsx in the thread first, as bin/qubit-rx.js does for the CLI.
import { register } from 'tsx/esm/api';

register();
await import('./apparatusWorkerThread.ts');
