/**
 * Helpers of the cluster benchmark (bench/cluster.ts): child processes of `segue`, their CPU
 * time from /proc, and the services read through their own command-line clients (psql,
 * redis-cli), since only src/store/ and src/features/redis-*.ts may open the drivers.
 */
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

export const CLI = join(import.meta.dirname, '../src/cli/main.js');

export function arg(args: string[], name: string, def: string): string {
  const i = args.indexOf(name);
  return i >= 0 && args[i + 1] !== undefined ? args[i + 1]! : def;
}

export function num(args: string[], name: string, def: number): number {
  const v = Number(arg(args, name, String(def)));
  if (!(Number.isFinite(v) && v > 0)) throw new Error(`${name} must be a positive number, got ${JSON.stringify(arg(args, name, ''))}`);
  return v;
}

export const fmt = (n: number, digits = 0): string => n.toLocaleString('en-US', { minimumFractionDigits: digits, maximumFractionDigits: digits });
export const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/** Run `segue <args>` to completion; its stdout (stderr passed on). */
export function segue(args: string[]): string {
  return execFileSync(process.execPath, [CLI, ...args], { encoding: 'utf8', maxBuffer: 1 << 26, stdio: ['ignore', 'pipe', 'inherit'] });
}

export interface Proc { name: string; proc: ChildProcess; pid: number; url: string }

/**
 * Start `segue <args>` and resolve once `ready` (its group 1: a URL) shows in its output.
 * Its stderr lines are passed on with its name in front; a start that fails says why.
 */
export async function startSegue(name: string, args: string[], ready: RegExp, timeoutMs = 180_000): Promise<Proc> {
  const proc = spawn(process.execPath, [CLI, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
  let seen = '';
  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`${name} did not start within ${timeoutMs / 1000} s: ${seen.slice(-500)}`)), timeoutMs);
    const look = (d: Buffer, err: boolean): void => {
      const text = d.toString();
      seen = (seen + text).slice(-20_000);
      if (err) for (const line of text.split('\n')) if (line.trim() !== '' && !line.includes('\r')) process.stderr.write(`[${name}] ${line}\n`);
      const m = ready.exec(seen);
      if (m) {
        clearTimeout(timer);
        resolve(m[1]!);
      }
    };
    proc.stdout!.on('data', (d: Buffer) => look(d, false));
    proc.stderr!.on('data', (d: Buffer) => look(d, true));
    proc.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`${name} exited with ${code}: ${seen.slice(-500).trim()}`));
    });
  }).catch(async (err: unknown) => {
    await stop([{ name, proc, pid: proc.pid!, url: '' }]);
    throw err;
  });
  return { name, proc, pid: proc.pid!, url };
}

/** SIGTERM each (they finish in-flight work), then wait for every exit (SIGKILL after 30 s). */
export async function stop(procs: Proc[]): Promise<void> {
  const running = procs.filter((p) => p.proc.exitCode === null && p.proc.signalCode === null);
  await Promise.all(running.map(async (p) => {
    const exited = new Promise((r) => p.proc.once('exit', r));
    p.proc.kill('SIGTERM');
    const t = setTimeout(() => p.proc.kill('SIGKILL'), 30_000);
    await exited;
    clearTimeout(t);
  }));
}

const CLK_TCK = Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim()) || 100;

/** Fields of /proc/<pid>/stat after the command name (index 0 is field 3, the state). */
function statFields(pid: number): string[] | undefined {
  try {
    const s = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return s.slice(s.lastIndexOf(')') + 2).split(' ');
  } catch {
    return undefined;
  }
}

/**
 * CPU seconds (user + system) used so far by these processes; with `reaped`, also by their
 * children that exited (cutime + cstime): PostgreSQL's postmaster reaps the backends, so a
 * backend that ends between two readings still counts.
 */
export function cpuSeconds(pids: number[], reaped = false): number {
  let ticks = 0;
  for (const pid of pids) {
    const f = statFields(pid);
    if (f) ticks += Number(f[11]) + Number(f[12]) + (reaped ? Number(f[13]) + Number(f[14]) : 0);
  }
  return ticks / CLK_TCK;
}

