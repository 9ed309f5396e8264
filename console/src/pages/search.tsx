import { useEffect, useState } from 'preact/hooks';
import type { SearchKind } from '../../../src/client/index.js';
import { useSession } from '../context.js';
import { ErrorNote } from '../ui.js';

/** A search box with its results as a list of choices (id or name, case-insensitive). */
export function SearchBox({ kind, label, onPick, id }: { kind: SearchKind; label: string; onPick: (x: { id: string; name: string }) => void; id: string }) {
  const { client } = useSession();
  const [q, setQ] = useState('');
  const [results, setResults] = useState<Array<{ id: string; name: string }>>([]);
  const [error, setError] = useState<unknown>();
  useEffect(() => {
    if (q.trim().length < 2) { setResults([]); return; }
    let live = true;
    const t = setTimeout(() => {
      client.search(kind, q.trim(), 12).then((r) => live && (setResults(r), setError(undefined)), (err: unknown) => live && setError(err));
    }, 150);
    return () => { live = false; clearTimeout(t); };
  }, [q, kind]);
  return (
    <div class="search">
      <label for={id}>{label}</label>
      <input id={id} type="search" value={q} autocomplete="off" onInput={(e) => setQ((e.target as HTMLInputElement).value)} aria-describedby={`${id}-hint`} />
      <span id={`${id}-hint`} class="muted"> two or more characters</span>
      <ErrorNote error={error} />
      {results.length > 0 ? (
        <ul class="results" aria-label={`${label}: results`}>
          {results.map((r) => (
            <li key={r.id}><button type="button" class="link" onClick={() => { onPick(r); setResults([]); setQ(''); }}>{r.name}{r.name !== r.id ? <span class="muted"> ({r.id})</span> : null}</button></li>
          ))}
        </ul>
      ) : null}
    </div>
  );
}
