// The second thread of a two-thread RbmEngine (rbmEngine.ts): a second instance of the kernel on
// the same shared memory, running the column share of each parallel step the main thread posts.
// Plain JavaScript so that it loads without a TypeScript loader in the worker.
import { workerData } from 'node:worker_threads';

const { module, memory, control, stackTop } = workerData;
const x = new WebAssembly.Instance(module, { env: { memory } }).exports;
// Both instances start with the stack pointer at the same address; this one gets its own stack.
x.__stack_pointer.value = stackTop;
const ctl = new Int32Array(control);
// Float arguments travel as their bits: every word of the block is read with Atomics (rbmEngine.ts's post).
const bits = new Int32Array(1);
const bitsF = new Float32Array(bits.buffer);
const arg = (k) => Atomics.load(ctl, 3 + k);
const float = (k) => {
  bits[0] = Atomics.load(ctl, 3 + k);
  return bitsF[0];
};
// ctl[0]: commands posted, ctl[1]: commands done, ctl[2]: the command, ctl[3…]: its arguments.
let seen = 0;
for (;;) {
  // Spin a little before sleeping: commands come ~0.1–1 ms apart within a CD step, and a futex
  // wake-up costs tens of microseconds each time.
  for (let spins = 0; spins < 1 << 18 && Atomics.load(ctl, 0) === seen; spins++);
  Atomics.wait(ctl, 0, seen);
  seen = Atomics.load(ctl, 0);
  switch (Atomics.load(ctl, 2)) {
    case 0:
      process.exit(0);
      break;
    case 1:
      x.sum_rows(arg(0), arg(1), arg(2), arg(3), arg(4), arg(5), arg(6), arg(7), arg(8), arg(9));
      break;
    case 2:
      x.outer_acc(arg(0), arg(1), arg(2), arg(3), arg(4), arg(5), arg(6), arg(7), arg(8), float(9));
      break;
    case 3:
      x.sgd(arg(0), arg(1), arg(2), arg(3), float(4), float(5), float(6));
      break;
    case 4:
      x.transpose(arg(0), arg(1), arg(2), arg(3), arg(4), arg(5));
      break;
    case 5:
      x.zero(arg(0), arg(1));
      break;
  }
  Atomics.store(ctl, 1, seen);
  Atomics.notify(ctl, 1);
}
