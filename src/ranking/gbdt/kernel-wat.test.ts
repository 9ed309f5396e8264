import { describe, expect, it } from 'vitest';
import wabtInit from 'wabt';
import { assembleWat } from '../../math/index.js';
import { forestKernelWat, KERNEL_MAX_DEPTH } from './kernel-wat.js';

describe('the tree kernel text', () => {
  it('assembles without wabt to the very bytes wabt writes, at every depth', async () => {
    const wabt = await wabtInit();
    for (let d = 0; d <= KERNEL_MAX_DEPTH; d++) {
      const text = forestKernelWat(d);
      const m = wabt.parseWat(`forest-${d}.wat`, text, { simd: true, bulk_memory: true });
      try {
        expect(Array.from(assembleWat(text)), `depth ${d}`).toEqual(Array.from(m.toBinary({}).buffer));
      } finally {
        m.destroy();
      }
    }
    expect(() => forestKernelWat(9)).toThrow('forest kernel: depth must be 0..8, got 9');
  });
});
