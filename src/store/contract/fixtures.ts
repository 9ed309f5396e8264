import { describe, beforeEach, afterEach } from 'vitest';
import type { SegueEvent, Track } from '../../domain/index.js';

/** Opens a fresh, empty, isolated subject of a contract suite (a store, or one part of one). */
export type Opener<T> = () => Promise<T>;
/** Runs after each test, once the subject is closed (drop a database, remove a folder). */
export type Cleanup = () => Promise<void>;

/** A track with one artist, for contract tests. */
export function track(id: string, artist = 'a1', extra: Partial<Track> = {}): Track {
  return { id, title: `Title ${id}`, artists: [{ id: artist, name: `Artist ${artist}` }], durationMs: 200_000, ...extra };
}

export const T0 = Date.UTC(2024, 4, 1, 10);
export const MIN = 60_000;

/** A play_end event, for contract tests. */
export function play(eventId: string, listenerId: string, trackId: string, ts: number, extra: Partial<SegueEvent> = {}): SegueEvent {
  return { type: 'play_end', source: 'test', eventId, listenerId, trackId, ts, msPlayed: 200_000, endReason: 'trackdone', skipped: false, ...extra };
}

/** Every page of a paged scan, concatenated. */
export async function all<T>(it: AsyncIterable<T[]>): Promise<T[]> {
  const out: T[] = [];
  for await (const b of it) out.push(...b);
  return out;
}

/**
 * A contract suite: each test gets a fresh subject from `open`, closed (then `cleanup`)
 * after it. `body` declares the tests; `subject()` is the current test's subject.
 */
export function contractSuite<T extends { close(): Promise<void> }>(title: string, open: Opener<T>, cleanup: Cleanup | undefined, body: (subject: () => T) => void): void {
  describe(title, () => {
    let current: T | undefined;
    beforeEach(async () => {
      current = await open();
    });
    afterEach(async () => {
      await current?.close();
      current = undefined;
      await cleanup?.();
    });
    body(() => {
      if (current === undefined) throw new Error(`${title}: no subject outside a test`);
      return current;
    });
  });
}
