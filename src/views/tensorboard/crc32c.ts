/**
 * CRC-32C (Castagnoli), the checksum of TFRecord framing, and TensorFlow's masked form.
 * Table-driven, one byte at a time: event files are small and written a few records a second.
 */

/** Reflected Castagnoli polynomial 0x1EDC6F41. */
const POLY = 0x82f63b78;

const TABLE: Uint32Array = (() => {
  const t = new Uint32Array(256);
  for (let n = 0; n < 256; n++) {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? (c >>> 1) ^ POLY : c >>> 1;
    t[n] = c >>> 0;
  }
  return t;
})();

/**
 * CRC-32C of `bytes` as an unsigned 32-bit integer.
 * @example crc32c(new TextEncoder().encode('123456789')) === 0xe3069283
 */
export function crc32c(bytes: Uint8Array): number {
  let c = 0xffffffff;
  for (let i = 0; i < bytes.length; i++) c = TABLE[(c ^ bytes[i]) & 0xff] ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}

/** Mask constant of TensorFlow's `crc32c::Mask`. */
const MASK_DELTA = 0xa282ead8;

/**
 * TensorFlow's masked CRC: rotate right by 15 and add a constant, because a CRC of data that
 * itself embeds CRCs is weak (tensorflow/core/lib/hash/crc32c.h).
 */
export function maskedCrc32c(bytes: Uint8Array): number {
  const c = crc32c(bytes);
  return (((c >>> 15) | (c << 17)) + MASK_DELTA) >>> 0;
}
