import { COUNTER_SLOTS, LIKES, LISTENS, PLAYS, SKIPS, type Embedding, type StateView, type TrackTable } from '../features/index.js';
import { SOURCE_NAMES, type SourceName } from '../models/index.js';

export type { SourceName };
/**
 * Retrieval sources whose scores are features (NaN when a source was not consulted): every
 * candidate source, in the order models/sources.ts lists them.
 */
export const SOURCES: readonly SourceName[] = SOURCE_NAMES;

const COUNTS = ['plays', 'listens', 'skips', 'likes', 'skip_rate'] as const;

/**
 * Every feature of a (listener, context, candidate) triple, in column order. Counters are
 * time-decayed (see features/state.ts); rates are NaN without a known outcome; audio
 * deltas and similarities are NaN when either side is unknown. Trees treat NaN as missing.
 */
export const FEATURES: readonly string[] = [
  ...COUNTS.map((c) => `listener_track_${c}`),
  ...COUNTS.map((c) => `listener_artist_${c}`),
  ...COUNTS.map((c) => `listener_genre_${c}`),
  'track_plays', 'track_skip_rate', 'track_listen_rate',
  ...SOURCES.map((s) => `score_${s}`),
  'sim_session', 'sim_seed', 'sim_prev',
  'delta_tempo', 'delta_energy', 'delta_valence', 'delta_danceability', 'key_distance',
  'age_days', 'emerging',
  'surface', 'position', 'hour',
  'session_skip_streak', 'session_skip_rate', 'same_artist_as_prev', 'session_artist_skips', 'session_artist_listens', 'session_genre_likes',
];
export const F = Object.fromEntries(FEATURES.map((f, i) => [f, i])) as Record<string, number>;
const NF = FEATURES.length;
const SRC0 = F['score_transitions']!;

/** Surfaces (event context types) as codes for the `surface` feature. */
export const SURFACES = ['album', 'playlist', 'radio', 'autoplay', 'mix', 'search', 'other'] as const;

/** The request side of a feature row: who, when, where, and what came before. */
export interface FeatureContext {
  view: StateView;
  now: number;
  surface?: string;
  /** A station's seed track (radio), as a catalog track ix; -1 or absent when none. */
  seedIx?: number;
}

/**
 * Assembles feature rows for candidates, reading the online state as it is at `ctx.now`.
 * Point-in-time by construction: it reads only the state it is given, so training replays
 * the log and builds each row before the event it labels is applied (see replay.ts).
 */
export class FeatureBuilder {
  private readonly tmp = new Float64Array(COUNTER_SLOTS);
  constructor(readonly table: TrackTable, readonly embedding?: Embedding) {}

  get width(): number {
    return NF;
  }

