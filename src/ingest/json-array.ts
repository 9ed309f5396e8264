import Pick from 'stream-json/filters/Pick.js';
import StreamArray from 'stream-json/streamers/StreamArray.js';
import { BATCH } from './batch.js';
import { FileInput } from './files.js';

/** An element of the array (0-based index), or what ended it early at `index`. */
export type ArrayElement = { index: number; value: unknown; error?: undefined } | { index: number; error: Error; value?: undefined };

export interface JsonArrayOptions {
  /** Stream the array at this top-level key of an object (`playlists` of an MPD slice) rather than a top-level array. */
  pick?: string;
  /** Called with the number of bytes read, for progress. */
  onBytes?: (n: number) => void;
  /** Elements per yielded array. */
  size?: number;
}

/**
 * The elements of a JSON array in a file, streamed with stream-json, in arrays of up to
 * `size`. When the file does not parse (truncated, corrupt), the elements before the damage
 * come first, then one `{ index, error }` at the index of the first element lost, and the
 * sequence ends. A file that cannot be read (permissions, I/O) throws ImportError instead:
 * that stops the import, where a bad file is one reject.
 *
 * Read through events rather than the stream's async iterator, which drops the elements
 * already parsed in the chunk that failed.
 *
 * @example
 * for await (const elements of jsonArrayElements('endsong_0.json', { onBytes: ctx.progress })) {
 *   for (const e of elements) if (e.error === undefined) use(e.index, e.value);
 * }
 */
export async function* jsonArrayElements(file: string, opts: JsonArrayOptions = {}): AsyncGenerator<ArrayElement[]> {
  const size = opts.size ?? BATCH;
  // With `pick`, two stages: the picker's errors reach the elements' stream through destroy.
  const picker = opts.pick === undefined ? undefined : Pick.withParser({ filter: opts.pick });
  const elements = picker === undefined ? StreamArray.withParser() : StreamArray.streamArray();
  if (picker !== undefined) {
    picker.on('error', (err: Error) => elements.destroy(err));
    picker.pipe(elements);
  }
  const head = picker ?? elements;
  let buffer: ArrayElement[] = [];
  let count = 0;
  let failure: Error | undefined;
  let done = false;
  let wake: (() => void) | undefined;
  const notify = (): void => {
    const w = wake;
    wake = undefined;
    w?.();
  };
  elements.on('data', (d: { key: number; value: unknown }) => {
    buffer.push({ index: d.key, value: d.value });
    count = d.key + 1;
    if (buffer.length >= size) elements.pause();
    notify();
  });
  const fail = (err: Error): void => {
    if (done) return; // the chain reports an inner stream's error twice
    failure = err;
    done = true;
    notify();
  };
  elements.on('error', fail);
  elements.on('end', () => {
    done = true;
    notify();
  });
  const input = new FileInput(file, head, opts.onBytes);
  try {
    for (;;) {
      if (buffer.length > 0) {
        const out = buffer;
        buffer = [];
        yield out;
        if (!done) elements.resume();
        continue;
      }
      if (done) break;
      await new Promise<void>((resolve) => (wake = resolve));
    }
    const readError = input.readError();
    if (readError !== undefined) throw readError;
    if (failure !== undefined) yield [{ index: count, error: failure }];
  } finally {
    input.close();
    picker?.destroy();
    elements.destroy();
  }
}
