import { Type } from '@sinclair/typebox';
import type { StoredEvent } from '../../store/index.js';
import { skipStatus } from '../../domain/index.js';
import { ListenerParam, ProfileReply, responses } from '../schemas.js';
import type { RouteGroup } from './shared.js';

/** A listener's profile from the online state. */
export const listenerRoutes: RouteGroup = (app, { store, serving, needServing }) => {
  app.get('/v1/listeners/:id', {
    config: { scope: ['recommend', 'read'] },
    schema: { summary: 'A listener\'s profile from the online state: top tracks, artists, genres and the current session', tags: ['listeners'], params: ListenerParam, response: { 200: ProfileReply, ...responses.errors(401, 403, 429, 503) } },
  }, async (req) => {
    const id = (req.params as { id: string }).id;
    await serving.foldForRead();
    const surfaces = needServing();
    const now = Date.now();
    const view = await surfaces.reco.state.view(id);
    const listener = await store.catalog.getListener(id);
    const top = (kind: 'track' | 'artist' | 'genre') => view.top(kind, now, 10).map((x) => ({ id: x.key, plays: round(x.plays), likes: round(x.likes) }));
    const topTracks = top('track');
    const s = view.session(now);
    return {
      listenerId: id, known: listener !== undefined || topTracks.length > 0, ...(listener?.country ? { country: listener.country } : {}),
      topTracks, topArtists: top('artist'), topGenres: top('genre'),
      ...(s ? { session: { id: s.id, startTs: s.startTs, lastTs: s.lastTs, plays: s.plays, skips: s.skips, listens: s.listens, likes: s.likes, recent: s.recent.map((p) => ({ trackId: p.trackId, artistId: p.artistId, outcome: p.outcome, ts: p.ts })) } } : {}),
    };
  });

  app.get('/v1/listeners/:id/history', {
    config: { scope: 'read' },
    schema: {
      summary: 'A listener\'s events of the last days from the log, with plays, skips and skip rate per genre and per artist',
      tags: ['listeners'], params: ListenerParam, querystring: HistoryQuery, response: { 200: HistoryReply, ...responses.errors(400, 401, 403, 429) },
    },
  }, async (req) => {
    const id = (req.params as { id: string }).id;
    const q = req.query as { days?: number; limit?: number; until?: number };
    // Only the newest `limit` events of the window are read, and the rest counted when the page
    // is full: a listener with millions of events costs the memory of one with a few thousand.
    const span = (q.days ?? 30) * 86_400_000, limit = q.limit ?? 2_000;
    let until: number, events: StoredEvent[];
    if (q.until === undefined) {
      // The window ends at the listener's newest event (a quiet listener, or an imported past,
      // still shows): one read of their newest `limit`, less those older than the window.
      const newest = await store.events.forListener(id, { limit, newest: true });
      until = newest.at(-1)?.ts ?? Date.now();
      events = newest.filter((e) => e.ts >= until - span);
    } else {
      until = q.until;
      events = await store.events.forListener(id, { since: until - span, until: until + 1, limit, newest: true });
    }
    const since = until - span;
    // Fewer than `limit`: the whole window is here. A full page may have more behind it.
    const total = events.length < limit ? events.length : await store.events.countForListener(id, { since, until: until + 1 });
    const tracks = await store.catalog.getTracks([...new Set(events.flatMap((e) => (e.trackId === undefined ? [] : [e.trackId])))]);
    const byId = new Map(tracks.filter((t) => t !== undefined).map((t) => [t.id, t]));
    const genres = new Map<string, Tally>(), artists = new Map<string, Tally & { name: string }>();
    const sessions = new Set<string>();
    for (const e of events) {
      if (e.sessionId !== undefined) sessions.add(e.sessionId);
      if (e.type !== 'play_end' && e.type !== 'skip' && e.type !== 'like') continue;
      const t = e.trackId === undefined ? undefined : byId.get(e.trackId);
      const skipped = skipStatus(e);
      const count = (m: Map<string, Tally>, key: string, extra?: object) => {
        const x = m.get(key) ?? { key, plays: 0, skips: 0, listens: 0, likes: 0, ...extra };
        if (e.type === 'like') x.likes++;
        else {
          x.plays++;
          if (skipped === true) x.skips++;
          else if (skipped === false) x.listens++;
        }
        m.set(key, x);
      };
      for (const g of t?.genres ?? []) count(genres, g);
      const a = t?.artists[0];
      if (a) count(artists, a.id, { name: a.name });
    }
    const ranked = <T extends Tally>(m: Map<string, T>) => [...m.values()].sort((a, b) => b.plays - a.plays || (a.key < b.key ? -1 : 1)).slice(0, 20)
      .map(({ key, ...x }) => ({ id: key, ...x, skipRate: x.skips + x.listens > 0 ? round(x.skips / (x.skips + x.listens)) : null }));
    return {
      listenerId: id, since, until, total, sessions: sessions.size,
      events: events.map((e) => ({
        ts: e.ts, type: e.type, ...(e.trackId !== undefined ? { trackId: e.trackId } : {}), ...(e.sessionId !== undefined ? { sessionId: e.sessionId } : {}),
        ...(e.msPlayed !== undefined ? { msPlayed: e.msPlayed } : {}), ...(e.type === 'play_end' && e.skipped !== undefined ? { skipped: e.skipped } : {}),
      })),
      genres: ranked(genres), artists: ranked(artists),
    };
  });
};

interface Tally { key: string; plays: number; skips: number; listens: number; likes: number }

const HistoryQuery = Type.Object({
  days: Type.Optional(Type.Integer({ minimum: 1, maximum: 3650, description: 'how far back from `until` (default 30)' })),
  until: Type.Optional(Type.Integer({ minimum: 0, description: 'epoch ms (default: the listener\'s newest event)' })),
  limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 20_000, description: 'newest events returned (default 2,000); the tallies count these' })),
}, { additionalProperties: false });
const TallyRow = Type.Object({ id: Type.String(), plays: Type.Integer(), skips: Type.Integer(), listens: Type.Integer(), likes: Type.Integer(), skipRate: Type.Union([Type.Number(), Type.Null()]), name: Type.Optional(Type.String()) });
const HistoryReply = Type.Object({
  listenerId: Type.String(), since: Type.Number(), until: Type.Number(),
  total: Type.Integer({ description: 'events in the window (events returned: the newest `limit`)' }),
  sessions: Type.Integer(),
  events: Type.Array(Type.Object({ ts: Type.Number(), type: Type.String(), trackId: Type.Optional(Type.String()), sessionId: Type.Optional(Type.String()), msPlayed: Type.Optional(Type.Number()), skipped: Type.Optional(Type.Boolean()) })),
  genres: Type.Array(TallyRow, { description: 'the 20 most played genres of the returned events, with skip rate (of plays of known skip status)' }),
  artists: Type.Array(TallyRow, { description: 'the 20 most played main artists' }),
});

const round = (x: number): number => Number(x.toPrecision(4));