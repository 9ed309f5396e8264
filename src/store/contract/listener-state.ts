import { it, expect } from 'vitest';
import type { Store } from '../types.js';
import { contractSuite, type Cleanup, type Opener } from './fixtures.js';

/**
 * The ListenerStateStore contract: every implementation runs it (one factory per implementation,
 * each call returning a fresh, empty, isolated subject). Any listener-state implementation (a Redis one too) runs it alone.
 */
export function listenerStateContract(name: string, open: Opener<Pick<Store, 'listenerState' | 'close'>>, cleanup?: Cleanup): void {
  contractSuite(`ListenerStateStore contract: ${name}`, open, cleanup, (store) => {
    it('keeps listener state as bytes per key', async () => {
      expect(await store().listenerState.get('u1', 'counters')).toBeUndefined();
      await store().listenerState.put('u1', 'counters', new Uint8Array([1, 2, 3]));
      await store().listenerState.put('u1', 'counters', new Uint8Array([4, 5]));
      expect(Array.from((await store().listenerState.get('u1', 'counters'))!)).toEqual([4, 5]);
      await store().listenerState.delete('u1', 'counters');
      expect(await store().listenerState.get('u1', 'counters')).toBeUndefined();
      expect(await store().listenerState.putMany([
        { listenerId: 'u1', key: 'a', value: new Uint8Array([1]) },
        { listenerId: 'u2', key: 'a', value: new Uint8Array([2]) },
      ])).toBe(2);
      expect(Array.from((await store().listenerState.get('u2', 'a'))!)).toEqual([2]);
      // A failing entry leaves none of the batch written.
      const bad = { listenerId: 'u3', key: 'a', get value(): Uint8Array { throw new Error('boom'); } };
      await expect(store().listenerState.putMany([{ listenerId: 'u3', key: 'b', value: new Uint8Array([3]) }, bad])).rejects.toThrow('boom');
      expect(await store().listenerState.get('u3', 'b')).toBeUndefined();
      // Read-modify-write: the function sees the stored value; concurrent updates all land.
      const appendByte = (b: number) => (old: Uint8Array | undefined) => Uint8Array.from([...(old ?? []), b]);
      expect(Array.from(await store().listenerState.update('u4', 'h', appendByte(1)))).toEqual([1]);
      await Promise.all([2, 3, 4, 5].map((b) => store().listenerState.update('u4', 'h', appendByte(b))));
      expect(Array.from((await store().listenerState.get('u4', 'h'))!).sort()).toEqual([1, 2, 3, 4, 5]);
      await expect(store().listenerState.update('u4', 'h', () => { throw new Error('no'); })).rejects.toThrow('no');
      expect((await store().listenerState.get('u4', 'h'))!.length).toBe(5);
      // A snapshot: values under the keys, or of the listeners, asked for; nothing else.
      await store().listenerState.put('*', 'cursor', new Uint8Array([9]));
      const snap = await store().listenerState.snapshot({ keys: ['a'], listenerIds: ['*'] });
      expect(snap.map((e) => [e.listenerId, e.key, Array.from(e.value)]).sort()).toEqual([['*', 'cursor', [9]], ['u1', 'a', [1]], ['u2', 'a', [2]]]);
      expect(await store().listenerState.snapshot({ keys: [], listenerIds: [] })).toEqual([]);
    });
  });
}
