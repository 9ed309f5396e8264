import { it, expect } from 'vitest';
import type { Store } from '../types.js';
import { contractSuite, type Cleanup, type Opener } from './fixtures.js';

/**
 * The ModelStore contract: every implementation runs it (one factory per implementation,
 * each call returning a fresh, empty, isolated subject).
 */
export function modelContract(name: string, open: Opener<Pick<Store, 'models' | 'close'>>, cleanup?: Cleanup): void {
  contractSuite(`ModelStore contract: ${name}`, open, cleanup, (store) => {
    it('versions model artifacts', async () => {
      const v1 = await store().models.put('als', new Uint8Array([1]), { dims: 8 });
      const v2 = await store().models.put('als', new Uint8Array([2, 2]));
      expect([v1.version, v2.version]).toEqual([1, 2]);
      expect(Array.from((await store().models.get('als'))!.data)).toEqual([2, 2]);
      expect((await store().models.get('als', 1))!.meta.info).toEqual({ dims: 8 });
      expect(await store().models.get('none')).toBeUndefined();
      expect((await store().models.list()).map((m) => `${m.name}@${m.version}`)).toEqual(['als@1', 'als@2']);
    });
  });
}
