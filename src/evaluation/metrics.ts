/**
 * Offline ranking metrics with one relevant item per query (next-track prediction), as
 * defined in REFERENCES.md: with `rank` the 1-based position of the target in the ranked
 * list (0 when absent),
 *   HR@k   = 1 if 1 <= rank <= k
 *   NDCG@k = 1 / log2(rank + 1) if 1 <= rank <= k
 *   MRR@k  = 1 / rank if 1 <= rank <= k
 * and, over all recommended lists, catalog coverage (share of the candidate catalog
 * recommended at least once), novelty (mean self-information -log2 p of recommended items,
 * p the item's share of training plays) and intra-list variety (mean pairwise distance).
 */

/** The 1-based rank of `target` in `ranked` (best first), 0 when absent. */
export function rankOf(ranked: Int32Array, target: number): number {
  for (let i = 0; i < ranked.length; i++) if (ranked[i] === target) return i + 1;
  return 0;
}

export const hitRate = (rank: number, k: number): number => (rank >= 1 && rank <= k ? 1 : 0);
export const ndcg = (rank: number, k: number): number => (rank >= 1 && rank <= k ? 1 / Math.log2(rank + 1) : 0);
export const reciprocalRank = (rank: number, k: number): number => (rank >= 1 && rank <= k ? 1 / rank : 0);

/** Accumulates per-query metrics at several cut-offs, and list-level measures. */
export class RankingMetrics {
  private readonly sums: Float64Array;
  queries = 0;
  private readonly seen: Uint8Array;
  private novelty = 0;
  private noveltyItems = 0;
  private variety = 0;
  private varietyLists = 0;

  /**
   * @param ks cut-offs, e.g. [10, 100]
   * @param catalogSize candidates (for coverage)
   * @param playShare each item's share of training plays (for novelty); items with share 0 count as one play
   */
  constructor(readonly ks: readonly number[], readonly catalogSize: number, private readonly playShare?: Float64Array, private readonly minShare = 0) {
    this.sums = new Float64Array(ks.length * 3);
    this.seen = new Uint8Array(catalogSize);
  }

  /** Record one query: the ranked list (best first, at least max(ks) long if possible) and its target. */
  add(ranked: Int32Array, target: number, distance?: (a: number, b: number) => number): void {
    const rank = rankOf(ranked, target);
    this.queries++;
    this.ks.forEach((k, j) => {
      this.sums[j * 3] += hitRate(rank, k);
      this.sums[j * 3 + 1] += ndcg(rank, k);
      this.sums[j * 3 + 2] += reciprocalRank(rank, k);
    });
    // Coverage, novelty and variety are measured on the top min(ks) items: what a listener sees.
    const top = Math.min(ranked.length, this.ks[0] ?? ranked.length);
    for (let i = 0; i < top; i++) {
      const it = ranked[i]!;
      if (it >= 0 && it < this.seen.length) this.seen[it] = 1;
      if (this.playShare) {
        const p = Math.max(this.playShare[it] ?? 0, this.minShare);
        if (p > 0) {
          this.novelty += -Math.log2(p);
          this.noveltyItems++;
        }
      }
    }
    if (distance && top > 1) {
      let d = 0;
      for (let i = 0; i < top; i++) for (let j = i + 1; j < top; j++) d += distance(ranked[i]!, ranked[j]!);
      this.variety += d / ((top * (top - 1)) / 2);
      this.varietyLists++;
    }
  }

  /** Means over queries: `{ 'HR@10': ..., 'NDCG@10': ..., 'MRR@10': ..., coverage, novelty, variety }`. */
  result(): Record<string, number> {
    const out: Record<string, number> = {};
    const n = Math.max(1, this.queries);
    this.ks.forEach((k, j) => {
      out[`HR@${k}`] = this.sums[j * 3]! / n;
      out[`NDCG@${k}`] = this.sums[j * 3 + 1]! / n;
      out[`MRR@${k}`] = this.sums[j * 3 + 2]! / n;
    });
    let covered = 0;
    for (let i = 0; i < this.seen.length; i++) covered += this.seen[i]!;
    out.coverage = this.catalogSize > 0 ? covered / this.catalogSize : 0;
    out.novelty = this.noveltyItems > 0 ? this.novelty / this.noveltyItems : 0;
    out.variety = this.varietyLists > 0 ? this.variety / this.varietyLists : 0;
    return out;
  }
}

