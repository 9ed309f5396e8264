import { spawn, spawnSync, type SpawnSyncReturns } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';

/** The built CLI: `npm test` builds first; a test run without it says how to fix it. */
export const CLI = join(import.meta.dirname, '../../dist/src/cli/main.js');

export function requireBuild(): void {
  if (!existsSync(CLI)) throw new Error(`${CLI} is missing: run \`npm run build\` (npm test does it) before these tests`);
}

/** Run `segue ...args` to completion. */
export function segue(args: string[], opts: { cwd?: string; input?: string } = {}): SpawnSyncReturns<string> {
  requireBuild();
  return spawnSync(process.execPath, [CLI, ...args], { encoding: 'utf8', cwd: opts.cwd, input: opts.input, timeout: 120_000 });
}

/** Start `segue ...args` in the background. */
export function segueAsync(args: string[], cwd?: string) {
  requireBuild();
  return spawn(process.execPath, [CLI, ...args], { cwd, stdio: ['ignore', 'pipe', 'pipe'] });
}

/** The URL a started `segue serve` prints once it listens ("listening on http://..."); rejects if it exits first or takes over a minute. */
export function listeningUrl(proc: ReturnType<typeof segueAsync>, onOutput?: (text: string) => void): Promise<string> {
  return new Promise<string>((resolve, reject) => {
    let buf = '';
    const timer = setTimeout(() => reject(new Error(`serve did not start: ${buf}`)), 60_000);
    proc.stdout.on('data', (d: Buffer) => {
      buf += d.toString();
      onOutput?.(d.toString());
      const m = /listening on (http:\/\/\S+) /.exec(buf);
      if (m) {
        clearTimeout(timer);
        resolve(m[1]!);
      }
    });
    proc.on('exit', (code) => reject(new Error(`serve exited with ${code}: ${buf}`)));
  });
}
