/**
 * Plain-array helpers for configurations of `units` sites with `q` states each.
 *
 * Integer form: states[k·units + i] ∈ {0 … q−1}, shape [n, units].
 * One-hot form: onehot[k·units·q + i·q + a] ∈ {0, 1}, shape [n, units·q] (the layout of {@link SiteDistribution}).
 * Enumeration order: configuration index s has site i in state ⌊s / q^i⌋ mod q (site 0 fastest).
 */

/** Number of configurations q^units, refusing counts past 2^24 (enumeration is for exact references on small systems). */
export function configurationCount(units: number, q: number): number {
  const count = q ** units;
  if (!Number.isInteger(units) || units < 1 || !Number.isInteger(q) || q < 2) {
    throw new RangeError(`configurationCount: units must be an integer ≥ 1 and q an integer ≥ 2 (got units=${units}, q=${q})`);
  }
  if (count > 2 ** 24) throw new RangeError(`configurationCount: q^units = ${q}^${units} exceeds 2^24 configurations`);
  return count;
}

/** Every configuration in enumeration order, integer form. @returns Uint8Array of shape [q^units, units] */
export function allStates(units: number, q: number): Uint8Array {
  const count = configurationCount(units, q);
  const out = new Uint8Array(count * units);
  for (let s = 0; s < count; s++) {
    let r = s;
    for (let i = 0; i < units; i++) {
      out[s * units + i] = r % q;
      r = Math.floor(r / q);
    }
  }
  return out;
}

/** Integer form → one-hot form. @param states shape [n, units] @returns Float32Array shape [n, units·q] */
export function toOneHot(states: ArrayLike<number>, units: number, q: number): Float32Array {
  const n = states.length / units;
  const out = new Float32Array(n * units * q);
  for (let k = 0; k < n * units; k++) out[k * q + states[k]] = 1;
  return out;
}

/** One-hot (or soft) form → integer form by argmax per site. @param onehot shape [n, units·q] @returns Uint8Array shape [n, units] */
export function toStates(onehot: ArrayLike<number>, units: number, q: number): Uint8Array {
  const sites = onehot.length / q;
  const out = new Uint8Array(sites);
  for (let k = 0; k < sites; k++) {
    let best = 0;
    for (let a = 1; a < q; a++) if (onehot[k * q + a] > onehot[k * q + best]) best = a;
    out[k] = best;
  }
  return out;
}

/** Enumeration index of each configuration. @param states shape [n, units] @returns shape [n] */
export function stateIndex(states: ArrayLike<number>, units: number, q: number): Float64Array {
  const n = states.length / units;
  const out = new Float64Array(n);
  for (let k = 0; k < n; k++) {
    let s = 0;
    for (let i = units - 1; i >= 0; i--) s = s * q + states[k * units + i];
    out[k] = s;
  }
  return out;
}
