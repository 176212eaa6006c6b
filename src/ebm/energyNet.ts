import { tf, type Tensor, type Variable } from '../backend/tf.ts';
import { Linear } from '../nn/linear.ts';
import type { Module } from '../nn/module.ts';
import type { Rng } from '../random/rng.ts';

/**
 * The energy E_θ(x) of a 2-D EBM, p_θ(x) ∝ exp(−E_θ(x)): an MLP 2 → h → h → 1 with Swish
 * activations, x·σ(x). Swish rather than ReLU because Langevin moves along ∇ₓE: a ReLU net's
 * energy is piecewise linear, its gradient piecewise constant, and chains stall on flat pieces;
 * Swish is smooth, so ∇ₓE is continuous (Du & Mordatch use Swish for the same reason).
 *
 * Weights: PyTorch's default initialisation from an explicit Rng (Linear). Variables are named
 * `layer1/weight` … `out/bias`, the names checkpoints and the safetensors file key on.
 */
export class EnergyNet implements Module {
  readonly layers: readonly Linear[];

  /** @param hidden width h of both hidden layers, an integer ≥ 1 */
  constructor(readonly hidden: number, rng: Rng) {
    if (!Number.isInteger(hidden) || hidden < 1) throw new RangeError(`EnergyNet: hidden must be an integer ≥ 1 (got ${hidden})`);
    this.layers = [new Linear(2, hidden, rng, 'layer1'), new Linear(hidden, hidden, rng, 'layer2'), new Linear(hidden, 1, rng, 'out')];
  }

  /**
   * E_θ at each point; differentiable in θ and in x.
   * @param x points, shape [n, 2]   @returns energies, shape [n]
   */
  energy(x: Tensor): Tensor {
    return tf.tidy(() => {
      let h = x;
      for (let i = 0; i < this.layers.length - 1; i++) {
        const a = this.layers[i].apply(h);
        h = tf.mul(a, tf.sigmoid(a));
      }
      return tf.reshape(this.layers.at(-1)!.apply(h), [-1]);
    });
  }

  /**
   * ∇ₓE_θ at each point, by the chain rule written out rather than by autodiff:
   *
   *   a₁ = xW₁ + b₁, h₁ = swish(a₁), a₂ = h₁W₂ + b₂, h₂ = swish(a₂), E = h₂w₃ + b₃;
   *   ∇ₓE = ((w₃ᵀ ⊙ swish′(a₂)) W₂ᵀ ⊙ swish′(a₁)) W₁ᵀ,   swish′(a) = σ(a)(1 + a(1 − σ(a))).
   *
   * Why: a Langevin step needs only this input gradient, and tf.grad's tape (plus the custom
   * matMul gradients of Linear) costs ≈ 2× the 12 kernels here on wasm, where a 2-D EBM's step
   * is all launch overhead. test/ebm/energyNet.test.ts checks it against tf.grad.
   *
   * @param x points, shape [n, 2]   @returns ∇ₓE, shape [n, 2]; no gradient flows through it
   */
  gradient(x: Tensor): Tensor {
    return tf.tidy(() => {
      const [l1, l2, out] = this.layers;
      const swishPrime = (a: Tensor, s: Tensor) => tf.mul(s, tf.add(1, tf.mul(a, tf.sub(1, s))));
      const a1 = tf.add(tf.matMul(x as tf.Tensor2D, l1.weight as tf.Tensor2D), l1.bias);
      const s1 = tf.sigmoid(a1);
      const a2 = tf.add(tf.matMul(tf.mul(a1, s1) as tf.Tensor2D, l2.weight as tf.Tensor2D), l2.bias);
      const g2 = tf.mul(swishPrime(a2, tf.sigmoid(a2)), tf.reshape(out.weight, [1, -1])); // [n, h]
      const g1 = tf.mul(tf.matMul(g2 as tf.Tensor2D, tf.transpose(l2.weight) as tf.Tensor2D), swishPrime(a1, s1)); // [n, h]
      return tf.matMul(g1 as tf.Tensor2D, tf.transpose(l1.weight) as tf.Tensor2D); // [n, 2]
    });
  }

  /**
   * E_θ on many points at once, outside autodiff, in chunks so a fine grid's activations
   * ([chunk, h] each) stay small.
   * @param points row-major [m, 2]   @returns energies [m], float64
   */
  energies(points: Float32Array, chunk = 8192): Float64Array {
    const m = points.length / 2;
    const out = new Float64Array(m);
    for (let start = 0; start < m; start += chunk) {
      const n = Math.min(chunk, m - start);
      const e = tf.tidy(() => this.energy(tf.tensor2d(points.subarray(2 * start, 2 * (start + n)), [n, 2])));
      out.set(e.dataSync(), start);
      e.dispose();
    }
    return out;
  }

  namedVariables(): Array<[string, Variable]> {
    return this.layers.flatMap((l) => l.namedVariables());
  }

  dispose(): void {
    for (const l of this.layers) l.dispose();
  }
}
