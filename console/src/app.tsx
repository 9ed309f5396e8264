import { useEffect, useState } from 'preact/hooks';
import { connect, describe, forgetKey, saveKey, savedKey } from './api.js';
import { SessionContext, type Session } from './context.js';
import { Overview } from './pages/overview.js';
import { ListenerPage } from './pages/listener.js';
import { SequencePage } from './pages/sequence.js';
import { Playground } from './pages/playground.js';
import { Tradeoffs } from './pages/tradeoffs.js';
import { Experiments } from './pages/experiments.js';
import { Models } from './pages/models.js';

const PAGES = [
  { path: 'overview', label: 'Overview' },
  { path: 'listener', label: 'Listener' },
  { path: 'sequence', label: 'Sequence' },
  { path: 'playground', label: 'Policy playground' },
  { path: 'tradeoffs', label: 'Trade-offs' },
  { path: 'experiments', label: 'Experiments' },
  { path: 'models', label: 'Models' },
] as const;

/** `#/listener/u1?x=1` → ['listener', 'u1'] and the query. */
function route(): { page: string; arg: string; query: URLSearchParams } {
  const [path, q] = location.hash.replace(/^#\/?/, '').split('?');
  const [page, ...rest] = (path ?? '').split('/');
  return { page: page || 'overview', arg: decodeURIComponent(rest.join('/')), query: new URLSearchParams(q ?? '') };
}

export function App() {
  const [session, setSession] = useState<Session | null>(null);
  const [error, setError] = useState<string>('');
  const [checking, setChecking] = useState(savedKey() !== null);
  const [where, setWhere] = useState(route());

  useEffect(() => {
    const onHash = () => setWhere(route());
    window.addEventListener('hashchange', onHash);
    return () => window.removeEventListener('hashchange', onHash);
  }, []);

  const login = async (key: string) => {
    setError('');
    const client = connect(key);
    try {
      const me = await client.whoami();
      saveKey(key);
      setSession({ client, keyName: me.name, scopes: me.scopes, admin: me.scopes.includes('admin') });
    } catch (err) {
      forgetKey();
      setError(describe(err));
    } finally {
      setChecking(false);
    }
  };
  useEffect(() => {
    const key = savedKey();
    if (key) void login(key);
  }, []);

  if (!session) {
    return (
      <main class="login">
        <h1>Segue console</h1>
        {checking ? <p aria-live="polite">Checking the saved key…</p> : <LoginForm onLogin={login} error={error} />}
      </main>
    );
  }
  const page = PAGES.some((p) => p.path === where.page) ? where.page : 'overview';
  return (
    <SessionContext.Provider value={session}>
      <div class="shell">
        <a class="skip" href="#main">Skip to content</a>
        <nav aria-label="Pages">
          <p class="brand">Segue</p>
          <ul>
            {PAGES.map((p) => (
              <li key={p.path}><a href={`#/${p.path}`} aria-current={p.path === page ? 'page' : undefined}>{p.label}</a></li>
            ))}
          </ul>
          <p class="who">
            Key <strong>{session.keyName || 'unnamed'}</strong>: {session.scopes.join(', ')}
            {session.admin ? null : <span class="badge" title="Changes need a key with the admin scope">read-only</span>}
          </p>
          <button type="button" onClick={() => { forgetKey(); setSession(null); }}>Log out</button>
        </nav>
        <main id="main" tabIndex={-1}>
          {page === 'overview' && <Overview />}
          {page === 'listener' && <ListenerPage id={where.arg} />}
          {page === 'sequence' && <SequencePage query={where.query} />}
          {page === 'playground' && <Playground query={where.query} />}
          {page === 'tradeoffs' && <Tradeoffs />}
          {page === 'experiments' && <Experiments name={where.arg} />}
          {page === 'models' && <Models />}
        </main>
      </div>
    </SessionContext.Provider>
  );
}

function LoginForm({ onLogin, error }: { onLogin: (key: string) => Promise<void>; error: string }) {
  const [key, setKey] = useState('');
  const [busy, setBusy] = useState(false);
  return (
    <form onSubmit={(e) => { e.preventDefault(); setBusy(true); void onLogin(key.trim()).finally(() => setBusy(false)); }}>
      <p>Log in with an API key (from <code>segue keys create</code>, or the one the demo prints). It is kept in this tab only.</p>
      <label for="key">API key</label>
      <input id="key" name="key" type="password" autocomplete="off" required value={key} onInput={(e) => setKey((e.target as HTMLInputElement).value)} />
      <button type="submit" disabled={busy || key.trim() === ''}>Log in</button>
      {error ? <p class="error" role="alert">{error}</p> : null}
    </form>
  );
}
