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
