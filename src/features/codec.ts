import { emptyListener, type ListenerEntry } from './engine.js';
import type { SessionState } from './state.js';

/**
 * Binary forms of a listener's online state, as the Redis state keeps them (two keys per
 * listener: its counters and bans, and its current session, which idles out). Counter
 * values are float32 (their times float64): a listener's state is a few hundred bytes, not
 * the kilobytes of JSON. Layouts (little-endian; a string is a u16 byte length and UTF-8):
 *
 *   listener: u8 version, f64 seq (the last log seq folded: at byte 1, where a script reads it),
 *             3 x (u32 n, n x (string key, 4 x f32 counters, f64 time)) for tracks, artists, genres,
 *             u32 n, n x string banned track, u32 n, n x string banned artist
 *   session:  u8 version, string id, f64 start, f64 last, 5 x u32 (plays, skips, listens, likes, skip streak),
 *             u16 n, n x (string track, string artist, i8 outcome, f64 ts),
 *             3 x (u16 n, n x (string key, u32 count)) for artist skips, artist listens, genre likes,
 *             u16 dims, dims x f32 vector
 */
export const LISTENER_FORMAT = 1;
export const SESSION_FORMAT = 1;
/** Byte offset of the seq in an encoded listener. */
export const SEQ_OFFSET = 1;

class Writer {
  private buf = Buffer.allocUnsafe(256);
  private at = 0;
  private room(n: number): void {
    if (this.at + n <= this.buf.length) return;
    const next = Buffer.allocUnsafe(Math.max(this.buf.length * 2, this.at + n));
    this.buf.copy(next, 0, 0, this.at);
    this.buf = next;
  }
  u8(v: number): void {
    this.room(1);
    this.at = this.buf.writeUInt8(v, this.at);
  }
  i8(v: number): void {
    this.room(1);
    this.at = this.buf.writeInt8(v, this.at);
  }
  u16(v: number): void {
    this.room(2);
    this.at = this.buf.writeUInt16LE(v, this.at);
  }
  u32(v: number): void {
    this.room(4);
    this.at = this.buf.writeUInt32LE(v, this.at);
  }
  f32(v: number): void {
    this.room(4);
    this.at = this.buf.writeFloatLE(v, this.at);
  }
  f64(v: number): void {
    this.room(8);
    this.at = this.buf.writeDoubleLE(v, this.at);
  }
  str(s: string): void {
    const n = Buffer.byteLength(s);
    if (n > 0xffff) throw new RangeError(`online state: an id of ${n} bytes is longer than 65,535`);
    this.u16(n);
    this.room(n);
    this.at += this.buf.write(s, this.at);
  }
  done(): Buffer {
    return this.buf.subarray(0, this.at);
  }
}

class Reader {
  private at = 0;
  constructor(private readonly buf: Buffer, private readonly what: string) {}
  private need(n: number): void {
    if (this.at + n > this.buf.length) throw new Error(`online state: the stored ${this.what} is truncated (${this.buf.length} bytes, needed ${this.at + n})`);
  }
  u8(): number {
    this.need(1);
    return this.buf.readUInt8(this.at++);
  }
  i8(): number {
    this.need(1);
    return this.buf.readInt8(this.at++);
  }
  u16(): number {
    this.need(2);
    const v = this.buf.readUInt16LE(this.at);
    this.at += 2;
    return v;
  }
  u32(): number {
    this.need(4);
    const v = this.buf.readUInt32LE(this.at);
    this.at += 4;
    return v;
  }
  f32(): number {
    this.need(4);
    const v = this.buf.readFloatLE(this.at);
    this.at += 4;
    return v;
  }
  f64(): number {
    this.need(8);
    const v = this.buf.readDoubleLE(this.at);
    this.at += 8;
    return v;
  }
  str(): string {
    const n = this.u16();
    this.need(n);
    const s = this.buf.toString('utf8', this.at, this.at + n);
    this.at += n;
    return s;
  }
  end(): void {
    if (this.at !== this.buf.length) throw new Error(`online state: the stored ${this.what} has ${this.buf.length - this.at} bytes past its end`);
  }
}

function writeRows(w: Writer, m: Map<string, Float64Array>): void {
  w.u32(m.size);
  for (const [k, r] of m) {
    w.str(k);
    w.f32(r[0]!); w.f32(r[1]!); w.f32(r[2]!); w.f32(r[3]!);
    w.f64(r[4]!);
  }
}

