import type { SourceName } from '../ranking/index.js';
import { MAX_RETRIEVED, PolicyError, RETRIEVAL_SOURCES, type Policy } from '../sequencing/index.js';

const RETRIEVAL = new Set<string>(RETRIEVAL_SOURCES);

export interface RetrievalOptions {
  /**
   * Read the candidates leniently: true for a stored experiment variant's policy, which may
   * predate the retrieval rules (`parsePolicy` did not check them). Default false.
   */
  lenient?: boolean;
}

/**
 * How many candidates each retrieval source gives, from a policy's `candidates` (a source
 * listed twice gives the sum); `parsePolicy` has checked that a retrieving surface's policy
 * names one, and the total. A PolicyError (400, naming the field) when none of the named
 * sources is trained on this store (`trained`).
 *
 * A lenient policy (a stored experiment variant's, `{ lenient: true }`) is never refused:
 * naming no retrieval source or no trained one, it retrieves as the engine does by default
 * (undefined); asking for more than MAX_RETRIEVED, each source's share is scaled down to fit.
 *
 * @example
 *   retrieval(defaultPolicy('radio'), reco.sources) // { transitions: 100, sknn: 100, ... }
 *   retrieval(storedVariantPolicy, reco.sources, { lenient: true })
 */
export function retrieval(policy: Policy, trained?: ReadonlyMap<SourceName, unknown>, opts: RetrievalOptions = {}): Partial<Record<SourceName, number>> | undefined {
  const out: Partial<Record<SourceName, number>> = {};
  for (const c of policy.candidates) if (RETRIEVAL.has(c.source)) out[c.source as SourceName] = (out[c.source as SourceName] ?? 0) + c.k;
  const named = Object.keys(out) as SourceName[];
  const none = named.length === 0 || (trained !== undefined && !named.some((n) => trained.has(n)));
  if (opts.lenient === true) {
    if (none) return undefined;
    const total = named.reduce((a, n) => a + out[n]!, 0);
    if (total > MAX_RETRIEVED) for (const n of named) out[n] = Math.max(1, Math.floor((out[n]! * MAX_RETRIEVED) / total));
    return out;
  }
  if (none) {
    throw new PolicyError(`policy.candidates: no model of ${named.join(', ')} is trained on this store (trained: ${[...(trained?.keys() ?? [])].join(', ')}; \`segue train\`)`);
  }
  return out;
}
