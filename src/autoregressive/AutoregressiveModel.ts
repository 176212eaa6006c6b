import { tf } from '../backend/tf.ts';
import type { Rng } from '../random/rng.ts';
import { AutoregressiveLinear } from './AutoregressiveLinear.ts';
import { gumbelMax, gumbelNoise, gumbelSoftmax } from './gumbelSoftmax.ts';
import type { RelaxedSiteDistribution, RsampleOptions } from './SiteDistribution.ts';
import { ancestralSampleJs, type AutoregressiveWeights } from './ancestralSampleJs.ts';
import { toOneHot } from '../lattice/configurations.ts';

export type Activation = 'relu' | 'tanh' | 'elu';

export interface AutoregressiveModelOptions {
  /** Initialises all weights. */
  rng: Rng;
  /** Hidden nonlinearity (default 'relu', as in the seed). */
  activation?: Activation;
  /** Learnable biases (default true; see {@link AutoregressiveLinear}). */
  bias?: boolean;
}


/**
 * Autoregressive model p(x) = Π_i p(x_i | x_<i) over `units` sites with `features[0]` states each,
 * built from {@link AutoregressiveLinear} layers: the first strictly autoregressive (diagonal −1),
 * the rest diagonal 0, with a nonlinearity between them. `features` lists the feature count per unit
 * from input to output; first and last are the number of states q.
 *
 * Shapes follow {@link SiteDistribution}: configurations [batch, units·q].
 *
 * @example
 *   const model = new AutoregressiveModel(6, [2, 8, 2], { rng: new Rng(0) });
 *   const x = model.sample(100, rng);          // [100, 12] one-hot
 *   const lp = model.logProb(x);               // [100]
 *   const y = model.rsample(100, rng, { tau: 0.5, hard: true }); // differentiable
 */
export class AutoregressiveModel implements RelaxedSiteDistribution {
  readonly layers: readonly AutoregressiveLinear[];
  readonly states: number;
  readonly activation: Activation;

  constructor(
    readonly units: number,
    readonly features: readonly number[],
    options: AutoregressiveModelOptions,
  ) {
    if (!Number.isInteger(units) || units < 1) throw new RangeError(`AutoregressiveModel: units must be an integer ≥ 1 (got ${units})`);
    if (features.length < 2 || features.some((f) => !Number.isInteger(f) || f < 1)) {
      throw new RangeError(`AutoregressiveModel: features must list ≥ 2 integers ≥ 1 (got [${features}])`);
    }
    if (features[0] !== features[features.length - 1] || features[0] < 2) {
      throw new RangeError(`AutoregressiveModel: first and last features must be equal (the number of states q ≥ 2) (got [${features}])`);
    }
    this.states = features[0];
    this.activation = options.activation ?? 'relu';
    const layers: AutoregressiveLinear[] = [];
    for (let l = 0; l + 1 < features.length; l++) {
      layers.push(new AutoregressiveLinear(units, features[l], features[l + 1], l === 0 ? -1 : 0, { rng: options.rng, bias: options.bias }));
    }
    this.layers = layers;
  }

  get variables(): tf.Variable[] {
    return this.layers.flatMap((l) => l.variables);
  }

  /**
   * Log-conditionals log p(x_i = a | x_<i) for every site.
   * @param x shape [batch, units·q]
   * @returns shape [batch, units, q]
   */
  logConditionals(x: tf.Tensor2D): tf.Tensor3D {
    this.checkInput('logConditionals', x);
    return tf.tidy(() => {
      let h: tf.Tensor2D = x;
      this.layers.forEach((layer, l) => {
        if (l > 0) h = this.activate(h);
        h = layer.apply(h);
      });
      // logSoftmax, not log(softmax): the seed's softmax().log() underflows to −∞ for confident units.
      return tf.logSoftmax(tf.reshape(h, [x.shape[0], this.units, this.states])) as tf.Tensor3D;
    });
  }

  /** log p(x) = Σ_{i,a} x_ia log p_ia; for soft x the seed's generalisation. @param x [batch, units·q] @returns [batch] */
  logProb(x: tf.Tensor2D): tf.Tensor1D {
    return tf.tidy(() => {
      const logp = this.logConditionals(x);
      return tf.sum(tf.mul(logp, tf.reshape(x, logp.shape)), [1, 2]) as tf.Tensor1D;
    });
  }

  /** n exact ancestral draws, one-hot, no gradient (see {@link sampleStates}). @returns [n, units·q] */
  sample(n: number, rng: Rng): tf.Tensor2D {
    const states = this.sampleStates(n, rng);
    return tf.tensor2d(toOneHot(states, this.units, this.states), [n, this.units * this.states]);
  }

  /**
   * n exact ancestral draws in integer form, computed in plain JS from a snapshot of the weights
   * ({@link ancestralSampleJs}): O(units) block products per sample, no per-op TF.js overhead.
   * @returns Uint8Array of shape [n, units]
   */
  sampleStates(n: number, rng: Rng): Uint8Array {
    this.checkCount('sampleStates', n);
    return ancestralSampleJs(this.snapshot(), n, rng);
  }

