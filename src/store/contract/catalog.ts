import { it, expect } from 'vitest';
import type { Store } from '../types.js';
import { contractSuite, track, play, T0, MIN, type Cleanup, type Opener } from './fixtures.js';

/**
 * The CatalogStore contract: every implementation runs it (one factory per implementation,
 * each call returning a fresh, empty, isolated subject). Catalog writes go through `ingest`, so this suite takes a whole store.
 */
export function catalogContract(name: string, open: Opener<Store>, cleanup?: Cleanup): void {
  contractSuite(`CatalogStore contract: ${name}`, open, cleanup, (store) => {
    it('writes catalog and events in one batch; events may refer to tracks of the same batch', async () => {
      expect(await store().events.lastSeq()).toBe(0);
      const r = await store().ingest({ tracks: [track('t1'), track('t2', 'a2')], events: [play('e1', 'u1', 't1', T0), play('e2', 'u1', 't2', T0 + 4 * MIN)] });
      expect(r.accepted).toBe(4);
      expect(r.duplicates).toBe(0);
      expect(r.rejected).toEqual([]);
      expect(await store().events.count()).toBe(2);
      // The latest event's seq: what a scan from it would return last.
      const seqs: number[] = [];
      for await (const batch of store().events.scan()) for (const e of batch) seqs.push(e.seq);
      expect(await store().events.lastSeq()).toBe(Math.max(...seqs));
      expect((await store().catalog.getArtist('a2'))?.name).toBe('Artist a2');
      expect(await store().catalog.counts()).toEqual({ tracks: 2, artists: 2, listeners: 1, playlists: 0 });
    });

    it('reads many tracks in one call, aligned with the ids asked for, undefined where unknown', async () => {
      await store().ingest({ tracks: [track('t1'), track('t2', 'a2'), track('t3')] });
      const got = await store().catalog.getTracks(['t2', 'nope', 't1', 't2']);
      expect(got.map((t) => t?.id)).toEqual(['t2', undefined, 't1', 't2']);
      expect(got[0]).toEqual(await store().catalog.getTrack('t2'));
      expect(got[0]?.artists[0]?.name).toBe('Artist a2');
      expect(await store().catalog.getTracks([])).toEqual([]);
      // Many ids at once (past SQLite's default limit of bound variables, were they bound one by one).
      const many = Array.from({ length: 40_000 }, (_, i) => (i % 2 === 0 ? 't3' : `x${i}`));
      const r = await store().catalog.getTracks(many);
      expect(r.length).toBe(many.length);
      expect(r.filter((t) => t?.id === 't3').length).toBe(20_000);
    });

    it('searches tracks by title, artists by name and listeners by id: case-insensitive, prefix matches first, wildcards literal', async () => {
      await store().ingest({
        tracks: [track('t1', 'a1', { title: 'Blue Monday' }), track('t2', 'a2', { title: 'Monday Blues' }), track('t3', 'a1', { title: '100% Pure_Love' }), track('t4', 'a1', { title: 'Tuesday' })],
        events: [play('e1', 'blue-listener', 't1', T0), play('e2', 'other', 't2', T0 + MIN)],
      });
      expect(await store().catalog.search('track', 'monday', 10)).toEqual([{ id: 't2', name: 'Monday Blues' }, { id: 't1', name: 'Blue Monday' }]);
      expect(await store().catalog.search('track', 'MONDAY', 1)).toEqual([{ id: 't2', name: 'Monday Blues' }]);
      // % and _ are the query's own characters, not wildcards.
      expect((await store().catalog.search('track', '0% Pure_', 10)).map((x) => x.id)).toEqual(['t3']);
      expect(await store().catalog.search('track', '%', 10)).toEqual([{ id: 't3', name: '100% Pure_Love' }]);
      expect(await store().catalog.search('track', 't4', 10)).toEqual([{ id: 't4', name: 'Tuesday' }]);
      expect(await store().catalog.search('artist', 'artist A2', 10)).toEqual([{ id: 'a2', name: 'Artist a2' }]);
      expect(await store().catalog.search('listener', 'blue', 10)).toEqual([{ id: 'blue-listener', name: 'blue-listener' }]);
      expect(await store().catalog.search('track', 'nothing like it', 10)).toEqual([]);
    });

    it('merges catalog upserts: new fields replace old ones, an identical upsert changes nothing', async () => {
      await store().ingest({ tracks: [track('t1', 'a1', { genres: ['jazz'] })] });
      const same = await store().ingest({ tracks: [track('t1', 'a1', { genres: ['jazz'] })] });
      expect(same.duplicates).toBe(1);
      await store().ingest({ tracks: [{ ...track('t1'), audio: { tempo: 120, energy: 0.5 } }] });
      const t = await store().catalog.getTrack('t1');
      expect(t?.genres).toEqual(['jazz']);
      expect(t?.audio).toEqual({ tempo: 120, energy: 0.5 });
      await store().ingest({ artists: [{ id: 'a1', name: 'Renamed', emerging: true }] });
      expect(await store().catalog.getArtist('a1')).toMatchObject({ name: 'Renamed', emerging: true });
    });

    it('unions genres when the batch asks for it, so repeated rows are idempotent', async () => {
      await store().ingest({ mergeGenres: true, tracks: [track('t1', 'a1', { genres: ['pop'] }), track('t1', 'a1', { genres: ['rock'] })] });
      expect((await store().catalog.getTrack('t1'))?.genres).toEqual(['pop', 'rock']);
      const again = await store().ingest({ mergeGenres: true, tracks: [track('t1', 'a1', { genres: ['pop'] }), track('t1', 'a1', { genres: ['rock'] })] });
      expect(again.duplicates).toBe(2);
      await store().ingest({ tracks: [track('t1', 'a1', { genres: ['jazz'] })] }); // without the flag: replace
      expect((await store().catalog.getTrack('t1'))?.genres).toEqual(['jazz']);
    });

    it('stores playlists whose tracks exist and rejects those naming unknown tracks', async () => {
      await store().ingest({ tracks: [track('t1'), track('t2')] });
      const r = await store().ingest({
        playlists: [
          { id: 'p1', name: 'Mix', trackIds: ['t2', 't1'] },
          { id: 'p2', name: 'Bad', trackIds: ['t1', 'zz'] },
        ],
      });
      expect(r.accepted).toBe(1);
      expect(r.rejected[0]).toMatchObject({ kind: 'playlist', index: 1 });
      expect((await store().catalog.getPlaylist('p1'))?.trackIds).toEqual(['t2', 't1']);
      expect(await store().catalog.getPlaylist('p2')).toBeUndefined();
      await store().ingest({ playlists: [{ id: 'p3', name: 'Three', trackIds: ['t1'] }, { id: 'p4', name: 'Four', trackIds: ['t2'] }] });
      const pages: string[][] = [];
      for await (const page of store().catalog.scanPlaylists({ batchSize: 2 })) pages.push(page.map((p) => p.id));
      expect(pages).toEqual([['p1', 'p3'], ['p4']]);
    });

    it('derives the emerging flag unless the service set it', async () => {
      const tracks = Array.from({ length: 10 }, (_, i) => track(`t${i}`, `a${i}`, { releaseDate: '2024-01-01' }));
      await store().ingest({ tracks, artists: [{ id: 'a0', name: 'Set', emerging: false }] });
      // a0 and a9 get many plays; others few.
      const events = [0, 9].flatMap((a) => Array.from({ length: 20 }, (_, i) => play(`x${a}-${i}`, 'u1', `t${a}`, T0 + i * MIN)));
      await store().ingest({ events });
      const n = await store().catalog.deriveEmerging(Date.UTC(2024, 6, 1));
      expect((await store().catalog.getArtist('a0'))?.emergingDerived).toBe(false);
      expect((await store().catalog.getArtist('a9'))?.emergingDerived).toBe(false);
      // a1..a8 have no plays: below the 0.8 quantile of plays (20), so emerging.
      expect((await store().catalog.getArtist('a1'))?.emergingDerived).toBe(true);
      expect(n).toBe(8);
    });
  });
}
