/**
 * Sign-blind angle between learned and true pointer axes, in radians, averaged over qubits:
 *   θᵢ = atan2(|uᵢ × nᵢ|, |uᵢ · nᵢ|) ∈ [0, π/2],
 * which is arccos |uᵢ·nᵢ| for unit vectors but keeps full precision for small angles (arccos near 1
 * loses half the digits). Sign-blind because a model that reads the polarisation along u cannot tell
 * u from −u: flipping the axis only relabels the branches s ↔ −s. Inputs need not be unit vectors.
 *
 * @param learned axes, shape [3] (one shared axis) or [N, 3], row-major
 * @param truth   axes, shape [3] or [N, 3]; a [3] side is compared with every row of the other
 * @returns the mean of θᵢ over the N rows (θ itself when both are [3])
 * @throws RangeError naming the argument for a length that is not 3 or 3N, mismatched N, or a zero / non-finite vector
 * @example
 *   axisAngle(new Float64Array([0, 0, 1]), new Float64Array([1, 0, -1]));   // π/4
 */
export function axisAngle(learned: ArrayLike<number>, truth: ArrayLike<number>): number {
  for (const [name, a] of [['learned', learned], ['truth', truth]] as const) {
    if (a == null || a.length === 0 || a.length % 3 !== 0) {
      throw new RangeError(`axisAngle: ${name} must have shape [3] or [N, 3] (got length ${a == null ? String(a) : a.length})`);
    }
  }
  const rl = learned.length / 3, rt = truth.length / 3;
  if (rl !== rt && rl !== 1 && rt !== 1) {
    throw new RangeError(`axisAngle: learned and truth must have the same number of axes, or one of them one axis (got ${rl} and ${rt})`);
  }
  const rows = Math.max(rl, rt);
  let sum = 0;
  for (let i = 0; i < rows; i++) {
    const p = rl === 1 ? 0 : 3 * i, q = rt === 1 ? 0 : 3 * i;
    const [ax, ay, az] = vector('learned', learned, p, rl === 1 ? -1 : i);
    const [bx, by, bz] = vector('truth', truth, q, rt === 1 ? -1 : i);
    const cross = Math.hypot(ay * bz - az * by, az * bx - ax * bz, ax * by - ay * bx);
    sum += Math.atan2(cross, Math.abs(ax * bx + ay * by + az * bz));
  }
  return sum / rows;
}

function vector(name: string, a: ArrayLike<number>, k: number, row: number): [number, number, number] {
  const v: [number, number, number] = [a[k], a[k + 1], a[k + 2]];
  const norm = Math.hypot(...v);
  if (!(norm > 0) || !Number.isFinite(norm)) {
    throw new RangeError(`axisAngle: ${name}${row < 0 ? '' : `[${row}]`} must be a finite non-zero vector (got [${v.join(', ')}])`);
  }
  return v;
}
