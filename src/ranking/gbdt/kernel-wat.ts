/**
 * The WebAssembly SIMD kernel of tree scoring, on bit planes (forest.ts lays out its
 * memory and documents the method). Rows are scored in groups of 128; a plane is one v128
 * holding one bit per row of the group, row r at bit r >> 4 of byte r & 15, so that the
 * 16 rows of a chunk (r >> 4) are bit c of the plane's 16 bytes.
 *
 * - `planes`: for each slot (a feature and its sorted distinct thresholds), the plane of
 *   rows whose value is above each threshold. Each row's rank (how many thresholds lie
 *   below its value; 0 for NaN) sets its bit in its rank's plane; a suffix OR then turns
 *   "rank = v" into "rank >= v", which is the plane "above threshold v - 1". The rank comes
 *   from a grid over order-preserving integer keys: the cell of the value gives the rank
 *   below the cell and at most two thresholds to compare against (four rows at a time);
 *   slots whose thresholds crowd a cell take a binary search instead.
 * - `trees`: each tree expanded to a complete tree of its depth; a split's outcome for all
 *   128 rows is its plane. The rows' paths are picked out level by level with
 *   `v128.bitselect` on the outcome bits above (a multiplexer per level), then an 8 x 8 bit
 *   transpose per byte turns the level planes into each row's leaf index, a byte.
 * - `accumulate`: the leaf values, float64, added tree after tree to each row's sum, two
 *   rows per f64x2, in the order of the node-by-node walk (so the margins are bit-identical).
 */

/** Deepest tree the kernel expands (2^8 leaves: a leaf index is a byte). */
export const KERNEL_MAX_DEPTH = 8;
/** Thresholds of one slot, at most (the binary search's steps, the grid's 16-bit ranks). */
export const KERNEL_MAX_THRESHOLDS = 65535;
/** Steps of the binary search, at most. */
const MAX_STEPS = 16;
/** Rows per group: one bit each in a v128. */
export const GROUP = 128;
/** Bytes of a slot's record in the slot table. */
export const SLOT_BYTES = 48;
/** Byte offsets of a slot record's fields (i32 each). */
export const SLOT = {
  /** feature * 4: the value's offset in a row. */
  featOff: 0,
  /** Grid: key of the smallest threshold, the largest key the grid covers, the cell shift. Binary search: steps in `shift`. */
  klo: 4, khi: 8, shift: 12,
  /** Grid: address of the cells' ranks (a byte, or 16 bits, per cell). */
  cells: 16,
  /** Address of the sorted thresholds (float32), padded with +Infinity (to 2^steps - 1 for the binary search, 2 more for the grid). */
  keys: 20,
  /** Address of the slot's plane for rank 0; rank v's is 16 v further. */
  planes: 24,
  /** Thresholds of the slot. */
  count: 28,
  /** 0: binary search; grid whose cells hold at most 1, 2 thresholds: 1, 2 with byte ranks, 3, 4 with 16-bit ranks. */
  mode: 32,
} as const;

/**
 * The grid's loop over the rows of one slot, four at a time, for cells that hold at most
 * `w` (1 or 2) thresholds: rank = rank below the cell + (t0 < x) [+ (t1 < x)]; the ranks
 * below cells are bytes, or 16-bit when `wide`.
 */