  /**
   * Write one row per candidate (catalog track ixs) into `out` (n x FEATURES.length).
   * `scores[source]`, when given, holds that source's retrieval score per candidate.
   */
  build(ctx: FeatureContext, candidates: Int32Array, out: Float32Array, scores: Partial<Record<SourceName, Float32Array>> = {}): Float32Array {
    const n = candidates.length;
    if (out.length < n * NF) throw new RangeError(`features: out holds ${out.length} values, ${n} candidates need ${n * NF}`);
    const { view, now } = ctx;
    const t = this.table;
    const session = view.session(now);
    const prevIx = session && session.recent.length > 0 ? t.indexOf(session.recent[session.recent.length - 1]!.trackId) : -1;
    const prevArtist = prevIx >= 0 ? t.artist[prevIx] : undefined;
    const emb = this.embedding;
    const sv = session?.vector;
    const prevVec = prevIx >= 0 ? emb?.vectorOf(prevIx) : undefined;
    const seedVec = ctx.seedIx !== undefined && ctx.seedIx >= 0 ? emb?.vectorOf(ctx.seedIx) : undefined;
    const surface = ctx.surface === undefined ? NaN : SURFACES.indexOf(ctx.surface as (typeof SURFACES)[number]);
    const hour = new Date(now).getUTCHours();
    const skipRate = session && session.skips + session.listens > 0 ? session.skips / (session.skips + session.listens) : NaN;
    const srcs = SOURCES.map((s) => scores[s]);
    const tmp = this.tmp;
    for (let c = 0; c < n; c++) {
      const ix = candidates[c]!;
      const o = c * NF;
      const trackId = t.ids[ix]!;
      const artist = t.artist[ix]!;
      this.counters(view, 'track', trackId, now, out, o);
      this.counters(view, 'artist', artist, now, out, o + 5);
      // Genres: sums over the candidate's genres.
      let gp = 0, gl = 0, gs = 0, gk = 0, sessionGenreLikes = 0;
      for (const g of t.genres[ix]!) {
        view.countersInto('genre', g, now, tmp, 0);
        gp += tmp[PLAYS]!; gl += tmp[LISTENS]!; gs += tmp[SKIPS]!; gk += tmp[LIKES]!;
        sessionGenreLikes += session?.genreLikes.get(g) ?? 0;
      }
      out[o + 10] = gp; out[o + 11] = gl; out[o + 12] = gs; out[o + 13] = gk; out[o + 14] = rate(gs, gl);
      view.countersInto('global', trackId, now, tmp, 0);
      out[o + 15] = tmp[PLAYS]!;
      out[o + 16] = rate(tmp[SKIPS]!, tmp[LISTENS]!);
      out[o + 17] = rate(tmp[LISTENS]!, tmp[SKIPS]!);
      for (let s = 0; s < srcs.length; s++) out[o + SRC0 + s] = srcs[s] ? srcs[s]![c]! : NaN;
      const v = emb?.vectorOf(ix);
      out[o + 24] = v && sv ? cosine(v, sv) : NaN;
      out[o + 25] = v && seedVec ? cosine(v, seedVec) : NaN;
      out[o + 26] = v && prevVec ? cosine(v, prevVec) : NaN;
      if (prevIx >= 0) {
        out[o + 27] = tempoDelta(t.tempo[ix]!, t.tempo[prevIx]!);
        out[o + 28] = t.energy[ix]! - t.energy[prevIx]!;
        out[o + 29] = t.valence[ix]! - t.valence[prevIx]!;
        out[o + 30] = t.danceability[ix]! - t.danceability[prevIx]!;
        out[o + 31] = keyDistance(t.key[ix]!, t.mode[ix]!, t.key[prevIx]!, t.mode[prevIx]!);
      } else {
        out[o + 27] = NaN; out[o + 28] = NaN; out[o + 29] = NaN; out[o + 30] = NaN; out[o + 31] = NaN;
      }
      const rel = t.releaseMs[ix]!;
      out[o + 32] = Number.isNaN(rel) ? NaN : (now - rel) / 86_400_000;
      out[o + 33] = t.emerging[ix]!;
      out[o + 34] = surface < 0 ? NaN : surface;
      out[o + 35] = session ? session.plays : 0;
      out[o + 36] = hour;
      out[o + 37] = session ? session.skipStreak : 0;
      out[o + 38] = skipRate;
      out[o + 39] = prevArtist === undefined ? NaN : prevArtist === artist ? 1 : 0;
      out[o + 40] = session?.artistSkips.get(artist) ?? 0;
      out[o + 41] = session?.artistListens.get(artist) ?? 0;
      out[o + 42] = sessionGenreLikes;
    }
    return out;
  }

  private counters(view: StateView, kind: 'track' | 'artist', key: string, now: number, out: Float32Array, o: number): void {
    view.countersInto(kind, key, now, out, o);
    out[o + 4] = rate(out[o + SKIPS]!, out[o + LISTENS]!);
  }
}

function rate(a: number, b: number): number {
  const d = a + b;
  return d > 1e-9 ? a / d : NaN;
}

export function cosine(a: Float32Array, b: Float32Array): number {
  let dot = 0, na = 0, nb = 0;
  for (let i = 0; i < a.length; i++) {
    dot += a[i]! * b[i]!;
    na += a[i]! * a[i]!;
    nb += b[i]! * b[i]!;
  }
  return na > 0 && nb > 0 ? dot / Math.sqrt(na * nb) : NaN;
}

/** Relative tempo difference, counting half and double time as the same tempo. */
export function tempoDelta(a: number, b: number): number {
  if (!(a > 0 && b > 0)) return NaN;
  const r = Math.abs(Math.log2(a / b));
  return Math.min(r, Math.abs(r - 1));
}

/** Steps apart on the Camelot wheel (0..6), plus 1 between a major and a minor key. */
export function keyDistance(k1: number, m1: number, k2: number, m2: number): number {
  if (k1 < 0 || k2 < 0 || m1 < 0 || m2 < 0) return NaN;
  // Position on the circle of fifths of the relative major: a minor key shares its relative major's number.
  const pos = (k: number, m: number): number => (((m === 1 ? k : k + 3) % 12) * 7) % 12;
  const d = Math.abs(pos(k1, m1) - pos(k2, m2));
  return Math.min(d, 12 - d) + (m1 === m2 ? 0 : 1);
}
