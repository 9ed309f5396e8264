import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync } from 'node:fs';
import { dirname, join } from 'node:path';

const CLI = join(import.meta.dirname, '../src/cli/main.js');

/**
 * The demo world (`segue demo --no-serve`: simulated, trained, seeded) at `db`, built the
 * first time (about a minute); benchmarks that serve it share it.
 */
export function ensureDemoWorld(db: string, say: (msg: string) => void = console.log): void {
  if (existsSync(db)) return;
  mkdirSync(dirname(db), { recursive: true });
  say(`building the demo world into ${db} (segue demo --no-serve)...`);
  const r = spawnSync(process.execPath, [CLI, '--store', db, 'demo', '--no-serve'], { stdio: ['ignore', 'ignore', 'inherit'] });
  if (r.status !== 0) throw new Error(`segue demo failed (${r.status})`);
}
