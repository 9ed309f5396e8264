import { useMemo } from 'preact/hooks';
import { useSession } from '../context.js';
import { PlotFigure, Plot } from '../plot.js';
import { Card, ErrorNote, Loading, finite, fmt, useLoad, when } from '../ui.js';

interface RankerReport { importance?: Array<{ feature: string; gain: number }>; listen?: { ranker?: { AUC: number; logLoss: number }; trackSkipRate?: { AUC: number } }; ranking?: { ranker: number; bySource: Record<string, number> } }

export function Models() {
  const { client } = useSession();
  const models = useLoad(() => Promise.all([client.models(), client.evaluations()]), []);
  const [m, evals] = models.data ?? [];
  const next = evals?.find((e) => e.task === 'next-track');
  const skip = evals?.find((e) => e.task === 'skip');
  const ranker = m?.models.filter((x) => x.name === 'ranker').sort((a, b) => b.version - a.version)[0];
  const rr = (ranker?.info as { report?: RankerReport } | undefined)?.report;

  const hr = useMemo<Plot.PlotOptions | undefined>(() => {
    const results = (next?.report as { results?: Record<string, Record<string, number>> } | undefined)?.results;
    if (!results) return undefined;
    // A figure that could not be estimated is null in the stored JSON (NaN): left out, not drawn as 0.
    const rows = Object.entries(results).flatMap(([model, r]) => Object.entries(r).flatMap(([k, v]) => (k.startsWith('HR@') && finite(v) ? [{ model, k: Number(k.slice(3)), hr: v }] : [])));
    if (rows.length === 0) return undefined;
    return {
      width: 620, height: 320, marginLeft: 56, x: { type: 'log', label: 'k (list length)', ticks: [...new Set(rows.map((r) => r.k))] }, y: { label: 'HR@k (hit rate)', grid: true, domain: [0, Math.max(...rows.map((r) => r.hr)) * 1.05] },
      color: { legend: true }, marks: [Plot.line(rows, { x: 'k', y: 'hr', stroke: 'model', marker: 'dot', tip: true })],
    };
  }, [next]);
  const auc = useMemo<Plot.PlotOptions | undefined>(() => {
    const rows: Array<{ model: string; auc: number; from: string }> = [];
    const r = (skip?.report as { results?: Record<string, { AUC: number }> } | undefined)?.results;
    // AUC is NaN (null once stored) where the test rows hold only one class: such a model is left out.
    for (const [model, x] of Object.entries(r ?? {})) if (finite(x?.AUC)) rows.push({ model, auc: x.AUC, from: 'segue eval --task skip' });
    if (finite(rr?.listen?.ranker?.AUC)) rows.push({ model: 'ranker (listen-through)', auc: rr.listen.ranker.AUC, from: 'training report' });
    if (finite(rr?.listen?.trackSkipRate?.AUC)) rows.push({ model: "track's skip rate", auc: rr.listen.trackSkipRate.AUC, from: 'training report' });
    if (rows.length === 0) return undefined;
    return {
      width: 520, height: 30 * rows.length + 50, marginLeft: 190, x: { label: 'skip AUC', domain: [0.5, 1], grid: true }, y: { label: null },
      color: { legend: true }, marks: [Plot.barX(rows, { y: 'model', x1: 0.5, x2: 'auc', fill: 'from', sort: { y: '-x2' } }), Plot.text(rows, { y: 'model', x: 'auc', text: (d: { auc: number }) => d.auc.toFixed(3), dx: 4, textAnchor: 'start' })],
    };
  }, [skip, rr]);
  const importance = useMemo<Plot.PlotOptions | undefined>(() => {
    const rows = (rr?.importance ?? (skip?.report as { importance?: Array<{ feature: string; gain: number }> } | undefined)?.importance)?.filter((x) => finite(x.gain));
    if (!rows || rows.length === 0) return undefined;
    return { width: 520, height: 26 * rows.length + 40, marginLeft: 170, x: { label: 'gain (total loss reduction of its splits)', grid: true }, y: { label: null }, marks: [Plot.barX(rows, { y: 'feature', x: 'gain', fill: '#1f5fbf', sort: { y: '-x' } })] };
  }, [rr, skip]);

  return (
    <>
      <h1>Models</h1>
      <ErrorNote error={models.error} />
      {models.loading ? <Loading what="models" /> : null}
      {m ? (
        <Card title="Versions" id="versions">
          <table>
            <thead><tr><th scope="col">model</th><th scope="col">version</th><th scope="col">saved</th><th scope="col">size</th><th scope="col">serving</th></tr></thead>
            <tbody>{m.models.slice().sort((a, b) => a.name.localeCompare(b.name) || b.version - a.version).map((x) => <tr key={`${x.name}@${x.version}`}><th scope="row">{x.name}</th><td>{x.version}</td><td>{when(x.createdAt)}</td><td>{fmt(x.bytes / 1024)} KiB</td><td>{m.serving[x.name] === x.version ? 'yes' : ''}</td></tr>)}</tbody>
          </table>
        </Card>
      ) : null}
      <div class="two">
        <Card title="Next track: HR@k per model" id="hr">
          {hr ? <PlotFigure testId="plot-hr" options={hr} label="Hit rate at k per model, from the latest next-track evaluation" caption={`${fmt((next!.report as { queries?: number }).queries ?? 0)} test queries, evaluated ${when(next!.createdAt)}.`} /> : <p class="muted">No next-track evaluation in this store yet: run <code>segue eval --task next-track</code>.</p>}
        </Card>
        <Card title="Skip prediction: AUC" id="auc">
          {auc ? <PlotFigure testId="plot-auc" options={auc} label="Skip prediction AUC per model" /> : <p class="muted">No skip figures yet: train the ranker, or run <code>segue eval --task skip</code>.</p>}
        </Card>
      </div>
      <Card title="Feature importance" id="importance">
        {importance ? <PlotFigure testId="plot-importance" options={importance} label="Feature importance of the ranker by gain" caption={rr?.importance ? "The ranker's LambdaMART trees (top 10 by gain)." : 'The skip model of the latest skip evaluation.'} /> : <p class="muted">No trained ranker yet.</p>}
      </Card>
    </>
  );
}