function gridRows(w: 1 | 2, wide: boolean): string {
  const lanes = [0, 1, 2, 3].map((i) => `
            (local.set $ka (i32.add (local.get $keys) (i32.shl (local.tee $lo (i32.load${wide ? '16' : '8'}_u (i32x4.extract_lane ${i} (local.get $cell)))) (i32.const 2))))
            (local.set $lov (i32x4.replace_lane ${i} (local.get $lov) (local.get $lo)))
            (local.set $t0 (v128.load32_lane ${i} (local.get $ka) (local.get $t0)))${w === 2 ? `
            (local.set $t1 (v128.load32_lane offset=4 ${i} (local.get $ka) (local.get $t1)))` : ''}`).join('');
  const sets = [0, 1, 2, 3].map((i) => `
            (local.set $a (i32x4.extract_lane ${i} (local.get $addr)))
            (i32.store8 (local.get $a) (i32.or (i32.load8_u (local.get $a)) (local.get $bit)))`).join('');
  let rank = '(i32x4.sub (local.get $lov) (f32x4.lt (local.get $t0) (local.get $xv)))';
  if (w === 2) rank = `(i32x4.sub ${rank} (f32x4.lt (local.get $t1) (local.get $xv)))`;
  return `
          (block $rowsDone (loop $row
            (br_if $rowsDone (i32.ge_u (local.get $r) (local.get $rows)))
            ;; Four rows' values. A value of -0 keeps its key (-1), just below +0's: thresholds are
            ;; never -0 (forest.ts makes them +0), so it still falls between those below it and those not.
            (local.set $xv (v128.load32_zero (local.get $xp)))
            (local.set $xv (v128.load32_lane 1 (local.tee $a (i32.add (local.get $xp) (local.get $rowBytes))) (local.get $xv)))
            (local.set $xv (v128.load32_lane 2 (local.tee $a (i32.add (local.get $a) (local.get $rowBytes))) (local.get $xv)))
            (local.set $xv (v128.load32_lane 3 (i32.add (local.get $a) (local.get $rowBytes)) (local.get $xv)))
            ;; Order-preserving keys, clamped to the grid; the cell; NaN to cell 0 (whose rank and thresholds leave it at rank 0).
            (local.set $k (v128.xor (local.get $xv) (i32x4.shr_u (i32x4.shr_s (local.get $xv) (i32.const 31)) (i32.const 1))))
            (local.set $k (i32x4.min_s (i32x4.max_s (local.get $k) (local.get $klo)) (local.get $khi)))
            (local.set $cell (v128.and (i32x4.shr_u (i32x4.sub (local.get $k) (local.get $klo)) (local.get $shift)) (f32x4.eq (local.get $xv) (local.get $xv))))
            (local.set $cell (i32x4.add (local.get $cells) ${wide ? '(i32x4.shl (local.get $cell) (i32.const 1))' : '(local.get $cell)'}))
            ${lanes}
            ;; The rank's plane, at these rows' bytes.
            (local.set $addr (i32x4.add (i32x4.shl ${rank} (i32.const 4))
              (i32x4.add (i32x4.splat (i32.add (local.get $pb) (i32.and (local.get $r) (i32.const 15)))) (v128.const i32x4 0 1 2 3))))
            (local.set $bit (i32.shl (i32.const 1) (i32.shr_u (local.get $r) (i32.const 4))))
            ${sets}
            (local.set $xp (i32.add (local.get $xp) (i32.shl (local.get $rowBytes) (i32.const 2))))
            (local.set $r (i32.add (local.get $r) (i32.const 4)))
            (br $row)))`;
}

