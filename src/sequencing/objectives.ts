import type { Policy } from './policy.js';
import type { SeqItem } from './types.js';
import { keyDistance as camelotDistance } from '../ranking/index.js';

export { camelotDistance };

/** Default share of new tracks that discovery pacing aims at, when the policy sets no target. */
const DEFAULT_PACE = 0.3;

/**
 * How well b follows a, in [0, 1]: tempo within a few percent (half and double time count
 * as the same), a compatible key on the Camelot wheel, close energy, the same genre. The
 * mean of the parts both tracks know; 0.5 when none is known.
 */
export function flow(a: SeqItem, b: SeqItem): number {
  let sum = 0, n = 0;
  if (a.tempo > 0 && b.tempo > 0) {
    const r = Math.abs(Math.log2(a.tempo) - Math.log2(b.tempo));
    const rel = Math.min(r, Math.abs(r - 1)); // log2 ratio, 0.03 is about 2%
    sum += Math.exp(-rel / 0.04);
    n++;
  }
  const kd = camelotDistance(a.key, a.mode, b.key, b.mode);
  if (!Number.isNaN(kd)) {
    sum += kd <= 1 ? 1 : kd === 2 ? 0.5 : 0;
    n++;
  }
  if (!Number.isNaN(a.energy) && !Number.isNaN(b.energy)) {
    sum += 1 - Math.min(1, Math.abs(a.energy - b.energy) / 0.5);
    n++;
  }
  if (a.genre !== undefined && b.genre !== undefined) {
    sum += a.genre === b.genre ? 1 : 0;
    n++;
  }
  return n > 0 ? sum / n : 0.5;
}

/** Weighted terms of the value of placing `it` after `prev` at position p, given counts so far. */
export interface Terms {
  satisfaction: number;
  flow: number;
  discovery: number;
  variety: number;
  emergingArtists: number;
  fairness: number;
  promoted: number;
  cost: number;
  /** Target multipliers (calibrated), by target. */
  'target:discoveryShare': number;
  'target:emergingArtistShare': number;
}

export interface PathStats {
  /** Tracks placed so far, and new ones among them. */
  placed: number;
  newOnes: number;
}

/** Items' numbers the hot loop reads, by item index. */
interface Columns {
  sat: Float64Array;
  tempoL2: Float64Array;
  /** Position on the circle of fifths of the relative major, -1 unknown. */
  cam: Int8Array;
  mode: Int8Array;
  energy: Float64Array;
  genre: Int32Array;
  artist: Int32Array;
  flags: Uint8Array;
  cost: Float64Array;
}
const NEW = 1, EMERGING = 2, PROMOTED = 4;
/** Rows of memoized flow terms (see Objectives.flowTerm). */
const FLOW_ROWS = 16;
const SCRATCH = new Float64Array(1);

export class Objectives {
  private cols: Columns | undefined;
  private readonly w: Required<Policy['objectives']>;
  private readonly pace: number;
  private readonly lambdaDisc: number;
  private readonly lambdaEm: number;
  constructor(policy: Policy) {
    const o = policy.objectives;
    this.w = {
      satisfaction: o.satisfaction ?? 0, flow: o.flow ?? 0, discovery: o.discovery ?? 0, variety: o.variety ?? 0,
      emergingArtists: o.emergingArtists ?? 0, fairness: o.fairness ?? 0, promoted: o.promoted ?? 0, cost: o.cost ?? 0,
    };
    this.pace = policy.targets?.discoveryShare ?? DEFAULT_PACE;
    this.lambdaDisc = policy.multipliers?.discoveryShare ?? 0;
    this.lambdaEm = policy.multipliers?.emergingArtistShare ?? 0;
  }

