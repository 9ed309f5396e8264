import { EVENT_TYPE_BY_CODE, EVENT_TYPE_CODE } from '../domain/index.js';
import { CONTEXT_TYPES, END_CODES } from './behaviour.js';
import { LIBRARY_CONTEXT, START_CODES, type EventBatch } from './events.js';

/**
 * Event batches as Segue NDJSON bytes, written straight into a byte buffer: no string per
 * line, no JSON.stringify, no UTF-8 pass. Every value is a number, a boolean or an id made
 * from fixed ASCII fragments, so nothing needs escaping (the source name is encoded once).
 * Building strings and encoding them cost about 3 us per event; this costs a fraction.
 */

const bytes = (s: string): Uint8Array => new TextEncoder().encode(s);
const TYPE = EVENT_TYPE_BY_CODE.map((t) => (t === undefined ? new Uint8Array(0) : bytes(`{"type":"${t}","eventId":"sim:`)));
const CTX = CONTEXT_TYPES.map((t) => bytes(`,"context":{"type":"${t}"`));
const CTX_ID_PREFIX = CONTEXT_TYPES.map((t) => bytes(t === 'album' ? ',"id":"alb' : t === 'playlist' ? ',"id":"pls' : ',"id":"trk'));
const END = END_CODES.map((e) => bytes(`,"endReason":"${e}","startReason":"`));
const START = START_CODES.map((s) => bytes(`${s}","shuffle":`));
// Fragments as module constants, not properties of one object: a property read in a rarely
// taken branch has no type feedback and deoptimizes the whole function for good.
const F_SOURCE = bytes('","source":');
const F_LISTENER_ID = bytes(',"listenerId":"lis');
const F_TS = bytes('","ts":');
const F_SESSION = bytes(',"sessionId":"lis');
const F_SESSION_S = bytes(':s');
const F_QUOTE = bytes('"');
const F_LIBRARY_ID = bytes(',"id":"lis');
const F_LIBRARY = bytes(':library"');
const F_POSITION = bytes(',"position":');
const F_CLOSE_CTX = bytes('}');
const F_TRACK = bytes(',"trackId":"trk');
const F_ARTIST = bytes(',"artistId":"art');
const F_MS_PLAYED = bytes(',"msPlayed":');
const F_SKIPPED = bytes(',"skipped":');
const F_TRUE = bytes('true');
const F_FALSE = bytes('false');
const F_PLAYLIST = bytes(',"playlistId":"lis');
const F_PL = bytes(':pl');
const F_END = bytes('}\n');
/** Longest line without the source, with room for the largest numbers. */
const MAX_LINE = 480;

// The output buffer and write position, as module state with plain functions over it: a
// method call is a named property read, and one in a rarely taken branch (an artist ban) has
// no type feedback, which deoptimizes the writer for good. eventsNdjson is synchronous, so
// nothing else can touch this state while it runs.
let buf = new Uint8Array(0);
let pos = 0;

function ensure(n: number): void {
  if (pos + n <= buf.length) return;
  const next = new Uint8Array(Math.max(buf.length * 2, pos + n));
  next.set(buf.subarray(0, pos));
  buf = next;
}

function put(b: Uint8Array): void {
  if (b.length > 24) {
    buf.set(b, pos); // a memcpy beats the byte loop for longer fragments
    pos += b.length;
    return;
  }
  const out = buf;
  let p = pos;
  for (let i = 0; i < b.length; i++) out[p++] = b[i]!;
  pos = p;
}

/** Digits of an int32 >= 0, the write and its count in integer arithmetic. */
function small(x: number): void {
  const d = x < 10 ? 1 : x < 100 ? 2 : x < 1e3 ? 3 : x < 1e4 ? 4 : x < 1e5 ? 5 : x < 1e6 ? 6 : x < 1e7 ? 7 : x < 1e8 ? 8 : x < 1e9 ? 9 : 10;
  const out = buf;
  let p = pos + d;
  pos = p;
  do {
    const q = (x / 10) | 0;
    out[--p] = 48 + x - q * 10;
    x = q;
  } while (x > 0);
}

