import type { Rng } from '../random/rng.ts';
import type { Activation } from './AutoregressiveModel.ts';

/** Plain-array copy of an autoregressive network's parameters, weights transposed to [outputs, inputs]. */
export interface AutoregressiveWeights {
  units: number;
  /** Features per unit, input to output; first = last = q. */
  features: readonly number[];
  activation: Activation;
  /** Per layer l: shape [units·features[l+1], units·features[l]] (row = output), row-major. */
  weightsT: Float32Array[];
  /** Per layer l: shape [units·features[l+1]], or null. */
  biases: (Float32Array | null)[];
}

/**
 * Exact ancestral sampling in plain JS: for each site, each layer computes only that unit's output
 * block from the visible prefix (first layer: units < i, by gathering weight columns of the one-hot
 * states; later layers: units ≤ i), then the site is drawn by inverse CDF from softmax(logits).
 * Cost O(units² · features²) per sample, like one full forward pass, with no per-op overhead — far
 * faster than thousands of small TF.js ops for L×L = 256 sites.
 *
 * @returns states, Uint8Array of shape [n, units], values in [0, q)
 */
export function ancestralSampleJs(net: AutoregressiveWeights, n: number, rng: Rng): Uint8Array {
  const { units, features, weightsT, biases } = net;
  const q = features[0];
  const layers = features.length - 1;
  const act = activationFn(net.activation);
  const states = new Uint8Array(n * units);
  // rec[l] (1 ≤ l < layers): activations entering layer l, [n, units·features[l]].
  const rec: Float32Array[] = features.map((f, l) => (l === 0 || l === layers ? new Float32Array(0) : new Float32Array(n * units * f)));
  const maxF = Math.max(...features);
  let h = new Float64Array(maxF);
  let next = new Float64Array(maxF);
  const p = new Float64Array(q);
  for (let i = 0; i < units; i++) {
    for (let b = 0; b < n; b++) {
      // Layer 0: one-hot inputs of units j < i → gather one weight per (output, j).
      {
        const fOut = features[1], inW = units * q, wt = weightsT[0], bias = biases[0];
        const xs = b * units;
        for (let c = 0; c < fOut; c++) {
          const row = (i * fOut + c) * inW;
          let s = bias ? bias[i * fOut + c] : 0;
          for (let j = 0; j < i; j++) s += wt[row + j * q + states[xs + j]];
          h[c] = s;
        }
      }
      // Layers 1…: dense over the visible prefix of units ≤ i.
      for (let l = 1; l < layers; l++) {
        const fIn = features[l], fOut = features[l + 1], inW = units * fIn, bias = biases[l];
        const r = rec[l];
        const wt = weightsT[l];
        const base = b * inW;
        for (let c = 0; c < fIn; c++) r[base + i * fIn + c] = act(h[c]);
        const k = (i + 1) * fIn;
        for (let c = 0; c < fOut; c++) {
          const row = (i * fOut + c) * inW;
          // Four partial sums: independent chains the JIT can overlap.
          let s0 = 0, s1 = 0, s2 = 0, s3 = 0, m = 0;
          for (; m + 3 < k; m += 4) {
            s0 += wt[row + m] * r[base + m];
            s1 += wt[row + m + 1] * r[base + m + 1];
            s2 += wt[row + m + 2] * r[base + m + 2];
            s3 += wt[row + m + 3] * r[base + m + 3];
          }
          for (; m < k; m++) s0 += wt[row + m] * r[base + m];
          next[c] = (bias ? bias[i * fOut + c] : 0) + s0 + s1 + s2 + s3;
        }
        const t = h; h = next; next = t;
      }
      // Inverse-CDF draw from softmax(h[0..q)).
      let mx = -Infinity;
      for (let a = 0; a < q; a++) mx = Math.max(mx, h[a]);
      let z = 0;
      for (let a = 0; a < q; a++) { p[a] = Math.exp(h[a] - mx); z += p[a]; }
      let u = rng.uniform() * z;
      let a = 0;
      while (a < q - 1 && u >= p[a]) { u -= p[a]; a++; }
      states[b * units + i] = a;
    }
  }
  return states;
}

function activationFn(a: Activation): (x: number) => number {
  switch (a) {
    case 'relu':
      return (x) => (x > 0 ? x : 0);
    case 'tanh':
      return Math.tanh;
    case 'elu':
      return (x) => (x > 0 ? x : Math.expm1(x));
  }
}
