import { useEffect, useLayoutEffect, useMemo, useRef, useState } from 'preact/hooks';
import type { Policy, RecommendResponse } from '../../../src/client/index.js';
import { currentPolicy, useSession } from '../context.js';
import { loadTracks } from '../names.js';
import { Card, ErrorNote, Loading } from '../ui.js';
import { OBJECTIVES, SequenceTable, totals } from './sequence-view.js';

type Surface = 'radio' | 'autoplay';
interface Knobs { objectives: Record<string, number>; artistSeparation: number; noRepeatHours: number; promotedMax: number }

const knobsOf = (p: Policy): Knobs => ({
  objectives: Object.fromEntries(OBJECTIVES.map((o) => [o, (p.objectives as Record<string, number | undefined>)[o] ?? 0])),
  artistSeparation: p.constraints.artistSeparation ?? 0, noRepeatHours: p.constraints.noRepeatHours ?? 0, promotedMax: p.constraints.promotedShare?.max ?? 1,
});

/** The knobs as a partial policy over the surface's default: only what differs. */
function partialOf(k: Knobs, base: Knobs): Record<string, unknown> {
  const objectives = Object.fromEntries(Object.entries(k.objectives).filter(([o, v]) => v !== base.objectives[o]));
  const constraints: Record<string, unknown> = {};
  if (k.artistSeparation !== base.artistSeparation) constraints['artistSeparation'] = k.artistSeparation;
  if (k.noRepeatHours !== base.noRepeatHours) constraints['noRepeatHours'] = k.noRepeatHours;
  if (k.promotedMax !== base.promotedMax) constraints['promotedShare'] = { max: k.promotedMax };
  return { ...(Object.keys(objectives).length > 0 ? { objectives } : {}), ...(Object.keys(constraints).length > 0 ? { constraints } : {}) };
}

export function Playground({ query }: { query: URLSearchParams }) {
  const { client } = useSession();
  const [surface, setSurface] = useState<Surface>(query.get('surface') === 'autoplay' ? 'autoplay' : 'radio');
  const [listener, setListener] = useState(query.get('listener') ?? '');
  const [base, setBase] = useState<Knobs>();
  const [knobs, setKnobs] = useState<Knobs>();
  const [before, setBefore] = useState<RecommendResponse>();
  const [after, setAfter] = useState<RecommendResponse>();
  const [error, setError] = useState<unknown>();
  const [timing, setTiming] = useState<{ ms: number; version: number }>({ ms: NaN, version: 0 });
  const pending = useRef<number | null>(null);
  // One moment for every list of this session: the same candidates, only the policy changes.
  const now = useRef(Date.now());
  const seq = useRef(0);

  useEffect(() => {
    let live = true;
    client.defaultPolicy(surface).then((p) => {
      if (!live) return;
      const k = knobsOf(p);
      setBase(k);
      setKnobs(k);
      setBefore(undefined);
      setAfter(undefined);
    }, setError);
    return () => { live = false; };
  }, [surface]);

  const serve = async (policy: Record<string, unknown> | undefined): Promise<RecommendResponse> => {
    const r = await client.recommend(surface, { listenerId: listener.trim(), n: 30, log: false, now: now.current, seed: 0, ...(policy ? { policy } : {}) });
    await loadTracks(client, r.items.map((x) => x.trackId));
    return r;
  };
  const start = async (e: Event) => {
    e.preventDefault();
    setError(undefined);
    now.current = Date.now();
    try {
      const b = await serve(undefined);
      setBefore(b);
      setAfter(b);
      if (knobs && base) await resequence(knobs);
    } catch (err) {
      setError(err);
    }
  };
  const resequence = async (k: Knobs) => {
    if (!base) return;
    const partial = partialOf(k, base);
    currentPolicy.set(surface, partial);
    const mine = ++seq.current;
    pending.current = performance.now();
    try {
      const r = await serve(partial);
      if (mine === seq.current) setAfter(r);
      setError(undefined);
    } catch (err) {
      if (mine === seq.current) setError(err);
    }
  };
  // Slider released (change): re-sequence; the time runs until the new list is drawn.
  useLayoutEffect(() => {
    if (pending.current === null || !after) return;
    const started = pending.current;
    pending.current = null;
    requestAnimationFrame(() => setTiming((t) => ({ ms: performance.now() - started, version: t.version + 1 })));
  }, [after]);

  const set = (f: (k: Knobs) => Knobs, release: boolean) => {
    if (!knobs) return;
    const next = f(knobs);
    setKnobs(next);
    if (release && before) void resequence(next);
  };
  const partial = base && knobs ? partialOf(knobs, base) : {};
  const tb = useMemo(() => totals(before?.items ?? []), [before]), ta = useMemo(() => totals(after?.items ?? []), [after]);
  return (
    <>
      <h1>Policy playground</h1>
      <form class="controls" onSubmit={(e) => void start(e)}>
        <label for="pg-surface">Surface</label>
        <select id="pg-surface" value={surface} onChange={(e) => setSurface((e.target as HTMLSelectElement).value as Surface)}>
          <option value="radio">radio</option><option value="autoplay">autoplay</option>
        </select>
        <label for="pg-listener">Listener id</label>
        <input id="pg-listener" required value={listener} onInput={(e) => setListener((e.target as HTMLInputElement).value)} />
        <button type="submit" disabled={listener.trim() === '' || !knobs}>Load candidates</button>
      </form>
      <ErrorNote error={error} />
      {!knobs ? <Loading what="the default policy" /> : (
        <div class="playground">
          <fieldset class="knobs">
            <legend>Objective weights</legend>
            {OBJECTIVES.map((o) => (
              <Slider key={o} id={`w-${o}`} label={o} min={0} max={3} step={0.05} value={knobs.objectives[o] ?? 0} changed={knobs.objectives[o] !== base!.objectives[o]}
                onInput={(v, release) => set((k) => ({ ...k, objectives: { ...k.objectives, [o]: v } }), release)} />
            ))}
          </fieldset>
          <fieldset class="knobs">
            <legend>Constraints</legend>
            <Slider id="c-sep" label="artist separation (positions)" min={0} max={20} step={1} value={knobs.artistSeparation} changed={knobs.artistSeparation !== base!.artistSeparation} onInput={(v, r) => set((k) => ({ ...k, artistSeparation: v }), r)} />
            <Slider id="c-repeat" label="no repeat within (hours)" min={0} max={168} step={1} value={knobs.noRepeatHours} changed={knobs.noRepeatHours !== base!.noRepeatHours} onInput={(v, r) => set((k) => ({ ...k, noRepeatHours: v }), r)} />
            <Slider id="c-promoted" label="promoted share at most" min={0} max={1} step={0.05} value={knobs.promotedMax} changed={knobs.promotedMax !== base!.promotedMax} onInput={(v, r) => set((k) => ({ ...k, promotedMax: v }), r)} />
            <button type="button" onClick={() => { setKnobs(base); if (before && base) void resequence(base); }}>Reset to the default</button>
          </fieldset>
          <Card title="This policy" id="partial">
            <pre class="json" aria-label="the partial policy">{JSON.stringify(partial, null, 2)}</pre>
            <SaveAndTest surface={surface} partial={partial} />
          </Card>
        </div>
      )}
      {before && after ? (
        <>
          <p class="timing" aria-live="polite" data-testid="resequence-timing" data-ms={Number.isFinite(timing.ms) ? timing.ms.toFixed(1) : ''} data-version={timing.version}>
            {Number.isFinite(timing.ms) ? `Re-sequenced and redrawn in ${timing.ms.toFixed(0)} ms.` : 'Move a slider: the same candidates are sequenced again under the new policy.'}
          </p>
          <table class="totals">
            <caption>Objective totals over the list</caption>
            <thead><tr><th scope="col">objective</th><th scope="col">before (default)</th><th scope="col">after</th></tr></thead>
            <tbody>{[...new Set([...Object.keys(tb), ...Object.keys(ta)])].map((k) => <tr key={k}><th scope="row">{k}</th><td>{(tb[k] ?? 0).toFixed(2)}</td><td>{(ta[k] ?? 0).toFixed(2)}</td></tr>)}</tbody>
          </table>
          <div class="side-by-side">
            <SequenceTable items={before.items} caption="Before: the surface's default policy" explain={false} />
            <div data-testid="after-list" data-version={timing.version}><SequenceTable items={after.items} before={before.items} caption="After: this policy (moved tracks marked)" explain={false} /></div>
          </div>
        </>
      ) : null}
    </>
  );
}

