// A worker entry's module: it imports nothing from outside its folder (math/worker-url.ts),
// so the kernel comes compiled (a WebAssembly.Module posts to a worker as it is).

/** Bins per feature in a histogram (bin 0 is 'missing'); a histogram is [g, h] per bin. */
export const NB = 256;
/** Bytes of one feature's histogram: NB bins of two float64. */
const FEATURE_BYTES = NB * 16;
/** WebAssembly's 32-bit memories end at 4 GiB (65,536 pages of 64 KiB). */
const MAX_PAGES = 65_536;

/**
 * The histogram kernel, in WebAssembly SIMD: for each feature of [jFrom, jTo), over a node's
 * m rows, add each row's (gradient, hessian) pair, one f64x2, to the bin of its feature.
 * Column-wise (LightGBM's col-wise mode), four features per pass over the rows: each row's
 * index and pair are loaded once per four features, and four histograms (16 KB) stay in L1.
 * Each bin's sums are added in row order, exactly as a scalar loop would: the histograms
 * are bit-identical to it (hist.test.ts holds the kernel to a plain loop), and the memory
 * has no bounds checks to pay (2.6x the JavaScript loop's speed on 1M rows x 30 features).
 */
export const HIST_WAT = `(module
  (import "env" "memory" (memory 1 ${MAX_PAGES} shared))
  (func (export "hist") (param $bc i32) (param $n i32) (param $rows i32) (param $gh i32) (param $m i32) (param $jFrom i32) (param $jTo i32) (param $out i32)
    (local $j i32) (local $k i32) (local $r i32) (local $v v128) (local $a i32)
    (local $c0 i32) (local $c1 i32) (local $c2 i32) (local $c3 i32) (local $o0 i32) (local $o1 i32) (local $o2 i32) (local $o3 i32)
    (local.set $j (local.get $jFrom))
    (block $quadsDone (loop $quad
      (br_if $quadsDone (i32.gt_s (i32.add (local.get $j) (i32.const 4)) (local.get $jTo)))
      (local.set $c0 (i32.add (local.get $bc) (i32.mul (local.get $j) (local.get $n))))
      (local.set $c1 (i32.add (local.get $c0) (local.get $n)))
      (local.set $c2 (i32.add (local.get $c1) (local.get $n)))
      (local.set $c3 (i32.add (local.get $c2) (local.get $n)))
      (local.set $o0 (i32.add (local.get $out) (i32.mul (local.get $j) (i32.const ${FEATURE_BYTES}))))
      (local.set $o1 (i32.add (local.get $o0) (i32.const ${FEATURE_BYTES})))
      (local.set $o2 (i32.add (local.get $o1) (i32.const ${FEATURE_BYTES})))
      (local.set $o3 (i32.add (local.get $o2) (i32.const ${FEATURE_BYTES})))
      (memory.fill (local.get $o0) (i32.const 0) (i32.const ${4 * FEATURE_BYTES}))
      (local.set $k (i32.const 0))
      (block $rowsDone (loop $row
        (br_if $rowsDone (i32.ge_s (local.get $k) (local.get $m)))
        (local.set $r (i32.load (i32.add (local.get $rows) (i32.shl (local.get $k) (i32.const 2)))))
        (local.set $v (v128.load (i32.add (local.get $gh) (i32.shl (local.get $k) (i32.const 4)))))
        (local.set $a (i32.add (local.get $o0) (i32.shl (i32.load8_u (i32.add (local.get $c0) (local.get $r))) (i32.const 4))))
        (v128.store (local.get $a) (f64x2.add (v128.load (local.get $a)) (local.get $v)))
        (local.set $a (i32.add (local.get $o1) (i32.shl (i32.load8_u (i32.add (local.get $c1) (local.get $r))) (i32.const 4))))
        (v128.store (local.get $a) (f64x2.add (v128.load (local.get $a)) (local.get $v)))
        (local.set $a (i32.add (local.get $o2) (i32.shl (i32.load8_u (i32.add (local.get $c2) (local.get $r))) (i32.const 4))))
        (v128.store (local.get $a) (f64x2.add (v128.load (local.get $a)) (local.get $v)))
        (local.set $a (i32.add (local.get $o3) (i32.shl (i32.load8_u (i32.add (local.get $c3) (local.get $r))) (i32.const 4))))
        (v128.store (local.get $a) (f64x2.add (v128.load (local.get $a)) (local.get $v)))
        (local.set $k (i32.add (local.get $k) (i32.const 1)))
        (br $row)))
      (local.set $j (i32.add (local.get $j) (i32.const 4)))
      (br $quad)))
    (block $onesDone (loop $one
      (br_if $onesDone (i32.ge_s (local.get $j) (local.get $jTo)))
      (local.set $c0 (i32.add (local.get $bc) (i32.mul (local.get $j) (local.get $n))))
      (local.set $o0 (i32.add (local.get $out) (i32.mul (local.get $j) (i32.const ${FEATURE_BYTES}))))
      (memory.fill (local.get $o0) (i32.const 0) (i32.const ${FEATURE_BYTES}))
      (local.set $k (i32.const 0))
      (block $rowsDone (loop $row
        (br_if $rowsDone (i32.ge_s (local.get $k) (local.get $m)))
        (local.set $r (i32.load (i32.add (local.get $rows) (i32.shl (local.get $k) (i32.const 2)))))
        (local.set $a (i32.add (local.get $o0) (i32.shl (i32.load8_u (i32.add (local.get $c0) (local.get $r))) (i32.const 4))))
        (v128.store (local.get $a) (f64x2.add (v128.load (local.get $a)) (v128.load (i32.add (local.get $gh) (i32.shl (local.get $k) (i32.const 4))))))
        (local.set $k (i32.add (local.get $k) (i32.const 1)))
        (br $row)))
      (local.set $j (i32.add (local.get $j) (i32.const 1)))
      (br $one))))
  (func (export "gather") (param $rows i32) (param $m i32) (param $pairs i32) (param $gh i32)
    (local $k i32)
    (block $done (loop $row
      (br_if $done (i32.ge_s (local.get $k) (local.get $m)))
      (v128.store (i32.add (local.get $gh) (i32.shl (local.get $k) (i32.const 4)))
        (v128.load (i32.add (local.get $pairs) (i32.shl (i32.load (i32.add (local.get $rows) (i32.shl (local.get $k) (i32.const 2)))) (i32.const 4)))))
      (local.set $k (i32.add (local.get $k) (i32.const 1)))
      (br $row))))
  (func (export "partition") (param $rows i32) (param $m i32) (param $col i32) (param $sb i32) (param $right i32) (result i32)
    (local $k i32) (local $r i32) (local $l i32) (local $nl i32) (local $nr i32)
    (block $done (loop $row
      (br_if $done (i32.ge_s (local.get $k) (local.get $m)))
      (local.set $r (i32.load (i32.add (local.get $rows) (i32.shl (local.get $k) (i32.const 2)))))
      (local.set $l (i32.le_u (i32.load8_u (i32.add (local.get $col) (local.get $r))) (local.get $sb)))
      (i32.store (i32.add (local.get $rows) (i32.shl (local.get $nl) (i32.const 2))) (local.get $r))
      (i32.store (i32.add (local.get $right) (i32.shl (local.get $nr) (i32.const 2))) (local.get $r))
      (local.set $nl (i32.add (local.get $nl) (local.get $l)))
      (local.set $nr (i32.add (local.get $nr) (i32.xor (local.get $l) (i32.const 1))))
      (local.set $k (i32.add (local.get $k) (i32.const 1)))
      (br $row)))
    (local.get $nl))
)`;

