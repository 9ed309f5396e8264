import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { mkdtempSync, rmSync, createWriteStream, writeFileSync } from 'node:fs';
import { once } from 'node:events';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { segue, segueAsync } from './cli.js';

const EVENTS = 150_000;
let dir = '';
let file = '';

/** Writes a catalog of 500 tracks and EVENTS play_end events over 300 listeners. */
async function writeInput(path: string): Promise<void> {
  const out = createWriteStream(path);
  for (let t = 0; t < 500; t++) out.write(JSON.stringify({ type: 'track', id: `t${t}`, title: `T${t}`, artists: [{ id: `a${t % 50}`, name: `A${t % 50}` }] }) + '\n');
  const t0 = Date.UTC(2024, 0, 1);
  for (let i = 0; i < EVENTS; i++) {
    // Listeners u0, u7, u14, ... get their plays newest first, and every 5th listener's plays
    // jump by hours now and then: late events and session cuts must survive a crash.
    const l = i % 300;
    const ts = l % 7 === 0 ? t0 + (EVENTS - i) * 1000 : t0 + i * 1000 + (l % 5 === 0 ? Math.floor(i / 1500) * 3_600_000 : 0);
    const line = JSON.stringify({ type: 'play_end', eventId: `e${i}`, listenerId: `u${l}`, ts, trackId: `t${(i * 31) % 500}`, msPlayed: 1000, endReason: i % 4 ? 'trackdone' : 'fwdbtn' });
    if (!out.write(line + '\n')) await once(out, 'drain');
  }
  out.end();
  await once(out, 'finish');
}

function countEvents(db: string): number {
  const d = new Database(db, { readonly: true, fileMustExist: true });
  try {
    return (d.prepare('SELECT count(*) AS n FROM events').get() as { n: number }).n;
  } catch {
    return 0; // schema not created yet
  } finally {
    d.close();
  }
}

describe('import crash safety', () => {
  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'segue-crash-'));
    file = join(dir, 'events.ndjson');
    await writeInput(file);
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('a child killed with SIGKILL mid-import leaves a consistent store, and a re-run completes it exactly', async () => {
    const db = join(dir, 'crash.db');
    const child = segueAsync(['import', 'ndjson', file, '--store', db, '--batch-size', '2000', '--rejects', join(dir, 'r.ndjson')]);
    const exited = once(child, 'exit');
    // Wait until some batches are committed, then kill without warning.
    let seen = 0;
    for (let i = 0; i < 600 && seen === 0; i++) {
      await new Promise((r) => setTimeout(r, 25));
      try {
        seen = countEvents(db);
      } catch {
        seen = 0;
      }
    }
    child.kill('SIGKILL');
    const [, signal] = await exited;
    expect(signal).toBe('SIGKILL'); // killed mid-import, not finished
    const partial = countEvents(db);
    expect(partial).toBeGreaterThan(0);
    expect(partial).toBeLessThan(EVENTS);

    const check = new Database(db);
    expect(check.pragma('integrity_check', { simple: true })).toBe('ok');
    check.close();

    const rerun = segue(['import', 'ndjson', file, '--store', db, '--json', '--rejects', join(dir, 'r.ndjson')]);
    expect(rerun.status, rerun.stderr).toBe(0);
    const summary = JSON.parse(rerun.stdout) as { read: number; accepted: number; duplicates: number; rejected: number };
    expect(summary.read).toBe(EVENTS + 500);
    expect(summary.rejected).toBe(0);
    // Events committed before the kill are duplicates now; the catalog was committed in the first batch.
    expect(summary.accepted).toBe(EVENTS - partial);
    expect(summary.duplicates).toBe(partial + 500);

    const d = new Database(db, { readonly: true });
    expect((d.prepare('SELECT count(*) AS n FROM events').get() as { n: number }).n).toBe(EVENTS);
    expect((d.prepare('SELECT count(DISTINCT event_id) AS n FROM events').get() as { n: number }).n).toBe(EVENTS);
    expect((d.prepare('SELECT count(*) AS n FROM events WHERE session_id IS NULL').get() as { n: number }).n).toBe(0);
    const sessions = (x: Database.Database) => x.prepare('SELECT event_id, session_id FROM events ORDER BY event_id').raw().all();
    // The same input imported in one go gives exactly the same sessions.
    const clean = join(dir, 'clean.db');
    expect(segue(['import', 'ndjson', file, '--store', clean, '--rejects', join(dir, 'r2.ndjson')]).status).toBe(0);
    const c = new Database(clean, { readonly: true });
    const got = sessions(d), want = sessions(c);
    expect(got.length).toBe(EVENTS);
    expect(got).toEqual(want);
    expect(new Set(want.map((r) => (r as string[])[1])).size).toBeGreaterThan(300); // the hour jumps cut sessions
    c.close();
    d.close();
  });

  it('several processes creating one new store at the same moment all succeed (migration runs once)', async () => {
    const small = join(dir, 'small.ndjson');
    writeFileSync(small, '{"type":"track","id":"t1","title":"x","artists":[]}\n');
    const db = join(dir, 'race.db');
    const kids = Array.from({ length: 4 }, (_, i) => segueAsync(['import', 'ndjson', small, '--store', db, '--rejects', join(dir, `race${i}.ndjson`)]));
    const codes = await Promise.all(kids.map(async (k) => {
      let err = '';
      k.stderr.on('data', (b: Buffer) => (err += b.toString()));
      const [code] = await once(k, 'exit');
      return { code, err };
    }));
    expect(codes).toEqual(codes.map(() => ({ code: 0, err: '' })));
  });

  it('the CLI reports bad usage in one line with a non-zero exit, and a stack only with --debug', () => {
    const missing = segue(['import', 'ndjson', join(dir, 'nope.ndjson'), '--store', join(dir, 'x.db')]);
    expect(missing.status).toBe(1);
    expect(missing.stderr.trim()).toMatch(/^segue: .*nope\.ndjson: no such file or folder$/);
    const unknown = segue(['import', 'xml', file, '--store', join(dir, 'x.db')]);
    expect(unknown.stderr.trim()).toMatch(/^segue: unknown format "xml"; formats: ndjson/);
    const badRate = segue(['import', 'ndjson', file, '--store', join(dir, 'x.db'), '--max-reject-rate', '2']);
    expect(badRate.stderr.trim()).toBe('segue: --max-reject-rate must be a number from 0 to 1, got "2"');
    const debug = segue(['import', 'ndjson', join(dir, 'nope.ndjson'), '--store', join(dir, 'x.db'), '--debug']);
    expect(debug.stderr).toMatch(/\n\s+at /);
    expect(missing.stderr).not.toMatch(/\n\s+at /);
  });

  it('fails with exit 3 above --max-reject-rate after importing the valid lines', () => {
    const bad = join(dir, 'half.ndjson');
    const lines = ['{"type":"track","id":"t1","title":"x","artists":[]}', '{"broken":', '{"type":"like","eventId":"l","listenerId":"u","ts":1714557600000,"trackId":"t1"}', 'nope'];
    writeFileSync(bad, lines.join('\n'));
    const r = segue(['import', 'ndjson', bad, '--store', join(dir, 'half.db'), '--json', '--max-reject-rate', '0.25', '--rejects', join(dir, 'half.rejects')]);
    expect(r.status).toBe(3);
    expect(JSON.parse(r.stdout)).toMatchObject({ read: 4, accepted: 2, rejected: 2 });
    expect(r.stderr).toMatch(/reject rate 0.5000 exceeds --max-reject-rate 0.25/);
  });
});
