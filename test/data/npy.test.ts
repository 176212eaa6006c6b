import { describe, expect, it } from 'vitest';
import { DataFileError } from '../../src/data/dataFileError.ts';
import { encodeNpy, parseNpy, type NpyDtype } from '../../src/data/npy.ts';

/** Files written by NumPy 2.4.6 (np.save / np.lib.format.write_array), base64. */
const NUMPY = {
  // np.array([0.5, -1.25, 3, 1e-3], dtype='<f4')
  f4: 'k05VTVBZAQB2AHsnZGVzY3InOiAnPGY0JywgJ2ZvcnRyYW5fb3JkZXInOiBGYWxzZSwgJ3NoYXBlJzogKDQsKSwgfSAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgIAoAAAA/AACgvwAAQEBvEoM6',
  // np.array([[1], [-300], [7]], dtype='>i2')
  i2col: 'k05VTVBZAQB2AHsnZGVzY3InOiAnPmkyJywgJ2ZvcnRyYW5fb3JkZXInOiBGYWxzZSwgJ3NoYXBlJzogKDMsIDEpLCB9ICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgIAoAAf7UAAc=',
  // write_array(np.array([2.5, -0.125]), version=(2, 0))
  v2f8: 'k05VTVBZAgB0AAAAeydkZXNjcic6ICc8ZjgnLCAnZm9ydHJhbl9vcmRlcic6IEZhbHNlLCAnc2hhcGUnOiAoMiwpLCB9ICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgIAoAAAAAAAAEQAAAAAAAAMC/',
  // write_array(np.array([-2**40, 5], dtype='<i8'), version=(3, 0))
  v3i8: 'k05VTVBZAwB0AAAAeydkZXNjcic6ICc8aTgnLCAnZm9ydHJhbl9vcmRlcic6IEZhbHNlLCAnc2hhcGUnOiAoMiwpLCB9ICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgIAoAAAAAAP///wUAAAAAAAAA',
  // np.array([0, 255, 17], dtype='u1')
  u1: 'k05VTVBZAQB2AHsnZGVzY3InOiAnfHUxJywgJ2ZvcnRyYW5fb3JkZXInOiBGYWxzZSwgJ3NoYXBlJzogKDMsKSwgfSAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgIAoA/xE=',
  // np.asfortranarray(np.arange(6.).reshape(2, 3))
  fortran2d: 'k05VTVBZAQB2AHsnZGVzY3InOiAnPGY4JywgJ2ZvcnRyYW5fb3JkZXInOiBUcnVlLCAnc2hhcGUnOiAoMiwgMyksIH0gICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgIAoAAAAAAAAAAAAAAAAAAAhAAAAAAAAA8D8AAAAAAAAQQAAAAAAAAABAAAAAAAAAFEA=',
  // np.array([1 + 2j])
  c16: 'k05VTVBZAQB2AHsnZGVzY3InOiAnPGMxNicsICdmb3J0cmFuX29yZGVyJzogRmFsc2UsICdzaGFwZSc6ICgxLCksIH0gICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgIAoAAAAAAADwPwAAAAAAAABA',
};
const bytes = (b64: string) => new Uint8Array(Buffer.from(b64, 'base64'));

/** A v1.0 file built by hand from the format's documentation (numpy.lib.format). */
function handMade(dict: string, payload: Uint8Array): Uint8Array {
  // magic (6) + version (2) + uint16 header length (2) + header; the whole preamble is a multiple of 64.
  const pad = 64 - ((10 + dict.length + 1) % 64);
  const header = dict + ' '.repeat(pad % 64) + '\n';
  const out = new Uint8Array(10 + header.length + payload.length);
  out.set([0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59, 1, 0, header.length & 0xff, header.length >> 8]);
  out.set(Buffer.from(header, 'latin1'), 10);
  out.set(payload, 10 + header.length);
  return out;
}

