/**
 * Every candidate source, defined once, in this order (the order of the ranker's
 * `score_<source>` feature columns): the names `segue train --models` accepts, the models
 * `loadModel` (load.ts) reads and the `source` names a policy's candidates may use (with the
 * surfaces' own recipes, see sequencing/policy.ts). Each has one entry in sources.ts's table.
 *
 * Adding a source: write its model (its own file, and its `CandidateModel` class in
 * candidate.ts), add its name here and its entry to that table (the compiler holds the two
 * together); the entry's `defaults()` is its section of `segue train`'s config. Nothing else
 * spells the list. (The names live apart from the table because candidate.ts needs them and
 * the table needs candidate.ts: one file each way, no cycle.)
 *
 * @example SOURCE_NAMES.map((s) => `score_${s}`) // score_transitions, score_sknn, ...
 */
export const SOURCE_NAMES = ['transitions', 'sknn', 'item2vec', 'als', 'content', 'popularity'] as const;

/** A candidate source's name. */
export type SourceName = (typeof SOURCE_NAMES)[number];

/** Whether a string names a candidate source. */
export function isSourceName(name: string): name is SourceName {
  return SOURCE_NAMES.some((s) => s === name);
}