  /**
   * n exact ancestral draws by Gumbel-max with TF.js ops, one site at a time ({@link AutoregressiveLinear.applyAt}).
   * Same distribution as {@link sample}; kept as the reference the fast path is tested against.
   * @returns [n, units·q]
   */
  sampleTf(n: number, rng: Rng): tf.Tensor2D {
    this.checkCount('sampleTf', n);
    const noise = gumbelNoise([n, this.units, this.states], rng.seed());
    try {
      return this.ancestral(n, (logits, i) => tf.tidy(() => gumbelMax(logits, unitSlice(noise, i))), false);
    } finally {
      noise.dispose();
    }
  }

  /** Plain-array copy of the parameters for {@link ancestralSampleJs}. */
  snapshot(): AutoregressiveWeights {
    const weightsT = this.layers.map((layer) => {
      const [rows, cols] = layer.weight.shape;
      const w = layer.weight.dataSync();
      const t = new Float32Array(rows * cols);
      for (let r = 0; r < rows; r++) for (let c = 0; c < cols; c++) t[c * rows + r] = w[r * cols + c];
      return t;
    });
    const biases = this.layers.map((layer) => (layer.bias ? Float32Array.from(layer.bias.dataSync()) : null));
    return { units: this.units, features: this.features, activation: this.activation, weightsT, biases };
  }

  /**
   * n reparameterised draws by Gumbel-softmax (τ defaults to 1/(q − 1) and `hard` to false, the seed's choices), differentiable w.r.t. the model's variables; each relaxed
   * (or straight-through hard) site value conditions the following sites, as in the seed.
   * @returns [n, units·q]
   */
  rsample(n: number, rng: Rng, options: RsampleOptions = {}): tf.Tensor2D {
    this.checkCount('rsample', n);
    const tau = options.tau ?? 1 / (this.states - 1);
    const hard = options.hard ?? false;
    return tf.tidy(() => {
      const noise = gumbelNoise([n, this.units, this.states], rng.seed());
      return this.ancestral(n, (logits, i) => gumbelSoftmax(logits, unitSlice(noise, i), tau, hard), true);
    });
  }

  dispose(): void {
    this.layers.forEach((l) => l.dispose());
  }

  /**
   * Ancestral pass: site by site, each layer computes only the current unit's block ({@link AutoregressiveLinear.applyAt})
   * from the records of earlier units, so a batch costs O(units) block products, not O(units) full passes.
   * Without `keepForGradient`, superseded records are freed at once (memory O(units), not O(units²)).
   */
  private ancestral(n: number, draw: (logits: tf.Tensor2D, i: number) => tf.Tensor, keepForGradient: boolean): tf.Tensor2D {
    return tf.tidy(() => {
      // records[l]: inputs of layer l for the units done so far, [n, done·features[l]]; records[0] are the samples.
      const records: (tf.Tensor2D | null)[] = this.layers.map(() => null);
      const empty = tf.zeros([n, 0]) as tf.Tensor2D;
      const append = (l: number, block: tf.Tensor2D) => {
        const old = records[l];
        records[l] = old ? tf.concat([old, block], 1) : block;
        if (old && !keepForGradient) {
          old.dispose();
          block.dispose();
        }
      };
      for (let i = 0; i < this.units; i++) {
        let h = this.layers[0].applyAt(records[0] ?? empty, i);
        for (let l = 1; l < this.layers.length; l++) {
          const a = this.activate(h);
          if (!keepForGradient) h.dispose();
          append(l, a);
          h = this.layers[l].applyAt(records[l] as tf.Tensor2D, i);
        }
        const x = draw(h, i) as tf.Tensor2D;
        if (!keepForGradient) h.dispose();
        append(0, x);
      }
      return records[0] as tf.Tensor2D;
    });
  }

  private activate(h: tf.Tensor2D): tf.Tensor2D {
    switch (this.activation) {
      case 'relu':
        return tf.relu(h);
      case 'tanh':
        return tf.tanh(h);
      case 'elu':
        return tf.elu(h);
    }
  }

  private checkInput(fn: string, x: tf.Tensor): void {
    const width = this.units * this.states;
    if (x.rank !== 2 || x.shape[1] !== width) {
      throw new RangeError(`AutoregressiveModel.${fn}: x must have shape [batch, ${width}] (units·states = ${this.units}·${this.states}) (got [${x.shape}])`);
    }
  }

  private checkCount(fn: string, n: number): void {
    if (!Number.isInteger(n) || n < 1) throw new RangeError(`AutoregressiveModel.${fn}: n must be an integer ≥ 1 (got ${n})`);
  }
}

/** Site i's slice of per-site noise: [n, units, q] → [n, q]. */
function unitSlice(noise: tf.Tensor, i: number): tf.Tensor2D {
  const [n, , q] = noise.shape;
  return tf.reshape(tf.slice(noise, [0, i, 0], [n, 1, q]), [n, q]);
}