/** A non-negative integer below 2^53, in decimal: up to two int32 parts (epoch ms need two). */
function uint(n: number): void {
  if (n < 1e9) {
    small(n | 0);
    return;
  }
  const hi = Math.floor(n / 1e9);
  small(hi);
  let x = (n - hi * 1e9) | 0;
  const out = buf;
  let p = pos + 9;
  pos = p;
  for (let k = 0; k < 9; k++) {
    const q = (x / 10) | 0;
    out[--p] = 48 + x - q * 10;
    x = q;
  }
}

/** A non-negative integer below 10^12 in exactly 12 digits, zero-padded. */
function digits12(n: number): void {
  const out = buf;
  let p = pos + 12;
  pos = p;
  for (let k = 0; k < 12; k++) {
    const q = Math.floor(n / 10);
    out[--p] = 48 + n - q * 10;
    n = q;
  }
}

/**
 * A batch as Segue NDJSON (one event per line, ts in epoch ms), as UTF-8 bytes.
 *
 * The bytes are a view of a buffer this module reuses: they are valid until the next call,
 * so write them (and await the write) or copy them first. Reusing matters: allocating a fresh
 * 1.5 MB buffer per batch costs more than writing the JSON, through GC pressure from
 * external memory.
 *
 * @example await file.write(eventsNdjson(batch, 'simulator'));
 */
export function eventsNdjson(b: EventBatch, source = 'simulator'): Uint8Array {
  const src = bytes(JSON.stringify(source));
  pos = 0;
  ensure(b.length * (MAX_LINE / 1.5 + src.length) + MAX_LINE);
  for (let i = 0; i < b.length; i++) {
    ensure(MAX_LINE + src.length);
    const l = b.listener[i]!;
    const type = b.type[i]!;
    const ct = b.contextType[i]!;
    // Event ids are the serial in 12 digits (see eventId in records.ts): text order is output order.
    put(TYPE[type]!);
    digits12(b.first + i);
    put(F_SOURCE);
    put(src);
    put(F_LISTENER_ID);
    uint(l);
    put(F_TS);
    uint(b.ts[i]!);
    put(F_SESSION);
    uint(l);
    put(F_SESSION_S);
    uint(b.session[i]!);
    put(F_QUOTE);
    put(CTX[ct]!);
    const cid = b.contextId[i]!;
    if (cid === LIBRARY_CONTEXT) {
      put(F_LIBRARY_ID);
      uint(l);
      put(F_LIBRARY);
    } else if (cid >= 0) {
      put(CTX_ID_PREFIX[ct]!);
      uint(cid);
      put(F_QUOTE);
    }
    put(F_POSITION);
    uint(b.position[i]!);
    put(F_CLOSE_CTX);
    if (b.track[i]! >= 0) {
      put(F_TRACK);
      uint(b.track[i]!);
      put(F_QUOTE);
    }
    if (b.artist[i]! >= 0) {
      put(F_ARTIST);
      uint(b.artist[i]!);
      put(F_QUOTE);
    }
    if (type === EVENT_TYPE_CODE.play_end) {
      put(F_MS_PLAYED);
      uint(b.msPlayed[i]!);
      put(END[b.endReason[i]!]!);
      put(START[b.startReason[i]!]!);
      put(b.shuffle[i] === 1 ? F_TRUE : F_FALSE);
      put(F_SKIPPED);
      put(b.skipped[i] === 1 ? F_TRUE : F_FALSE);
    } else if (type === EVENT_TYPE_CODE.add_to_playlist) {
      put(F_PLAYLIST);
      uint(l);
      put(F_PL);
      uint(b.playlistNo[i]!);
      put(F_QUOTE);
    }
    put(F_END);
  }
  return buf.subarray(0, pos);
}

/** The same lines as a string (a copy: safe to keep). */
export function toNdjson(b: EventBatch, source = 'simulator'): string {
  return new TextDecoder().decode(eventsNdjson(b, source));
}
