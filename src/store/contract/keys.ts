import { it, expect } from 'vitest';
import type { Store } from '../types.js';
import { contractSuite, type Cleanup, type Opener } from './fixtures.js';

/**
 * The ApiKeyStore contract: every implementation runs it (one factory per implementation,
 * each call returning a fresh, empty, isolated subject).
 */
export function apiKeyContract(name: string, open: Opener<Pick<Store, 'keys' | 'close'>>, cleanup?: Cleanup): void {
  contractSuite(`ApiKeyStore contract: ${name}`, open, cleanup, (store) => {
    it('keeps API keys hashed: verifies the exact key, refuses a changed or revoked one', async () => {
      const { meta: m, key } = await store().keys.create({ scopes: ['ingest', 'recommend'], name: 'app', rateLimit: 600 });
      expect(key).toMatch(/^sg_[0-9a-f]{16}_[A-Za-z0-9_-]{43}$/);
      expect(key).toContain(m.id);
      expect(await store().keys.verify(key)).toEqual(m);
      const last = key.at(-1) === 'A' ? 'B' : 'A';
      expect(await store().keys.verify(key.slice(0, -1) + last)).toBeUndefined();
      expect(await store().keys.verify('sg_0000000000000000_' + key.slice(-43))).toBeUndefined();
      expect(await store().keys.verify('garbage')).toBeUndefined();
      const other = await store().keys.create({ scopes: ['admin'] });
      expect(await store().keys.revoke(m.id)).toBe(true);
      expect(await store().keys.verify(key)).toBeUndefined();
      expect(await store().keys.verify(other.key)).toMatchObject({ scopes: ['admin'], rateLimit: null });
      expect(await store().keys.revoke('nope')).toBe(false);
      const listed = await store().keys.list();
      expect(listed.map((k) => k.id).sort()).toEqual([m.id, other.meta.id].sort());
      expect(listed.find((k) => k.id === m.id)!.revokedAt).toBeTypeOf('number');
      expect(JSON.stringify(listed)).not.toContain(key.slice(-43));
      await expect(store().keys.create({ scopes: [] })).rejects.toThrow(/scopes must be/);
      await expect(store().keys.create({ scopes: ['root' as 'admin'] })).rejects.toThrow(/scopes must be/);
    });
  });
}
