import { compileWatSync, Rng } from '../../math/index.js';
import { binColumns, quantileBins, type Binning } from './binning.js';
import { GbdtModel, type GbdtObjective } from './model.js';
import { HistPool } from './hist-pool.js';
import { HIST_WAT, HistArena, NB } from './hist.js';
import { LambdaRank } from './lambdarank.js';
import { auc, logLoss, ndcgAt } from './metrics.js';

/** Hyper-parameters; names and defaults follow XGBoost where they have a counterpart. */
export interface GbdtParams {
  /** `binary`: log-loss on 0/1 labels (listen-through, skip); `lambdarank`: LambdaMART on graded labels in query groups. */
  objective: GbdtObjective;
  /** Boosting rounds (trees). Default 100. */
  trees: number;
  /** Shrinkage (eta). Default 0.1. */
  learningRate: number;
  /** Deepest a tree grows (0: no limit, then maxLeaves must be set). Default 6. */
  maxDepth: number;
  /** Most leaves per tree (0: no limit). Default 0. */
  maxLeaves: number;
  /** `depthwise` splits level by level; `lossguide` (leaf-wise) splits the leaf with the largest gain first. Default depthwise. */
  growth: 'depthwise' | 'lossguide';
  /** L2 regularization of leaf values (lambda). Default 1. */
  lambda: number;
  /** Minimum loss reduction of a split (gamma). Default 0. */
  gamma: number;
  /** Minimum hessian sum in a child. Default 1. */
  minChildWeight: number;
  /** Share of rows each tree sees. Default 1. */
  subsample: number;
  /** Share of features each tree may split on. Default 1. */
  colsample: number;
  /** Histogram bins per feature, at most 256 (one is for missing values). Default 256. */
  maxBins: number;
  /** Stop when the validation metric has not improved for this many rounds (0: never). Default 10. */
  earlyStoppingRounds: number;
  /** Cut-off of the NDCG that lambdarank's early stopping watches. Default 10. */
  ndcgAt: number;
  /** LambdaMART pairs sampled per row, each with a row of another label in its group (0: every pair). Default 1, as XGBoost 1.7. */
  pairsPerRow: number;
  seed: number;
  /** Threads that build histograms (the caller's plus worker threads). Results do not depend on it. Default 1. */
  threads: number;
}

export const GBDT_DEFAULTS: Readonly<GbdtParams> = {
  objective: 'binary', trees: 100, learningRate: 0.1, maxDepth: 6, maxLeaves: 0, growth: 'depthwise', lambda: 1, gamma: 0,
  minChildWeight: 1, subsample: 1, colsample: 1, maxBins: 256, earlyStoppingRounds: 10, ndcgAt: 10, pairsPerRow: 1, seed: 42,
  threads: 1,
};

/** Rows, row-major n x features, with labels and (for lambdarank) group boundaries. */
export interface GbdtData {
  X: Float32Array;
  n: number;
  y: Float32Array;
  /** Start offset of each query group, then n: rows of a group are contiguous. */
  groups?: Int32Array;
}

export interface GbdtProgress {
  tree: number;
  trees: number;
  /** Validation metric after this tree: log-loss (binary) or NDCG@k (lambdarank). */
  validation?: number;
}

export interface GbdtTrainOptions extends Partial<GbdtParams> {
  featureNames: readonly string[];
  validation?: GbdtData;
  onProgress?: (p: GbdtProgress) => void;
}

export interface GbdtTrainResult {
  model: GbdtModel;
  /** Trees kept (the best validation round when early stopping). */
  bestTrees: number;
  seconds: number;
  /** Validation metrics of the kept model. */
  validation?: { auc?: number; logLoss?: number; ndcg?: number };
}

