import type { Store } from '../store/index.js';

/**
 * The latest report of each `segue eval` task, kept in the store's versioned artifact registry
 * (the models table) under `eval:<task>`, so that a console or a later session reads what was
 * measured without running it again. They are not models: serving ignores these names.
 */
export const EVAL_REPORT_PREFIX = 'eval:';

/** Whether an artifact of the registry is an evaluation report (not a model to serve). */
export const isEvalReport = (name: string): boolean => name.startsWith(EVAL_REPORT_PREFIX);

/** Save a task's report as its newest version; returns the version. */
export async function saveEvalReport(store: Store, task: string, report: Record<string, unknown>): Promise<number> {
  const bytes = new TextEncoder().encode(JSON.stringify(report));
  const meta = await store.models.put(`${EVAL_REPORT_PREFIX}${task}`, bytes, { task, savedAt: new Date().toISOString() });
  return meta.version;
}

/** The newest report of every task evaluated so far. */
export async function latestEvalReports(store: Store): Promise<Array<{ task: string; version: number; createdAt: number; report: Record<string, unknown> }>> {
  const names = [...new Set((await store.models.list()).map((m) => m.name).filter(isEvalReport))].sort();
  const out = [];
  for (const name of names) {
    const got = await store.models.get(name);
    if (got) out.push({ task: name.slice(EVAL_REPORT_PREFIX.length), version: got.meta.version, createdAt: got.meta.createdAt, report: JSON.parse(new TextDecoder().decode(got.data)) as Record<string, unknown> });
  }
  return out;
}
