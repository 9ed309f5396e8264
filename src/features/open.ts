import type { Store } from '../store/index.js';
import { DEFAULT_STATE, type OnlineState, type StateConfig } from './state.js';
import { EmbeddedOnlineState } from './embedded.js';
import { RedisOnlineState, type RedisStateOptions } from './redis-state.js';
import type { TrackTable } from './catalog.js';
import { audioEmbedding, trackInfo } from './embedding.js';

export interface OnlineStateOptions {
  config?: StateConfig;
  /**
   * Embedded state only: a read-only replica (a second server process on the same store;
   * the first one owns and writes the stored state). See EmbeddedOnlineState.openReplica.
   */
  replica?: boolean;
  /**
   * The online state in Redis (`--state redis://…`): stateless nodes read it, workers fold
   * the bus into it. Absent: the embedded state.
   */
  redis?: { url: string } & RedisStateOptions;
  /** Hears of events folded while the state catches up with the log. */
  onProgress?: (eventsFolded: number) => void;
}

/**
 * The online state of a store as serving reads it, caught up with the log: session vectors
 * in the catalog's audio embedding (the one the ranker's features read): the embedded
 * implementation, or Redis with `redis`; the one place that chooses an implementation.
 *
 * @example
 *   const table = await TrackTable.load(store);
 *   const { state } = await openOnlineState(store, table);
 */
export async function openOnlineState(store: Store, table: TrackTable, opts: OnlineStateOptions = {}): Promise<{ state: OnlineState; folded: number }> {
  const info = trackInfo(table, audioEmbedding(table));
  const config = opts.config ?? DEFAULT_STATE;
  if (opts.redis !== undefined) {
    const { url, ...rest } = opts.redis;
    return { state: await RedisOnlineState.open(url, info, config, rest), folded: 0 };
  }
  const state = opts.replica ? await EmbeddedOnlineState.openReplica(store, info, config) : await EmbeddedOnlineState.open(store, info, config);
  const folded = await state.catchUp(opts.onProgress ? { onProgress: opts.onProgress } : {});
  return { state, folded };
}
