import { cpus, totalmem, loadavg } from 'node:os';

/** One line naming the machine and its load, printed above every benchmark's figures. */
export function machineLine(): string {
  const c = cpus();
  return `machine: ${c.length} x ${c[0]?.model.trim() ?? 'cpu'}, ${(totalmem() / 2 ** 30).toFixed(0)} GiB, node ${process.version}, load ${loadavg().map((l) => l.toFixed(2)).join(' ')}`;
}