/** CPU seconds of this process and of its children that exited (a client run with execFileSync). */
export function ownCpuSeconds(): number {
  return cpuSeconds([process.pid], true);
}

/** How many cores `fn` kept busy in the processes `server` (found again after it) and in this process with its children (the client). */
export async function cores<T>(server: () => number[], fn: () => T | Promise<T>): Promise<{ value: T; server: number; client: number }> {
  const t = performance.now(), s0 = cpuSeconds(server(), true), c0 = ownCpuSeconds();
  const value = await fn();
  const seconds = (performance.now() - t) / 1000;
  return { value, server: (cpuSeconds(server(), true) - s0) / seconds, client: (ownCpuSeconds() - c0) / seconds };
}

/** A process and its children (the forked processes of `segue serve --workers N`). */
export function withChildren(pid: number): number[] {
  const out = [pid];
  for (const d of readdirSync('/proc')) {
    if (!/^\d+$/.test(d)) continue;
    const f = statFields(Number(d));
    if (f && Number(f[1]) === pid) out.push(Number(d));
  }
  return out;
}

/** Processes whose command name is `comm` (redis-server, nats-server, postgres: the services' processes, for their CPU). */
export function pidsNamed(comm: string): number[] {
  const out: number[] = [];
  for (const d of readdirSync('/proc')) {
    if (!/^\d+$/.test(d)) continue;
    try {
      if (readFileSync(`/proc/${d}/comm`, 'utf8').trim() === comm) out.push(Number(d));
    } catch {
      // gone meanwhile
    }
  }
  return out;
}