function readRows(r: Reader): Map<string, Float64Array> {
  const m = new Map<string, Float64Array>();
  for (let n = r.u32(); n > 0; n--) {
    const k = r.str();
    const row = new Float64Array(5);
    row[0] = r.f32(); row[1] = r.f32(); row[2] = r.f32(); row[3] = r.f32();
    row[4] = r.f64();
    m.set(k, row);
  }
  return m;
}

/** A listener's counters and bans (not the session), with the last log seq folded into them. */
export function encodeListener(l: ListenerEntry, seq: number): Buffer {
  const w = new Writer();
  w.u8(LISTENER_FORMAT);
  w.f64(seq);
  writeRows(w, l.tracks);
  writeRows(w, l.artists);
  writeRows(w, l.genres);
  w.u32(l.bannedTracks.size);
  for (const t of l.bannedTracks) w.str(t);
  w.u32(l.bannedArtists.size);
  for (const a of l.bannedArtists) w.str(a);
  return w.done();
}

/** The listener entry (without its session) and seq of `encodeListener`; an absent key is an empty listener at seq 0. */
export function decodeListener(buf: Buffer | null, what: string): { entry: ListenerEntry; seq: number } {
  const entry = emptyListener();
  if (buf === null) return { entry, seq: 0 };
  const r = new Reader(buf, what);
  const v = r.u8();
  if (v !== LISTENER_FORMAT) throw new Error(`online state: the stored ${what} has format ${v}, this version reads ${LISTENER_FORMAT}`);
  const seq = r.f64();
  entry.tracks = readRows(r);
  entry.artists = readRows(r);
  entry.genres = readRows(r);
  for (let n = r.u32(); n > 0; n--) entry.bannedTracks.add(r.str());
  for (let n = r.u32(); n > 0; n--) entry.bannedArtists.add(r.str());
  r.end();
  return { entry, seq };
}

function writeCounts(w: Writer, m: Map<string, number>): void {
  w.u16(Math.min(m.size, 0xffff));
  let n = 0;
  for (const [k, c] of m) {
    if (n++ === 0xffff) break;
    w.str(k);
    w.u32(c);
  }
}

function readCounts(r: Reader): Map<string, number> {
  const m = new Map<string, number>();
  for (let n = r.u16(); n > 0; n--) m.set(r.str(), r.u32());
  return m;
}

export function encodeSession(s: SessionState): Buffer {
  const w = new Writer();
  w.u8(SESSION_FORMAT);
  w.str(s.id);
  w.f64(s.startTs);
  w.f64(s.lastTs);
  for (const c of [s.plays, s.skips, s.listens, s.likes, s.skipStreak]) w.u32(c);
  w.u16(s.recent.length);
  for (const p of s.recent) {
    w.str(p.trackId);
    w.str(p.artistId);
    w.i8(p.outcome);
    w.f64(p.ts);
  }
  writeCounts(w, s.artistSkips);
  writeCounts(w, s.artistListens);
  writeCounts(w, s.genreLikes);
  const v = s.vector;
  w.u16(v?.length ?? 0);
  if (v !== undefined) for (let i = 0; i < v.length; i++) w.f32(v[i]!);
  return w.done();
}

export function decodeSession(buf: Buffer, what: string): SessionState {
  const r = new Reader(buf, what);
  const v = r.u8();
  if (v !== SESSION_FORMAT) throw new Error(`online state: the stored ${what} has format ${v}, this version reads ${SESSION_FORMAT}`);
  const id = r.str(), startTs = r.f64(), lastTs = r.f64();
  const plays = r.u32(), skips = r.u32(), listens = r.u32(), likes = r.u32(), skipStreak = r.u32();
  const recent: SessionState['recent'] = [];
  for (let n = r.u16(); n > 0; n--) recent.push({ trackId: r.str(), artistId: r.str(), outcome: r.i8() as -1 | 0 | 1, ts: r.f64() });
  const s: SessionState = { id, startTs, lastTs, plays, skips, listens, likes, skipStreak, recent, artistSkips: readCounts(r), artistListens: readCounts(r), genreLikes: readCounts(r) };
  const dims = r.u16();
  if (dims > 0) {
    s.vector = new Float32Array(dims);
    for (let i = 0; i < dims; i++) s.vector[i] = r.f32();
  }
  r.end();
  return s;
}
