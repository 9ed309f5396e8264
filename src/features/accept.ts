import type { SegueEvent } from '../domain/index.js';
import { WriteStatus, type IngestResult, type Store } from '../store/index.js';
import type { OnlineState } from './state.js';
import { EmbeddedOnlineState } from './embedded.js';

/**
 * The real-time path of an event: write it to the store's log, then fold what the store
 * accepted (new, not duplicate, not rejected) into the online state and make it durable.
 * The next recommendation for the listener reads the updated state. The embedded state
 * folds the log from its cursor (these events and any others written since), so that
 * every event is applied once however it arrived.
 */
export async function acceptEvents(store: Store, state: OnlineState, events: SegueEvent[]): Promise<IngestResult> {
  const result = await store.ingest({ events });
  if (state instanceof EmbeddedOnlineState) {
    await state.catchUp();
    return result;
  }
  const accepted = events.filter((_, i) => result.status.event[i] === WriteStatus.Written);
  if (accepted.length > 0) {
    await state.apply(accepted);
    await state.flush();
  }
  return result;
}
