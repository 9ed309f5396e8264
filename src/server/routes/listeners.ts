import { ListenerParam, ProfileReply, responses } from '../schemas.js';
import type { RouteGroup } from './shared.js';

/** A listener's profile from the online state. */
export const listenerRoutes: RouteGroup = (app, { store, serving, needServing }) => {
  app.get('/v1/listeners/:id', {
    config: { scope: 'recommend' },
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
};

const round = (x: number): number => Number(x.toPrecision(4));