function checkParams(p: GbdtParams): void {
  const bad = (k: string, why: string): never => {
    throw new RangeError(`gbdt: ${k} ${why}, got ${JSON.stringify((p as unknown as Record<string, unknown>)[k])}`);
  };
  if (p.objective !== 'binary' && p.objective !== 'lambdarank') bad('objective', 'must be binary or lambdarank');
  if (!(Number.isInteger(p.trees) && p.trees >= 1)) bad('trees', 'must be an integer >= 1');
  if (!(p.learningRate > 0 && p.learningRate <= 1)) bad('learningRate', 'must be in (0, 1]');
  if (!(Number.isInteger(p.maxDepth) && p.maxDepth >= 0 && p.maxDepth <= 30)) bad('maxDepth', 'must be an integer in 0..30');
  if (!(Number.isInteger(p.maxLeaves) && p.maxLeaves >= 0 && p.maxLeaves !== 1)) bad('maxLeaves', 'must be 0 or an integer >= 2');
  if (p.maxDepth === 0 && p.maxLeaves === 0) bad('maxLeaves', 'must be set when maxDepth is 0 (no limit)');
  if (p.growth !== 'depthwise' && p.growth !== 'lossguide') bad('growth', 'must be depthwise or lossguide');
  if (!(p.lambda >= 0)) bad('lambda', 'must be >= 0');
  if (!(p.gamma >= 0)) bad('gamma', 'must be >= 0');
  if (!(p.minChildWeight >= 0)) bad('minChildWeight', 'must be >= 0');
  if (!(p.subsample > 0 && p.subsample <= 1)) bad('subsample', 'must be in (0, 1]');
  if (!(p.colsample > 0 && p.colsample <= 1)) bad('colsample', 'must be in (0, 1]');
  if (!(Number.isInteger(p.earlyStoppingRounds) && p.earlyStoppingRounds >= 0)) bad('earlyStoppingRounds', 'must be an integer >= 0');
  if (!(Number.isInteger(p.pairsPerRow) && p.pairsPerRow >= 0)) bad('pairsPerRow', 'must be an integer >= 0');
  if (!(Number.isInteger(p.threads) && p.threads >= 1 && p.threads <= 64)) bad('threads', 'must be an integer in 1..64');
}

function checkData(where: string, d: GbdtData, f: number, objective: GbdtObjective): void {
  if (!(Number.isInteger(d.n) && d.n >= 1)) throw new RangeError(`gbdt ${where}: needs at least one row`);
  if (d.X.length !== d.n * f) throw new RangeError(`gbdt ${where}: expected ${d.n} rows x ${f} features = ${d.n * f} values, got ${d.X.length}`);
  if (d.y.length !== d.n) throw new RangeError(`gbdt ${where}: ${d.y.length} labels for ${d.n} rows`);
  for (let i = 0; i < d.n; i++) {
    const v = d.y[i]!;
    if (objective === 'binary' ? v !== 0 && v !== 1 : !(v >= 0 && v <= 31)) throw new RangeError(`gbdt ${where}: label of row ${i} is ${v}; ${objective === 'binary' ? 'binary labels are 0 or 1' : 'relevance labels are in 0..31'}`);
  }
  if (objective === 'lambdarank') {
    const g = d.groups;
    if (!g || g.length < 2 || g[0] !== 0 || g[g.length - 1] !== d.n) throw new RangeError(`gbdt ${where}: lambdarank needs groups: start offsets from 0, ending with n = ${d.n}`);
    for (let i = 1; i < g.length; i++) if (!(g[i]! > g[i - 1]!)) throw new RangeError(`gbdt ${where}: group ${i - 1} is empty or out of order`);
  }
}

/** A node waiting to be split (or to become a leaf). */
interface Open {
  node: number;
  start: number;
  end: number;
  depth: number;
  G: number;
  H: number;
  hist: Float64Array;
  // Best split found.
  gain: number;
  feature: number;
  bin: number;
  GL: number;
  HL: number;
}

