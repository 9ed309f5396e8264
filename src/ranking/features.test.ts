import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openStore } from '../store/index.js';
import { simulate, writeToStore } from '../simulator/index.js';
import { TrackTable, StateEngine } from '../features/index.js';
import { EVENT_TYPE_CODE } from '../domain/index.js';
import {
  F, FEATURES, FeatureBuilder, audioEmbedding, keyDistance, tempoDelta, isPlay, loadEventColumns, replay, trackInfo,
  type EventColumns,
} from './index.js';

const dir = mkdtempSync(join(tmpdir(), 'segue-features-'));
const store = await openStore(join(dir, 'sim.db'));
let table: TrackTable;
let ev: EventColumns;

beforeAll(async () => {
  await writeToStore(simulate({ listeners: 60, tracks: 1500, days: 5, seed: 11 }), store);
  table = await TrackTable.load(store);
  ev = await loadEventColumns(store, table);
}, 60_000);
afterAll(async () => {
  await store.close();
  rmSync(dir, { recursive: true, force: true });
});

/** Features of event i's track, from a replay of `columns` stopped just before event i. */
function rowAt(columns: EventColumns, i: number): Float32Array {
  const emb = audioEmbedding(table);
  const builder = new FeatureBuilder(table, emb);
  const X = new Float32Array(FEATURES.length);
  let seen = false;
  replay(columns, table, (j, engine) => {
    if (j !== i) return;
    seen = true;
    builder.build({ view: engine.view(columns.listenerIds[columns.listener[i]!]!), now: columns.ts[i]!, surface: 'radio' }, Int32Array.of(columns.track[i]!), X);
  }, { embedding: emb, until: i + 1 });
  expect(seen).toBe(true);
  return X;
}

/** A copy of the columns where everything from event `from` on is different: labels flipped, tracks moved, likes added. */
function rewriteFuture(c: EventColumns, from: number): EventColumns {
  const out: EventColumns = { ...c, type: c.type.slice(), track: c.track.slice(), skipped: c.skipped.slice(), ts: c.ts.slice() };
  for (let j = from; j < c.n; j++) {
    if (out.skipped[j]! >= 0) out.skipped[j] = 1 - out.skipped[j]!;
    if (j % 3 === 0 && out.track[j]! >= 0) out.type[j] = EVENT_TYPE_CODE.like;
    if (j % 5 === 0) out.track[j] = c.track[from]!;
  }
  return out;
}

describe('features', () => {
  it('lists every feature once, in the column order the builder writes', () => {
    expect(new Set(FEATURES).size).toBe(FEATURES.length);
    expect(FEATURES.length).toBe(43);
    expect([F['listener_artist_plays'], F['listener_genre_plays'], F['track_plays'], F['score_transitions'], F['sim_session'], F['delta_tempo'], F['age_days'], F['surface'], F['session_skip_streak'], F['session_genre_likes']])
      .toEqual([5, 10, 15, 18, 24, 27, 32, 34, 37, 42]);
  });

  it('computes key and tempo distances as DJs count them', () => {
    expect(keyDistance(0, 1, 0, 1)).toBe(0); // C major, C major
    expect(keyDistance(0, 1, 7, 1)).toBe(1); // C -> G: one step on the wheel
    expect(keyDistance(0, 1, 9, 0)).toBe(1); // C major -> A minor: relative keys, same number
    expect(keyDistance(0, 1, 6, 1)).toBe(6); // C -> F#: opposite
    expect(keyDistance(-1, 1, 0, 1)).toBeNaN();
    expect(tempoDelta(120, 60)).toBe(0); // double time
    expect(tempoDelta(120, 126)).toBeCloseTo(Math.log2(126 / 120), 9);
    expect(tempoDelta(0, 120)).toBeNaN();
  });

  it('reads the listener, track and session state it is given', () => {
    const plays = Array.from({ length: ev.n }, (_, i) => i).filter((i) => isPlay(ev, i) && ev.skipped[i]! >= 0);
    const i = plays[Math.floor(plays.length * 0.8)]!;
    const listener = ev.listenerIds[ev.listener[i]!]!;
    const engine = new StateEngine(trackInfo(table));
    const t = table.ids[ev.track[i]!]!;
    const artist = table.artist[ev.track[i]!]!;
    const now = ev.ts[i]!;
    engine.apply({ type: 'play_end', listenerId: listener, trackId: t, ts: now - 60_000, skipped: true });
    engine.apply({ type: 'play_end', listenerId: listener, trackId: t, ts: now - 30_000, skipped: false });
    engine.apply({ type: 'like', listenerId: listener, trackId: t, ts: now - 20_000 });
    const X = new FeatureBuilder(table).build({ view: engine.view(listener), now }, Int32Array.of(ev.track[i]!), new Float32Array(FEATURES.length));
    expect(X[F['listener_track_plays']!]).toBeCloseTo(2, 3);
    expect(X[F['listener_track_skip_rate']!]).toBeCloseTo(0.5, 3);
    expect(X[F['listener_track_likes']!]).toBeCloseTo(1, 3);
    expect(X[F['listener_artist_plays']!]).toBeCloseTo(2, 3);
    expect(X[F['track_plays']!]).toBeCloseTo(2, 3);
    expect(X[F['position']!]).toBe(2);
    expect(X[F['session_skip_streak']!]).toBe(0);
    expect(X[F['session_artist_skips']!]).toBe(1);
    expect(X[F['same_artist_as_prev']!]).toBe(1);
    expect(X[F['delta_energy']!]).toBe(0);
    expect(X[F['score_transitions']!]).toBeNaN();
    expect(artist).toBe(table.artistOf(t));
  });

  it('never leaks: a row is the same whatever happens after its event', () => {
    const plays = Array.from({ length: ev.n }, (_, i) => i).filter((i) => isPlay(ev, i) && ev.skipped[i]! >= 0);
    expect(plays.length).toBeGreaterThan(500);
    for (const q of [0.3, 0.6, 0.9]) {
      const i = plays[Math.floor(plays.length * q)]!;
      const row = rowAt(ev, i);
      // The row reads the past: it has history (the state is not empty) ...
      expect(row[F['track_plays']!]! + row[F['listener_genre_plays']!]! + row[F['position']!]!).toBeGreaterThan(0);
      // ... and not the future: rewriting every later event, including event i itself, changes nothing.
      const other = rowAt(rewriteFuture(ev, i), i);
      expect(Array.from(other)).toEqual(Array.from(row));
      // Whereas rewriting the past does change it (the check can fail).
      const past = rowAt(rewriteFuture(ev, Math.floor(i / 2)), i);
      expect(Array.from(past)).not.toEqual(Array.from(row));
    }
  });
});