/** Run one SQL statement with psql; its rows, fields split on '|'. */
export function psql(url: string, sql: string): string[][] {
  const out = execFileSync('psql', [url, '-X', '-A', '-t', '-q', '-v', 'ON_ERROR_STOP=1', '-c', sql], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
  return out.split('\n').filter((l) => l !== '').map((l) => l.split('|'));
}

/** A database URL on the same server with another database name. */
export function withDb(url: string, db: string): string {
  const u = new URL(url);
  u.pathname = `/${db}`;
  return u.toString();
}

/** Transactions committed and rows inserted in a database so far (pg_stat_database; read from the admin database). */
export function pgStats(admin: string, db: string): { xacts: number; inserted: number } {
  const [row] = psql(admin, `SELECT xact_commit, tup_inserted FROM pg_stat_database WHERE datname = '${db}'`);
  return { xacts: Number(row![0]), inserted: Number(row![1]) };
}

export interface RedisAt { host: string; port: number; db: number }

export function redisAt(url: string): RedisAt {
  const u = new URL(url);
  return { host: u.hostname, port: Number(u.port || 6379), db: Number(u.pathname.replace(/^\//, '') || 0) };
}

export function redisCli(r: RedisAt, ...cmd: string[]): string {
  return execFileSync('redis-cli', ['-h', r.host, '-p', String(r.port), '-n', String(r.db), ...cmd], { encoding: 'utf8', maxBuffer: 1 << 24 });
}

/** A section of INFO as numbers (`total_commands_processed`, `used_memory`, ...). */
export function redisInfo(r: RedisAt, section: string): Record<string, number> {
  const out: Record<string, number> = {};
  for (const line of redisCli(r, 'INFO', section).split('\n')) {
    const m = /^(\w+):(-?[\d.]+)\r?$/.exec(line);
    if (m) out[m[1]!] = Number(m[2]);
  }
  return out;
}

/** Redis traffic so far: commands processed, bytes in and out (everyone's: measure on a quiet server). */
export function redisTraffic(r: RedisAt): { commands: number; bytesIn: number; bytesOut: number } {
  const s = redisInfo(r, 'stats');
  return { commands: s.total_commands_processed!, bytesIn: s.total_net_input_bytes!, bytesOut: s.total_net_output_bytes! };
}

/** Calls of each command so far (INFO commandstats; a script's own commands included). */
export function redisCommandCalls(r: RedisAt): Record<string, number> {
  const out: Record<string, number> = {};
  for (const m of redisCli(r, 'INFO', 'commandstats').matchAll(/^cmdstat_([\w|]+):calls=(\d+)/gm)) out[m[1]!] = Number(m[2]);
  return out;
}

/** Delete every key under a prefix (SCAN, then DEL in groups), as an operator would with redis-cli. */
export function redisDeletePrefix(r: RedisAt, prefix: string): number {
  if (!/^[A-Za-z0-9_:-]+$/.test(prefix)) throw new Error(`refusing to delete Redis keys under ${JSON.stringify(prefix)}`);
  const cli = `redis-cli -h ${r.host} -p ${r.port} -n ${r.db}`;
  const out = execFileSync('sh', ['-c', `${cli} --scan --pattern '${prefix}*' | xargs -r -n 1000 ${cli} del`], { encoding: 'utf8', maxBuffer: 1 << 24 });
  return out.split('\n').filter(Boolean).reduce((n, l) => n + (Number(l.replace(/^\(integer\) /, '')) || 0), 0);
}

/** MemAvailable of /proc/meminfo, in bytes. */
export function memAvailable(): number {
  const m = /MemAvailable:\s+(\d+) kB/.exec(readFileSync('/proc/meminfo', 'utf8'));
  return m ? Number(m[1]) * 1024 : 0;
}

/** Prometheus text: the cumulative buckets (le -> count) and count of one histogram. */
export function histogram(text: string, name: string): { buckets: Map<string, number>; count: number } {
  const buckets = new Map<string, number>();
  let count = 0;
  for (const line of text.split('\n')) {
    const b = new RegExp(`^${name}_bucket\\{.*le="([^"]+)".*\\} ([\\d.e+-]+)$`).exec(line);
    if (b) buckets.set(b[1]!, (buckets.get(b[1]!) ?? 0) + Number(b[2]));
    const c = new RegExp(`^${name}_count(\\{.*\\})? ([\\d.e+-]+)$`).exec(line);
    if (c) count += Number(c[2]);
  }
  return { buckets, count };
}

/** The sum of histograms (of several workers). */
export function histSum(hs: Array<{ buckets: Map<string, number>; count: number }>): { buckets: Map<string, number>; count: number } {
  const buckets = new Map<string, number>();
  for (const h of hs) for (const [le, n] of h.buckets) buckets.set(le, (buckets.get(le) ?? 0) + n);
  return { buckets, count: hs.reduce((n, h) => n + h.count, 0) };
}

/** The sum of a gauge's samples whose labels contain `labels` (e.g. `stream="exposures"`). */
export function gaugeSum(text: string, name: string, labels: string): number {
  let sum = 0;
  for (const line of text.split('\n')) if (line.startsWith(`${name}{`) && line.includes(labels)) sum += Number(line.slice(line.lastIndexOf(' ') + 1));
  return sum;
}

/** After minus before: one run's own observations. */
export function histDiff(after: { buckets: Map<string, number>; count: number }, before: { buckets: Map<string, number>; count: number }): { buckets: Map<string, number>; count: number } {
  const buckets = new Map<string, number>();
  for (const [le, n] of after.buckets) buckets.set(le, n - (before.buckets.get(le) ?? 0));
  return { buckets, count: after.count - before.count };
}

/**
 * A quantile from cumulative buckets, as Prometheus' histogram_quantile does it: linear
 * within the bucket that holds it. Infinity when it falls in the +Inf bucket.
 */
export function quantile(h: { buckets: Map<string, number> }, q: number): number {
  const rows = [...h.buckets].map(([le, n]) => [le === '+Inf' ? Infinity : Number(le), n] as const).sort((a, b) => a[0] - b[0]);
  const total = rows[rows.length - 1]?.[1] ?? 0;
  if (total === 0) return NaN;
  const rank = q * total;
  let prevLe = 0, prevN = 0;
  for (const [le, n] of rows) {
    if (n >= rank) {
      if (le === Infinity) return Infinity;
      return n === prevN ? le : prevLe + ((le - prevLe) * (rank - prevN)) / (n - prevN);
    }
    prevLe = le;
    prevN = n;
  }
  return Infinity;
}
