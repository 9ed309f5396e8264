/**
 * Sessions or playlists as one flat array of item indexes: session s is
 * tokens[offsets[s] .. offsets[s + 1]), so offsets has one more entry than there are sessions.
 *
 * @example { tokens: Int32Array.of(3, 1, 4, 1, 5), offsets: Int32Array.of(0, 2, 5) } // [3 1] [4 1 5]
 */
export interface Item2vecCorpus {
  tokens: Int32Array;
  offsets: Int32Array;
}

/** Build a corpus from arrays of item indexes (for tests and small inputs). */
export function corpusFromSessions(sessions: ReadonlyArray<ArrayLike<number>>): Item2vecCorpus {
  const offsets = new Int32Array(sessions.length + 1);
  let n = 0;
  for (let s = 0; s < sessions.length; s++) {
    n += sessions[s]!.length;
    offsets[s + 1] = n;
  }
  const tokens = new Int32Array(n);
  for (let s = 0; s < sessions.length; s++) tokens.set(sessions[s]!, offsets[s]!);
  return { tokens, offsets };
}

/** Check a corpus against a vocabulary of `vocabSize` items; throws a RangeError naming the first problem. */
export function validateCorpus(corpus: Item2vecCorpus, vocabSize: number): void {
  const { tokens, offsets } = corpus;
  if (!(tokens instanceof Int32Array) || !(offsets instanceof Int32Array)) throw new TypeError('item2vec corpus: tokens and offsets must be Int32Arrays');
  if (!Number.isInteger(vocabSize) || vocabSize < 1) throw new RangeError(`item2vec corpus: vocabSize must be an integer >= 1, got ${vocabSize}`);
  if (offsets.length < 1 || offsets[0] !== 0) throw new RangeError(`item2vec corpus: offsets must start with 0, got ${offsets.length === 0 ? 'an empty array' : offsets[0]}`);
  for (let s = 0; s + 1 < offsets.length; s++) {
    if (offsets[s + 1]! < offsets[s]!) throw new RangeError(`item2vec corpus: offsets must not decrease, offsets[${s + 1}] = ${offsets[s + 1]} < offsets[${s}] = ${offsets[s]}`);
  }
  const end = offsets[offsets.length - 1]!;
  if (end !== tokens.length) throw new RangeError(`item2vec corpus: the last offset must equal tokens.length = ${tokens.length}, got ${end}`);
  for (let t = 0; t < tokens.length; t++) {
    const w = tokens[t]!;
    if (w < 0 || w >= vocabSize) throw new RangeError(`item2vec corpus: tokens[${t}] = ${w} is outside 0..${vocabSize - 1}`);
  }
}

/** How many times each item occurs in the corpus. */
export function countItems(corpus: Item2vecCorpus, vocabSize: number): Float64Array {
  const counts = new Float64Array(vocabSize);
  const tokens = corpus.tokens;
  for (let t = 0; t < tokens.length; t++) counts[tokens[t]!]!++;
  return counts;
}
