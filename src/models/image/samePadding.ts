/**
 * TensorFlow's 'same' padding along one axis: the output has ⌈size / stride⌉ positions and the
 * padding needed for them is split with the smaller half first (top/left). For an even size and
 * stride 2 that is 0 before and 1 after — not PyTorch's symmetric padding=1, which is why a
 * PyTorch port pads (0, 1) by hand (see convEncoder.ts).
 *
 * @example samePadding(28, 3, 2)   // { out: 14, before: 0, after: 1 }
 */
export function samePadding(size: number, kernel: number, stride: number): { out: number; before: number; after: number } {
  const out = Math.ceil(size / stride);
  const total = Math.max((out - 1) * stride + kernel - size, 0);
  const before = Math.floor(total / 2);
  return { out, before, after: total - before };
}
