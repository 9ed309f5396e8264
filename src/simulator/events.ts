/**
 * Simulated events, column-wise: one typed array per field, one row per event. A batch turns
 * into SegueEvent objects (for a store) or NDJSON text (for files) only at the edge, in
 * records.ts, so that generating 10M events allocates no object per event.
 */

/** Start reasons, by code (Spotify's reason_start values). */
export const START_CODES = ['trackdone', 'fwdbtn', 'clickrow', 'playbtn'] as const;
export const Start = { trackdone: 0, fwdbtn: 1, clickrow: 2, playbtn: 3 } as const;

/** contextId for the listener's own library (context type 'other'). */
export const LIBRARY_CONTEXT = -2;

/** A batch of events. Field meanings follow SegueEvent; codes are documented per field. */
export interface EventBatch {
  length: number;
  /**
   * Serial number of the first row in the whole simulation: row i is event number first + i.
   * Event ids are `sim:<serial, 12 digits>`, increasing in output order, which keeps the
   * store's idempotency index growing at its end (random-looking ids make ingest several
   * times slower).
   */
  first: number;
  /** EVENT_TYPE_CODE of the event type (play_end, like, save, ban, add_to_playlist). */
  type: Uint8Array;
  listener: Int32Array;
  /** Track ix; -1 for an artist ban. */
  track: Int32Array;
  /** Artist ix of an artist ban; -1 otherwise. */
  artist: Int32Array;
  /** Epoch ms. */
  ts: Float64Array;
  msPlayed: Int32Array;
  /** End code (End in behaviour.ts). */
  endReason: Uint8Array;
  /** Start code (Start). */
  startReason: Uint8Array;
  skipped: Uint8Array;
  shuffle: Uint8Array;
  /** The listener's session number. */
  session: Int32Array;
  /** The listener's event number (counts its events; event ids come from `first`). */
  eventNo: Int32Array;
  /** Ctx code of the context type. */
  contextType: Uint8Array;
  /** Album, playlist or seed-track ix by context type; -1 none; LIBRARY_CONTEXT for the library. */
  contextId: Int32Array;
  /** Position in the context, from 0. */
  position: Int32Array;
  /** For add_to_playlist: which of the listener's own playlists (0..2). */
  playlistNo: Uint8Array;
}

const FIELDS = ['type', 'listener', 'track', 'artist', 'ts', 'msPlayed', 'endReason', 'startReason', 'skipped', 'shuffle', 'session', 'eventNo', 'contextType', 'contextId', 'position', 'playlistNo'] as const;

function allocate(capacity: number): EventBatch {
  return {
    length: 0,
    first: 0,
    type: new Uint8Array(capacity),
    listener: new Int32Array(capacity),
    track: new Int32Array(capacity),
    artist: new Int32Array(capacity),
    ts: new Float64Array(capacity),
    msPlayed: new Int32Array(capacity),
    endReason: new Uint8Array(capacity),
    startReason: new Uint8Array(capacity),
    skipped: new Uint8Array(capacity),
    shuffle: new Uint8Array(capacity),
    session: new Int32Array(capacity),
    eventNo: new Int32Array(capacity),
    contextType: new Uint8Array(capacity),
    contextId: new Int32Array(capacity),
    position: new Int32Array(capacity),
    playlistNo: new Uint8Array(capacity),
  };
}

/** A growable event table: add rows, take full batches off the front. */
export class EventBuffer {
  private b: EventBatch;

  constructor(capacity = 8192) {
    this.b = allocate(capacity);
  }

  get length(): number {
    return this.b.length;
  }

  /** The columns; valid until the next add or take. */
  get columns(): EventBatch {
    return this.b;
  }

  /** Append a zeroed row (contextId and artist -1) and return its index. */
  add(): number {
    const b = this.b;
    if (b.length === b.type.length) this.grow();
    const i = this.b.length++;
    const c = this.b;
    c.artist[i] = -1;
    c.track[i] = -1;
    c.contextId[i] = -1;
    c.msPlayed[i] = 0;
    c.endReason[i] = 0;
    c.startReason[i] = 0;
    c.skipped[i] = 0;
    c.shuffle[i] = 0;
    c.position[i] = 0;
    c.playlistNo[i] = 0;
    return i;
  }

  private grow(): void {
    const old = this.b;
    const next = allocate(old.type.length * 2);
    for (const f of FIELDS) (next[f] as { set(a: ArrayLike<number>): void }).set(old[f]);
    next.length = old.length;
    this.b = next;
  }

  /** Remove the first n rows and return them as their own batch. */
  take(n: number): EventBatch {
    const b = this.b;
    const k = Math.min(n, b.length);
    const out = { length: k, first: 0 } as EventBatch;
    for (const f of FIELDS) {
      const col = b[f];
      (out as unknown as Record<string, unknown>)[f] = col.slice(0, k);
      col.copyWithin(0, k, b.length);
    }
    b.length -= k;
    return out;
  }
}
