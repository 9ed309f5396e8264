import { useMemo } from 'preact/hooks';
import type { RecommendResponse } from '../../../src/client/index.js';
import { albumTitle, artistName, keyName, title, track } from '../names.js';
import { PlotFigure, Plot } from '../plot.js';

export type Item = RecommendResponse['items'][number];

/** The objective terms in the order the policy lists them. */
export const OBJECTIVES = ['satisfaction', 'flow', 'discovery', 'variety', 'emergingArtists', 'fairness', 'promoted', 'cost'] as const;

/** Sum of each objective's value over a list: what the sequencer maximised, term by term. */
export function totals(items: readonly Item[]): Record<string, number> {
  const t: Record<string, number> = {};
  for (const it of items) for (const [k, v] of Object.entries(it.explanation.values)) t[k] = (t[k] ?? 0) + v;
  return t;
}

/** Bars of an item's objective values, scaled to the largest magnitude in the list. */
function ValueBars({ values, scale }: { values: Record<string, number>; scale: number }) {
  const entries = Object.entries(values).filter(([, v]) => v !== 0);
  return (
    <ul class="bars" aria-label="objective values">
      {entries.map(([k, v]) => (
        <li key={k} title={`${k}: ${v.toFixed(3)}`}>
          <span class="bar-label">{k}</span>
          <span class={`bar ${v < 0 ? 'neg' : 'pos'}`} style={{ width: `${Math.max(2, (60 * Math.abs(v)) / scale)}px` }} />
          <span class="bar-value">{v.toFixed(2)}</span>
        </li>
      ))}
    </ul>
  );
}

/**
 * A served sequence: per item the title, artists and album, which sources found it, a bar per
 * objective value and the constraints or targets that moved it. `before` marks moves against
 * an earlier list of the same candidates.
 */
export function SequenceTable({ items, before, caption, explain = true }: { items: readonly Item[]; before?: readonly Item[]; caption: string; explain?: boolean }) {
  const prior = useMemo(() => new Map((before ?? []).map((x, i) => [x.trackId, i])), [before]);
  const scale = useMemo(() => Math.max(1e-9, ...items.flatMap((x) => Object.values(x.explanation.values).map(Math.abs))), [items]);
  return (
    <table class="sequence">
      <caption>{caption}</caption>
      <thead>
        <tr><th scope="col">#</th>{before ? <th scope="col">moved</th> : null}<th scope="col">title</th><th scope="col">artist</th><th scope="col">album</th>{explain ? <><th scope="col">found by</th><th scope="col">objective values</th><th scope="col">moved by</th></> : <th scope="col">score</th>}</tr>
      </thead>
      <tbody>
        {items.map((it, i) => {
          const was = prior.get(it.trackId);
          const move = before === undefined ? null : was === undefined ? 'new' : was === i ? '' : was > i ? `↑${was - i}` : `↓${i - was}`;
          return (
            <tr key={it.trackId} class={move ? 'moved' : undefined} data-track={it.trackId}>
              <td>{i + 1}</td>
              {before ? <td class="move" aria-label={move === 'new' ? 'new in this list' : move ? `moved ${move.startsWith('↑') ? 'up' : 'down'} ${move.slice(1)}` : 'same place'}>{move}</td> : null}
              <td>{title(it.trackId)}{it.inserted ? <span class="badge">inserted</span> : null}</td>
              <td>{artistName(it.trackId)}</td>
              <td>{albumTitle(it.trackId)}</td>
              {explain ? (
                <>
                  <td>{it.explanation.sources.map((s) => <span class="chip" key={s}>{s}</span>)}</td>
                  <td><ValueBars values={it.explanation.values} scale={scale} /></td>
                  <td>{it.explanation.changedBy.length > 0 ? it.explanation.changedBy.join(', ') : '–'}</td>
                </>
              ) : <td>{it.score.toFixed(3)}</td>}
            </tr>
          );
        })}
      </tbody>
    </table>
  );
}

/** Tempo, energy and key along the list: how it flows. */
export function FlowStrip({ items }: { items: readonly Item[] }) {
  const rows = items.map((it, i) => {
    const a = track(it.trackId)?.audio ?? {};
    return { position: i + 1, tempo: a.tempo ?? NaN, energy: a.energy ?? NaN, key: keyName(a.key, a.mode), name: title(it.trackId) };
  });
  const common = { width: 900, marginLeft: 56, x: { label: 'position', domain: [0.5, rows.length + 0.5] } };
  const tempo = useMemo<Plot.PlotOptions>(() => ({ ...common, height: 120, y: { label: 'tempo (BPM)', grid: true }, marks: [Plot.lineY(rows, { x: 'position', y: 'tempo', stroke: '#1f5fbf' }), Plot.dot(rows, { x: 'position', y: 'tempo', fill: '#1f5fbf', r: 2.5, tip: true, title: 'name' })] }), [items]);
  const energy = useMemo<Plot.PlotOptions>(() => ({ ...common, height: 110, y: { label: 'energy', domain: [0, 1], grid: true }, marks: [Plot.areaY(rows, { x: 'position', y: 'energy', fill: '#f2b84b', fillOpacity: 0.5 }), Plot.lineY(rows, { x: 'position', y: 'energy', stroke: '#a86f00' })] }), [items]);
  const key = useMemo<Plot.PlotOptions>(() => ({ ...common, height: 60, y: { axis: null }, marks: [Plot.cell(rows, { x: 'position', fill: '#eef2f7', stroke: '#fff' }), Plot.text(rows, { x: 'position', text: 'key', fontSize: 10 })], x: { ...common.x, type: 'band' as const, domain: rows.map((r) => r.position) } }), [items]);
  return (
    <div class="flow" data-testid="flow-strip">
      <PlotFigure options={tempo} label="Tempo per position" caption="Tempo" />
      <PlotFigure options={energy} label="Energy per position" caption="Energy" />
      <PlotFigure options={key} label="Musical key per position" caption="Key (m: minor)" />
    </div>
  );
}
