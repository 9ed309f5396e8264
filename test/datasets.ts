import { existsSync } from 'node:fs';
import { join } from 'node:path';

/**
 * The real public datasets, in `../shared/datasets` beside the checkout (as on developers'
 * machines and in CI). Tests that use them skip with a message when the folder is absent.
 */
export const DATASETS = join(import.meta.dirname, '../../shared/datasets');
export const dataset = (name: string): string => join(DATASETS, name);

/** Whether a dataset path exists; says so on the console when it does not (the tests using it skip). */
export function present(path: string): boolean {
  const ok = existsSync(path);
  if (!ok) console.warn(`skipping tests on ${path}: absent (the real datasets live in ../shared/datasets beside the checkout)`);
  return ok;
}
