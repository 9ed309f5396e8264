import type { InfoRecord, Parser } from 'csv-parse';
import { BATCH, Batcher } from './batch.js';
import { ImportError } from './errors.js';
import { FileInput } from './files.js';

/** A record as csv-parse gives it with `info: true, raw: true`, or what ended the file early. */
export type CsvItem<R> =
  | { record: R; raw: string; info: InfoRecord; error?: undefined }
  | { error: Error & { lines?: number }; record?: undefined };

/**
 * The records of a CSV file read through `parser` (a csv-parse Parser made with
 * `info: true, raw: true`), in arrays of up to `size`. A file that does not parse (an
 * unclosed quote, as in a truncated file) gives its records up to the damage, then one
 * `{ error }` (csv-parse's, with `lines` where it knows the line), and ends. A file that
 * cannot be read throws ImportError instead: that stops the import, where a bad file is
 * one reject.
 *
 * @example
 * const parser = parse({ info: true, raw: true, bom: true });
 * for await (const items of csvRecords<string[]>('tf_mini.csv', parser, { onBytes: ctx.progress })) { ... }
 */
export async function* csvRecords<R>(
  file: string,
  parser: Parser,
  opts: { onBytes?: (n: number) => void; size?: number } = {},
): AsyncGenerator<Array<CsvItem<R>>> {
  const input = new FileInput(file, parser, opts.onBytes);
  const batch = new Batcher<CsvItem<R>>(opts.size ?? BATCH);
  let failure: Error | undefined;
  try {
    for await (const r of parser as AsyncIterable<{ record: R; raw: string; info: InfoRecord }>) {
      if (batch.push(r)) yield batch.take();
    }
  } catch (err) {
    // An ImportError is the caller's, thrown from a parser callback (a header it refuses).
    if (err instanceof ImportError) throw err;
    const readError = input.readError();
    if (readError !== undefined) throw readError;
    failure = err as Error;
  } finally {
    input.close();
  }
  if (batch.length > 0) yield batch.take();
  if (failure !== undefined) yield [{ error: failure }];
}
