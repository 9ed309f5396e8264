import type { Store } from '../types.js';
import type { Cleanup, Opener } from './fixtures.js';
import { catalogContract } from './catalog.js';
import { eventLogContract } from './events.js';
import { listenerStateContract } from './listener-state.js';
import { exposureContract } from './exposures.js';
import { modelContract } from './models.js';
import { apiKeyContract } from './keys.js';
import { experimentContract } from './experiments.js';
import { policyContract } from './policies.js';

export { catalogContract, eventLogContract, listenerStateContract, exposureContract, modelContract, apiKeyContract, experimentContract, policyContract };
export { storeCopyContract } from './copy.js';
export { track, play, all, T0, MIN, type Opener, type Cleanup } from './fixtures.js';

/**
 * The storage contract, one suite per interface: a Store implementation runs them all
 * (`open` returns a fresh, empty, isolated store each time); an implementation of one
 * interface (a Redis listener state, say) runs just its own suite.
 */
export function storeContract(name: string, open: Opener<Store>, cleanup?: Cleanup): void {
  catalogContract(name, open, cleanup);
  eventLogContract(name, open, cleanup);
  listenerStateContract(name, open, cleanup);
  exposureContract(name, open, cleanup);
  modelContract(name, open, cleanup);
  apiKeyContract(name, open, cleanup);
  experimentContract(name, open, cleanup);
  policyContract(name, open, cleanup);
}
