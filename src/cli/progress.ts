import cliProgress from 'cli-progress';

export interface Bar {
  update(done: number, total: number, payload?: Record<string, string | number>): void;
  stop(): void;
}

/**
 * A progress bar on stderr when stderr is a terminal (and not --json); nothing otherwise,
 * so that logs and pipes stay clean.
 */
export function progressBar(label: string, enabled: boolean, unit = 'MB'): Bar {
  if (!enabled || !process.stderr.isTTY) return { update() {}, stop() {} };
  const bar = new cliProgress.SingleBar(
    { format: `${label} [{bar}] {percentage}% | {value}/{total} ${unit} | {info}`, stream: process.stderr, hideCursor: true, clearOnComplete: true },
    cliProgress.Presets.shades_classic,
  );
  let started = false;
  return {
    update(done, total, payload = {}) {
      if (!started) {
        bar.start(total, done, { info: '' });
        started = true;
      }
      bar.setTotal(total);
      bar.update(done, { info: Object.entries(payload).map(([k, v]) => `${k} ${v}`).join(' ') });
    },
    stop() {
      if (started) bar.stop();
    },
  };
}
