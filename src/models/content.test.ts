import { describe, it, expect } from 'vitest';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Track } from '../domain/index.js';
import { Rng } from '../math/index.js';
import { ContentModel } from './content.js';
import { openStore } from '../store/index.js';
import { getFormat, runImport } from '../ingest/index.js';
import { present } from '../../test/datasets.js';

function synthetic(n: number, seed = 3): Track[] {
  const rng = new Rng(seed);
  // Two genres with distinct sound: slow acoustic folk, fast loud edm.
  return Array.from({ length: n }, (_, i) => {
    const edm = i % 2 === 1;
    return {
      id: `t${i}`, title: `T${i}`, artists: [],
      genres: i % 10 === 0 ? [] : [edm ? 'edm' : 'folk'], // some tracks have no genre: audio alone must place them
      audio: { tempo: (edm ? 128 : 90) + rng.normal() * 6, energy: (edm ? 0.85 : 0.3) + rng.normal() * 0.05, acousticness: edm ? 0.05 : 0.8, loudness: edm ? -5 : -14 },
    };
  });
}

describe('content model', () => {
  it('neighbours share genre and sound, even for tracks without a genre', () => {
    const tracks = synthetic(400);
    const m = ContentModel.train(tracks);
    for (const ix of [0, 1, 10, 11, 57]) {
      const nb = m.neighbours(ix, 10);
      expect(nb.ix.length).toBe(10);
      expect(Array.from(nb.ix)).not.toContain(ix);
      expect(Array.from(nb.ix).every((j) => j % 2 === ix % 2)).toBe(true);
      expect(nb.scores[0]!).toBeLessThanOrEqual(1 + 1e-6);
    }
    expect(m.similarities(3)[3]).toBeCloseTo(1, 5);
    expect(() => m.neighbours(400, 3)).toThrow(/outside 0..399/);
  });
  it('save/load round trip gives identical neighbours', () => {
    const m = ContentModel.train(synthetic(200));
    const m2 = ContentModel.load(m.save());
    expect(m2.trackIds).toEqual(m.trackIds);
    for (const ix of [0, 7, 199]) {
      const a = m.neighbours(ix, 10), b = m2.neighbours(ix, 10);
      expect(Array.from(b.ix)).toEqual(Array.from(a.ix));
      expect(Array.from(b.scores)).toEqual(Array.from(a.scores));
    }
  });

  it('a track with nothing known has a zero vector and similarity 0 to all', () => {
    const m = ContentModel.train([...synthetic(4), { id: 'bare', title: 'x', artists: [] }]);
    expect(Array.from(m.similarities(4)).every((s) => s === 0)).toBe(true);
  });

  const csv = join(import.meta.dirname, '../../../shared/datasets/spotify-songs-audio-features-tidytuesday2020/spotify_songs.csv');
  it.skipIf(!present(csv))('on the real song catalog, neighbours share the genre far above chance (skipped without ../shared/datasets)', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'segue-content-'));
    const store = await openStore(join(dir, 's.db'));
    await runImport({ store, format: getFormat('catalog-csv'), path: csv, rejectsFile: join(dir, 'r.ndjson') });
    const tracks: Track[] = [];
    for await (const b of store.catalog.scanTracks()) tracks.push(...b);
    await store.close();
    rmSync(dir, { recursive: true });
    // Audio alone (genre weight 0): the sound must carry genre information.
    const m = ContentModel.train(tracks, { genreWeight: 0 });
    let same = 0, total = 0;
    for (let ix = 0; ix < tracks.length; ix += 263) {
      const g = tracks[ix]!.genres?.[0];
      for (const j of m.neighbours(ix, 10).ix) {
        total++;
        if (tracks[j]!.genres?.includes(g!)) same++;
      }
    }
    // Six main genres: chance is about 1/6 (plus shared sub-genres); sound lifts it well above.
    expect(same / total).toBeGreaterThan(0.35);
  });
});
