/**
 * Data magnetisation of each record: ⟨x⟩ over the N qubits (d = 1, fixed axis) or 3⟨x₃⟩ (d = 3,
 * random axis), so that its exact mean is tanh α₀ · mean tᵢ in both schemes. Shared by the
 * apparatuses whose pointer axis is ẑ.
 * @param x records, shape [batch, N, d] (length checked by the caller)
 * @returns shape [batch]
 */
export function recordMagnetisation(x: ArrayLike<number>, batch: number, qubits: number, dim: 1 | 3): Float64Array {
  const scale = dim === 1 ? 1 / qubits : 3 / qubits;
  const out = new Float64Array(batch);
  for (let b = 0, k = dim - 1; b < batch; b++) {
    let s = 0;
    for (let i = 0; i < qubits; i++, k += dim) s += x[k];
    out[b] = s * scale;
  }
  return out;
}
