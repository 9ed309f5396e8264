import { it, expect } from 'vitest';
import type { Store } from '../types.js';
import { contractSuite, type Cleanup, type Opener } from './fixtures.js';

/**
 * The PolicyStore contract: every implementation runs it (one factory per implementation,
 * each call returning a fresh, empty, isolated subject).
 */
export function policyContract(name: string, open: Opener<Pick<Store, 'policies' | 'close'>>, cleanup?: Cleanup): void {
  contractSuite(`PolicyStore contract: ${name}`, open, cleanup, (store) => {
    it('keeps named policies in versions, the newest first', async () => {
      expect(await store().policies.put('fair', { objectives: { emergingArtists: 0.2 } })).toBe(1);
      expect(await store().policies.put('fair', { objectives: { emergingArtists: 0.3 } })).toBe(2);
      expect((await store().policies.get('fair'))).toMatchObject({ name: 'fair', version: 2, policy: { objectives: { emergingArtists: 0.3 } } });
      expect(await store().policies.get('none')).toBeUndefined();
      expect((await store().policies.list()).map((p) => `${p.name}@${p.version}`)).toEqual(['fair@2']);
    });
  });
}
