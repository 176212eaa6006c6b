// The second thread of a two-thread RbmEngine (rbmEngine.ts): a second instance of the kernel on
// the same shared memory, running the column share of each parallel step the main thread posts.
// Plain JavaScript so that it loads without a TypeScript loader in the worker.
import { workerData } from 'node:worker_threads';

const { module, memory, control, stackTop } = workerData;
const x = new WebAssembly.Instance(module, { env: { memory } }).exports;
// Both instances start with the stack pointer at the same address; this one gets its own stack.
x.__stack_pointer.value = stackTop;
const ctl = new Int32Array(control);
const f32 = new Float32Array(control);
// ctl[0]: commands posted, ctl[1]: commands done, ctl[2]: the command, ctl[3…]: its arguments.
let seen = 0;
for (;;) {
  // Spin a little before sleeping: commands come ~0.1–1 ms apart within a CD step, and a futex
  // wake-up costs tens of microseconds each time.
  for (let spins = 0; spins < 1 << 18 && Atomics.load(ctl, 0) === seen; spins++);
  Atomics.wait(ctl, 0, seen);
  seen = Atomics.load(ctl, 0);
  const a = ctl;
  switch (a[2]) {
    case 0:
      process.exit(0);
      break;
    case 1:
      x.sum_rows(a[3], a[4], a[5], a[6], a[7], a[8], a[9], a[10], a[11], a[12]);
      break;
    case 2:
      x.outer_acc(a[3], a[4], a[5], a[6], a[7], a[8], a[9], a[10], a[11], f32[12]);
      break;
    case 3:
      x.sgd(a[3], a[4], a[5], a[6], f32[7], f32[8], f32[9]);
      break;
    case 4:
      x.transpose(a[3], a[4], a[5], a[6], a[7], a[8]);
      break;
    case 5:
      x.zero(a[3], a[4]);
      break;
  }
  Atomics.store(ctl, 1, seen);
  Atomics.notify(ctl, 1);
}