  /** Column copies of the items, for `valueAt`; `artist` numbers their artists (the rules' numbering). */
  prepare(items: readonly SeqItem[], artist: Int32Array): void {
    const n = items.length;
    const genres = new Map<string, number>();
    const genreId = (s: string | undefined): number => {
      if (s === undefined) return -1;
      let v = genres.get(s);
      if (v === undefined) genres.set(s, (v = genres.size));
      return v;
    };
    const c: Columns = {
      sat: new Float64Array(n), tempoL2: new Float64Array(n), cam: new Int8Array(n), mode: new Int8Array(n), energy: new Float64Array(n),
      genre: new Int32Array(n), artist, flags: new Uint8Array(n), cost: new Float64Array(n),
    };
    for (let i = 0; i < n; i++) {
      const it = items[i]!;
      c.sat[i] = it.satisfaction;
      c.tempoL2[i] = it.tempo > 0 ? Math.log2(it.tempo) : NaN;
      c.cam[i] = it.key >= 0 && it.mode >= 0 ? (((it.mode === 1 ? it.key : it.key + 3) % 12) * 7) % 12 : -1;
      c.mode[i] = it.mode;
      c.energy[i] = it.energy;
      c.genre[i] = genreId(it.genre);
      c.flags[i] = (it.isNew ? NEW : 0) | (it.emerging ? EMERGING : 0) | (it.promoted ? PROMOTED : 0);
      c.cost[i] = it.costTier / 3;
    }
    this.cols = c;
    this.rowPrev.fill(-1);
    this.rowValue = new Float64Array(FLOW_ROWS * n);
    this.rowKnown = new Uint8Array(FLOW_ROWS * n);
  }

  /** `value` of item i after item `prev` (-1: first) from the prepared columns. */
  valueAt(i: number, prev: number, placed: number, newOnes: number, sameArtist: number): number {
    this.valueInto(SCRATCH, 0, i, prev, placed, newOnes, sameArtist);
    return SCRATCH[0]!;
  }

  /**
   * The same value written to out[k]: the hot path of the solver (a double returned from a
   * call that is not inlined is boxed on the heap; one stored in a Float64Array is not).
   */
  valueInto(out: Float64Array, k: number, i: number, prev: number, placed: number, newOnes: number, sameArtist: number): void {
    const c = this.cols!, w = this.w;
    const f = c.flags[i]!;
    const isNew = (f & NEW) !== 0, emerging = (f & EMERGING) !== 0;
    const share = placed > 0 ? newOnes / placed : this.pace;
    let v = w.satisfaction * c.sat[i]! + w.emergingArtists * (emerging ? 1 : 0) + w.promoted * ((f & PROMOTED) !== 0 ? 1 : 0)
      - w.cost * c.cost[i]! - w.fairness * sameArtist + this.lambdaDisc * (isNew ? 1 : 0) + this.lambdaEm * (emerging ? 1 : 0);
    if (isNew) v += w.discovery * Math.min(2, Math.max(0, 1 + 2 * (this.pace - share)));
    if (prev >= 0) {
      if (w.flow !== 0) v += this.flowTerm(prev, i);
      v += w.variety * ((c.genre[prev] !== c.genre[i] ? 0.5 : 0) + (c.artist[prev] !== c.artist[i] ? 0.5 : 0));
    }
    out[k] = v;
  }

  // Flow terms memoized in a few rows, one per recent `prev`: a beam's partial sequences
  // mostly end in a few tracks and try the same options, so about three in four flow
  // evaluations of a radio page are repeats, and Math.exp is half of an evaluation.
  private rowPrev = new Int32Array(FLOW_ROWS).fill(-1);
  private rowValue = new Float64Array(0);
  private rowKnown = new Uint8Array(0);
  private row = 0;
  private nextRow = 0;

  /** The weighted flow from prev to i: the very same double whether computed or remembered. */
  private flowTerm(prev: number, i: number): number {
    const n = this.cols!.sat.length;
    if (this.rowPrev[this.row] !== prev) {
      let r = this.rowPrev.indexOf(prev);
      if (r < 0) {
        r = this.nextRow;
        this.nextRow = (r + 1) % FLOW_ROWS;
        this.rowPrev[r] = prev;
        this.rowKnown.fill(0, r * n, (r + 1) * n);
      }
      this.row = r;
    }
    const at = this.row * n + i;
    if (this.rowKnown[at] === 1) return this.rowValue[at]!;
    const term = this.flowOf(prev, i);
    this.rowValue[at] = term;
    this.rowKnown[at] = 1;
    return term;
  }