/**
 * Metrics for queries with several relevant items (playlist continuation, listener–artist
 * recommendation), as in the RecSys Challenge 2018 and REFERENCES.md: with T the held-out
 * items and L the ranked list,
 *   HR@k        = 1 if some item of T is in L@k
 *   Recall@k    = |T ∩ L@k| / |T|
 *   NDCG@k      = sum over i <= k with L_i in T of 1 / log2(i + 1), divided by the same sum
 *                 for an ideal list (min(k, |T|) hits first)
 *   MRR@k       = 1 / the rank of the first hit, if within k
 *   R-precision = |T ∩ L@|T|| / |T| (the list is cut at the largest k)
 * plus coverage, novelty and variety of the top min(ks) as in RankingMetrics.
 */
export class MultiTargetMetrics {
  private readonly sums: Float64Array;
  private rPrecision = 0;
  queries = 0;
  private readonly lists: RankingMetrics;

  constructor(readonly ks: readonly number[], catalogSize: number, playShare?: Float64Array) {
    this.sums = new Float64Array(ks.length * 4);
    this.lists = new RankingMetrics(ks, catalogSize, playShare);
  }

  /** Record one query: the ranked list (best first) and its held-out items (distinct). */
  add(ranked: Int32Array, targets: ReadonlySet<number>, distance?: (a: number, b: number) => number): void {
    if (targets.size === 0) throw new RangeError('MultiTargetMetrics.add: a query needs at least one held-out item');
    this.queries++;
    let first = 0;
    for (let i = 0; i < ranked.length; i++) if (targets.has(ranked[i]!)) {
      first = i + 1;
      break;
    }
    this.ks.forEach((k, j) => {
      let hits = 0, dcg = 0, idcg = 0;
      for (let i = 0; i < Math.min(k, ranked.length); i++) if (targets.has(ranked[i]!)) {
        hits++;
        dcg += 1 / Math.log2(i + 2);
      }
      for (let i = 0; i < Math.min(k, targets.size); i++) idcg += 1 / Math.log2(i + 2);
      this.sums[j * 4] += hits > 0 ? 1 : 0;
      this.sums[j * 4 + 1] += hits / targets.size;
      this.sums[j * 4 + 2] += dcg / idcg;
      this.sums[j * 4 + 3] += reciprocalRank(first, k);
    });
    let r = 0;
    for (let i = 0; i < Math.min(targets.size, ranked.length); i++) if (targets.has(ranked[i]!)) r++;
    this.rPrecision += r / targets.size;
    // Coverage, novelty and variety: RankingMetrics over the same lists (its target is ignored here).
    this.lists.add(ranked, -1, distance);
  }

  /** Means over queries: HR@k, Recall@k, NDCG@k, MRR@k, R-precision, coverage, novelty, variety. */
  result(): Record<string, number> {
    const out: Record<string, number> = {};
    const n = Math.max(1, this.queries);
    this.ks.forEach((k, j) => {
      out[`HR@${k}`] = this.sums[j * 4]! / n;
      out[`Recall@${k}`] = this.sums[j * 4 + 1]! / n;
      out[`NDCG@${k}`] = this.sums[j * 4 + 2]! / n;
      out[`MRR@${k}`] = this.sums[j * 4 + 3]! / n;
    });
    out['R-precision'] = this.rPrecision / n;
    const l = this.lists.result();
    out.coverage = l.coverage!;
    out.novelty = l.novelty!;
    out.variety = l.variety!;
    return out;
  }
}

/**
 * Variety's distance between two items: 1 when their main artists differ (or one is
 * unknown), 0 when they share one. `artistOf` maps an item id to its main artist id.
 */
export function artistDistance(itemIds: readonly string[], artistOf: ReadonlyMap<string, string>): (a: number, b: number) => number {
  const number = new Map<string, number>();
  const artist = Int32Array.from(itemIds, (t) => {
    const a = artistOf.get(t);
    if (a === undefined) return -1;
    if (!number.has(a)) number.set(a, number.size);
    return number.get(a)!;
  });
  return (a, b) => (artist[a]! < 0 || artist[a] !== artist[b] ? 1 : 0);
}
