import type { ImportFormat } from './types.js';
import { ImportError } from './errors.js';
import { ndjson } from './formats/ndjson.js';

export * from './types.js';
export * from './errors.js';
export { runImport, parseRejectRate, type ImportOptions, type ImportProgress } from './pipeline.js';
export { readLines } from './lines.js';

/** Every import format by its CLI name. */
export const FORMATS: ReadonlyMap<string, ImportFormat> = new Map(
  [ndjson].map((f) => [f.name, f]),
);

export function getFormat(name: string): ImportFormat {
  const f = FORMATS.get(name);
  if (!f) throw new ImportError(`unknown format ${JSON.stringify(name)}; formats: ${[...FORMATS.keys()].join(', ')}`);
  return f;
}
