import { trackValidator, type Track } from './track.js';
import { artistValidator, type Artist } from './artist.js';
import { listenerValidator, type Listener } from './listener.js';
import { playlistValidator, type Playlist } from './playlist.js';
import { checkEvent, EVENT_TYPES, type SegueEvent } from './event.js';
import { preview } from './validate.js';

/** One line of Segue's own NDJSON format: a catalog entity or an event, told apart by `type`. */
export type SegueRecord =
  | { kind: 'track'; value: Track }
  | { kind: 'artist'; value: Artist }
  | { kind: 'listener'; value: Listener }
  | { kind: 'playlist'; value: Playlist }
  | { kind: 'event'; value: SegueEvent };

export type CheckedRecord = { ok: true; record: SegueRecord } | { ok: false; error: string };

const entities = { track: trackValidator, artist: artistValidator, listener: listenerValidator, playlist: playlistValidator } as const;

/**
 * Validate one record of Segue's NDJSON format. Catalog lines are the entity's fields plus
 * `"type": "track" | "artist" | "listener" | "playlist"`; every other `type` is an event type.
 *
 * @example checkRecord({ type: 'artist', id: 'a1', name: 'Nina' }, 'import') // ok, kind 'artist'
 */
export function checkRecord(raw: unknown, defaultSource: string, now = Date.now()): CheckedRecord {
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) return { ok: false, error: `record: expected a JSON object, got ${preview(raw)}` };
  const type = (raw as { type?: unknown }).type;
  if (typeof type === 'string' && Object.hasOwn(entities, type)) {
    const { type: _t, ...rest } = raw as Record<string, unknown>;
    const kind = type as keyof typeof entities;
    const r = entities[kind].check(rest);
    if (!r.ok) return { ok: false, error: r.error };
    return { ok: true, record: { kind, value: r.value } as SegueRecord };
  }
  if (typeof type !== 'string' || !(EVENT_TYPES as readonly string[]).includes(type)) {
    return { ok: false, error: `type: expected one of ${[...Object.keys(entities), ...EVENT_TYPES].join(', ')}, got ${preview(type)}` };
  }
  const e = checkEvent(raw, defaultSource, now);
  if (!e.ok) return e;
  return { ok: true, record: { kind: 'event', value: e.value } };
}
