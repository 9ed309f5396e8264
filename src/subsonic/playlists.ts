import type { Surface } from '../sequencing/index.js';
import type { Store } from '../store/index.js';
import type { Answers } from './answers.js';
import { ErrorCode, SubsonicError, type Payload } from './protocol.js';

const DAY = 86_400_000;
/** Library Radio leaves out what the listener played in this window ("not heard lately"). */
export const LIBRARY_RADIO_QUIET_DAYS = 14;
/** Tracks per generated playlist. */
export const GENERATED_LENGTH = 50;

/** The playlists Segue generates for every listener: id, name, and the surface that fills it. */
export const GENERATED = [
  { id: 'segue-radio', name: 'Segue Radio', surface: 'radio', comment: 'Radio from what you play most, by Segue; new every day' },
  { id: 'segue-discovery', name: 'Segue Discovery', surface: 'discovery', comment: 'Tracks of your library you have never played, near your favourites, by Segue; new every day' },
  { id: 'segue-library-radio', name: 'Segue Library Radio', surface: 'shuffle', comment: `Tracks you liked or played often but not in the last ${LIBRARY_RADIO_QUIET_DAYS} days, by Segue; new every day` },
] as const satisfies ReadonlyArray<{ id: string; name: string; surface: Surface; comment: string }>;

type Generated = (typeof GENERATED)[number];

/** A day's list, kept in the listener's state so that it stays the same all day (and across restarts). */
interface DayList {
  day: number;
  requestId: string;
  trackIds: string[];
  generatedAt: number;
}

/** Whether a playlist id is one of Segue's (read-only to clients). */
export function isGenerated(id: string): boolean {
  return GENERATED.some((g) => g.id === id);
}

/**
 * The generated playlists "Segue Radio", "Segue Discovery" and "Segue Library Radio": each is
 * served once per listener and UTC day through its surface (seeded by the day, logged as an
 * exposure), kept in the listener's state, and answered unchanged until the next day.
 *
 * @example
 *   const lists = new GeneratedPlaylists(store, answers);
 *   await lists.summaries('ann', now)  // three getPlaylists entries
 *   await lists.playlist('ann', 'segue-radio', now)  // { playlist: { ..., entry: [...] } }
 */
export class GeneratedPlaylists {
  constructor(private readonly store: Store, private readonly answers: Answers) {}

  /** getPlaylists' entries for Segue's lists. */
  async summaries(listenerId: string, now: number): Promise<Payload[]> {
    const out: Payload[] = [];
    for (const g of GENERATED) out.push(this.summary(g, listenerId, await this.list(g, listenerId, now)));
    return out;
  }

  /** getPlaylist's answer for one of Segue's lists. */
  async playlist(listenerId: string, id: string, now: number): Promise<Payload> {
    const g = GENERATED.find((x) => x.id === id);
    if (g === undefined) throw new SubsonicError(ErrorCode.notFound, `playlist not found: ${JSON.stringify(id)}`);
    const list = await this.list(g, listenerId, now);
    return { playlist: { ...this.summary(g, listenerId, list), entry: this.answers.children(list.trackIds.map((trackId) => ({ trackId }))) } };
  }

  private summary(g: Generated, listenerId: string, list: DayList): Payload {
    const songs = this.answers.children(list.trackIds.map((trackId) => ({ trackId })));
    const duration = songs.reduce((a, c) => a + (typeof c.duration === 'number' ? c.duration : 0), 0);
    const changed = new Date(list.generatedAt).toISOString();
    return { id: g.id, name: g.name, comment: g.comment, owner: listenerId, public: false, songCount: songs.length, duration, created: changed, changed, ...(songs[0]?.coverArt !== undefined ? { coverArt: songs[0].coverArt } : {}) };
  }

  /** Today's list: the stored one if it is today's, else a new one (an empty list is not kept: it is tried again at the next call). */
  private async list(g: Generated, listenerId: string, now: number): Promise<DayList> {
    const day = Math.floor(now / DAY);
    const key = `subsonic:playlist:${g.id}`;
    const bytes = await this.store.listenerState.get(listenerId, key);
    if (bytes !== undefined) {
      const stored = JSON.parse(new TextDecoder().decode(bytes)) as DayList;
      if (stored.day === day) return stored;
    }
    const list = await this.generate(g, listenerId, now, day);
    if (list.trackIds.length > 0) await this.store.listenerState.put(listenerId, key, new TextEncoder().encode(JSON.stringify(list)));
    return list;
  }

  private async generate(g: Generated, listenerId: string, now: number, day: number): Promise<DayList> {
    const empty: DayList = { day, requestId: '', trackIds: [], generatedAt: now };
    try {
      let res;
      if (g.surface === 'shuffle') {
        // The seedless Library Radio: liked or often-played tracks, not played lately, shuffled with artists spread.
        const surfaces = await this.answers.surfaces();
        const view = await surfaces.reco.state.view(listenerId);
        const lately = view.touchedSince(now - LIBRARY_RADIO_QUIET_DAYS * DAY);
        const pool = view.top('track', now, 1_000).filter((x) => !lately.has(x.key) && this.answers.library.child(x.key) !== undefined).map((x) => x.key);
        if (pool.length === 0) return empty;
        res = await this.answers.shuffle(listenerId, `segue-library-radio:${listenerId}`, pool.slice(0, 500), GENERATED_LENGTH, day, `playlist ${g.name}`, now);
      } else {
        res = await this.answers.serve({ surface: g.surface, listenerId, now, n: GENERATED_LENGTH, seed: day }, `playlist ${g.name}`);
      }
      return { day, requestId: res.requestId, trackIds: res.items.map((x) => x.trackId), generatedAt: now };
    } catch (err) {
      // Nothing to make a list from (its seed is gone from the catalog): an empty playlist, tried again at the next call.
      if (err instanceof SubsonicError && err.code === ErrorCode.notFound) return empty;
      throw err;
    }
  }
}
