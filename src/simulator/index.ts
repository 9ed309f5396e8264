export { DEFAULT_WORLD, DEFAULT_START_DATE, DEFAULT_SESSIONS, worldParams, type WorldParams, type SessionParams } from './params.js';
export { buildWorld, SESSION_KINDS, type World, type Listeners } from './world.js';
export { type Catalog } from './catalog.js';
export { PLAYLIST_KINDS } from './playlists.js';
export { ListenerState, LIKED, SAVED, IN_LIBRARY, BANNED } from './state.js';
export {
  respond, startSession, skipProbability, affinityLogit, flowCost, tasteMatch, behaviourParams,
  DEFAULT_BEHAVIOUR, CONTEXT_TYPES, END_CODES, Ctx, End, Responses,
  type BehaviourParams, type SessionContext, type ContextType,
} from './behaviour.js';
export { EventBuffer, START_CODES, Start, LIBRARY_CONTEXT, type EventBatch } from './events.js';
export { simulate, Simulation, type SimulateOptions, type SimStats } from './sessions.js';
export {
  trackId, artistId, albumId, listenerId, playlistId, eventId, SIM_SOURCE,
  artistRecord, trackRecord, listenerRecord, playlistRecord, catalogBatches, catalogNdjson,
  toEvent, toEvents, type CatalogBatch,
} from './records.js';
export { GENRES, COUNTRIES, LABELS, PODCAST_GENRE } from './vocabulary.js';
export { summarize, histogramQuantile, rankFrequency, rankFrequencySlope, topShare, type SimSummary } from './summary.js';
export { writeNdjson, writeToStore, type SinkOptions, type SinkProgress, type SinkResult } from './sinks.js';
export { eventsNdjson, toNdjson } from './ndjson.js';
