/**
 * Seeded randomness for everything in Segue that samples: the simulator, exploration in
 * sequencing, train/test splits. One generator type, explicit seeds, derived streams.
 *
 * The generator is sfc32 (Chris Doty-Humphrey's "Small Fast Chaotic" 32-bit generator from
 * PractRand): four 32-bit words of state, passes PractRand and BigCrush, period at least 2^32
 * (expected ~2^127), and runs on plain int32 arithmetic, which V8 keeps in registers.
 * Seeds are expanded into the state with splitmix32 (Steele, Lea & Flood, "Fast splittable
 * pseudorandom number generators", OOPSLA 2014), and per-entity streams come from hashing
 * (seed, ...parts) with the murmur3 finalizer, so that a listener's stream does not depend on
 * how many other listeners there are or in which order they are simulated.
 */

const TWO_32 = 4294967296;

/** The murmur3 32-bit finalizer: a bijective avalanche mix of one word. */
function fmix32(h: number): number {
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}

/** FNV-1a over the UTF-16 code units of a string, as a 32-bit word. */
function hashString(s: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < s.length; i++) h = Math.imul(h ^ s.charCodeAt(i), 0x01000193);
  return h >>> 0;
}

/**
 * A 32-bit seed derived from a seed and any number of parts (numbers or strings): the same
 * inputs always give the same seed, and any change to any part gives an unrelated one.
 *
 * @example deriveSeed(42, 'listener', 17) // a fixed 32-bit number
 */
export function deriveSeed(seed: number, ...parts: ReadonlyArray<number | string>): number {
  let h = fmix32((seed >>> 0) ^ 0x9e3779b9);
  for (const p of parts) {
    let w: number;
    if (typeof p === 'string') w = hashString(p);
    else if (Number.isInteger(p) && p >= -0x80000000 && p <= 0xffffffff) w = p >>> 0;
    else w = hashString(String(p)); // large or fractional numbers: hash their text form
    h = fmix32((Math.imul(h, 31) + w + 0x7f4a7c15) >>> 0);
  }
  return h;
}

/**
 * A seeded pseudo-random generator (sfc32). Not cryptographic.
 *
 * @example
 *   const rng = new Rng(42);
 *   rng.next();     // uniform in [0, 1)
 *   rng.int(6);     // 0..5
 *   rng.normal();   // standard normal
 */
export class Rng {
  private a = 0;
  private b = 0;
  private c = 0;
  private d = 0;
  /** A second normal deviate left over from the last Box-Muller pair (NaN when none). */
  private spare = NaN;

  constructor(seed: number) {
    this.reseed(seed);
  }

  /** Restart this generator at a seed: the same as `new Rng(seed)`, without an allocation. */
  reseed(seed: number): this {
    // splitmix32 fills the state, so that nearby seeds give unrelated streams.
    let s = seed >>> 0;
    const mix = (): number => {
      s = (s + 0x9e3779b9) | 0;
      let z = s;
      z = Math.imul(z ^ (z >>> 16), 0x21f0aaad);
      z = Math.imul(z ^ (z >>> 15), 0x735a2d97);
      return (z ^ (z >>> 15)) | 0;
    };
    this.a = mix();
    this.b = mix();
    this.c = mix();
    this.d = mix();
    this.spare = NaN;
    for (let i = 0; i < 12; i++) this.u32();
    return this;
  }

  /** The next raw 32-bit output, as an unsigned integer. */
  u32(): number {
    const t = (((this.a + this.b) | 0) + this.d) | 0;
    this.d = (this.d + 1) | 0;
    this.a = this.b ^ (this.b >>> 9);
    this.b = (this.c + (this.c << 3)) | 0;
    this.c = (this.c << 21) | (this.c >>> 11);
    this.c = (this.c + t) | 0;
    return t >>> 0;
  }

  /** Uniform in [0, 1), with 32 bits of resolution. */
  next(): number {
    return this.u32() / TWO_32;
  }

  /**
   * Uniform integer in [0, n). Uses the multiply-shift mapping; its bias is at most
   * n / 2^32, negligible for the sizes Segue samples from (n well under 2^24).
   */
  int(n: number): number {
    return Math.floor((this.u32() / TWO_32) * n);
  }

  /** Uniform in [lo, hi). */
  uniform(lo: number, hi: number): number {
    return lo + (hi - lo) * this.next();
  }

  /** True with probability p. */
  bernoulli(p: number): boolean {
    return this.next() < p;
  }

  /** Standard normal deviate (Box-Muller; the second deviate of each pair is kept for the next call). */
  normal(): number {
    if (!Number.isNaN(this.spare)) {
      const s = this.spare;
      this.spare = NaN;
      return s;
    }
    let u = this.next();
    while (u === 0) u = this.next();
    const r = Math.sqrt(-2 * Math.log(u));
    const theta = 2 * Math.PI * this.next();
    this.spare = r * Math.sin(theta);
    return r * Math.cos(theta);
  }

  /** exp(N(mu, sigma^2)). The mean is exp(mu + sigma^2 / 2). */
  lognormal(mu: number, sigma: number): number {
    return Math.exp(mu + sigma * this.normal());
  }

  /** Exponential with rate 1 (mean 1). */
  exponential(): number {
    return -Math.log(1 - this.next());
  }

