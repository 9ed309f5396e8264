import { Type } from '@sinclair/typebox';
import { ArtistSchema, TrackSchema } from '../../domain/index.js';
import { responses } from '../schemas.js';
import { HttpError, type RouteGroup } from './shared.js';

const Id = Type.String({ minLength: 1, maxLength: 256 });
/** Ids per lookup: a page of a console, not a catalog dump. */
export const MAX_LOOKUP = 1_000;

const SearchQuery = Type.Object({
  q: Type.String({ minLength: 1, maxLength: 200, description: 'part of the id, the title (tracks) or the name (artists)' }),
  kind: Type.Union([Type.Literal('track'), Type.Literal('artist'), Type.Literal('listener')], { description: 'what to search' }),
  limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 100, description: 'default 20' })),
}, { additionalProperties: false });
const SearchReply = Type.Object({ results: Type.Array(Type.Object({ id: Type.String(), name: Type.String() })) });
const LookupBody = Type.Object({
  tracks: Type.Optional(Type.Array(Id, { maxItems: MAX_LOOKUP })),
  artists: Type.Optional(Type.Array(Id, { maxItems: MAX_LOOKUP })),
}, { additionalProperties: false });
const LookupReply = Type.Object({
  tracks: Type.Record(Type.String(), TrackSchema, { description: 'the known tracks by id (unknown ids are absent)' }),
  artists: Type.Record(Type.String(), ArtistSchema, { description: 'the known artists by id' }),
});

/** Reading the catalog: search by name or id, and the records behind ids (titles, artists, albums, audio features). */
export const catalogReadRoutes: RouteGroup = (app, { store }) => {
  app.get('/v1/search', {
    config: { scope: ['read', 'recommend'] },
    schema: { summary: 'Search tracks by title, artists by name, listeners by id (case-insensitive; prefix matches first; listeners need the read scope)', tags: ['catalog'], querystring: SearchQuery, response: { 200: SearchReply, ...responses.errors(400, 401, 403, 429) } },
  }, async (req) => {
    const { q, kind, limit } = req.query as { q: string; kind: 'track' | 'artist' | 'listener'; limit?: number };
    // Listing who listens is for the service's own people (read), not for an app's recommend key.
    const scopes = req.apiKey?.scopes ?? [];
    if (kind === 'listener' && !scopes.includes('read') && !scopes.includes('admin')) throw new HttpError(403, 'forbidden', 'searching listeners needs the read scope (this key may search tracks and artists)', '/kind');
    return { results: await store.catalog.search(kind, q, limit ?? 20) };
  });
  app.post('/v1/lookup', {
    config: { scope: ['read', 'recommend'] },
    schema: { summary: 'The catalog records of tracks and artists by id (for showing names instead of ids)', tags: ['catalog'], body: LookupBody, response: { 200: LookupReply, ...responses.errors(400, 401, 403, 429) } },
  }, async (req) => {
    const b = req.body as { tracks?: string[]; artists?: string[] };
    const trackIds = [...new Set(b.tracks ?? [])], artistIds = [...new Set(b.artists ?? [])];
    const [tracks, artists] = await Promise.all([store.catalog.getTracks(trackIds), Promise.all(artistIds.map((id) => store.catalog.getArtist(id)))]);
    const out = { tracks: {} as Record<string, unknown>, artists: {} as Record<string, unknown> };
    tracks.forEach((t, i) => { if (t) out.tracks[trackIds[i]!] = t; });
    artists.forEach((a, i) => {
      if (a) {
        const { emergingDerived, ...artist } = a;
        out.artists[artistIds[i]!] = { ...artist, ...(artist.emerging === undefined && emergingDerived !== undefined ? { emerging: emergingDerived } : {}) };
      }
    });
    return out;
  });
};
