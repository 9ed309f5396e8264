import { describe, it, expect } from 'vitest';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { PlayLog } from '../models/dataset.js';
import { loadPlays } from '../models/dataset.js';
import { popularity } from '../models/popularity.js';
import { TransitionsModel } from '../models/transitions.js';
import { SknnModel } from '../models/sknn.js';
import { SqliteStore } from '../store/index.js';
import { getFormat, runImport } from '../ingest/index.js';
import { splitSessions } from './split.js';
import { evaluateNextTrack } from './next-track.js';
import { present } from '../../test/datasets.js';

const MIN = 60_000;
function log(rows: Array<[number, number, number]>, tracks: number): PlayLog {
  return {
    trackIds: Array.from({ length: tracks }, (_, i) => `t${i}`), listenerIds: ['u0', 'u1'], length: rows.length,
    listener: Int32Array.from(rows, (r) => r[0]), track: Int32Array.from(rows, (r) => r[1]), ts: Float64Array.from(rows, (r) => r[2]),
    skipped: new Int8Array(rows.length), weight: new Float32Array(rows.length).fill(1),
  };
}

describe('next-track evaluation', () => {
  it('scores hand-built queries exactly', () => {
    // Training: 0 -> 1 -> 2 twice, and 3 alone. Test session (latest): 0, 1, 4 (4 never seen in training).
    const l = log([
      [0, 0, 0], [0, 1, MIN], [0, 2, 2 * MIN],
      [0, 0, 100 * MIN], [0, 1, 101 * MIN], [0, 2, 102 * MIN],
      [1, 3, 150 * MIN],
      [1, 0, 300 * MIN], [1, 1, 301 * MIN], [1, 4, 302 * MIN],
    ], 5);
    const split = splitSessions(l, { testShare: 0.25 });
    expect(split.testSessions).toBe(1);
    const model = TransitionsModel.train(l, split.start, split.trainRow, { window: 1, prefixTracks: 1 });
    const pop = popularity(l, split.trainRow);
    const report = evaluateNextTrack(l, split, {
      transitions: (q, out) => model.scoreInto(q.prefix, out),
      popularity: (_q, out) => out.set(pop),
    }, { ks: [1, 2] });
    // Queries: prefix [0] -> target 1; prefix [0, 1] -> target 4 (cold).
    expect(report.queries).toBe(2);
    expect(report.coldTargetShare).toBe(0.5);
    expect(report.candidates).toBe(4);
    // transitions: after 0 the best is 1 (rank 1); 4 is never ranked.
    expect(report.results.transitions!['HR@1']).toBe(0.5);
    // popularity: counts 0:2, 1:2, 2:2, 3:1 -> ties by lower index: [0, 1, 2, 3]; target 1 has rank 2.
    expect(report.results.popularity!['HR@1']).toBe(0);
    expect(report.results.popularity!['HR@2']).toBe(0.5);
    expect(report.results.popularity!['MRR@2']).toBe(0.25);
  });

  const history = join(import.meta.dirname, '../../../shared/datasets/spotify-extended-streaming-history-user-a');
  it.skipIf(!present(history))('on the real Spotify history, transitions beat popularity (skipped when ../shared/datasets is absent)', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'segue-eval-'));
    const store = SqliteStore.open(join(dir, 's.db'));
    await runImport({ store, format: getFormat('spotify-history'), path: history, rejectsFile: join(dir, 'r.ndjson') });
    const l = await loadPlays(store);
    await store.close();
    rmSync(dir, { recursive: true });
    const split = splitSessions(l);
    const model = TransitionsModel.train(l, split.start, split.trainRow);
    const pop = popularity(l, split.trainRow);
    const sknn = SknnModel.train(l, split.start, split.trainRow);
    const r = evaluateNextTrack(l, split, {
      transitions: (q, o) => model.scoreInto(q.prefix, o),
      sknn: (q, o) => sknn.scoreInto(q.prefix, o),
      popularity: (_q, o) => o.set(pop),
    });
    console.log(JSON.stringify({ queries: r.queries, cold: r.coldTargetShare, results: r.results }));
    expect(r.queries).toBeGreaterThan(800);
    expect(r.results.transitions!['HR@10']).toBeGreaterThan(2 * r.results.popularity!['HR@10']!);
    expect(r.results.sknn!['HR@10']).toBeGreaterThan(2 * r.results.popularity!['HR@10']!);
  });
});