/** `ranks -> planes` for the rows of one group: x (row-major float32, rowBytes apart), the slot table, the planes to clear (bytes). */
function planesFunc(): string {
  const f = (field: keyof typeof SLOT) => `(i32.load offset=${SLOT[field]} (local.get $rec))`;
  // Binary search: a ladder of halving steps entered at the slot's first step.
  let ladder = `(br_table ${Array.from({ length: MAX_STEPS + 1 }, (_, i) => `$e${MAX_STEPS - i}`).join(' ')} (local.get $skip))`;
  for (let e = MAX_STEPS; e >= 1; e--) {
    const step = 1 << (e - 1);
    ladder = `(block $e${e} ${ladder})
            (local.set $b (i32.add (local.get $b) (select (i32.const ${4 * step}) (i32.const 0)
              (f32.lt (f32.load offset=${4 * (step - 1)} (i32.add (local.get $keys) (local.get $b))) (local.get $v)))))`;
  }
  return `
  (func (export "planes") (param $x i32) (param $rows i32) (param $rowBytes i32) (param $slots i32) (param $slotTable i32) (param $clear i32) (param $clearBytes i32)
    (local $rec i32) (local $end i32) (local $r i32) (local $xp i32) (local $keys i32) (local $pb i32) (local $bit i32) (local $a i32) (local $lo i32) (local $ka i32)
    (local $shift i32) (local $skip i32) (local $b i32) (local $v f32) (local $p i32) (local $mode i32)
    (local $xv v128) (local $k v128) (local $klo v128) (local $khi v128) (local $cells v128) (local $cell v128) (local $lov v128) (local $t0 v128) (local $t1 v128) (local $addr v128) (local $acc v128)
    (memory.fill (local.get $clear) (i32.const 0) (local.get $clearBytes))
    (local.set $rec (local.get $slotTable))
    (local.set $end (i32.add (local.get $slotTable) (i32.mul (local.get $slots) (i32.const ${SLOT_BYTES}))))
    (block $slotsDone (loop $slot
      (br_if $slotsDone (i32.ge_u (local.get $rec) (local.get $end)))
      (local.set $xp (i32.add (local.get $x) ${f('featOff')}))
      (local.set $keys ${f('keys')})
      (local.set $pb ${f('planes')})
      (local.set $shift ${f('shift')})
      (local.set $mode ${f('mode')})
      (local.set $r (i32.const 0))
      (local.set $klo (i32x4.splat ${f('klo')}))
      (local.set $khi (i32x4.splat ${f('khi')}))
      (local.set $cells (i32x4.splat ${f('cells')}))
      (block $search
        (block $grid4
          (block $grid3
            (block $grid2
              (block $grid1
                (br_table $search $grid1 $grid2 $grid3 $grid4 $search (local.get $mode)))
              ${gridRows(1, false)}
              (br $search))
            ${gridRows(2, false)}
            (br $search))
          ${gridRows(1, true)}
          (br $search))
        ${gridRows(2, true)})
      (if (i32.eqz (local.get $mode)) (then
          (local.set $skip (i32.sub (i32.const ${MAX_STEPS}) (local.get $shift)))
          (block $rowsDone (loop $row
            (br_if $rowsDone (i32.ge_u (local.get $r) (local.get $rows)))
            (local.set $v (f32.load (local.get $xp)))
            (local.set $b (i32.const 0))
            (block $e0 ${ladder})
            ;; b is 4 x rank: the rank's plane is 4 b further.
            (local.set $a (i32.add (i32.add (local.get $pb) (i32.shl (local.get $b) (i32.const 2))) (i32.and (local.get $r) (i32.const 15))))
            (i32.store8 (local.get $a) (i32.or (i32.load8_u (local.get $a)) (i32.shl (i32.const 1) (i32.shr_u (local.get $r) (i32.const 4)))))
            (local.set $xp (i32.add (local.get $xp) (local.get $rowBytes)))
            (local.set $r (i32.add (local.get $r) (i32.const 1)))
            (br $row)))))
      ;; Suffix OR: plane v becomes the rows of rank v or more, two planes a step (plane 0, all rows, may be done too: no split reads it).
      (local.set $p (i32.add (local.get $pb) (i32.shl ${f('count')} (i32.const 4))))
      (local.set $acc (v128.load (local.get $p)))
      (block $orDone (loop $or
        (br_if $orDone (i32.le_u (local.get $p) (i32.add (local.get $pb) (i32.const 16))))
        (local.set $p (i32.sub (local.get $p) (i32.const 32)))
        (v128.store offset=16 (local.get $p) (local.tee $acc (v128.or (v128.load offset=16 (local.get $p)) (local.get $acc))))
        (v128.store (local.get $p) (local.tee $acc (v128.or (v128.load (local.get $p)) (local.get $acc))))
        (br $or)))
      (local.set $rec (i32.add (local.get $rec) (i32.const ${SLOT_BYTES})))
      (br $slot)))
  )`;
}

