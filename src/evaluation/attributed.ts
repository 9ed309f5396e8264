import type { StoredEvent, Store } from '../store/index.js';
import { ATTRIBUTION_GRACE_MS } from '../experiments/index.js';

/**
 * Each play of the window (and its grace: the session that was served goes on) attributed to
 * one of `exposures`: a `play_end` whose context.requestId names the exposure and whose
 * listener is the exposure's, passed with the exposure's index in the list.
 */
export async function forAttributedPlays(
  store: Store, exposures: ReadonlyArray<{ requestId: string; listenerId: string }>, since: number, until: number,
  each: (i: number, e: StoredEvent & { trackId: string }) => void,
): Promise<void> {
  const ix = new Map(exposures.map((x, i) => [x.requestId, i]));
  for await (const batch of store.events.scan({ types: ['play_end'], since, until: until + ATTRIBUTION_GRACE_MS })) {
    for (const e of batch) {
      const i = e.context?.requestId === undefined ? undefined : ix.get(e.context.requestId);
      if (i === undefined || e.trackId === undefined || e.listenerId !== exposures[i]!.listenerId) continue;
      each(i, e as StoredEvent & { trackId: string });
    }
  }
}
