import { checkRecord } from '../../domain/index.js';
import { readLines } from '../lines.js';
import { inputFiles, fileSize } from '../files.js';
import type { ImportFormat, Parsed } from '../types.js';
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
      for await (const { first, lines } of readLines(file, ctx.progress)) {
        const out: Parsed[] = [];
        for (let i = 0; i < lines.length; i++) {
          const raw = lines[i]!;
          const where = { file, line: first + i };
          if (raw.length === 0 || (raw.charCodeAt(0) <= 32 && raw.trim().length === 0)) continue;
          let value: unknown;
          try {
            value = JSON.parse(raw);
          } catch (err) {
            out.push({ where, error: `invalid JSON: ${(err as Error).message}`, raw });
            continue;
          }
          const r = checkRecord(value, ctx.source, ctx.now);
          out.push(r.ok ? { where, records: [r.record], raw } : { where, error: r.error, raw });
        }
        yield out;
      }
    }
  },
};
