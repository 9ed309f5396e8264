import { checkRecord } from '../../domain/index.js';
import { jsonLines } from '../lines.js';
import { inputFiles, fileSize } from '../files.js';
import type { ImportFormat } from '../types.js';
import { ImportError } from '../errors.js';

/**
 * Segue's own format: one JSON object per line, either a catalog entity
 * (`{"type":"track","id":"t1","title":"...","artists":[{"id":"a1","name":"..."}]}`, likewise
 * artist, listener, playlist) or an event (`{"type":"play_end","eventId":"e1","listenerId":"u1",
 * "ts":"2024-05-01T10:00:00Z","trackId":"t1","msPlayed":201000,"endReason":"trackdone"}`).
 * Blank lines are skipped. Catalog lines must come before the events that refer to them
 * (or be imported first from another file).
 */
export const ndjson: ImportFormat = {
  name: 'ndjson',
  description: "Segue's own NDJSON: catalog entities and events, one JSON object per line",
  defaultSource: 'ndjson',
  async *read(path, ctx) {
    const unknown = Object.keys(ctx.options);
    if (unknown.length > 0) throw new ImportError(`ndjson takes no --option, got ${unknown.map((k) => JSON.stringify(k)).join(', ')}`);
    const files = await inputFiles(path, /\.(nd)?jsonl?$/i, 'NDJSON files');
    for (const f of files) ctx.addTotal(await fileSize(f));
    for (const file of files) {
      yield* jsonLines(file, ctx.progress, (value, where, raw) => {
        const r = checkRecord(value, ctx.source, ctx.now);
        return r.ok ? { where, records: [r.record], raw } : { where, error: r.error, raw };
      });
    }
  },
};
