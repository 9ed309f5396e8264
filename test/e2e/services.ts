import { spawn, execFileSync, type ChildProcess } from 'node:child_process';
import { chownSync, existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/**
 * Private instances of NATS, Redis and PostgreSQL for fault tests: each on a free loopback
 * port with a data folder of its own, so that a test may kill and restart them without
 * touching the machine's shared services (which other test files use at the same time).
 * Each is started the way the machine starts its own (the env notes' commands), on another port.
 */
export interface Service {
  url: string;
  /** Start it (again, on the same port and data). */
  start(): Promise<void>;
  /** Stop it: SIGKILL when `hard`, else a clean shutdown. */
  stop(hard?: boolean): Promise<void>;
  /** Stop it and remove its data. */
  destroy(): Promise<void>;
}

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const port = (s.address() as { port: number }).port;
      s.close(() => resolve(port));
    });
  });
}

async function until(what: string, ok: () => boolean | Promise<boolean>, ms = 20_000): Promise<void> {
  const end = Date.now() + ms;
  while (!(await ok())) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

async function portOpen(port: number): Promise<boolean> {
  const { connect } = await import('node:net');
  return new Promise((resolve) => {
    const c = connect(port, '127.0.0.1');
    c.once('connect', () => (c.destroy(), resolve(true)));
    c.once('error', () => resolve(false));
  });
}

/** A child-process service: `args` started on `port`, up when the port answers. */
function processService(name: string, bin: string, args: string[], port: number, url: string, dir: string): Service {
  let proc: ChildProcess | undefined;
  return {
    url,
    async start() {
      proc = spawn(bin, args, { stdio: 'ignore' });
      await until(`${name} on port ${port}`, () => portOpen(port));
    },
    async stop(hard = false) {
      const p = proc;
      if (p === undefined || p.exitCode !== null) return;
      const exited = new Promise((r) => p.once('exit', r));
      p.kill(hard ? 'SIGKILL' : 'SIGTERM');
      await exited;
      await until(`${name} to close port ${port}`, async () => !(await portOpen(port)));
    },
    async destroy() {
      await this.stop(true);
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** NATS with JetStream (file storage in a folder of its own). */
export async function privateNats(): Promise<Service> {
  const port = await freePort();
  const dir = mkdtempSync(join(tmpdir(), 'segue-nats-'));
  const s = processService('NATS', '/usr/sbin/nats-server', ['-a', '127.0.0.1', '-p', String(port), '-js', '-sd', dir], port, `nats://127.0.0.1:${port}`, dir);
  await s.start();
  return s;
}

/** Redis (nothing kept on disk, as the machine's). */
export async function privateRedis(): Promise<Service> {
  const port = await freePort();
  const dir = mkdtempSync(join(tmpdir(), 'segue-redis-'));
  const s = processService('Redis', 'redis-server', ['--bind', '127.0.0.1', '--port', String(port), '--save', '', '--appendonly', 'no', '--dir', dir], port, `redis://127.0.0.1:${port}/0`, dir);
  await s.start();
  return s;
}

function pgBin(tool: string): string {
  const versions = readdirSync('/usr/lib/postgresql').sort();
  return join('/usr/lib/postgresql', versions[versions.length - 1]!, 'bin', tool);
}

/** Run a PostgreSQL tool as the postgres user (initdb and pg_ctl refuse root). */
function asPostgres(tool: string, args: string[]): void {
  const root = process.getuid?.() === 0;
  execFileSync(root ? 'runuser' : pgBin(tool), root ? ['-u', 'postgres', '--', pgBin(tool), ...args] : args, { stdio: 'ignore' });
}

/** A PostgreSQL cluster of its own (initdb, trust auth), on a free port; url names its `postgres` database. */
export async function privatePostgres(): Promise<Service> {
  const port = await freePort();
  const dir = mkdtempSync(join(tmpdir(), 'segue-pg-'));
  const data = join(dir, 'data');
  if (process.getuid?.() === 0) chownSync(dir, Number(execFileSync('id', ['-u', 'postgres']).toString()), Number(execFileSync('id', ['-g', 'postgres']).toString()));
  asPostgres('initdb', ['-D', data, '-A', 'trust', '-U', 'postgres', '--no-sync']);
  const opts = `-p ${port} -k ${dir} -c listen_addresses=127.0.0.1 -c fsync=on`;
  const s: Service = {
    url: `postgres://postgres@127.0.0.1:${port}/postgres`,
    async start() {
      asPostgres('pg_ctl', ['-D', data, '-o', opts, '-l', join(dir, 'log'), '-w', 'start']);
      await until(`PostgreSQL on port ${port}`, () => portOpen(port));
    },
    async stop(hard = false) {
      if (!existsSync(join(data, 'postmaster.pid'))) return;
      asPostgres('pg_ctl', ['-D', data, '-m', hard ? 'immediate' : 'fast', '-w', 'stop']);
    },
    async destroy() {
      await this.stop(true).catch(() => undefined);
      rmSync(dir, { recursive: true, force: true });
    },
  };
  await s.start();
  return s;
}