/** Code that sets $p0..$p{d-1} to the planes of the rows' path bits in a complete tree of depth d whose split planes' addresses are at $np. */
function descend(d: number): string {
  const split = (j: number): string => `(v128.load (i32.load offset=${4 * j} (local.get $np)))`;
  // The outcome at a level of each row's path: nodes first..first + count - 1 of that
  // level, chosen by the path's bits from the root down.
  const pick = (first: number, count: number, bit: number): string =>
    count === 1 ? split(first) : `(v128.bitselect ${pick(first + count / 2, count / 2, bit + 1)} ${pick(first, count / 2, bit + 1)} (local.get $p${bit}))`;
  const lines: string[] = [];
  for (let level = 0; level < d; level++) lines.push(`(local.set $p${level} ${pick((1 << level) - 1, 1 << level, 0)})`);
  return lines.join('\n');
}

/**
 * The 8 x 8 bit transpose of each byte lane (Hacker's Delight, 7-3, three rounds of delta
 * swaps): plane i holds bit i of each row's leaf index (row r at bit r >> 4 of byte r & 15);
 * afterwards $q{c} holds the leaf indexes of rows 16c..16c+15 as bytes. Planes of levels
 * below the tree's depth are zero, and swaps of two zeros are skipped.
 */
function transpose(d: number): string {
  const zero = Array.from({ length: 8 }, (_, i) => i >= d);
  const lines: string[] = [];
  // Bit i of the index is the path bit of level d - 1 - i.
  for (let i = 0; i < 8; i++) lines.push(zero[i] ? `(local.set $q${i} (v128.const i64x2 0 0))` : `(local.set $q${i} (local.get $p${d - 1 - i}))`);
  for (const [s, mask] of [[1, '0x55'], [2, '0x33'], [4, '0x0f']] as const) {
    for (let a = 0; a < 8; a++) {
      if (a & s) continue;
      const b = a + s;
      if (zero[a] && zero[b]) continue;
      // t = ((a >> s) ^ b) & mask; b ^= t; a ^= t << s. Shifts in 64-bit lanes: the mask drops the bits that cross a byte.
      lines.push(`(local.set $tv (v128.and (v128.xor (i64x2.shr_u (local.get $q${a}) (i32.const ${s})) (local.get $q${b})) (v128.const i8x16 ${Array(16).fill(mask).join(' ')})))`);
      lines.push(`(local.set $q${b} (v128.xor (local.get $q${b}) (local.get $tv)))`);
      lines.push(`(local.set $q${a} (v128.xor (local.get $q${a}) (i64x2.shl (local.get $tv) (i32.const ${s}))))`);
      zero[a] = zero[b] = false;
    }
  }
  return lines.join('\n');
}

/** `trees(trees, depths, nodes, idx)`: each tree's leaf index of each row of the group, 128 bytes per tree at idx. */
function treesFunc(maxDepth: number): string {
  const locals = ['(local $t i32) (local $d i32) (local $np i32) (local $tv v128)'];
  for (let l = 0; l < Math.max(1, maxDepth); l++) locals.push(`(local $p${l} v128)`);
  for (let c = 0; c < 8; c++) locals.push(`(local $q${c} v128)`);
  let dispatch = `(br_table ${Array.from({ length: maxDepth + 1 }, (_, k) => `$d${k}`).join(' ')} $d${maxDepth} (local.get $d))`;
  for (let k = 0; k <= maxDepth; k++) {
    dispatch = `(block $d${k} ${dispatch})
      ${descend(k)}
      ${transpose(k)}
      (br $tree)`;
  }
  return `
  (func (export "trees") (param $trees i32) (param $depths i32) (param $nodes i32) (param $idx i32)
    ${locals.join(' ')}
    (local.set $np (local.get $nodes))
    (local.set $t (i32.const 0))
    (block $treesDone (loop $loop
      (br_if $treesDone (i32.ge_u (local.get $t) (local.get $trees)))
      (local.set $d (i32.load8_u (i32.add (local.get $depths) (local.get $t))))
      (block $tree
        ${dispatch})
      ${Array.from({ length: 8 }, (_, c) => `(v128.store offset=${16 * c} (local.get $idx) (local.get $q${c}))`).join(' ')}
      (local.set $idx (i32.add (local.get $idx) (i32.const ${GROUP})))
      (local.set $np (i32.add (local.get $np) (i32.shl (i32.sub (i32.shl (i32.const 1) (local.get $d)) (i32.const 1)) (i32.const 2))))
      (local.set $t (i32.add (local.get $t) (i32.const 1)))
      (br $loop)))
  )`;
}

