/**
 * LambdaMART gradients with NDCG weights: for a pair (i, j) of one group with label_i >
 * label_j, rho = 1 / (1 + exp(s_i - s_j)) and |delta NDCG| = |2^l_i - 2^l_j| * |1/log2(2 +
 * pos_i) - 1/log2(2 + pos_j)| / IDCG, positions by the current scores; i gets -rho * delta,
 * j gets +rho * delta, both hessian rho (1 - rho) delta. Pairs: every row with
 * `pairsPerRow` random rows of another label in its group (XGBoost 1.7's sampling), or all.
 *
 * The state lives in shared memory so that training threads compute disjoint ranges of
 * groups: the random partners are drawn first, in one sequence (`draw`), and each group's
 * sums are made in the same order by whichever thread has it, so the gradients do not depend
 * on the number of threads. (A worker entry's module: it imports nothing outside its folder.)
 */

/** What any thread needs to compute a group's gradients; every array is over shared memory. */
export interface RankState {
  groups: Int32Array;
  y: Float32Array;
  pairsPerRow: number;
  /** Position of each row in its group by current margin, and the group's rows in that order. */
  pos: Int32Array;
  order: Int32Array;
  idcg: Float64Array;
  gain: Float64Array;
  /** Rows of each group sorted by label, descending; `bucketStart/End[k]` bound k's equal-label run. */
  byLabel: Int32Array;
  bucketStart: Int32Array;
  bucketEnd: Int32Array;
  /** 1 / log2(k + 2), the discount of position k. */
  invLog: Float64Array;
  /** This round's partner draws: for label-order slot k, pairsPerRow picks among the group's rows of other labels. */
  partner: Int32Array;
}

function sharedOf<T extends Int32Array | Float32Array | Float64Array>(ctor: { new (b: SharedArrayBuffer): T; BYTES_PER_ELEMENT: number }, length: number): T {
  return new ctor(new SharedArrayBuffer(Math.max(1, length) * ctor.BYTES_PER_ELEMENT));
}

/** LambdaMART's gradient and Hessian of one pair, a with the higher label than b (small: inlined by the JIT). */
function addPair(a: number, b: number, idcg: number, margin: Float64Array, gain: Float64Array, invLog: Float64Array, pos: Int32Array, gh: Float64Array): void {
  const rho = 1 / (1 + Math.exp(margin[a]! - margin[b]!));
  const delta = Math.abs(gain[a]! - gain[b]!) * Math.abs(invLog[pos[a]!]! - invLog[pos[b]!]!) / idcg;
  const lg = rho * delta, h = Math.max(rho * (1 - rho) * delta, 1e-16);
  gh[a << 1]! -= lg;
  gh[b << 1]! += lg;
  gh[(a << 1) + 1]! += h;
  gh[(b << 1) + 1]! += h;
}

export class LambdaRank {
  constructor(readonly s: RankState) {}

  /** The state of groups (start offsets, then n) over labels y, in shared memory. */
  static create(groups: Int32Array, y: Float32Array, pairsPerRow: number): LambdaRank {
    const n = y.length;
    let longest = 0;
    for (let g = 0; g + 1 < groups.length; g++) longest = Math.max(longest, groups[g + 1]! - groups[g]!);
    const s: RankState = {
      groups: sharedOf(Int32Array, groups.length), y: sharedOf(Float32Array, n), pairsPerRow,
      pos: sharedOf(Int32Array, n), order: sharedOf(Int32Array, n), idcg: sharedOf(Float64Array, groups.length - 1),
      gain: sharedOf(Float64Array, n), byLabel: sharedOf(Int32Array, n), bucketStart: sharedOf(Int32Array, n), bucketEnd: sharedOf(Int32Array, n),
      invLog: sharedOf(Float64Array, longest + 1), partner: sharedOf(Int32Array, n * pairsPerRow),
    };
    s.groups.set(groups);
    s.y.set(y);
    for (let i = 0; i < n; i++) s.gain[i] = 2 ** y[i]! - 1;
    for (let k = 0; k <= longest; k++) s.invLog[k] = 1 / Math.log2(k + 2);
    for (let i = 0; i < n; i++) s.order[i] = i;
    for (let g = 0; g + 1 < groups.length; g++) {
      const a = groups[g]!, e = groups[g + 1]!;
      const idx = Array.from({ length: e - a }, (_, k) => a + k).sort((p, q) => y[q]! - y[p]! || p - q);
      let idcg = 0;
      idx.forEach((r, k) => {
        idcg += s.gain[r]! / Math.log2(k + 2);
        s.byLabel[a + k] = r;
      });
      s.idcg[g] = idcg;
      for (let k = a; k < e;) {
        let k2 = k;
        while (k2 < e && y[s.byLabel[k2]!] === y[s.byLabel[k]!]) k2++;
        for (let q = k; q < k2; q++) {
          s.bucketStart[q] = k;
          s.bucketEnd[q] = k2;
        }
        k = k2;
      }
    }
    return new LambdaRank(s);
  }

