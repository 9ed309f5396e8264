/**
 * Metrics of the learned ranker: AUC, log-loss and NDCG@k over query groups.
 */

/** Area under the ROC curve of scores against 0/1 labels; ties count one half. NaN without both classes. */
export function auc(scores: ArrayLike<number>, labels: ArrayLike<number>): number {
  const n = scores.length;
  const order = new Uint32Array(n);
  for (let i = 0; i < n; i++) order[i] = i;
  order.sort((a, b) => scores[a]! - scores[b]!);
  let pos = 0, rankSum = 0;
  for (let i = 0; i < n;) {
    let j = i;
    while (j + 1 < n && scores[order[j + 1]!] === scores[order[i]!]) j++;
    const midRank = (i + j) / 2 + 1;
    for (let k = i; k <= j; k++) if (labels[order[k]!]! > 0) {
      pos++;
      rankSum += midRank;
    }
    i = j + 1;
  }
  const neg = n - pos;
  if (pos === 0 || neg === 0) return NaN;
  return (rankSum - (pos * (pos + 1)) / 2) / (pos * neg);
}

/** Mean binary log-loss of probabilities (clipped to [1e-15, 1 - 1e-15]). */
export function logLoss(p: ArrayLike<number>, labels: ArrayLike<number>): number {
  let s = 0;
  for (let i = 0; i < p.length; i++) {
    const q = Math.min(1 - 1e-15, Math.max(1e-15, p[i]!));
    s -= labels[i]! > 0 ? Math.log(q) : Math.log(1 - q);
  }
  return p.length > 0 ? s / p.length : NaN;
}

/**
 * Mean NDCG@k over query groups (`groups`: start offsets, then the end), with gains
 * 2^label - 1 and ties in score broken by lower row index. Groups whose labels are all 0
 * have no ideal ordering and are left out of the mean.
 */
export function ndcgAt(scores: ArrayLike<number>, labels: ArrayLike<number>, groups: Int32Array, k: number): number {
  let sum = 0, counted = 0;
  for (let g = 0; g + 1 < groups.length; g++) {
    const s = groups[g]!, e = groups[g + 1]!;
    const idx: number[] = [];
    for (let i = s; i < e; i++) idx.push(i);
    const ideal = idx.map((i) => labels[i]!).sort((a, b) => b - a);
    let idcg = 0;
    for (let r = 0; r < Math.min(k, ideal.length); r++) idcg += (2 ** ideal[r]! - 1) / Math.log2(r + 2);
    if (idcg === 0) continue;
    idx.sort((a, b) => scores[b]! - scores[a]! || a - b);
    let dcg = 0;
    for (let r = 0; r < Math.min(k, idx.length); r++) dcg += (2 ** labels[idx[r]!]! - 1) / Math.log2(r + 2);
    sum += dcg / idcg;
    counted++;
  }
  return counted > 0 ? sum / counted : NaN;
}
