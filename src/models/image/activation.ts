import type { HostKernels } from '../../backend/hostKernels.ts';
import { hostIo } from '../../backend/hostViews.ts';
import { tf, type Tensor } from '../../backend/tf.ts';

/** The activations the fused layer ops apply after their bias (Keras's names). */
export type Activation = 'relu' | 'linear';

export function checkActivation(owner: string, activation: unknown): Activation {
  if (activation !== 'relu' && activation !== 'linear') throw new RangeError(`${owner}: activation must be 'relu' or 'linear' (got ${JSON.stringify(activation)})`);
  return activation;
}

/** ∂L/∂(pre-activation) from ∂L/∂y and the op's output y: relu passes dy where y > 0. */
export function activationGrad(activation: Activation, dy: Tensor, y: Tensor): Tensor {
  return activation === 'relu' ? tf.mul(dy, tf.step(y)) : dy;
}

/** activationGrad on the host kernels: one pass instead of TF.js's step and multiply. */
export function hostActivationGrad(kernels: HostKernels, activation: Activation, dy: Tensor, y: Tensor): Tensor {
  if (activation !== 'relu') return dy;
  const io = hostIo();
  const g = io.output(dy.shape);
  kernels.reluGrad(io.read(dy), io.read(y), g.view());
  return g.tensor();
}