describe('parseNpy', () => {
  it('reads files that NumPy wrote: dtypes, byte orders, versions 1–3, an (n, 1) column', () => {
    const f4 = parseNpy(bytes(NUMPY.f4));
    expect(f4.dtype).toBe('<f4');
    expect(f4.shape).toEqual([4]);
    expect(Array.from(f4.data)).toEqual([0.5, -1.25, 3, Math.fround(1e-3)]);
    const i2 = parseNpy(bytes(NUMPY.i2col));
    expect([i2.dtype, i2.shape]).toEqual(['>i2', [3, 1]]);
    expect(Array.from(i2.data)).toEqual([1, -300, 7]);
    expect(Array.from(parseNpy(bytes(NUMPY.v2f8)).data)).toEqual([2.5, -0.125]);
    expect(Array.from(parseNpy(bytes(NUMPY.v3i8)).data)).toEqual([-(2 ** 40), 5]);
    expect(Array.from(parseNpy(bytes(NUMPY.u1)).data)).toEqual([0, 255, 17]);
    // Fortran order changes nothing for a 1-D array.
    const fortran1d = parseNpy(handMade("{'descr': '<f8', 'fortran_order': True, 'shape': (2,), }", new Uint8Array(new Float64Array([4, 5]).buffer)));
    expect([fortran1d.fortranOrder, Array.from(fortran1d.data)]).toEqual([true, [4, 5]]);
  });

  it('reads a file built by hand from the documented format, and encodeNpy writes exactly those bytes', () => {
    const payload = new Uint8Array(new Float64Array([1.5, -2, 3e10]).buffer); // little-endian host
    const file = handMade("{'descr': '<f8', 'fortran_order': False, 'shape': (3,), }", payload);
    expect(file.length % 64).toBe((3 * 8) % 64); // the preamble is 64-aligned
    expect(Array.from(parseNpy(file).data)).toEqual([1.5, -2, 3e10]);
    expect(Buffer.from(encodeNpy(Float64Array.of(1.5, -2, 3e10))).equals(Buffer.from(file))).toBe(true);
    // Big-endian int32 by hand: 0x00000102 = 258, 0xFFFFFFFF = −1.
    const be = handMade("{'descr': '>i4', 'fortran_order': False, 'shape': (2,), }", Uint8Array.of(0, 0, 1, 2, 255, 255, 255, 255));
    expect(Array.from(parseNpy(be).data)).toEqual([258, -1]);
  });

  it('round-trips encodeNpy for every dtype and a few shapes', () => {
    const values = Float64Array.of(0, 1, 2, 3, 4, 5, 6, 7, 100, 127, 3, 9);
    const dtypes: NpyDtype[] = ['<f8', '>f8', '<f4', '>f4', '<i8', '>i8', '<i4', '>i4', '<i2', '>i2', '|i1', '<u8', '>u8', '<u4', '>u4', '<u2', '>u2', '|u1'];
    for (const dtype of dtypes) {
      for (const shape of [[12], [12, 1], [3, 4], [2, 3, 2]]) {
        const back = parseNpy(encodeNpy(values, shape, dtype));
        expect([back.dtype, back.shape, back.fortranOrder]).toEqual([dtype, shape, false]);
        expect(Array.from(back.data)).toEqual(Array.from(values));
      }
    }
    expect(Array.from(parseNpy(encodeNpy(Float64Array.of(-0.1, 1e300, -1e-300))).data)).toEqual([-0.1, 1e300, -1e-300]);
    expect(parseNpy(encodeNpy(new Float64Array(0))).shape).toEqual([0]);
    expect(parseNpy(encodeNpy(Float64Array.of(4), [])).shape).toEqual([]);
    expect(() => encodeNpy(Float64Array.of(256), [1], '|u1')).toThrow(/encodeNpy: \|u1 cannot hold data\[0\] = 256/);
    expect(() => encodeNpy(Float64Array.of(1, 2), [3])).toThrow(/shape \(3,\) holds 3 values but data has 2/);
  });

  it('fails with one line naming the data and the problem', () => {
    const fails = (b: Uint8Array, message: RegExp) => {
      let err: unknown;
      try { parseNpy(b, 'y.npy'); } catch (e) { err = e; }
      expect(err).toBeInstanceOf(DataFileError);
      expect((err as Error).message).toMatch(message);
      expect((err as Error).message).not.toMatch(/\n/);
    };
    const good = encodeNpy(Float64Array.of(1, 2, 3));
    fails(Uint8Array.from(good, (b, i) => (i === 1 ? 0x4f : b)), /^y\.npy: not a NumPy \.npy file \(bad magic/);
    fails(good.subarray(0, good.length - 5), /^y\.npy: truncated: shape \(3,\) of <f8 needs 24 bytes of data, the file has 19$/);
    fails(good.subarray(0, 40), /^y\.npy: truncated: the header says it is 118 bytes/);
    fails(new Uint8Array([...good, 0, 0]), /2 unexpected bytes after the data/);
    fails(bytes(NUMPY.c16), /unsupported dtype '<c16'/);
    fails(bytes(NUMPY.fortran2d), /fortran_order True is not supported for shape \(2, 3\)/);
    fails(handMade("{'descr': [('a', '<f8')], 'fortran_order': False, 'shape': (1,), }", new Uint8Array(8)), /structured dtypes are not supported/);
    fails(handMade("{'descr': '<f8', 'fortran_order': False, }", new Uint8Array(8)), /malformed header \(no 'shape'\)/);
    fails(handMade("{'descr': '<i8', 'fortran_order': False, 'shape': (1,), }", new Uint8Array(new BigInt64Array([2n ** 60n]).buffer)), /beyond ±2\^53/);
    fails(Uint8Array.from(good, (b, i) => (i === 6 ? 4 : b)), /unsupported \.npy format version 4\.0/);
  });
});
