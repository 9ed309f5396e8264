import { useState } from 'preact/hooks';
import type { RecommendResponse, Surface } from '../../../src/client/index.js';
import { useSession } from '../context.js';
import { loadTracks } from '../names.js';
import { Card, ErrorNote } from '../ui.js';
import { SearchBox } from './search.js';
import { FlowStrip, SequenceTable } from './sequence-view.js';

const SURFACES: Array<{ id: Surface; seed: 'track' | 'none' | 'mood' }> = [
  { id: 'radio', seed: 'track' }, { id: 'autoplay', seed: 'track' }, { id: 'discovery', seed: 'none' },
  { id: 'daily-mixes', seed: 'none' }, { id: 'release-radar', seed: 'none' }, { id: 'mood', seed: 'mood' }, { id: 'shuffle', seed: 'none' },
];
const MOODS = ['energetic', 'calm', 'happy', 'sad', 'focus', 'party'];

export function SequencePage({ query }: { query: URLSearchParams }) {
  const { client } = useSession();
  const [surface, setSurface] = useState<Surface>((query.get('surface') as Surface | null) ?? 'radio');
  const [listener, setListener] = useState(query.get('listener') ?? '');
  const [seed, setSeed] = useState<{ id: string; name: string } | null>(null);
  const [mood, setMood] = useState('calm');
  const [mix, setMix] = useState(0);
  const [res, setRes] = useState<RecommendResponse>();
  const [error, setError] = useState<unknown>();
  const [busy, setBusy] = useState(false);
  const kind = SURFACES.find((s) => s.id === surface)!.seed;

  const serve = async (e: Event) => {
    e.preventDefault();
    setBusy(true);
    setError(undefined);
    try {
      const r = await client.recommend(surface, {
        listenerId: listener.trim(), n: 30, log: false,
        ...(kind === 'track' && seed ? { seedTrack: seed.id } : {}), ...(kind === 'mood' ? { mood: mood as never } : {}),
      });
      await loadTracks(client, [...r.items, ...(r.mixes ?? []).flatMap((m) => m.items)].map((x) => x.trackId));
      setRes(r);
      setMix(0);
    } catch (err) {
      setError(err);
    } finally {
      setBusy(false);
    }
  };
  const items = res?.mixes && res.mixes.length > 0 ? res.mixes[mix]!.items : res?.items ?? [];
  return (
    <>
      <h1>Sequence</h1>
      <form class="controls" onSubmit={(e) => void serve(e)}>
        <label for="surface">Surface</label>
        <select id="surface" value={surface} onChange={(e) => setSurface((e.target as HTMLSelectElement).value as Surface)}>
          {SURFACES.map((s) => <option key={s.id} value={s.id}>{s.id}</option>)}
        </select>
        <label for="listener">Listener id</label>
        <input id="listener" required value={listener} onInput={(e) => setListener((e.target as HTMLInputElement).value)} />
        {kind === 'mood' ? (
          <>
            <label for="mood">Mood</label>
            <select id="mood" value={mood} onChange={(e) => setMood((e.target as HTMLSelectElement).value)}>{MOODS.map((m) => <option key={m}>{m}</option>)}</select>
          </>
        ) : null}
        <button type="submit" disabled={busy || listener.trim() === ''}>{busy ? 'Serving…' : 'Serve'}</button>
      </form>
      {kind === 'track' ? (
        <div class="seed">
          <SearchBox kind="track" id="seed-track" label="Seed track (optional; default: the listener's taste)" onPick={setSeed} />
          {seed ? <p>Seed: <strong>{seed.name}</strong> <button type="button" class="link" onClick={() => setSeed(null)}>clear</button></p> : null}
        </div>
      ) : null}
      <ErrorNote error={error} />
      {res ? (
        <>
          <p class="muted">Served with policy {res.policyId}{res.degraded ? ' (degraded: without the listener\'s online state)' : ''}; not logged as an exposure. Filtered before sequencing: {Object.entries(res.filtered).map(([k, v]) => `${k} ${v}`).join(', ') || 'none'}.</p>
          {res.mixes && res.mixes.length > 0 ? (
            <div role="group" aria-label="Mixes">{res.mixes.map((m, i) => <button type="button" key={m.name} aria-pressed={i === mix} onClick={() => setMix(i)}>{m.name}</button>)}</div>
          ) : null}
          <Card title="Flow" id="flow"><FlowStrip items={items} /></Card>
          <SequenceTable items={items} caption={`${surface} for ${res.listenerId}: ${items.length} tracks`} />
        </>
      ) : null}
    </>
  );
}
