import { describe, it, expect } from 'vitest';
import { decodeArtifact, encodeArtifact } from './artifact.js';

describe('model artifacts', () => {
  const meta = { model: 'transitions', modelVersion: 1, config: { window: 5 }, trackIds: ['a', 'b', 'ü'] };
  const arrays = { indptr: Int32Array.of(0, 1, 3), data: Float32Array.of(0.5, 1.5, -2), mask: Uint8Array.of(1, 0, 1), big: Float64Array.of(Math.PI) };

  it('round-trips meta and arrays exactly, as aligned views', () => {
    const bytes = encodeArtifact(meta, arrays);
    expect(bytes.byteLength % 8).toBe(0);
    const back = decodeArtifact(bytes, { model: 'transitions', modelVersion: 1 });
    expect(back.meta).toEqual(meta);
    expect(Object.keys(back.arrays)).toEqual(['indptr', 'data', 'mask', 'big']);
    for (const [k, v] of Object.entries(arrays)) {
      expect(back.arrays[k]!.constructor).toBe(v.constructor);
      expect(Array.from(back.arrays[k]!)).toEqual(Array.from(v));
    }
    // An unaligned copy (as a database driver may hand back) still decodes.
    const shifted = new Uint8Array(bytes.byteLength + 3).subarray(3);
    shifted.set(bytes);
    expect(Array.from(decodeArtifact(shifted).arrays.big!)).toEqual([Math.PI]);
  });

  it('refuses foreign, truncated or mismatched artifacts with a clear reason', () => {
    const bytes = encodeArtifact(meta, arrays);
    expect(() => decodeArtifact(new Uint8Array(4))).toThrow(/too short/);
    expect(() => decodeArtifact(new TextEncoder().encode('hello, world, not a model'))).toThrow(/bad magic/);
    expect(() => decodeArtifact(bytes.subarray(0, bytes.byteLength - 8))).toThrow(/truncated in array big/);
    expect(() => decodeArtifact(bytes, { model: 'als', modelVersion: 1 })).toThrow(/holds transitions version 1, expected als version 1/);
    const v2 = bytes.slice();
    new DataView(v2.buffer).setUint32(4, 9, true);
    expect(() => decodeArtifact(v2)).toThrow(/artifact format 9/);
  });
});
