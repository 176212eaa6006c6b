import { tf, type Tensor, type Variable } from '../backend/tf.ts';
import { axisAngle } from '../metrics/axisAngle.ts';
import type { Module } from '../nn/module.ts';
import type { Rng } from '../random/rng.ts';

export interface AxisFrameOptions {
  /** one axis for every qubit (v: [3]) or one per qubit (v: [N, 3]). */
  shared: boolean;
  /** number N of qubits, integer ≥ 1: required when not `shared`; when given with `shared`, `toFrame` checks x's N. */
  qubits?: number;
  /** angle between ẑ and each initial axis, radians in [0, π/2] (default 0.1), at an azimuth drawn from the Rng. */
  initialTilt?: number;
}

/**
 * A learnable pointer axis u = v/|v| (one shared, or one per qubit) and the rotation that brings
 * records into its frame, for learning the measurement basis of a `RotatedApparatus` (issue 15).
 *
 * R = I + K + K²/(1 + u₃), K = [ẑ × u]×, is the Rodrigues rotation about ẑ × u that maps ẑ to u;
 * explicitly its columns are
 *   e₁ = (1 − u₁² h, −u₁u₂ h, −u₁),   e₂ = (−u₁u₂ h, 1 − u₂² h, −u₂),   e₃ = u,   h = 1/(1 + u₃),
 * and `toFrame` applies Rᵀ, so (toFrame x)₃ = u·x: a model that reads the third component sees the
 * polarisation along the learned axis.
 *
 * Singularity: R is smooth in v except at u = −ẑ, where h = 1/(1 + u₃) diverges (no rotation of ẑ
 * onto −ẑ is singled out). Gradients grow like 1/(1 + u₃) as u approaches −ẑ, so the axis is
 * initialised near +ẑ (tilted by `initialTilt` in a random azimuth, so that ẑ × u ≠ 0 and the
 * azimuthal gradient is not degenerate) and should stay in the northern hemisphere: since the
 * branch labels are only defined up to s ↔ −s, u and −u describe the same apparatus (see
 * `axisAngle`), and an axis south of the equator can be flipped (v ← −v) without loss.
 *
 * Variable: v, shape [3] or [N, 3], named `${name}/v`.
 *
 * @example
 *   const frame = new AxisFrame({ shared: false, qubits: 20 }, new Rng(1));
 *   const y = frame.toFrame(x);          // x, y: [batch, 20, 3]
 *   frame.angleTo(app.axes);             // mean sign-blind angle to the true axes, radians
 */
export class AxisFrame implements Module {
  readonly shared: boolean;
  readonly qubits: number | null;
  /** the raw parameter, shape [3] (shared) or [N, 3]. */
  readonly v: Variable;

  /** @throws RangeError naming the option, its allowed range and the bad value. */
  constructor(options: AxisFrameOptions, rng: Rng, readonly name = 'axisFrame') {
    if (options == null || typeof options.shared !== 'boolean') {
      throw new RangeError(`AxisFrame: shared must be true or false (got ${String(options?.shared)})`);
    }
    const { shared, qubits } = options;
    if (qubits !== undefined || !shared) {
      if (typeof qubits !== 'number' || !Number.isSafeInteger(qubits) || qubits < 1) {
        throw new RangeError(`AxisFrame: qubits must be an integer ≥ 1${shared ? '' : ' for per-qubit axes'} (got ${String(qubits)})`);
      }
    }
    const tilt = options.initialTilt ?? 0.1;
    if (typeof tilt !== 'number' || !(tilt >= 0 && tilt <= Math.PI / 2)) {
      throw new RangeError(`AxisFrame: initialTilt must be an angle in [0, π/2] radians (got ${String(tilt)})`);
    }
    this.shared = shared;
    this.qubits = qubits ?? null;
    const rows = shared ? 1 : (qubits as number);
    const init = new Float32Array(3 * rows);
    for (let i = 0; i < rows; i++) {
      const phi = 2 * Math.PI * rng.uniform();
      init.set([Math.sin(tilt) * Math.cos(phi), Math.sin(tilt) * Math.sin(phi), Math.cos(tilt)], 3 * i);
    }
    // inside tidy so the initial-value tensor is freed (a variable holds its own copy)
    this.v = tf.tidy(() => tf.variable(shared ? tf.tensor1d(init) : tf.tensor2d(init, [rows, 3]), true));
  }

  /** u = v/|v|: shape [3] (shared) or [N, 3]. */
  axis(): Tensor {
    return tf.tidy(() => tf.div(this.v, tf.norm(this.v, 'euclidean', -1, true)));
  }

  /**
   * The rotation R (ẑ ↦ u) with columns (e₁, e₂, u).
   * @returns shape [3, 3] (shared) or [N, 3, 3]; entry [..., a, b] = R_ab
   */
  rotation(): Tensor {
    return tf.tidy(() => {
      const [ux, uy, uz] = tf.unstack(this.axis(), -1);
      const h = tf.reciprocal(tf.add(1, uz));
      const uxy = tf.mul(tf.mul(ux, uy), h);
      const rows = [
        [tf.sub(1, tf.mul(tf.square(ux), h)), tf.neg(uxy), ux],
        [tf.neg(uxy), tf.sub(1, tf.mul(tf.square(uy), h)), uy],
        [tf.neg(ux), tf.neg(uy), uz],
      ];
      return tf.stack(rows.map((r) => tf.stack(r, -1)), -2);
    });
  }

  /**
   * Records in the learned frame, y = Rᵀ x per qubit (so y₃ = u·x); differentiable in v.
   * @param x unit vectors, shape [batch, N, 3]
   * @returns shape [batch, N, 3]
   */
  toFrame(x: Tensor): Tensor {
    const n = this.qubits;
    if (x.rank !== 3 || x.shape[2] !== 3 || (n !== null && x.shape[1] !== n)) {
      throw new RangeError(`AxisFrame.toFrame: x must have shape [batch, N, 3]${n === null ? '' : ` with N = ${n}`} (got [${x.shape.join(', ')}])`);
    }
    // yⱼ = Σₖ xₖ R_kj: [b, N, 3, 1] · [(N,) 3, 3] summed over k
    return tf.tidy(() => tf.sum(tf.mul(tf.expandDims(x, -1), this.rotation()), -2));
  }

  /**
   * Mean sign-blind angle between the learned and the true axes ({@link axisAngle}), radians.
   * @param trueAxes shape [3] or [N, 3]
   */
  angleTo(trueAxes: ArrayLike<number>): number {
    const u = this.axis();
    const learned = Float64Array.from(u.dataSync());
    u.dispose();
    return axisAngle(learned, trueAxes);
  }

  namedVariables(): Array<[string, Variable]> {
    return [[`${this.name}/v`, this.v]];
  }

  dispose(): void {
    this.v.dispose();
  }
}
