import { useEffect, useMemo, useState } from 'preact/hooks';
import type { MetricsSummary } from '../../../src/client/index.js';
import { useSession } from '../context.js';
import { PlotFigure, Plot } from '../plot.js';
import { Card, ErrorNote, Loading, finite, fmt, useLoad, when } from '../ui.js';

/** Readings kept for the live plots: two minutes at one every two seconds. */
const KEEP = 60;
const EVERY_MS = 2_000;

interface Rate { t: Date; series: string; value: number }

const SERIES = ['all routes', 'events written', 'radio', 'autoplay', 'discovery', 'daily-mixes', 'release-radar', 'blend', 'mood', 'enhance', 'shuffle'];
const PALETTE = ['#4e79a7', '#59a14f', '#e15759', '#f28e2b', '#76b7b2', '#b07aa1', '#edc948', '#ff9da7', '#9c755f', '#bab0ac', '#1f5fbf'];
/** The series present, each in its own colour on every plot. */
function colors(data: Rate[]): Plot.ScaleOptions {
  const present = SERIES.filter((s) => data.some((d) => d.series === s));
  return { type: 'ordinal', domain: present, range: present.map((s) => PALETTE[SERIES.indexOf(s)]!), legend: present.length > 0 };
}

/** Rates between successive readings: events written/s, requests/s, and per surface requests/s and mean latency (ms). */
function rates(readings: MetricsSummary[]): { ingest: Rate[]; requests: Rate[]; latency: Rate[] } {
  const out = { ingest: [] as Rate[], requests: [] as Rate[], latency: [] as Rate[] };
  for (let i = 1; i < readings.length; i++) {
    const a = readings[i - 1]!, b = readings[i]!;
    const dt = (b.at - a.at) / 1000;
    if (!(dt > 0)) continue;
    const t = new Date(b.at);
    out.ingest.push({ t, series: 'events written', value: Math.max(0, b.events.written - a.events.written) / dt });
    out.requests.push({ t, series: 'all routes', value: Math.max(0, b.requests - a.requests) / dt });
    for (const [surface, s] of Object.entries(b.surfaces)) {
      const prev = a.surfaces[surface] ?? { count: 0, sum: 0 };
      const n = s.count - prev.count;
      out.requests.push({ t, series: surface, value: Math.max(0, n) / dt });
      if (n > 0) out.latency.push({ t, series: surface, value: (1000 * (s.sum - prev.sum)) / n });
    }
  }
  return out;
}

