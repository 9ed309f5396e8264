/** Items per array a format yields: enough to amortize the generator, small enough to stream. */
export const BATCH = 1000;

/**
 * Collects the items a format reads into arrays of `size`, for it to yield. A plain class
 * rather than an async generator over single items: a format reads millions of lines, and
 * one awaited step per item would cost more than the parsing.
 *
 * @example
 * const batch = new Batcher<Parsed>();
 * for (const line of lines) if (batch.push(parse(line))) yield batch.take();
 * if (batch.length > 0) yield batch.take();
 */
export class Batcher<T> {
  private items: T[] = [];

  constructor(private readonly size = BATCH) {}

  /** Adds an item; true when the batch is full and should be taken. */
  push(item: T): boolean {
    this.items.push(item);
    return this.items.length >= this.size;
  }

  /** The items held so far (maybe none), leaving the batcher empty. */
  take(): T[] {
    const out = this.items;
    this.items = [];
    return out;
  }

  get length(): number {
    return this.items.length;
  }
}
