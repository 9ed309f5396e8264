import type { SegueEvent } from '../domain/index.js';
import type { IngestResult, Store } from '../store/index.js';
import type { OnlineState } from './state.js';

/**
 * The real-time path of an event: write it to the store's log, then fold the log into the
 * online state and make it durable. The next recommendation for the listener reads the
 * updated state. The state folds the log from its cursor (these events and any others
 * written since), so that every event is applied once however it arrived, and a duplicate
 * or rejected record, which the log does not hold, is applied never.
 */
export async function acceptEvents(store: Store, state: OnlineState, events: SegueEvent[]): Promise<IngestResult> {
  const result = await store.ingest({ events });
  await state.catchUp();
  return result;
}