/**
 * Histogram gradient boosting (Friedman 2001; the histogram method of LightGBM and XGBoost's
 * `hist`), histograms built on `threads` threads: quantile bins, gradient/hessian histograms per node with
 * the subtraction trick (the larger child's histogram is the parent's minus the smaller's),
 * depth-wise or leaf-wise growth, L2 leaf regularization, shrinkage, row and column
 * subsampling, and early stopping on a validation set. Objectives: binary log-loss and
 * LambdaMART (NDCG-weighted pairwise lambdas, Burges 2010).
 *
 * @example
 * const { model } = trainGbdt({ X, n, y }, { featureNames, trees: 200, validation });
 * model.predict(Xtest, m) // probabilities
 */
export function trainGbdt(data: GbdtData, opts: GbdtTrainOptions): GbdtTrainResult {
  const started = performance.now();
  const p: GbdtParams = { ...GBDT_DEFAULTS, ...Object.fromEntries(Object.entries(opts).filter(([k, v]) => k in GBDT_DEFAULTS && v !== undefined)) };
  checkParams(p);
  const F = opts.featureNames.length;
  if (F < 1 || F > 65_535) throw new RangeError(`gbdt: featureNames must name 1..65535 features, got ${F}`);
  checkData('training data', data, F, p.objective);
  if (opts.validation) checkData('validation data', opts.validation, F, p.objective);
  const { n, y } = data;
  const bins: Binning = quantileBins(data.X, n, F, p.maxBins, p.seed);
  // The arrays histograms are built from live in one (shared) WebAssembly memory. Bins are
  // column-major: partitioning a node reads one feature of rows in increasing order.
  const arena = HistArena.create(n, F, compileWatSync('hist', HIST_WAT));
  const { BC, rows, gh, margin } = arena;
  arena.labels.set(y);
  binColumns(bins, data.X, n, BC);
  const rng = new Rng(p.seed);

  // Initial margin: log-odds of the base rate (binary), 0 (ranking).
  let base = 0;
  if (p.objective === 'binary') {
    let s = 0;
    for (let i = 0; i < n; i++) s += y[i]!;
    const rate = Math.min(1 - 1e-6, Math.max(1e-6, s / n));
    base = Math.log(rate / (1 - rate));
  }
  margin.fill(base);
  const valid = opts.validation;
  const vMargin = valid ? new Float64Array(valid.n).fill(base) : undefined;

  // The flat model, grown as trees are added.
  const roots: number[] = [], feature: number[] = [], threshold: number[] = [], left: number[] = [], value: number[] = [], splitBin: number[] = [];
  const gain = new Float64Array(F), splits = new Int32Array(F);

  const featOn = new Uint8Array(F);
  let best = p.objective === 'binary' ? Infinity : -Infinity, bestTrees = 0;
  const better = (a: number, b: number): boolean => (p.objective === 'binary' ? a < b - 1e-12 : a > b + 1e-12);
  const ranking = p.objective === 'lambdarank' ? LambdaRank.create(data.groups!, y, p.pairsPerRow) : undefined;

  // Histograms: the node's gradients are gathered once, in row order, as pairs; features are
  // split over the threads (see hist-pool.ts).
  const pool = new HistPool(arena, p.threads, ranking);
  const buildHist = (lo: number, hi: number, out: Float64Array): void => {
    const m = hi - lo;
    arena.gather(lo, m);
    pool.build(lo, m, out);
  };
  const findSplit = (c: Open): void => {
    c.gain = 0;
    c.feature = -1;
    const { G, H, hist } = c;
    const lam = p.lambda, mcw = p.minChildWeight;
    const parentScore = (G * G) / (H + lam);
    for (let j = 0; j < F; j++) {
      if (!featOn[j]) continue;
      const nb = bins.edges[j]!.length + 2;
      let GL = 0, HL = 0;
      const o = j * NB;
      for (let b = 0; b < nb - 1; b++) {
        GL += hist[(o + b) << 1]!;
        HL += hist[((o + b) << 1) + 1]!;
        if (HL < mcw) continue;
        const HR = H - HL;
        if (HR < mcw) break;
        const GR = G - GL;
        const gn = 0.5 * ((GL * GL) / (HL + lam) + (GR * GR) / (HR + lam) - parentScore) - p.gamma;
        if (gn > c.gain + 1e-12) {
          c.gain = gn;
          c.feature = j;
          c.bin = b;
          c.GL = GL;
          c.HL = HL;
        }
      }
    }
  };
  const newNode = (): number => {
    feature.push(-1);
    threshold.push(0);
    left.push(-1);
    value.push(0);
    splitBin.push(0);
    return feature.length - 1;
  };

  let tree = 0;
  try {
    for (; tree < p.trees; tree++) {
      // Each row's (gradient, hessian), interleaved, on all threads.
      if (ranking) {
        ranking.draw((k) => rng.int(k));
        pool.rankGradients();
      } else pool.binaryGradients();
      // Rows and features of this tree.
      let m = 0;
      if (p.subsample < 1) {
        for (let i = 0; i < n; i++) if (rng.next() < p.subsample) rows[m++] = i;
        if (m === 0) rows[m++] = rng.int(n);
      } else for (; m < n; m++) rows[m] = m;
      featOn.fill(p.colsample < 1 ? 0 : 1);
      if (p.colsample < 1) {
        const want = Math.max(1, Math.round(F * p.colsample));
        const perm = Int32Array.from({ length: F }, (_, j) => j);
        for (let j = F - 1; j > 0; j--) {
          const k = rng.int(j + 1);
          [perm[j], perm[k]] = [perm[k]!, perm[j]!];
        }
        for (let j = 0; j < want; j++) featOn[perm[j]!] = 1;
      }

      const root = newNode();
      roots.push(root);
      const rootHist = new Float64Array(F * NB * 2);
      buildHist(0, m, rootHist);
      let G = 0, H = 0;
      for (let k = 0; k < m; k++) {
        G += gh[k << 1]!;
        H += gh[(k << 1) + 1]!;
      }
      const open: Open[] = [{ node: root, start: 0, end: m, depth: 0, G, H, hist: rootHist, gain: 0, feature: -1, bin: 0, GL: 0, HL: 0 }];
      const canSplit = (c: Open): boolean => (p.maxDepth === 0 || c.depth < p.maxDepth) && c.end - c.start >= 2;
      if (canSplit(open[0]!)) findSplit(open[0]!);
      let leaves = 1;
      const finished: Open[] = [];
      while (open.length > 0) {
        // depthwise: first in, first out; lossguide: the largest gain.
        let pick = 0;
        if (p.growth === 'lossguide') for (let i = 1; i < open.length; i++) if (open[i]!.gain > open[pick]!.gain) pick = i;
        const c = open.splice(pick, 1)[0]!;
        if (c.feature < 0 || (p.maxLeaves > 0 && leaves >= p.maxLeaves)) {
          finished.push(c);
          continue;
        }
        // Partition the node's rows: bin <= split bin to the left.
        const j = c.feature, sb = c.bin;
        const mid = c.start + arena.partition(c.start, c.end - c.start, j, sb);
        const l = newNode();
        newNode();
        feature[c.node] = j;
        threshold[c.node] = sb === 0 ? -Infinity : bins.edges[j]![sb - 1]!;
        left[c.node] = l;
        splitBin[c.node] = sb;
        gain[j]! += c.gain;
        splits[j]!++;
        leaves++;
        const childDepthOk = p.maxDepth === 0 || c.depth + 1 < p.maxDepth;
        if (!childDepthOk) {
          // Children at the depth limit are leaves: no histograms needed.
          finished.push({ ...c, node: l, start: c.start, end: mid, depth: c.depth + 1, G: c.GL, H: c.HL, feature: -1 });
          finished.push({ ...c, node: l + 1, start: mid, end: c.end, depth: c.depth + 1, G: c.G - c.GL, H: c.H - c.HL, feature: -1 });
          continue;
        }
        // Children: the smaller one's histogram is built, the larger one's is parent - smaller.
        const leftSmaller = mid - c.start <= c.end - mid;
        const small = new Float64Array(F * NB * 2);
        if (leftSmaller) buildHist(c.start, mid, small);
        else buildHist(mid, c.end, small);
        const large = c.hist;
        for (let i = 0; i < large.length; i++) large[i]! -= small[i]!;
        const L: Open = { node: l, start: c.start, end: mid, depth: c.depth + 1, G: c.GL, H: c.HL, hist: leftSmaller ? small : large, gain: 0, feature: -1, bin: 0, GL: 0, HL: 0 };
        const R: Open = { node: l + 1, start: mid, end: c.end, depth: c.depth + 1, G: c.G - c.GL, H: c.H - c.HL, hist: leftSmaller ? large : small, gain: 0, feature: -1, bin: 0, GL: 0, HL: 0 };
        for (const child of [L, R]) {
          if (canSplit(child)) findSplit(child);
          open.push(child);
        }
      }
      for (const c of finished) value[c.node] = (-c.G / (c.H + p.lambda)) * p.learningRate;
      if (m === n) {
        // Every row is in exactly one leaf's range of `rows`.
        for (const c of finished) {
          const v = value[c.node]!;
          for (let k = c.start; k < c.end; k++) margin[rows[k]!]! += v;
        }
      } else {
        // Rows outside the sample are routed on their bins.
        for (let r = 0; r < n; r++) {
          let node = root;
          while (feature[node]! >= 0) node = BC[feature[node]! * n + r]! <= splitBin[node]! ? left[node]! : left[node]! + 1;
          margin[r]! += value[node]!;
        }
      }
      if (valid && vMargin) {
        const X = valid.X;
        for (let r = 0; r < valid.n; r++) {
          let node = root;
          while (feature[node]! >= 0) {
            const v = X[r * F + feature[node]!]!;
            node = v <= threshold[node]! || v !== v ? left[node]! : left[node]! + 1;
          }
          vMargin[r]! += value[node]!;
        }
        const metric = p.objective === 'binary' ? logLoss(sigmoidAll(vMargin), valid.y) : ndcgAt(vMargin, valid.y, valid.groups!, p.ndcgAt);
        opts.onProgress?.({ tree: tree + 1, trees: p.trees, validation: metric });
        if (better(metric, best) || tree === 0) {
          best = metric;
          bestTrees = tree + 1;
        } else if (p.earlyStoppingRounds > 0 && tree + 1 - bestTrees >= p.earlyStoppingRounds) {
          tree++;
          break;
        }
      } else {
        opts.onProgress?.({ tree: tree + 1, trees: p.trees });
        bestTrees = tree + 1;
      }
    }
  } finally {
    pool.close();
  }

  // Keep the best round's trees: they are the first bestTrees, whose nodes come first.
  const nodes = bestTrees < roots.length ? roots[bestTrees]! : feature.length;
  const model = new GbdtModel(
    p.objective,
    [...opts.featureNames],
    base,
    Int32Array.from(roots.slice(0, bestTrees)),
    Int32Array.from(feature.slice(0, nodes)),
    Float32Array.from(threshold.slice(0, nodes)),
    Int32Array.from(left.slice(0, nodes)),
    Float32Array.from(value.slice(0, nodes)),
    gain,
    splits,
    { params: p, bins: p.maxBins, trainRows: n },
  );
  const result: GbdtTrainResult = { model, bestTrees, seconds: (performance.now() - started) / 1000 };
  if (valid) {
    const s = model.predict(valid.X, valid.n);
    result.validation = p.objective === 'binary'
      ? { auc: auc(s, valid.y), logLoss: logLoss(s, valid.y) }
      : { ndcg: ndcgAt(s, valid.y, valid.groups!, p.ndcgAt) };
  }
  return result;
}

function sigmoidAll(m: Float64Array): Float64Array {
  return Float64Array.from(m, (x) => 1 / (1 + Math.exp(-x)));
}
