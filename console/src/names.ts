import { useEffect, useState } from 'preact/hooks';
import type { SegueClient } from './api.js';

export interface TrackInfo {
  id: string;
  title: string;
  artists: Array<{ id: string; name: string }>;
  album?: { id: string; title: string };
  genres?: string[];
  audio?: { tempo?: number; energy?: number; key?: number; mode?: 0 | 1 };
}

/** Catalog records already looked up, for the whole session: a page shows names, never bare ids. */
const tracks = new Map<string, TrackInfo | null>();

/** Look up the tracks not yet known (in batches of 1,000); unknown ids are remembered as null. */
export async function loadTracks(client: SegueClient, ids: readonly string[]): Promise<void> {
  const missing = [...new Set(ids)].filter((id) => !tracks.has(id));
  for (let i = 0; i < missing.length; i += 1000) {
    const part = missing.slice(i, i + 1000);
    const r = await client.lookup({ tracks: part });
    for (const id of part) tracks.set(id, (r.tracks[id] as TrackInfo | undefined) ?? null);
  }
}

export const track = (id: string): TrackInfo | undefined => tracks.get(id) ?? undefined;
export const title = (id: string): string => tracks.get(id)?.title || id;
export const artistName = (id: string): string => tracks.get(id)?.artists.map((a) => a.name).join(', ') || '';
export const albumTitle = (id: string): string => tracks.get(id)?.album?.title ?? '';

/** Re-render once the given tracks' names are known. */
export function useTracks(client: SegueClient, ids: readonly string[]): boolean {
  const [ready, setReady] = useState(ids.every((id) => tracks.has(id)));
  const key = ids.join('\n');
  useEffect(() => {
    let live = true;
    if (ids.every((id) => tracks.has(id))) setReady(true);
    else {
      setReady(false);
      void loadTracks(client, ids).then(() => live && setReady(true), () => live && setReady(true));
    }
    return () => { live = false; };
  }, [key]);
  return ready;
}

const KEYS = ['C', 'C♯', 'D', 'D♯', 'E', 'F', 'F♯', 'G', 'G♯', 'A', 'A♯', 'B'];
/** Pitch class (and mode) as a key name: 9, 0 → "A minor". */
export const keyName = (key?: number, mode?: number): string => (key === undefined || key < 0 ? '–' : `${KEYS[key]}${mode === 0 ? 'm' : ''}`);
