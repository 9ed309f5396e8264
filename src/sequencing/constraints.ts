import type { Policy } from './policy.js';
import type { PastPlay, SeqContext, SeqItem } from './types.js';

const HOUR = 3_600_000;

/** Leave out what may never be played here: bans, explicit, market, recent repeats, podcasts when none are allowed. */
export function staticFilter(items: readonly SeqItem[], policy: Policy, ctx: SeqContext): { pool: number[]; filtered: Record<string, number> } {
  const c = policy.constraints;
  const filtered: Record<string, number> = {};
  const out = (why: string): void => {
    filtered[why] = (filtered[why] ?? 0) + 1;
  };
  const noRepeatMs = (c.noRepeatHours ?? 0) * HOUR;
  const seen = new Set<string>();
  const pool: number[] = [];
  items.forEach((it, i) => {
    if (seen.has(it.trackId)) return out('duplicate candidate');
    seen.add(it.trackId);
    if (ctx.bannedTracks?.has(it.trackId) || ctx.bannedArtists?.has(it.artistId)) return out('banned');
    if (c.explicit === 'block' && it.explicit) return out('explicit');
    if (c.market !== undefined && it.markets !== undefined && !it.markets.includes(c.market)) return out('market');
    if (it.podcast && (c.maxPodcasts ?? 0) === 0 && policy.surface !== 'shuffle') return out('podcast');
    const last = ctx.played?.get(it.trackId);
    if (noRepeatMs > 0 && last !== undefined && ctx.now - last < noRepeatMs) return out('noRepeatHours');
    if (ctx.history?.some((h) => h.trackId === it.trackId)) return out('already served in this station');
    pool.push(i);
  });
  return { pool, filtered };
}

/**
 * The rules that depend on the order: checked when an item would be appended to a partial
 * sequence (`seq`: item indexes in order). Across pages, the station's history counts.
 */
export class Rules {
  private readonly hist: readonly PastPlay[];
  private readonly promotedMax: number;
  /** Start time of each position, from the durations before it. */
  constructor(readonly items: readonly SeqItem[], readonly policy: Policy, readonly ctx: SeqContext) {
    this.hist = ctx.history ?? [];
    const share = policy.constraints.promotedShare?.max;
    this.promotedMax = share === undefined ? Infinity : Math.floor(share * policy.length + 1e-9);
  }

  /** The first rule that appending item i to `seq` would break, or undefined when it may follow. */
  broken(seq: readonly number[], i: number): string | undefined {
    const c = this.policy.constraints;
    const it = this.items[i]!;
    const n = seq.length;
    const H = this.hist.length;
    // The k-th latest play before this position: the sequence first, then the station's history.
    const artistAt = (k: number): string | undefined => (k <= n ? this.items[seq[n - k]!]!.artistId : this.hist[H - (k - n)]?.artistId);
    const albumAt = (k: number): string | undefined => (k <= n ? this.items[seq[n - k]!]!.albumId : this.hist[H - (k - n)]?.albumId);
    for (let k = 1; k <= n; k++) if (seq[k - 1] === i) return 'duplicate';
    const sep = c.artistSeparation ?? 0;
    for (let k = 1; k <= sep; k++) if (artistAt(k) === it.artistId) return 'artistSeparation';
    if (c.maxPerArtist !== undefined || c.maxPerAlbum !== undefined) {
      let artist = 0, album = 0;
      for (const j of seq) {
        const o = this.items[j]!;
        if (o.artistId === it.artistId) artist++;
        if (it.albumId !== undefined && o.albumId === it.albumId) album++;
      }
      if (c.maxPerArtist !== undefined && artist >= c.maxPerArtist) return 'maxPerArtist';
      if (c.maxPerAlbum !== undefined && album >= c.maxPerAlbum) return 'maxPerAlbum';
    }
    if (it.promoted && this.promotedMax !== Infinity) {
      let p = 0;
      for (const j of seq) if (this.items[j]!.promoted) p++;
      if (p >= this.promotedMax) return 'promotedShare';
    }
    if (it.podcast) {
      let p = 0;
      for (const j of seq) if (this.items[j]!.podcast) p++;
      if (this.policy.surface !== 'shuffle' && p >= (c.maxPodcasts ?? 0)) return 'maxPodcasts';
      if (n > 0 && this.items[seq[n - 1]!]!.podcast) return 'podcastInARow';
    }
    const w = c.window;
    if (w !== undefined) {
      // Runs at the end.
      let run = 0;
      while (run < w.artistInARow && artistAt(run + 1) === it.artistId) run++;
      if (run >= w.artistInARow) return 'window.artistInARow';
      if (it.albumId !== undefined) {
        run = 0;
        while (run < w.albumInARow && albumAt(run + 1) === it.albumId) run++;
        if (run >= w.albumInARow) return 'window.albumInARow';
      }
      // Counts within the window before this position's start.
      let t = this.ctx.now;
      for (const j of seq) t += this.items[j]!.durationMs;
      const from = t - w.hours * HOUR;
      let artist = 0, album = 0;
      for (const h of this.hist) {
        if (h.ts < from) continue;
        if (h.artistId === it.artistId) artist++;
        if (it.albumId !== undefined && h.albumId === it.albumId) album++;
      }
      let ts = this.ctx.now;
      for (const j of seq) {
        const o = this.items[j]!;
        if (ts >= from) {
          if (o.artistId === it.artistId) artist++;
          if (it.albumId !== undefined && o.albumId === it.albumId) album++;
        }
        ts += o.durationMs;
      }
      if (artist >= w.perArtist) return 'window.perArtist';
      if (album >= w.perAlbum) return 'window.perAlbum';
    }
    return undefined;
  }
}