export function Overview() {
  const { client } = useSession();
  const overview = useLoad(() => client.overview(), []);
  const models = useLoad(() => client.models(), []);
  const [readings, setReadings] = useState<MetricsSummary[]>([]);
  const [liveError, setLiveError] = useState<unknown>();
  useEffect(() => {
    let live = true;
    const read = () => client.metricsSummary().then((m) => { if (live) { setReadings((r) => [...r, m].slice(-KEEP)); setLiveError(undefined); } }, (err: unknown) => live && setLiveError(err));
    void read();
    const timer = setInterval(() => void read(), EVERY_MS);
    return () => { live = false; clearInterval(timer); };
  }, []);
  const r = useMemo(() => rates(readings), [readings]);
  const small = (data: Rate[], y: string, title: string): Plot.PlotOptions => ({
    height: 160, width: 360, marginLeft: 48, x: { type: 'time', label: null }, y: { label: y, grid: true, domain: [0, Math.max(1, ...data.map((d) => d.value)) * 1.1], tickFormat: '~s' },
    // One colour per series on every plot: all routes, events, then the surfaces in a fixed order.
    color: colors(data), marks: [Plot.lineY(data, { x: 't', y: 'value', stroke: 'series', tip: true }), Plot.dot(data.slice(-1), { x: 't', y: 'value', fill: 'series' }), Plot.ruleY([0])],
    title,
  });
  const o = overview.data;
  return (
    <>
      <h1>Overview</h1>
      <ErrorNote error={overview.error} />
      {o ? (
        <section class="counts" aria-label="Counts">
          {Object.entries(o.counts).map(([k, v]) => <div class="count" key={k}><span class="n">{fmt(v)}</span> <span class="what">{k}</span></div>)}
          <div class="count"><span class="n">{o.ready ? 'ready' : 'not ready'}</span> <span class="what">{o.ready ? `models loaded ${when(o.loadedAt)}` : o.problem}</span></div>
        </section>
      ) : overview.loading ? <Loading what="counts" /> : null}

      <Card title="Live" id="live">
        <ErrorNote error={liveError} />
        {readings.length < 2 ? <p class="muted" aria-live="polite">Collecting readings (one every {EVERY_MS / 1000} s)…</p> : (
          <div class="plots">
            <PlotFigure testId="plot-ingest" label="Events written per second" options={small(r.ingest, 'events/s', 'Ingest')} caption="Ingest: events written per second" />
            <PlotFigure testId="plot-requests" label="Requests per second, all routes and per surface" options={small(r.requests, 'requests/s', 'Requests')} caption="Requests per second (all routes, and recommendations per surface)" />
            <PlotFigure testId="plot-latency" label="Mean recommendation latency per surface in milliseconds" options={small(r.latency, 'ms', 'Latency')} caption="Mean latency per surface (ms), answered requests" />
          </div>
        )}
      </Card>

      <Card title="Models" id="models">
        <ErrorNote error={models.error} />
        {models.data ? (
          <table>
            <thead><tr><th scope="col">model</th><th scope="col">version</th><th scope="col">serving</th><th scope="col">trained</th><th scope="col">training time</th><th scope="col">figures</th></tr></thead>
            <tbody>
              {latest(models.data.models).map((m) => {
                const info = (m.info ?? {}) as { trainedAt?: string; seconds?: number; report?: { seconds?: number; ranking?: { ranker?: number }; listen?: { ranker?: { AUC?: number } } } };
                // Figures that could not be estimated are null in the stored info (NaN): shown as –.
                const seconds = [info.seconds, info.report?.seconds].find(finite);
                const ndcg = info.report?.ranking?.ranker, auc = info.report?.listen?.ranker?.AUC;
                return (
                  <tr key={m.name}>
                    <th scope="row">{m.name}</th><td>{m.version}</td><td>{models.data!.serving[m.name] ?? '–'}</td>
                    <td>{info.trainedAt ? when(Date.parse(info.trainedAt)) : when(m.createdAt)}</td>
                    <td>{seconds === undefined ? '–' : `${seconds.toFixed(1)} s`}</td>
                    <td>{finite(ndcg) ? `NDCG@10 ${ndcg.toFixed(3)}, listen-through AUC ${finite(auc) ? auc.toFixed(3) : '–'}` : '–'}</td>
                  </tr>
                );
              })}
            </tbody>
          </table>
        ) : null}
        <p><a href="#/models">Evaluation figures and feature importance</a></p>
      </Card>

      <Card title="Running experiments" id="running">
        {o && o.experiments.length === 0 ? <p class="muted">None running. <a href="#/experiments">Experiments</a></p> : null}
        <ul>
          {o?.experiments.map((x) => <li key={x.name}><a href={`#/experiments/${encodeURIComponent(x.name)}`}>{x.name}</a>: {x.variants.join(' vs ')} on {x.surfaces.join(', ')}{x.startedAt ? `, since ${when(x.startedAt)}` : ''}</li>)}
        </ul>
      </Card>
    </>
  );
}

/** The newest version of each model. */
function latest<M extends { name: string; version: number }>(models: M[]): M[] {
  const by = new Map<string, M>();
  for (const m of models) if ((by.get(m.name)?.version ?? -1) < m.version) by.set(m.name, m);
  return [...by.values()].sort((a, b) => a.name.localeCompare(b.name));
}
