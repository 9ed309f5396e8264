/**
 * One measured import, run in its own process so that its peak RSS is its own:
 *   node dist/bench/child-import.js <format> <path> <store|-> [parse-only]
 * Prints one JSON line: { read, accepted, rejected, seconds, rate, maxRssMB }.
 * With `parse-only` it reads and validates the input without a store: the ceiling that
 * parsing alone allows (the baseline of the ingest benchmark).
 */
import { join } from 'node:path';
import { tmpdir } from 'node:os';
import { getFormat, runImport } from '../src/ingest/index.js';
import { openStore } from '../src/store/index.js';

const [format, path, storePath, mode] = process.argv.slice(2);
if (!format || !path || !storePath) {
  process.stderr.write('usage: child-import <format> <path> <store> [parse-only]\n');
  process.exit(2);
}
const f = getFormat(format);
const started = performance.now();
let result: { read: number; accepted: number; rejected: number };
if (mode === 'parse-only') {
  let read = 0, rejected = 0;
  const ctx = { source: f.defaultSource, options: {}, now: Date.now(), addTotal() {}, progress() {} };
  for await (const items of f.read(path, ctx)) {
    for (const it of items) {
      read++;
      if (it.error !== undefined) rejected++;
    }
  }
  result = { read, accepted: read - rejected, rejected };
} else {
  const store = await openStore(storePath);
  const s = await runImport({ store, format: f, path, rejectsFile: join(tmpdir(), `segue-bench-${process.pid}.rejects.ndjson`) });
  await store.close();
  result = s;
}
const seconds = (performance.now() - started) / 1000;
process.stdout.write(
  JSON.stringify({ ...result, seconds, rate: result.read / seconds, maxRssMB: process.resourceUsage().maxRSS / 1024 }) + '\n',
);
