import { tf, type Tensor, type Variable } from '../../backend/tf.ts';
import { Bernoulli } from '../../distributions/bernoulli.ts';
import { Normal } from '../../distributions/normal.ts';
import type { Module } from '../../nn/module.ts';

/** p(x|z) of one pixel given the decoder's output for it: a Bernoulli (its logit) or a Normal (its mean). */
export type PixelDistribution = Bernoulli | Normal;

export interface PixelLikelihoodOptions {
  /**
   * 'bernoulli': the decoder's outputs are logits, x must be binarised (the standard benchmark);
   * 'normal': the outputs are means of a Normal on grey levels (seeds 003 and 004).
   */
  likelihood: 'bernoulli' | 'normal';
  /**
   * normal only: 'learned' — one log σ shared by all pixels, a trainable parameter `log_scale` of
   * shape [1] initialised at 0 (seed 003's `nn.Parameter(torch.Tensor([0.0]))`); or a fixed σ > 0
   * (seed 004: 1). Default 'learned'.
   */
  scale?: 'learned' | number;
  /**
   * normal only: the mean is the output itself ('identity', seed 003), its tanh ('tanh', seed 004,
   * for data shifted to [−0.5, 0.5]) or its sigmoid ('sigmoid', the Keras decoder's output layer).
   * Default 'identity'.
   */
  mean?: 'identity' | 'tanh' | 'sigmoid';
}

/** What an image decoder returns: p(x|z) with batch shape [...z's leading axes, pixels]. */
export interface ImageDecoding {
  p: PixelDistribution;
}

/**
 * The last stage of an image decoder: turns its outputs, shape [..., pixels], into p(x|z) of the same
 * batch shape. Owns the learned `log_scale` when there is one (variable name `log_scale`, shape [1]).
 *
 * @example
 *   const lik = new PixelLikelihood({ likelihood: 'normal' });
 *   lik.distribution(out).logProb(x);      // out, x: [batch, 784] → [batch, 784]
 */
export class PixelLikelihood implements Module {
  readonly likelihood: 'bernoulli' | 'normal';
  readonly mean: 'identity' | 'tanh' | 'sigmoid';
  /** The fixed σ, or null when σ = exp(log_scale) is learned (or the likelihood is Bernoulli). */
  readonly fixedScale: number | null;
  /** log σ, shape [1]; null unless the likelihood is Normal with a learned scale. */
  readonly logScale: Variable | null;

  constructor(options: PixelLikelihoodOptions) {
    const { likelihood, scale = 'learned', mean = 'identity' } = options;
    if (likelihood !== 'bernoulli' && likelihood !== 'normal') {
      throw new RangeError(`PixelLikelihood: likelihood must be 'bernoulli' or 'normal' (got ${JSON.stringify(likelihood)})`);
    }
    if (scale !== 'learned' && !(typeof scale === 'number' && scale > 0 && Number.isFinite(scale))) {
      throw new RangeError(`PixelLikelihood: scale must be 'learned' or a finite number > 0 (got ${JSON.stringify(scale)})`);
    }
    if (mean !== 'identity' && mean !== 'tanh' && mean !== 'sigmoid') {
      throw new RangeError(`PixelLikelihood: mean must be 'identity', 'tanh' or 'sigmoid' (got ${JSON.stringify(mean)})`);
    }
    if (likelihood === 'bernoulli' && (options.scale !== undefined || options.mean !== undefined)) {
      throw new RangeError('PixelLikelihood: scale and mean apply to the normal likelihood only (likelihood is bernoulli)');
    }
    this.likelihood = likelihood;
    this.mean = mean;
    this.fixedScale = likelihood === 'normal' && scale !== 'learned' ? scale : null;
    this.logScale = likelihood === 'normal' && scale === 'learned' ? tf.tidy(() => tf.variable(tf.zeros([1]), true)) : null;
  }

  /** @param out the decoder's outputs, [..., pixels] @returns p(x|z), batch shape [..., pixels] */
  distribution(out: Tensor): PixelDistribution {
    if (this.likelihood === 'bernoulli') return new Bernoulli(out, { validate: false });
    const loc = this.mean === 'tanh' ? tf.tanh(out) : this.mean === 'sigmoid' ? tf.sigmoid(out) : out;
    const scale = this.logScale ? tf.exp(this.logScale) : tf.scalar(this.fixedScale as number);
    return new Normal(loc, scale, { validate: false });
  }

  namedVariables(): Array<[string, Variable]> {
    return this.logScale ? [['log_scale', this.logScale]] : [];
  }

  dispose(): void {
    this.logScale?.dispose();
  }
}
