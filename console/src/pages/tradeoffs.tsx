import { useEffect, useMemo, useState } from 'preact/hooks';
import type { Job } from '../../../src/client/index.js';
import { SegueApiError } from '../api.js';
import { currentPolicy, useSession } from '../context.js';
import { PlotFigure, Plot } from '../plot.js';
import { Card, ErrorNote } from '../ui.js';
import { OBJECTIVES } from './sequence-view.js';

const AXES = { emergingShare: 'emerging-artist share of plays', listenThrough: 'listen-through (satisfaction)', minutes: 'minutes per session', weight: 'swept weight' } as const;
type Axis = keyof typeof AXES;

export function Tradeoffs() {
  const { client } = useSession();
  const [surface, setSurface] = useState<'radio' | 'autoplay'>('radio');
  const [objective, setObjective] = useState<string>('emergingArtists');
  const [range, setRange] = useState({ from: 0, to: 1, step: 0.25 });
  const [x, setX] = useState<Axis>('emergingShare');
  const [y, setY] = useState<Axis>('listenThrough');
  const [job, setJob] = useState<Job>();
  const [error, setError] = useState<unknown>();
  const running = job?.status === 'running';

  useEffect(() => {
    if (!running) return;
    // A 404 means the process no longer holds the job (it restarted, or another process of
    // --workers answered): stop asking, and say so, rather than poll for ever.
    const t = setInterval(() => void client.job(job!.id).then(setJob, (err: unknown) => {
      if (err instanceof SegueApiError && err.status === 404) setJob((j) => j && { ...j, status: 'failed', error: 'the server no longer knows this run (it restarted, or another of its processes answered); run it again' });
      else setError(err);
    }), 500);
    return () => clearInterval(t);
  }, [running, job?.id]);

  const run = async (e: Event) => {
    e.preventDefault();
    setError(undefined);
    const policy = currentPolicy.get(surface);
    try {
      setJob(await client.startTradeoff({ surface, objective: objective as 'emergingArtists', ...range, ...(policy && Object.keys(policy).length > 0 ? { policy } : { policy: {} }) }));
    } catch (err) {
      setError(err);
    }
  };
  const r = job?.result;
  const plot = useMemo<Plot.PlotOptions | undefined>(() => {
    if (!r) return undefined;
    const points = r.points.map((p) => ({ ...p, label: `${r.objective} ${p.weight}` }));
    const cur = r.current ? [{ ...r.current, label: 'current policy' }] : [];
    return {
      width: 720, height: 420, marginLeft: 56, grid: true, x: { label: AXES[x] }, y: { label: AXES[y] },
      color: { legend: true, domain: ['frontier', 'ranker sorted', 'current policy'], range: ['#1f5fbf', '#888', '#c0392b'] },
      marks: [
        Plot.line(points, { x, y, stroke: '#1f5fbf' }),
        Plot.dot(points, { x, y, fill: () => 'frontier', r: 4, tip: true, title: 'label' }),
        Plot.text(points, { x, y, text: (d: { weight: number }) => String(d.weight), dy: -10, fontSize: 10 }),
        ...(x !== 'weight' && y !== 'weight' ? [Plot.dot([r.baseline], { x, y, fill: () => 'ranker sorted', r: 5, symbol: 'square' })] : []),
        Plot.dot(cur, { x, y, stroke: () => 'current policy', r: 9, strokeWidth: 2.5, symbol: 'star', fill: () => 'current policy' }),
      ],
    };
  }, [r, x, y]);
  const axisSelect = (id: string, label: string, value: Axis, set: (a: Axis) => void) => (
    <>
      <label for={id}>{label}</label>
      <select id={id} value={value} onChange={(e) => set((e.target as HTMLSelectElement).value as Axis)}>
        {Object.entries(AXES).map(([k, v]) => <option key={k} value={k}>{v}</option>)}
      </select>
    </>
  );
  const num = (id: string, label: string, key: 'from' | 'to' | 'step') => (
    <>
      <label for={id}>{label}</label>
      <input id={id} type="number" min={0} max={100} step="any" value={range[key]} onInput={(e) => setRange({ ...range, [key]: Number((e.target as HTMLInputElement).value) })} />
    </>
  );
  return (
    <>
      <h1>Trade-offs</h1>
      <p class="muted">Traces the frontier of <code>segue tradeoff</code>: one weight is swept while a simulated population is served in the closed loop (its own small world: this changes nothing in the store). The playground's current policy is served too and marked.</p>
      <form class="controls" onSubmit={(e) => void run(e)}>
        <label for="t-surface">Surface</label>
        <select id="t-surface" value={surface} onChange={(e) => setSurface((e.target as HTMLSelectElement).value as 'radio')}><option>radio</option><option>autoplay</option></select>
        <label for="t-objective">Swept objective</label>
        <select id="t-objective" value={objective} onChange={(e) => setObjective((e.target as HTMLSelectElement).value)}>{OBJECTIVES.map((o) => <option key={o}>{o}</option>)}</select>
        {num('t-from', 'from', 'from')}{num('t-to', 'to', 'to')}{num('t-step', 'step', 'step')}
        <button type="submit" disabled={running}>{running ? 'Running…' : 'Run'}</button>
      </form>
      <ErrorNote error={error} />
      {job ? (
        <Card title="Run" id="run">
          <label for="t-progress">Progress: {job.message}</label>
          <progress id="t-progress" max={1} value={job.progress} data-testid="tradeoff-progress">{Math.round(job.progress * 100)}%</progress>
          <span> {Math.round(job.progress * 100)}%</span>
          {job.status === 'failed' ? <p class="error" role="alert">The run failed: {job.error}</p> : null}
        </Card>
      ) : null}
      {r && plot ? (
        <Card title="Frontier" id="frontier">
          <div class="controls">{axisSelect('t-x', 'x axis', x, setX)}{axisSelect('t-y', 'y axis', y, setY)}</div>
          <PlotFigure testId="plot-frontier" options={plot} label={`${AXES[y]} against ${AXES[x]} as ${r.objective} is swept`} caption={r.protocol} />
        </Card>
      ) : null}
    </>
  );
}
