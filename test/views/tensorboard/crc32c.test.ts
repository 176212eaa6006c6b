import { describe, expect, it } from 'vitest';
import { crc32c, maskedCrc32c } from '../../../src/views/tensorboard/crc32c.ts';

const ascii = (s: string) => new TextEncoder().encode(s);

describe('crc32c', () => {
  it('matches the published check value and the RFC 3720 (iSCSI) vectors', () => {
    expect(crc32c(ascii('123456789'))).toBe(0xe3069283);
    expect(crc32c(new Uint8Array(0))).toBe(0);
    expect(crc32c(new Uint8Array(32))).toBe(0x8a9136aa);
    expect(crc32c(new Uint8Array(32).fill(0xff))).toBe(0x62a8ab43);
    expect(crc32c(Uint8Array.from({ length: 32 }, (_, i) => i))).toBe(0x46dd794e);
    expect(crc32c(Uint8Array.from({ length: 32 }, (_, i) => 31 - i))).toBe(0x113fdb5c);
  });

  it('masks as TensorFlow does: rotate right 15, add 0xa282ead8 mod 2^32', () => {
    for (const s of ['123456789', '', 'brain.Event:2']) {
      const c = BigInt(crc32c(ascii(s)));
      const rotated = ((c >> 15n) | (c << 17n)) & 0xffffffffn;
      expect(BigInt(maskedCrc32c(ascii(s)))).toBe((rotated + 0xa282ead8n) & 0xffffffffn);
    }
    // Precomputed: crc32c("123456789") = 0xe3069283 → rotr15 = 0x2507c60d → +0xa282ead8 = 0xc78ab0e5.
    expect(maskedCrc32c(ascii('123456789'))).toBe(0xc78ab0e5);
  });
});