  /** Groups in all. */
  get groupCount(): number {
    return this.s.groups.length - 1;
  }

  /** The first group that starts at or after row r (a cut for splitting groups by rows). */
  groupAtRow(r: number): number {
    const g = this.s.groups;
    let lo = 0, hi = g.length - 1;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (g[mid]! < r) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }

  /** This round's random partners, in one sequence from `int` (a uniform integer below its argument). */
  draw(int: (bound: number) => number): void {
    const { groups, idcg, bucketStart, bucketEnd, partner, pairsPerRow } = this.s;
    if (pairsPerRow === 0) return;
    for (let g = 0; g + 1 < groups.length; g++) {
      const a = groups[g]!, e = groups[g + 1]!, m = e - a;
      if (idcg[g] === 0 || m < 2) continue;
      for (let i = a; i < e; i++) {
        const others = m - (bucketEnd[i]! - bucketStart[i]!);
        if (others === 0) continue;
        for (let t = 0; t < pairsPerRow; t++) partner[i * pairsPerRow + t] = int(others);
      }
    }
  }

  /** Each row's (gradient, hessian) pair, interleaved in gh, for groups [gFrom, gTo), after `draw`. */
  gradients(margin: Float64Array, gh: Float64Array, gFrom: number, gTo: number): void {
    const { groups, y, pos, order, gain, byLabel, invLog, idcg: idcgs, bucketStart, bucketEnd, partner, pairsPerRow } = this.s;
    gh.fill(0, groups[gFrom]! << 1, groups[gTo]! << 1);
    for (let g = gFrom; g < gTo; g++) {
      const s = groups[g]!, e = groups[g + 1]!, m = e - s;
      const idcg = idcgs[g]!;
      if (idcg === 0 || m < 2) continue;
      // Rows by margin, descending (ties: lower row first). The order of the previous round is
      // nearly right (each tree moves margins a little), so an insertion sort from it is close
      // to linear; the result is the same total order whatever the start.
      for (let k = s + 1; k < e; k++) {
        const r = order[k]!, v = margin[r]!;
        let j = k - 1;
        while (j >= s) {
          const q = order[j]!, w = margin[q]!;
          if (w > v || (w === v && q < r)) break;
          order[j + 1] = q;
          j--;
        }
        order[j + 1] = r;
      }
      for (let k = 0; k < m; k++) pos[order[s + k]!] = k;
      if (pairsPerRow === 0) {
        for (let i = s; i < e; i++) {
          for (let j = bucketEnd[i]!; j < e; j++) addPair(byLabel[i]!, byLabel[j]!, idcg, margin, gain, invLog, pos, gh); // the first has the higher label
        }
        continue;
      }
      for (let i = s; i < e; i++) {
        const bs = bucketStart[i]!, be = bucketEnd[i]!;
        if (m - (be - bs) === 0) continue;
        for (let t = 0; t < pairsPerRow; t++) {
          const k0 = partner[i * pairsPerRow + t]!;
          const k = s + k0 < bs ? s + k0 : be + (s + k0 - bs);
          let a = byLabel[i]!, b = byLabel[k]!;
          if (!(y[a]! > y[b]!)) {
            const x = a;
            a = b;
            b = x;
          }
          addPair(a, b, idcg, margin, gain, invLog, pos, gh);
        }
      }
    }
  }
}
