import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

/**
 * Debian's supysonic (a Python implementation of the Subsonic API, 0.7.2 in bookworm) as the
 * upstream of the Subsonic proxy's tests, with a library of audio files generated here by
 * sox and tagged with mutagen (python3-mutagen): no downloaded music.
 */
export const SUPYSONIC_CLI = '/usr/bin/supysonic-cli';
export const SOX = '/usr/bin/sox';
/** supysonic belongs to Debian's Python: the first python3 on PATH may be another one. */
export const PYTHON = '/usr/bin/python3';

/**
 * Whether the tests can run: under CI missing supysonic or sox is a failure, elsewhere the
 * tests skip and say what to install.
 */
export function supysonicOrSkip(): boolean {
  const missing = [SUPYSONIC_CLI, SOX, PYTHON].filter((p) => !existsSync(p));
  if (missing.length === 0 && spawnSync(PYTHON, ['-c', 'import mutagen, supysonic, werkzeug'], { encoding: 'utf8' }).status === 0) return true;
  const what = `${missing.length > 0 ? missing.join(', ') : 'python3-mutagen or supysonic in /usr/bin/python3'} missing: the Subsonic proxy's tests need Debian's supysonic, sox and python3-mutagen (apt-get install supysonic sox python3-mutagen; .ci/run does it)`;
  if (process.env['CI'] === 'true') throw new Error(what);
  console.warn(`skipping the Subsonic proxy's tests: ${what}`);
  return false;
}

import { freePort } from './services.js';
export { freePort };

export interface SongSpec {
  file: string;
  title: string;
  artist: string;
  album: string;
  genre: string;
  year: number;
  track: number;
  seconds: number;
  /** MusicBrainz recording, artist and release ids written into the tags. */
  mbid: { track: string; artist: string; album: string };
}

/**
 * A library of `artists` x `albums` x `tracks` songs over a few genres (each artist one
 * genre), each a distinct tone of 2 to 4 seconds, as tagged FLAC files under `dir`.
 */
export function makeLibrary(dir: string, shape: { artists: number; albums: number; tracks: number }): SongSpec[] {
  const genres = ['Jazz', 'Rock', 'Ambient', 'Folk'];
  const hex = (n: number, w: number): string => n.toString(16).padStart(w, '0');
  const uuid = (kind: number, n: number): string => `${hex(kind, 8)}-0000-4000-8000-${hex(n, 12)}`;
  const songs: SongSpec[] = [];
  for (let a = 0; a < shape.artists; a++) {
    for (let b = 0; b < shape.albums; b++) {
      for (let t = 0; t < shape.tracks; t++) {
        const n = songs.length;
        const folder = join(dir, `artist${a}`, `album${b}`);
        mkdirSync(folder, { recursive: true });
        songs.push({
          file: join(folder, `${String(t + 1).padStart(2, '0')}.flac`), title: `Song ${a}.${b}.${t}`, artist: `Artist ${a}`, album: `Album ${a}-${b}`,
          genre: genres[a % genres.length]!, year: 1990 + a * 3 + b, track: t + 1, seconds: 2 + (n % 3),
          mbid: { track: uuid(1, n), artist: uuid(2, a), album: uuid(3, a * 100 + b) },
        });
      }
    }
  }
  // sox: one process per file, a few at a time.
  const procs: Array<ReturnType<typeof spawnSync>> = [];
  for (const [i, s] of songs.entries()) {
    procs.push(spawnSync(SOX, ['-n', '-r', '8000', '-c', '1', '-b', '16', s.file, 'synth', String(s.seconds), 'sine', String(200 + 20 * i), 'vol', '0.3'], { encoding: 'utf8' }));
    if (procs[i]!.status !== 0) throw new Error(`sox failed for ${s.file}: ${String(procs[i]!.stderr)}`);
  }
  const tagger = `
import json, sys
from mutagen.flac import FLAC
for s in json.load(sys.stdin):
    f = FLAC(s['file'])
    f['title'] = s['title']; f['artist'] = s['artist']; f['album'] = s['album']; f['genre'] = s['genre']
    f['date'] = str(s['year']); f['tracknumber'] = str(s['track'])
    f['musicbrainz_trackid'] = s['mbid']['track']; f['musicbrainz_artistid'] = s['mbid']['artist']; f['musicbrainz_albumid'] = s['mbid']['album']
    f.save()
`;
  const r = spawnSync(PYTHON, ['-c', tagger], { input: JSON.stringify(songs), encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`tagging with mutagen failed: ${r.stderr}`);
  return songs;
}

export interface Supysonic {
  url: string;
  port: number;
  proc: ChildProcess;
  stop(): Promise<void>;
  /** Start it again on the same port (after `stop`). */
  restart(): Promise<void>;
}

/**
 * A supysonic with its own config, database and cache under `dir` (HOME too, so no config of
 * this machine's user is read), a user, the music folder scanned, and its API served by
 * werkzeug (Flask's own server) on a free loopback port.
 */
export async function startSupysonic(dir: string, music: string, users: Array<{ name: string; password: string; admin?: boolean }>): Promise<Supysonic> {
  mkdirSync(join(dir, 'cache'), { recursive: true });
  writeFileSync(join(dir, 'supysonic.conf'), [
    '[base]', `database_uri = sqlite:///${join(dir, 'supysonic.db')}`,
    '[webapp]', `cache_dir = ${join(dir, 'cache')}`, 'mount_webui = no', 'log_level = ERROR',
    '[daemon]', `socket = ${join(dir, 'daemon.sock')}`, 'run_watcher = no', '',
  ].join('\n'));
  const env = { ...process.env, HOME: dir };
  const cli = (...args: string[]): void => {
    const r = spawnSync(SUPYSONIC_CLI, args, { cwd: dir, env, encoding: 'utf8', timeout: 60_000 });
    if (r.status !== 0) throw new Error(`supysonic-cli ${args.join(' ')} failed: ${r.stderr}${r.stdout}`);
  };
  for (const u of users) {
    cli('user', 'add', u.name, '-p', u.password);
    if (u.admin) cli('user', 'setroles', '-A', u.name);
  }
  cli('folder', 'add', 'music', music);
  cli('folder', 'scan', '--foreground', 'music');
  const port = await freePort();
  const server = `
import sys
from werkzeug.serving import run_simple
from supysonic.web import create_application
run_simple('127.0.0.1', int(sys.argv[1]), create_application(), threaded=True)
`;
  let proc!: ChildProcess;
  const launch = async (): Promise<void> => {
    proc = spawn(PYTHON, ['-c', server, String(port)], { cwd: dir, env, stdio: ['ignore', 'ignore', 'pipe'] });
    let err = '';
    proc.stderr!.on('data', (d: Buffer) => (err += d.toString()));
    const deadline = Date.now() + 30_000;
    for (;;) {
      if (proc.exitCode !== null) throw new Error(`supysonic exited with ${proc.exitCode}: ${err}`);
      const ok = await fetch(`http://127.0.0.1:${port}/rest/ping.view?f=json`).then(() => true, () => false);
      if (ok) return;
      if (Date.now() > deadline) throw new Error(`supysonic did not answer within 30 s: ${err}`);
      await new Promise((r) => setTimeout(r, 100));
    }
  };
  await launch();
  const s: Supysonic = {
    url: `http://127.0.0.1:${port}`, port, get proc() { return proc; },
    stop: () => new Promise<void>((resolve) => {
      if (proc.exitCode !== null) return resolve();
      proc.once('exit', () => resolve());
      proc.kill('SIGTERM');
    }),
    restart: launch,
  };
  return s;
}