/** Byte offsets of the arena's arrays in its memory. */
export interface ArenaLayout {
  n: number;
  features: number;
  /** Bins, column-major: feature j of row r at bc + j * n + r (bytes). */
  bc: number;
  /** Row ids (int32), grouped by node: a node's rows are rows[lo .. lo + m). */
  rows: number;
  /** The node's (gradient, hessian) pairs (float64 x 2) in the order of its rows, gathered once per node. */
  gh: number;
  /** Histograms being built: feature j's bins at out + j * NB * 16, each (g, h). */
  out: number;
  /** Every row's (gradient, hessian) pair (float64 x 2), by row id. */
  pairs: number;
  /** Row ids on their way right while a node's rows are partitioned. */
  scratch: number;
  /** Every row's margin (float64) and label (float32). */
  margin: number;
  labels: number;
  pages: number;
}

type HistFn = (bc: number, n: number, rows: number, gh: number, m: number, jFrom: number, jTo: number, out: number) => void;
type GatherFn = (rows: number, m: number, pairs: number, gh: number) => void;
type PartitionFn = (rows: number, m: number, col: number, sb: number, right: number) => number;

/**
 * The arrays histograms are built from, in one shared WebAssembly memory that the trainer's
 * histogram workers attach to, and the kernel over them. Each thread writes only its own
 * features' histograms, so one output region serves them all.
 */