function Slider({ id, label, min, max, step, value, changed, onInput }: { id: string; label: string; min: number; max: number; step: number; value: number; changed: boolean; onInput: (v: number, release: boolean) => void }) {
  return (
    <div class={`slider${changed ? ' changed' : ''}`}>
      <label for={id}>{label}</label>
      <input id={id} type="range" min={min} max={max} step={step} value={value}
        onInput={(e) => onInput(Number((e.target as HTMLInputElement).value), false)}
        onChange={(e) => onInput(Number((e.target as HTMLInputElement).value), true)} />
      <output for={id}>{value}</output>
    </div>
  );
}

/** Save the partial as a named policy, or start an A/B test of it against the default (admin). */
function SaveAndTest({ surface, partial }: { surface: string; partial: Record<string, unknown> }) {
  const { client, admin } = useSession();
  const [name, setName] = useState('');
  const [note, setNote] = useState('');
  const [error, setError] = useState<unknown>();
  if (!admin) return <p class="muted">Saving a policy or starting an experiment needs a key with the admin scope.</p>;
  const act = async (what: 'save' | 'experiment') => {
    setError(undefined);
    setNote('');
    try {
      if (what === 'save') {
        const r = await client.savePolicy(name, partial);
        setNote(`Saved policy ${r.name}, version ${r.version}.`);
      } else {
        await client.createExperiment({ name, surfaces: [surface as 'radio'], variants: [{ name: 'control', weight: 1 }, { name: 'treatment', weight: 1, policy: partial }] });
        await client.experimentAction(name, 'start');
        setNote(`Started experiment ${name}: the default against this policy on ${surface}.`);
      }
    } catch (err) {
      setError(err);
    }
  };
  return (
    <div class="save">
      <label for="policy-name">Name</label>
      <input id="policy-name" value={name} pattern="[a-z0-9][a-z0-9._\-]{0,63}" onInput={(e) => setName((e.target as HTMLInputElement).value)} aria-describedby="policy-name-hint" />
      <span id="policy-name-hint" class="muted"> lowercase letters, digits, . _ -</span>
      <div>
        <button type="button" disabled={name === ''} onClick={() => void act('save')}>Save as a named policy</button>
        <button type="button" disabled={name === ''} onClick={() => void act('experiment')}>Start an experiment from it</button>
      </div>
      {note ? <p role="status" data-testid="save-note">{note}</p> : null}
      <ErrorNote error={error} />
    </div>
  );
}
