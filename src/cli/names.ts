import type { Track } from '../domain/index.js';
import type { CatalogStore } from '../store/index.js';
import { clip } from './output.js';

/** How wide a name may be in a table before it is clipped (see `clip`). */
export const NAME_WIDTH = { track: 40, artist: 30, album: 30 } as const;

/**
 * What a table shows for its tracks, in place of ids: titles, artists' names (from the
 * track's credits) and album titles, clipped to NAME_WIDTH. A track the catalog does not hold
 * shows as its id, an artist the track does not credit as its id, a track without an album
 * as ''.
 *
 * @example
 *   const names = await TrackNames.read(store.catalog, ['t1', 't2']); // one read of the catalog
 *   table(['track', 'artist'], [[names.title('t1'), names.artists('t1', ['a1'])]])
 */
export class TrackNames {
  private constructor(private readonly byId: ReadonlyMap<string, Track>) {}

  /** The tracks of `ids` from the catalog, in one read (`getTracks`). */
  static async read(catalog: CatalogStore, ids: readonly string[]): Promise<TrackNames> {
    const unique = [...new Set(ids)];
    const tracks = await catalog.getTracks(unique);
    const byId = new Map<string, Track>();
    tracks.forEach((t, i) => {
      if (t !== undefined) byId.set(unique[i]!, t);
    });
    return new TrackNames(byId);
  }

  title(trackId: string): string {
    return clip(this.byId.get(trackId)?.title || trackId, NAME_WIDTH.track);
  }

  /** The names of `artistIds` (default: every artist the track credits), comma-separated. */
  artists(trackId: string, artistIds?: readonly string[]): string {
    const credits = this.byId.get(trackId)?.artists ?? [];
    const ids = artistIds ?? credits.map((a) => a.id);
    return clip(ids.map((id) => credits.find((a) => a.id === id)?.name ?? id).join(', '), NAME_WIDTH.artist);
  }

  album(trackId: string): string {
    return clip(this.byId.get(trackId)?.album?.title ?? '', NAME_WIDTH.album);
  }
}
