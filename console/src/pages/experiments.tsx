import { useMemo, useState } from 'preact/hooks';
import type { ExperimentReport, InterleavingReport, StoredExperiment } from '../../../src/client/index.js';
import { useSession } from '../context.js';
import { PlotFigure, Plot } from '../plot.js';
import { Card, ErrorNote, Loading, fmt, pct, useLoad, when } from '../ui.js';

export function Experiments({ name }: { name: string }) {
  const { client } = useSession();
  const list = useLoad(() => client.experiments(), [name]);
  return (
    <>
      <h1>Experiments{name ? `: ${name}` : ''}</h1>
      <ErrorNote error={list.error} />
      {list.loading && !list.data ? <Loading what="experiments" /> : null}
      {list.data ? <ExperimentList list={list.data} selected={name} onChange={list.reload} /> : null}
      {name ? <ExperimentDetail key={name} name={name} stored={list.data?.find((x) => x.name === name)} onChange={list.reload} /> : <CreateExperiment onCreated={list.reload} />}
    </>
  );
}

function ExperimentList({ list, selected }: { list: StoredExperiment[]; selected: string; onChange: () => void }) {
  if (list.length === 0) return <p class="muted">No experiments yet.</p>;
  return (
    <table>
      <caption>Experiments</caption>
      <thead><tr><th scope="col">name</th><th scope="col">status</th><th scope="col">surfaces</th><th scope="col">variants</th><th scope="col">started</th></tr></thead>
      <tbody>
        {list.map((x) => (
          <tr key={x.name} aria-current={x.name === selected ? 'true' : undefined}>
            <th scope="row"><a href={`#/experiments/${encodeURIComponent(x.name)}`}>{x.name}</a></th>
            <td>{x.status}{x.shippedVariant ? ` (${x.shippedVariant})` : ''}</td>
            <td>{((x.def as Def).surfaces ?? []).join(', ')}</td>
            <td>{((x.def as Def).variants ?? []).map((v) => v.name).join(', ')}</td>
            <td>{x.startedAt ? when(x.startedAt) : '–'}</td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

/** What the pages read of an experiment's stored definition. */
interface Def { surfaces?: string[]; variants?: Array<{ name: string }>; control?: string }

const ACTION_WORDS: Record<string, string> = {
  ship: 'Ship', 'no-ship': 'Do not ship', continue: 'Keep running', invalid: 'Invalid: fix before reading', prefer: 'Listeners prefer', 'no-preference': 'No preference found',
};

function ExperimentDetail({ name, stored, onChange }: { name: string; stored: StoredExperiment | undefined; onChange: () => void }) {
  const { client, admin } = useSession();
  const report = useLoad(() => client.experimentReport(name), [name]);
  const [error, setError] = useState<unknown>();
  const [note, setNote] = useState('');
  const act = async (f: () => Promise<unknown>, done: string) => {
    setError(undefined);
    try {
      await f();
      setNote(done);
      onChange();
      report.reload();
    } catch (err) {
      setError(err);
    }
  };
  const r = report.data;
  const status = stored?.status ?? r?.status;
  // The variants that can ship: all but the control (the definition's, else its first variant).
  const def = stored?.def as Def | undefined;
  const variants = (def?.variants ?? []).map((v) => v.name);
  const treatments = variants.filter((v) => v !== (def?.control ?? variants[0]));
  return (
    <>
      <div class="actions" role="group" aria-label="Experiment actions">
        {admin ? (
          <>
            {status === 'draft' ? <button type="button" onClick={() => void act(() => client.experimentAction(name, 'start'), `Started ${name}.`)}>Start</button> : null}
            {status === 'running' ? <button type="button" onClick={() => void act(() => client.experimentAction(name, 'stop'), `Stopped ${name}.`)}>Stop</button> : null}
            {status === 'running' || status === 'stopped' ? treatments.map((v) => <button type="button" key={v} onClick={() => void act(() => client.shipExperiment(name, v), `Shipped ${v} of ${name}.`)}>Ship {v}</button>) : null}
          </>
        ) : <p class="muted" data-testid="read-only-note">Starting, stopping and shipping need a key with the admin scope; this key can only read.</p>}
      </div>
      {note ? <p role="status">{note}</p> : null}
      <ErrorNote error={error} />
      <ErrorNote error={report.error} />
      {report.loading && !r ? <Loading what="the report" /> : null}
      {r ? ('design' in r ? <Interleaving r={r} /> : <Report r={r} />) : null}
    </>
  );
}

function Report({ r }: { r: ExperimentReport }) {
  // A metric that cannot be estimated yet (no plays in a variant) has null figures: listed in words, not plotted.
  const all = r.metrics.map((m) => ({ ...m, label: `${m.metric} (${m.variant})` }));
  const rows = all.flatMap((m) => (m.relativeLift === null || m.ci[0] == null || m.ci[1] == null ? [] : [{ ...m, relativeLift: m.relativeLift, lo: m.ci[0], hi: m.ci[1] }]));
  const pending = all.filter((m) => m.relativeLift === null).map((m) => m.label);
  const forest = useMemo<Plot.PlotOptions>(() => {
    const guard = rows.filter((m) => m.role === 'guardrail' && m.margin !== undefined).map((m) => ({ label: m.label, at: m.direction === 'up' ? -m.margin! : m.margin! }));
    return {
      width: 760, height: 32 * rows.length + 60, marginLeft: 230, x: { label: 'relative lift (treatment / control − 1)', tickFormat: '+.0%', grid: true }, y: { label: null, domain: rows.map((m) => m.label) },
      color: { legend: true, domain: ['success', 'guardrail', 'observed'], range: ['#1f5fbf', '#a86f00', '#888'] },
      marks: [
        Plot.ruleX([0], { stroke: '#333' }),
        Plot.ruleY(rows, { y: 'label', x1: 'lo', x2: 'hi', stroke: 'role', strokeWidth: 2 }),
        Plot.dot(rows, { y: 'label', x: 'relativeLift', fill: 'role', r: 4, tip: true, title: (d: typeof rows[number]) => `${d.metric}: ${pct(d.relativeLift, 2)} [${pct(d.lo, 2)}, ${pct(d.hi, 2)}], p ${d.pValue}` }),
        Plot.tickX(guard, { y: 'label', x: 'at', stroke: '#c0392b', strokeWidth: 2, strokeDasharray: '3,2' }),
      ],
    };
  }, [r]);
  const paths = rows.flatMap((m) => (m.sequential?.path ?? []).map((p) => ({ ...p, label: m.label })));
  const gs = rows.some((m) => m.sequential?.method === 'group-sequential');
  const seq = useMemo<Plot.PlotOptions | undefined>(() => (paths.length === 0 ? undefined : gs ? {
    width: 760, height: 260, marginLeft: 56, x: { label: 'day since the start', tickFormat: 'd', ticks: [...new Set(paths.map((p) => p.day))] }, y: { label: '|z|', grid: true }, color: { legend: true },
    marks: [Plot.line(paths, { x: 'day', y: (d: { z: number }) => Math.abs(d.z), stroke: 'label' }), Plot.line(paths.filter((p) => p.label === paths[0]!.label), { x: 'day', y: 'boundary', stroke: '#c0392b', strokeDasharray: '4,3' })],
  } : {
    width: 760, height: 260, marginLeft: 56, x: { label: 'day since the start', tickFormat: 'd', ticks: [...new Set(paths.map((p) => p.day))] }, y: { label: 'always-valid p-value', type: 'log', tickFormat: '.0e', domain: [Math.min(r.alpha / 10, ...paths.flatMap((p) => (p.pValue != null && p.pValue > 0 ? [p.pValue] : []))), 1], grid: true }, color: { legend: true },
    marks: [Plot.line(paths, { x: 'day', y: 'pValue', stroke: 'label', marker: 'dot' }), Plot.ruleY([r.alpha], { stroke: '#c0392b', strokeDasharray: '4,3' }), Plot.text([r.alpha], { x: 0, y: (a: number) => a, text: () => `alpha ${r.alpha}`, dy: -6, textAnchor: 'start', fill: '#c0392b' })],
  }), [r]);
  return (
    <>
      <Card title="Decision" id="decision">
        <p class={`decision ${r.decision.action}`} data-testid="decision"><strong>{ACTION_WORDS[r.decision.action] ?? r.decision.action}{r.decision.variant ? `: ${r.decision.variant}` : ''}.</strong></p>
        <ul>{r.decision.reasons.map((x, i) => <li key={i}>{x}</li>)}</ul>
        <p>Sample ratio check: {r.srm.ok ? 'passed' : 'FAILED (the split is not what was planned: do not trust the lifts)'} (χ² {r.srm.chi2 ?? '–'}, p {r.srm.pValue ?? '–'}). {fmt(r.attributedPlays)} attributed plays from {when(r.from)} to {when(r.until)}; α {r.alpha}.</p>
        <table>
          <thead><tr><th scope="col">variant</th><th scope="col">listeners</th><th scope="col">exposures</th><th scope="col">weight</th></tr></thead>
          <tbody>{r.variants.map((v) => <tr key={v.name}><th scope="row">{v.name}</th><td>{fmt(v.listeners)}</td><td>{fmt(v.exposures)}</td><td>{v.weight ?? '–'}</td></tr>)}</tbody>
        </table>
      </Card>
      <Card title="Lift per metric" id="forest">
        {pending.length > 0 ? <p class="muted">Not estimable yet (no plays in a variant): {pending.join(', ')}.</p> : null}
        {rows.length > 0 ? <PlotFigure testId="plot-forest" options={forest} label="Forest plot: relative lift with its interval per metric; guardrail margins as red ticks" caption="Dots: lift; lines: interval at 1 − α; red dashed ticks: guardrail margins (worse than the tick fails)." /> : <p class="muted">No metric has data yet.</p>}
      </Card>
      <Card title="Sequential test over time" id="sequential">
        {seq ? <PlotFigure testId="plot-sequential" options={seq} label={gs ? 'Group-sequential z statistic against its boundary per day' : 'Always-valid p-value per day, with alpha'} caption={gs ? 'The test rejects once |z| crosses the boundary (dashed).' : 'The mSPRT p-value may be read every day; it rejects once below α (dashed).'} /> : <p class="muted">No daily look yet.</p>}
      </Card>
    </>
  );
}

/** An interleaving experiment: the teams' credit, the listeners' preference, and its confidence sequence by day. */
function Interleaving({ r }: { r: InterleavingReport }) {
  const p = r.preference, s = r.sequential;
  const path = s.path.flatMap((x) => (x.winRateB == null ? [] : [{ day: x.day, rate: x.winRateB, lo: x.cs?.[0] ?? null, hi: x.cs?.[1] ?? null }]));
  const plot = useMemo<Plot.PlotOptions | undefined>(() => (path.length === 0 ? undefined : {
    width: 760, height: 260, marginLeft: 56, x: { label: 'day since the start', tickFormat: 'd', ticks: path.map((x) => x.day) }, y: { label: 'share of decided listeners preferring b', domain: [0, 1], tickFormat: '.0%', grid: true },
    marks: [
      Plot.ruleY([0.5], { stroke: '#333', strokeDasharray: '4,3' }),
      ...(s.method === 'mixture-sprt' ? [Plot.areaY(path.filter((x) => x.lo !== null), { x: 'day', y1: 'lo', y2: 'hi', fill: '#1f5fbf', fillOpacity: 0.15 })] : []),
      Plot.line(path, { x: 'day', y: 'rate', stroke: '#1f5fbf', marker: 'dot' }),
    ],
  }), [r]);
  return (
    <>
      <Card title="Decision" id="decision">
        <p class={`decision ${r.decision.action}`} data-testid="decision"><strong>{ACTION_WORDS[r.decision.action] ?? r.decision.action}{r.decision.variant ? `: ${r.decision.variant} (team ${r.decision.team})` : ''}.</strong></p>
        <ul>{r.decision.reasons.map((x, i) => <li key={i}>{x}</li>)}</ul>
        <p>Interleaving (team draft): every listener saw both variants' tracks in one list. Draft balance {r.balance.ok ? 'passed' : 'FAILED'} (χ² {r.balance.chi2 ?? '–'}, p {r.balance.pValue ?? '–'}). {fmt(r.listeners)} listeners, {fmt(r.exposures)} exposures, {fmt(r.creditedPlays)} credited plays from {when(r.from)} to {when(r.until)}; α {r.alpha}.</p>
        <table>
          <thead><tr><th scope="col">team</th><th scope="col">variant</th><th scope="col">tracks placed</th><th scope="col">listens</th><th scope="col">skips</th><th scope="col">listeners preferring it</th></tr></thead>
          <tbody>{r.teams.map((t) => <tr key={t.team}><th scope="row">{t.team}</th><td>{t.variant}</td><td>{fmt(t.picks)}</td><td>{fmt(t.listens)}</td><td>{fmt(t.skips)}</td><td>{fmt(t.team === 'a' ? p.a : p.b)}</td></tr>)}</tbody>
        </table>
        <p>Neither: {fmt(p.ties)}. Team b wins {pct(p.winRateB ?? NaN, 1)} of decided listeners (sign test p {p.pValue ?? '–'}); {s.method === 'mixture-sprt' ? `always-valid p ${s.pValue ?? '–'}` : `z ${s.z ?? '–'} against ${s.boundary ?? '–'}`}. Listeners for 80% power at this preference: {r.listenersFor80 === null ? '–' : fmt(r.listenersFor80)}.</p>
      </Card>
      <Card title="Preference over time" id="sequential">
        {plot ? <PlotFigure testId="plot-preference" options={plot} label="Share of decided listeners preferring team b per day, with its always-valid confidence sequence" caption="Line: share preferring b; band: the confidence sequence (valid at every look); dashed: no preference." /> : <p class="muted">No daily look yet.</p>}
      </Card>
    </>
  );
}

function CreateExperiment({ onCreated }: { onCreated: () => void }) {
  const { client, admin } = useSession();
  const policies = useLoad(() => client.policies(), []);
  const [name, setName] = useState('');
  const [surface, setSurface] = useState('radio');
  const [policyName, setPolicyName] = useState('');
  const [error, setError] = useState<unknown>();
  if (!admin) return null;
  const create = async (e: Event) => {
    e.preventDefault();
    setError(undefined);
    try {
      const saved = await client.policy(policyName);
      await client.createExperiment({ name, surfaces: [surface as 'radio'], variants: [{ name: 'control', weight: 1 }, { name: policyName.replace(/[^a-z0-9._-]/g, '-') || 'treatment', weight: 1, policy: saved.policy }] });
      location.hash = `#/experiments/${encodeURIComponent(name)}`;
      onCreated();
    } catch (err) {
      setError(err);
    }
  };
  return (
    <Card title="New experiment" id="new">
      <form class="controls" onSubmit={(e) => void create(e)}>
        <label for="x-name">Name</label>
        <input id="x-name" required value={name} onInput={(e) => setName((e.target as HTMLInputElement).value)} />
        <label for="x-surface">Surface</label>
        <select id="x-surface" value={surface} onChange={(e) => setSurface((e.target as HTMLSelectElement).value)}>{['radio', 'autoplay', 'daily-mixes', 'discovery', 'mood'].map((s) => <option key={s}>{s}</option>)}</select>
        <label for="x-policy">Treatment: a saved policy</label>
        <select id="x-policy" required value={policyName} onChange={(e) => setPolicyName((e.target as HTMLSelectElement).value)}>
          <option value="">choose…</option>
          {(policies.data ?? []).map((p) => <option key={p.name} value={p.name}>{p.name} (v{p.version})</option>)}
        </select>
        <button type="submit" disabled={!name || !policyName}>Create (a draft: start it from its page)</button>
      </form>
      <p class="muted">The control is the surface's default policy. Save policies in the <a href="#/playground">playground</a>.</p>
      <ErrorNote error={error} />
    </Card>
  );
}