export class HistArena {
  readonly BC: Uint8Array;
  readonly rows: Int32Array;
  readonly gh: Float64Array;
  readonly out: Float64Array;
  readonly pairs: Float64Array;
  /** The whole memory as bytes (a shared memory never grows: one view serves every call). */
  private readonly bytes: Uint8Array;
  readonly margin: Float64Array;
  readonly labels: Float32Array;
  private readonly kernel: HistFn;
  private readonly gatherFn: GatherFn;
  private readonly partitionFn: PartitionFn;

  private constructor(readonly memory: WebAssembly.Memory, readonly layout: ArenaLayout, readonly module: WebAssembly.Module) {
    const { n, features: F } = layout;
    const buf = memory.buffer;
    this.BC = new Uint8Array(buf, layout.bc, n * F);
    this.rows = new Int32Array(buf, layout.rows, n);
    this.gh = new Float64Array(buf, layout.gh, 2 * n);
    this.out = new Float64Array(buf, layout.out, F * NB * 2);
    this.pairs = new Float64Array(buf, layout.pairs, 2 * n);
    this.bytes = new Uint8Array(buf);
    this.margin = new Float64Array(buf, layout.margin, n);
    this.labels = new Float32Array(buf, layout.labels, n);
    const { exports } = new WebAssembly.Instance(module, { env: { memory } });
    this.kernel = exports.hist as HistFn;
    this.gatherFn = exports.gather as GatherFn;
    this.partitionFn = exports.partition as PartitionFn;
  }

  /** A new arena for n rows of F features, with `module` compiled from HIST_WAT. Throws when the arrays would not fit a 4 GiB memory. */
  static create(n: number, F: number, module: WebAssembly.Module): HistArena {
    let at = 0;
    const take = (bytes: number): number => {
      const o = at;
      at += Math.ceil(bytes / 64) * 64;
      return o;
    };
    const bc = take(n * F), rows = take(4 * n), gh = take(16 * n), out = take(F * NB * 16), pairs = take(16 * n), scratch = take(4 * n);
    const margin = take(8 * n), labels = take(4 * n);
    const pages = Math.ceil(at / 65_536);
    if (pages > MAX_PAGES) {
      throw new RangeError(`gbdt: ${n.toLocaleString('en-US')} rows x ${F} features need ${(at / 2 ** 30).toFixed(1)} GiB of training memory, more than WebAssembly's 4 GiB; train on a sample of the rows`);
    }
    const memory = new WebAssembly.Memory({ initial: pages, maximum: pages, shared: true });
    return new HistArena(memory, { n, features: F, bc, rows, gh, out, pairs, scratch, margin, labels, pages }, module);
  }

  /** The same arena in another thread (from the memory, layout and kernel it was sent). */
  static attach(memory: WebAssembly.Memory, layout: ArenaLayout, module: WebAssembly.Module): HistArena {
    return new HistArena(memory, layout, module);
  }

  /** The pairs of rows[lo .. lo + m), in that order, into gh from 0. */
  gather(lo: number, m: number): void {
    const L = this.layout;
    this.gatherFn(L.rows + 4 * lo, m, L.pairs, L.gh);
  }

  /**
   * Stable partition of rows[lo .. lo + m): those whose bin of `feature` is at most `bin`
   * first, then the others, each in their order. Returns how many went first. Branch-free:
   * every row is written to both sides and the side it belongs to advances.
   */
  partition(lo: number, m: number, feature: number, bin: number): number {
    const L = this.layout;
    const left = this.partitionFn(L.rows + 4 * lo, m, L.bc + feature * L.n, bin, L.scratch);
    this.bytes.copyWithin(L.rows + 4 * (lo + left), L.scratch, L.scratch + 4 * (m - left));
    return left;
  }

  /** Histograms of features [jFrom, jTo) over rows[lo .. lo + m) (their pairs gathered in gh from 0), into `out`. */
  build(lo: number, m: number, jFrom: number, jTo: number): void {
    const L = this.layout;
    this.kernel(L.bc, L.n, L.rows + 4 * lo, L.gh, m, jFrom, jTo, L.out);
  }
}
