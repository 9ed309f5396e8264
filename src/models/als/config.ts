/**
 * Hyper-parameters of implicit-feedback ALS (Hu, Koren, Volinsky, ICDM 2008), with the
 * conjugate-gradient solver of Takacs, Pilaszy, Tikk (RecSys 2011). Names follow the
 * project's conventions (`dims`, `epochs`, `regularization`, `seed`).
 */
import { availableParallelism } from 'node:os';

export interface AlsConfig {
  /** Latent factors per listener and per track. Default 64. */
  dims: number;
  /** lambda, the L2 penalty on every factor vector. Default 0.01 (as benfred/implicit). */
  regularization: number;
  /** Confidence scale: c_ui = 1 + alpha * r_ui for a stored value r_ui. Default 1. */
  alpha: number;
  /** Full sweeps (listeners then tracks). Default 15 (as implicit). */
  epochs: number;
  /** Conjugate-gradient steps per row and half-sweep, warm-started. Default 3 (as implicit). */
  cgSteps: number;
  /** Seed of the initial factors. Default 42. */
  seed: number;
  /** Worker threads; 1 runs inline without workers. Default min(2, cores). */
  threads: number;
  /** Compute the training loss after every epoch (costs about one CG step). Default false. */
  calculateLoss: boolean;
  /**
   * 'simd': the WebAssembly SIMD kernel in float32 (kernel-wat.ts), used when dims is a
   * multiple of 4; 'js': the plain JavaScript reference in float64 accumulation. Default 'simd'.
   */
  kernel: 'simd' | 'js';
}

/** The defaults, documented on each field of {@link AlsConfig}. */
export function defaultAlsConfig(): AlsConfig {
  return {
    dims: 64,
    regularization: 0.01,
    alpha: 1,
    epochs: 15,
    cgSteps: 3,
    seed: 42,
    threads: Math.max(1, Math.min(2, availableParallelism())),
    calculateLoss: false,
    kernel: 'simd',
  };
}

/**
 * Fill in defaults and validate once, at the edge; the kernels trust the result.
 *
 * @example alsConfig({ dims: 32 }) // { dims: 32, regularization: 0.01, ... }
 */
export function alsConfig(opts: Partial<AlsConfig> = {}): AlsConfig {
  const c = { ...defaultAlsConfig() };
  for (const [k, v] of Object.entries(opts)) if (v !== undefined && k in c) (c as unknown as Record<string, unknown>)[k] = v;
  const int = (name: keyof AlsConfig, min: number) => {
    const v = c[name] as number;
    if (!Number.isInteger(v) || v < min) throw new RangeError(`als config: ${name} must be an integer >= ${min}, got ${v}`);
  };
  int('dims', 1);
  int('epochs', 0);
  int('cgSteps', 1);
  int('threads', 1);
  if (!Number.isInteger(c.seed)) throw new RangeError(`als config: seed must be an integer, got ${c.seed}`);
  if (!(Number.isFinite(c.regularization) && c.regularization >= 0)) {
    throw new RangeError(`als config: regularization must be a finite number >= 0, got ${c.regularization}`);
  }
  if (c.kernel !== 'simd' && c.kernel !== 'js') throw new RangeError(`als config: kernel must be 'simd' or 'js', got ${String(c.kernel)}`);
  if (!(Number.isFinite(c.alpha) && c.alpha >= 0)) throw new RangeError(`als config: alpha must be a finite number >= 0, got ${c.alpha}`);
  return c;
}