/**
 * `accumulate(chunks, trees, leafAt, idx, base, out)`: for each chunk of 16 rows, base plus
 * the leaf values (float64 at the address leafAt + 4t gives, indexed by the row's byte in
 * idx + 128 t + 16 c) of trees 0..trees-1, in that order, into out (float64, 16 per chunk).
 */
function accumulateFunc(): string {
  const pairs = Array.from({ length: 8 }, (_, i) => {
    const half = i < 4 ? '$lo' : '$hi';
    const l0 = (2 * i) % 8, l1 = l0 + 1;
    return `(local.set $a${i} (f64x2.add (local.get $a${i}) (v128.load64_lane 1 (i32.add (local.get $lp) (i16x8.extract_lane_u ${l1} (local.get ${half})))
          (v128.load64_zero (i32.add (local.get $lp) (i16x8.extract_lane_u ${l0} (local.get ${half})))))))`;
  });
  return `
  (func (export "accumulate") (param $chunks i32) (param $trees i32) (param $leafAt i32) (param $idx i32) (param $base f64) (param $out i32)
    (local $c i32) (local $t i32) (local $ip i32) (local $la i32) (local $lp i32) (local $v v128) (local $lo v128) (local $hi v128)
    ${Array.from({ length: 8 }, (_, i) => `(local $a${i} v128)`).join(' ')}
    (local.set $c (i32.const 0))
    (block $chunksDone (loop $chunk
      (br_if $chunksDone (i32.ge_u (local.get $c) (local.get $chunks)))
      ${Array.from({ length: 8 }, (_, i) => `(local.set $a${i} (f64x2.splat (local.get $base)))`).join(' ')}
      (local.set $ip (i32.add (local.get $idx) (i32.shl (local.get $c) (i32.const 4))))
      (local.set $la (local.get $leafAt))
      (local.set $t (i32.const 0))
      (block $treesDone (loop $tree
        (br_if $treesDone (i32.ge_u (local.get $t) (local.get $trees)))
        (local.set $v (v128.load (local.get $ip)))
        (local.set $lp (i32.load (local.get $la)))
        ;; Leaf offsets in bytes (index x 8), as two halves of eight 16-bit lanes.
        (local.set $lo (i16x8.shl (i16x8.extend_low_i8x16_u (local.get $v)) (i32.const 3)))
        (local.set $hi (i16x8.shl (i16x8.extend_high_i8x16_u (local.get $v)) (i32.const 3)))
        ${pairs.join('\n        ')}
        (local.set $ip (i32.add (local.get $ip) (i32.const ${GROUP})))
        (local.set $la (i32.add (local.get $la) (i32.const 4)))
        (local.set $t (i32.add (local.get $t) (i32.const 1)))
        (br $tree)))
      ${Array.from({ length: 8 }, (_, i) => `(v128.store offset=${16 * i} (local.get $out) (local.get $a${i}))`).join(' ')}
      (local.set $out (i32.add (local.get $out) (i32.const 128)))
      (local.set $c (i32.add (local.get $c) (i32.const 1)))
      (br $chunk)))
  )`;
}

/** The kernel's module text, for trees up to `maxDepth` deep. */
export function forestKernelWat(maxDepth: number): string {
  if (!(Number.isInteger(maxDepth) && maxDepth >= 0 && maxDepth <= KERNEL_MAX_DEPTH)) throw new RangeError(`forest kernel: depth must be 0..${KERNEL_MAX_DEPTH}, got ${maxDepth}`);
  return `(module
  (import "env" "memory" (memory 1))
  ${planesFunc()}
  ${treesFunc(maxDepth)}
  ${accumulateFunc()}
)`;
}
