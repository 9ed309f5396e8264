import { useMemo } from 'preact/hooks';
import { useSession } from '../context.js';
import { albumTitle, artistName, title, useTracks } from '../names.js';
import { PlotFigure, Plot } from '../plot.js';
import { Card, ErrorNote, Loading, fmt, pct, useLoad, when } from '../ui.js';
import { SearchBox } from './search.js';

const LANES: Record<string, string> = { play_end: 'listened', skip: 'skipped', like: 'liked', ban: 'banned', unlike: 'unliked', save: 'saved', add_to_playlist: 'added to playlist', play_start: 'started', play_count: 'play count' };
const OUTCOME = ['skipped', 'played', 'listened'];

export function ListenerPage({ id }: { id: string }) {
  const { client } = useSession();
  return (
    <>
      <h1>Listener{id ? `: ${id}` : ''}</h1>
      <SearchBox kind="listener" id="find-listener" label="Find a listener by id" onPick={(x) => { location.hash = `#/listener/${encodeURIComponent(x.id)}`; }} />
      {id ? <ListenerDetail key={id} id={id} client={client} /> : <p class="muted">Search for a listener to see their history, taste and session.</p>}
    </>
  );
}

function ListenerDetail({ id }: { id: string; client: unknown }) {
  const { client } = useSession();
  const history = useLoad(() => client.history(id, { days: 30 }), [id]);
  const profile = useLoad(() => client.profile(id), [id]);
  const h = history.data;
  const recent = profile.data?.session?.recent ?? [];
  const ids = useMemo(() => [...new Set([...(h?.events ?? []).flatMap((e) => (e.trackId ? [e.trackId] : [])).slice(-300), ...recent.map((r) => r.trackId)])], [h, profile.data]);
  const named = useTracks(client, ids);

  const timeline = useMemo<Plot.PlotOptions | undefined>(() => {
    if (!h || h.events.length === 0) return undefined;
    const rows = h.events.map((e) => ({
      t: new Date(e.ts), lane: e.type === 'play_end' && e.skipped === true ? 'skipped' : (LANES[e.type] ?? e.type),
      what: e.trackId ? `${title(e.trackId)} — ${artistName(e.trackId)}` : e.type, session: e.sessionId ?? '',
    }));
    const sessions = new Map<string, { start: Date; end: Date }>();
    for (const r of rows) {
      if (!r.session) continue;
      const s = sessions.get(r.session);
      if (!s) sessions.set(r.session, { start: r.t, end: r.t });
      else s.end = r.t;
    }
    return {
      height: 220, width: 900, marginLeft: 110, x: { type: 'time', label: null }, y: { label: null, domain: ['listened', 'skipped', 'liked', 'banned', 'saved', 'added to playlist', 'started', 'unliked', 'play count'].filter((l) => rows.some((r) => r.lane === l)) },
      color: { domain: ['listened', 'skipped', 'liked', 'banned'], range: ['#2a7f3f', '#c0392b', '#1f5fbf', '#555'], unknown: '#888' },
      marks: [
        Plot.barX([...sessions.values()], { x1: 'start', x2: 'end', fill: '#e8eef8', inset: 0 }),
        Plot.dot(rows, { x: 't', y: 'lane', fill: 'lane', r: 2.5, tip: true, title: (d: { what: string; t: Date }) => `${d.what}\n${d.t.toISOString()}` }),
      ],
    };
  }, [h, named]);

  const genres = useMemo<Plot.PlotOptions | undefined>(() => (h && h.genres.length > 0 ? {
    height: 24 * Math.min(12, h.genres.length) + 40, width: 420, marginLeft: 120, x: { label: 'plays', grid: true }, y: { label: null },
    color: { type: 'linear', domain: [0, 1], range: ['#2a7f3f', '#c0392b'], legend: true, label: 'skip rate' },
    marks: [
      Plot.barX(h.genres.slice(0, 12), { y: 'id', x: 'plays', fill: (d: { skipRate: number | null }) => d.skipRate ?? 0, sort: { y: '-x' } }),
      Plot.text(h.genres.slice(0, 12), { y: 'id', x: 'plays', text: (d: { skipRate: number | null }) => (d.skipRate === null ? '' : `${pct(d.skipRate, 0)} skipped`), dx: 4, textAnchor: 'start' }),
    ],
  } : undefined), [h]);

  const artists = useMemo<Plot.PlotOptions | undefined>(() => (h && h.artists.length > 0 ? {
    height: 24 * Math.min(10, h.artists.length) + 40, width: 420, marginLeft: 140, x: { label: 'plays', grid: true }, y: { label: null },
    marks: [Plot.barX(h.artists.slice(0, 10), { y: (d: { name?: string; id: string }) => d.name ?? d.id, x: 'plays', fill: '#1f5fbf', sort: { y: '-x' } })],
  } : undefined), [h]);

  const s = profile.data?.session;
  return (
    <>
      <ErrorNote error={history.error} />
      {history.loading ? <Loading what="history" /> : null}
      {h ? (
        <Card title="Listening timeline (last 30 days)" id="timeline">
          <p>{fmt(h.total)} events in {fmt(h.sessions)} sessions{h.total > h.events.length ? ` (the newest ${fmt(h.events.length)} shown)` : ''}.</p>
          {timeline ? <PlotFigure testId="plot-timeline" options={timeline} label="Listening timeline: plays, skips and likes over time, sessions shaded" caption="Each dot is an event; shaded bands are sessions." /> : <p class="muted">No events in the last 30 days.</p>}
        </Card>
      ) : null}
      <div class="two">
        <Card title="Taste: genres" id="genres">
          {genres ? <PlotFigure testId="plot-genres" options={genres} label="Most played genres with skip rate" caption="Plays per genre, coloured and labelled by skip rate." /> : <p class="muted">No genre data.</p>}
        </Card>
        <Card title="Taste: artists" id="artists">
          {artists ? <PlotFigure testId="plot-artists" options={artists} label="Most played artists" /> : <p class="muted">No artist data.</p>}
        </Card>
      </div>
      <Card title="Current session" id="session">
        <ErrorNote error={profile.error} />
        {s ? (
          <>
            <p>Session since {when(s.startTs)}: {s.plays} plays, {s.listens} listened through, {s.skips} skipped, {s.likes} liked.</p>
            <table>
              <thead><tr><th scope="col">when</th><th scope="col">track</th><th scope="col">artist</th><th scope="col">album</th><th scope="col">outcome</th></tr></thead>
              <tbody>{[...s.recent].reverse().map((p, i) => <tr key={i}><td>{when(p.ts)}</td><td>{title(p.trackId)}</td><td>{artistName(p.trackId)}</td><td>{albumTitle(p.trackId)}</td><td>{OUTCOME[p.outcome + 1]}</td></tr>)}</tbody>
            </table>
          </>
        ) : profile.data ? <p class="muted">No session in progress (the online state holds none for this listener now).</p> : null}
        <p><a href={`#/sequence?listener=${encodeURIComponent(id)}`}>Serve this listener a sequence</a></p>
      </Card>
    </>
  );
}