  /** Standard Gumbel deviate: adding it to log-weights and taking the max samples a softmax. */
  gumbel(): number {
    let u = this.next();
    while (u === 0) u = this.next();
    return -Math.log(-Math.log(u));
  }

  /** Pareto with tail index alpha and minimum xm: P(X > x) = (xm / x)^alpha. */
  pareto(alpha: number, xm = 1): number {
    return xm / Math.pow(1 - this.next(), 1 / alpha);
  }

  /**
   * Gamma(shape, 1) deviate: Marsaglia & Tsang, "A simple method for generating gamma
   * variables" (ACM TOMS 2000); shape < 1 by the boost Gamma(a) = Gamma(a + 1) * U^(1/a).
   */
  gamma(shape: number): number {
    if (!(shape > 0)) throw new RangeError(`gamma: shape must be > 0, got ${shape}`);
    if (shape < 1) {
      let u = this.next();
      while (u === 0) u = this.next();
      return this.gamma(shape + 1) * Math.pow(u, 1 / shape);
    }
    const d = shape - 1 / 3;
    const c = 1 / Math.sqrt(9 * d);
    for (;;) {
      let x: number;
      let v: number;
      do {
        x = this.normal();
        v = 1 + c * x;
      } while (v <= 0);
      v = v * v * v;
      const u = this.next();
      if (u < 1 - 0.0331 * x * x * x * x) return d * v;
      if (Math.log(u) < 0.5 * x * x + d * (1 - v + Math.log(v))) return d * v;
    }
  }

  /** Beta(a, b) deviate, from two gammas. */
  beta(a: number, b: number): number {
    const x = this.gamma(a);
    return x / (x + this.gamma(b));
  }

  /**
   * Fill `out` with a Dirichlet(alpha) draw (normalized gammas) and return it. `alpha` and
   * `out` have the same length; small alphas (< 1) give sparse mixtures.
   *
   * @example rng.dirichlet(new Float64Array([0.3, 0.3, 0.3]), new Float64Array(3))
   */
  dirichlet<T extends Float32Array | Float64Array>(alpha: ArrayLike<number>, out: T): T {
    if (alpha.length !== out.length) throw new RangeError(`dirichlet: ${alpha.length} alphas but out has length ${out.length}`);
    let sum = 0;
    for (let i = 0; i < out.length; i++) {
      const g = this.gamma(alpha[i]!);
      out[i] = g;
      sum += g;
    }
    if (sum === 0) {
      // Every gamma underflowed (tiny alphas): all mass on one uniformly chosen component.
      out.fill(0);
      out[this.int(out.length)] = 1;
      return out;
    }
    for (let i = 0; i < out.length; i++) out[i]! /= sum;
    return out;
  }

  /**
   * Poisson(lambda) deviate: Knuth's product of uniforms for lambda < 30, else Hormann's
   * PTRS transformed rejection ("The transformed rejection method for generating Poisson
   * random variables", 1993).
   */
  poisson(lambda: number): number {
    if (!(lambda >= 0)) throw new RangeError(`poisson: lambda must be >= 0, got ${lambda}`);
    if (lambda < 30) {
      const limit = Math.exp(-lambda);
      let k = 0;
      let p = this.next();
      while (p > limit) {
        k++;
        p *= this.next();
      }
      return k;
    }
    const slam = Math.sqrt(lambda);
    const loglam = Math.log(lambda);
    const b = 0.931 + 2.53 * slam;
    const a = -0.059 + 0.02483 * b;
    const invalpha = 1.1239 + 1.1328 / (b - 3.4);
    const vr = 0.9277 - 3.6224 / (b - 2);
    for (;;) {
      const u = this.next() - 0.5;
      const v = this.next();
      const us = 0.5 - Math.abs(u);
      const k = Math.floor(((2 * a) / us + b) * u + lambda + 0.43);
      if (us >= 0.07 && v <= vr) return k;
      if (k < 0 || (us < 0.013 && v > us)) continue;
      if (Math.log(v) + Math.log(invalpha) - Math.log(a / (us * us) + b) <= -lambda + k * loglam - logFactorial(k)) return k;
    }
  }

  /** Shuffle the first `n` entries of `a` in place (Fisher-Yates). */
  shuffle<T extends { [i: number]: number; length: number }>(a: T, n = a.length): T {
    for (let i = n - 1; i > 0; i--) {
      const j = this.int(i + 1);
      const t = a[i]!;
      a[i] = a[j]!;
      a[j] = t;
    }
    return a;
  }
}

/**
 * A generator for one entity's stream: `derive(seed, 'listener', 17)` is the same stream
 * however many other listeners there are.
 *
 * @example const rng = derive(42, 'day', 3, 'listener', 17);
 */
export function derive(seed: number, ...parts: ReadonlyArray<number | string>): Rng {
  return new Rng(deriveSeed(seed, ...parts));
}

const LOG_FACT_TABLE = (() => {
  const t = new Float64Array(256);
  for (let i = 2; i < 256; i++) t[i] = t[i - 1]! + Math.log(i);
  return t;
})();

/** ln(k!), exact from a table below 256, else Stirling's series. */
export function logFactorial(k: number): number {
  if (k < 256) return LOG_FACT_TABLE[k]!;
  const x = k + 1;
  return (x - 0.5) * Math.log(x) - x + 0.5 * Math.log(2 * Math.PI) + 1 / (12 * x) - 1 / (360 * x * x * x);
}