  private flowOf(prev: number, i: number): number {
    const c = this.cols!, w = this.w;
    let sum = 0, n = 0;
    const a = c.tempoL2[prev]!, b = c.tempoL2[i]!;
    if (a === a && b === b) {
      const r = Math.abs(a - b);
      sum += Math.exp(-Math.min(r, Math.abs(r - 1)) / 0.04);
      n++;
    }
    const pa = c.cam[prev]!, pb = c.cam[i]!;
    if (pa >= 0 && pb >= 0) {
      const d = Math.abs(pa - pb);
      const kd = Math.min(d, 12 - d) + (c.mode[prev] === c.mode[i] ? 0 : 1);
      sum += kd <= 1 ? 1 : kd === 2 ? 0.5 : 0;
      n++;
    }
    const ea = c.energy[prev]!, eb = c.energy[i]!;
    if (ea === ea && eb === eb) {
      sum += 1 - Math.min(1, Math.abs(ea - eb) / 0.5);
      n++;
    }
    const ga = c.genre[prev]!, gb = c.genre[i]!;
    if (ga >= 0 && gb >= 0) {
      sum += ga === gb ? 1 : 0;
      n++;
    }
    return w.flow * (n > 0 ? sum / n : 0.5);
  }

  /**
   * The most an item's value at any place can exceed its `base`: flow and variety at their
   * largest (each term is at most its weight), paced discovery at twice its base share (fairness
   * only subtracts). The solver stops a walk once no candidate left could reach the beam.
   */
  get headroom(): number {
    return this.w.flow + this.w.variety + this.w.discovery;
  }

  /** The part of an item's value that does not depend on its place (for ordering the branching). */
  base(it: SeqItem): number {
    const w = this.w;
    return w.satisfaction * it.satisfaction + w.emergingArtists * (it.emerging ? 1 : 0) + w.promoted * (it.promoted ? 1 : 0)
      - w.cost * (it.costTier / 3) + w.discovery * (it.isNew ? 1 : 0) + this.lambdaDisc * (it.isNew ? 1 : 0) + this.lambdaEm * (it.emerging ? 1 : 0);
  }

  /** The value of `it` at this place (after `sameArtist` tracks by its artist), and its terms when `terms` is given. */
  value(it: SeqItem, prev: SeqItem | undefined, s: PathStats, sameArtist: number, terms?: Terms): number {
    const w = this.w;
    const share = s.placed > 0 ? s.newOnes / s.placed : this.pace;
    // Discovery is paced: a new track is worth more while the share of new ones is below the pace.
    const discovery = it.isNew ? w.discovery * Math.min(2, Math.max(0, 1 + 2 * (this.pace - share))) : 0;
    const fl = prev ? w.flow * flow(prev, it) : 0;
    const variety = prev ? w.variety * ((prev.genre !== it.genre ? 0.5 : 0) + (prev.artistId !== it.artistId ? 0.5 : 0)) : 0;
    const fairness = -w.fairness * sameArtist;
    const sat = w.satisfaction * it.satisfaction;
    const em = w.emergingArtists * (it.emerging ? 1 : 0);
    const pr = w.promoted * (it.promoted ? 1 : 0);
    const cost = -w.cost * (it.costTier / 3);
    const td = this.lambdaDisc * (it.isNew ? 1 : 0);
    const te = this.lambdaEm * (it.emerging ? 1 : 0);
    if (terms) {
      terms.satisfaction = sat; terms.flow = fl; terms.discovery = discovery; terms.variety = variety; terms.emergingArtists = em;
      terms.fairness = fairness; terms.promoted = pr; terms.cost = cost; terms['target:discoveryShare'] = td; terms['target:emergingArtistShare'] = te;
    }
    return sat + fl + discovery + variety + em + fairness + pr + cost + td + te;
  }
}
