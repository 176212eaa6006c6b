import type { Tensor } from '../backend/tf.ts';
import type { Module } from '../nn/module.ts';

/**
 * The contract every flow transform keeps (after nflows' `Transform`).
 *
 * `forward(x)` maps points x [batch, dim] to y [batch, dim] and returns log|det ∂y/∂x| per row,
 * shape [batch]. `inverse(y)`, where the transform has one, returns x and log|det ∂x/∂y| (= minus
 * the forward log-determinant at that x). Both are differentiable in the transform's variables and
 * in their input, and own nothing they return: the caller disposes `y` and `logAbsDet`.
 *
 * Direction: a `Flow` samples by pushing base draws forward, so `forward` is the sampling
 * direction and `inverse` the density-evaluation direction.
 */
export interface Transform extends Module {
  /** Event size d of the points it maps. */
  readonly dim: number;
  /** @param x [batch, dim] @returns y [batch, dim], logAbsDet [batch] */
  forward(x: Tensor): { y: Tensor; logAbsDet: Tensor };
  /** @param y [batch, dim] @returns x [batch, dim], logAbsDet [batch] (of the inverse map). Absent when no inverse is computable. */
  inverse?(y: Tensor): { x: Tensor; logAbsDet: Tensor };
}
