import { tf, type Tensor, type Variable } from '../backend/tf.ts';
import { prefixed } from '../nn/module.ts';
import { applyKernels, isLayerKernel, type LayerKernel } from './layerKernel.ts';
import type { Transform } from './transform.ts';

/**
 * A chain of transforms, applied in order: forward(x) = f_L(…f_1(x)), its logAbsDet the sum of the
 * layers'; the inverse runs the layers' inverses in reverse order. Consecutive kernel layers
 * (`LayerKernel`: every transform in this folder) run as one op, so a chain of them costs one
 * kernel launch each way; other transforms run one by one.
 *
 * Variables are named `layer<i>/<the layer's own name>`: `layer0/planar/params`. The composite owns
 * its layers: `dispose` frees them.
 *
 * @example
 *   const chain = new Composite([new Planar(2, rng), new Planar(2, rng)]);
 *   const { y, logAbsDet } = chain.forward(x);   // x [batch, 2]
 */
export class Composite implements Transform {
  readonly dim: number;
  readonly layers: readonly Transform[];

  constructor(layers: readonly Transform[]) {
    if (layers.length === 0) throw new RangeError('Composite: need at least one layer (got 0)');
    this.dim = layers[0].dim;
    layers.forEach((t, i) => {
      if (t.dim !== this.dim) throw new RangeError(`Composite: layer ${i} (${labelOf(t)}) has dim ${t.dim}, layer 0 has ${this.dim}`);
    });
    this.layers = [...layers];
  }

  /** The chain as kernel layers, nested composites flattened; null when some layer is not a kernel. */
  kernels(): LayerKernel[] | null {
    const out: LayerKernel[] = [];
    for (const t of this.layers) {
      if (t instanceof Composite) {
        const inner = t.kernels();
        if (inner == null) return null;
        out.push(...inner);
      } else if (isLayerKernel(t)) out.push(t);
      else return null;
    }
    return out;
  }

  /** @param x [batch, dim] @returns y [batch, dim], logAbsDet [batch] */
  forward(x: Tensor): { y: Tensor; logAbsDet: Tensor } {
    return this.run(x, 'forward');
  }

  /**
   * @param y [batch, dim] @returns x [batch, dim], logAbsDet [batch] of the inverse
   * @throws naming the first layer (from the output side) that has no inverse
   */
  inverse(y: Tensor): { x: Tensor; logAbsDet: Tensor } {
    const missing = this.missingInverse();
    if (missing != null) throw new Error(`Composite.inverse: ${missing} has no inverse`);
    const { y: x, logAbsDet } = this.run(y, 'inverse');
    return { x, logAbsDet };
  }

  /** `layer <i> (<label>)` of the last layer without an inverse (the first the inverse meets), or null. */
  missingInverse(): string | null {
    for (let i = this.layers.length - 1; i >= 0; i--) {
      const t = this.layers[i];
      if (t instanceof Composite) {
        const inner = t.missingInverse();
        if (inner != null) return `layer ${i} → ${inner}`;
      } else if (t.inverse == null || (isLayerKernel(t) && t.inversePass == null)) return `layer ${i} (${labelOf(t)})`;
    }
    return null;
  }

  namedVariables(): Array<[string, Variable]> {
    return this.layers.flatMap((t, i) => prefixed(`layer${i}`, t));
  }

  dispose(): void {
    this.layers.forEach((t) => t.dispose());
  }

  private run(x: Tensor, direction: 'forward' | 'inverse'): { y: Tensor; logAbsDet: Tensor } {
    if (x.rank !== 2 || x.shape[1] !== this.dim) {
      throw new RangeError(`Composite.${direction}: input must have shape [batch, ${this.dim}] (got [${x.shape.join(', ')}])`);
    }
    // Groups of consecutive kernel layers run as one op; the groups in order (reversed for the inverse).
    const groups: Array<LayerKernel[] | Transform> = [];
    for (const t of this.layers) {
      const ks = t instanceof Composite ? t.kernels() : isLayerKernel(t) ? [t] : null;
      const last = groups[groups.length - 1];
      if (ks != null && Array.isArray(last)) last.push(...ks);
      else groups.push(ks ?? t);
    }
    if (direction === 'inverse') groups.reverse();
    return tf.tidy(() => {
      let h = x;
      let total: Tensor | undefined;
      for (const g of groups) {
        let out: { y: Tensor; logAbsDet: Tensor };
        if (Array.isArray(g)) out = applyKernels(g, h, direction);
        else if (direction === 'forward') out = g.forward(h);
        else {
          const r = g.inverse!(h);
          out = { y: r.x, logAbsDet: r.logAbsDet };
        }
        h = out.y;
        total = total == null ? out.logAbsDet : tf.add(total, out.logAbsDet);
      }
      return { y: h, logAbsDet: total! };
    });
  }
}

/** A transform's name for messages: its `label` (kernel layers), else its class name. */
export function labelOf(t: Transform): string {
  return isLayerKernel(t) ? t.label : t.constructor.name;
}
