export {
  DEFAULT_STATE, PLAYS, LISTENS, SKIPS, LIKES, COUNTER_SLOTS,
  type OnlineState, type StateView, type StateConfig, type SessionState, type SessionPlay, type CounterKind,
} from './state.js';
export { StateEngine, emptyListener, type TrackInfo, type StateEvent, type ListenerEntry } from './engine.js';
export { EmbeddedOnlineState, STATE_KEY } from './embedded.js';
export { TrackTable } from './catalog.js';
export { acceptEvents } from './accept.js';
export { openOnlineState, type OnlineStateOptions } from './open.js';
export { audioEmbedding, trackInfo, type Embedding } from './embedding.js';
export { RedisCluster, FOLD_BUCKETS } from './redis-cluster.js';
export { RedisOnlineState, FoldGap, connectRedis, redactRedis, type RedisStateOptions, type SeqEvent, type FoldMark } from './redis-state.js';
export { encodeListener, decodeListener, encodeSession, decodeSession } from './codec.js';
export { RedisCounters, type WindowCount } from './redis-counters.js';
export { checkState, rebuildState, type StateCheck } from './state-check.js';
