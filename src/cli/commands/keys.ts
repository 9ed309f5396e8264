import type { Command } from 'commander';
import { SCOPES, type Scope } from '../../store/index.js';
import { positiveInt } from '../args.js';
import { emit, table } from '../output.js';
import { CliError } from '../errors.js';
import { withStore, type GlobalOptions } from '../context.js';

export function registerKeys(program: Command, globals: () => GlobalOptions): void {
  const keys = program.command('keys').description('API keys of the HTTP API: stored hashed; the secret is shown once, at creation');
  keys
    .command('create')
    .description('create a key and print it (once)')
    .requiredOption('--scopes <list>', `comma-separated: ${SCOPES.join(', ')} (admin allows everything)`)
    .option('--name <name>', 'a label, for listings', '')
    .option('--rate-limit <n>', 'requests per minute for this key (default: the server\'s)')
    .action(async (flags: { scopes: string; name: string; rateLimit?: string }) => {
      const g = globals();
      const scopes = flags.scopes.split(',').map((s) => s.trim()).filter(Boolean);
      const bad = scopes.find((s) => !(SCOPES as readonly string[]).includes(s));
      if (bad !== undefined || scopes.length === 0) throw new CliError(`--scopes must list one or more of ${SCOPES.join(', ')}${bad !== undefined ? `, got ${JSON.stringify(bad)}` : ''}`);
      const rateLimit = flags.rateLimit === undefined ? undefined : positiveInt('--rate-limit', flags.rateLimit);
      const r = await withStore(g, (store) => store.keys.create({ scopes: scopes as Scope[], name: flags.name, ...(rateLimit !== undefined ? { rateLimit } : {}) }));
      emit(g.json, { ...r.meta, key: r.key }, () => `${r.key}\n(key ${r.meta.id}, scopes ${r.meta.scopes.join(', ')}: store it now, it cannot be shown again)`);
    });
  keys
    .command('revoke')
    .description('revoke a key by its id: requests with it get 401 at once')
    .argument('<id>', 'the key\'s id (the 16 hex characters after sg_)')
    .action(async (id: string) => {
      const g = globals();
      const ok = await withStore(g, (store) => store.keys.revoke(id));
      if (!ok) throw new CliError(`no key with id ${JSON.stringify(id)} (see \`segue keys list\`)`);
      emit(g.json, { id, revoked: true }, () => `revoked ${id}`);
    });
  keys
    .command('list')
    .description('list keys (ids, scopes, status; never the secrets)')
    .action(async () => {
      const g = globals();
      const list = await withStore(g, (store) => store.keys.list());
      emit(g.json, list, () => (list.length === 0 ? 'no keys; create one with `segue keys create --scopes ...`' : table(['id', 'name', 'scopes', 'rate limit', 'created', 'status'], list.map((k) => [
        k.id, k.name, k.scopes.join(','), k.rateLimit ?? 'default', new Date(k.createdAt).toISOString(), k.revokedAt === null ? 'active' : `revoked ${new Date(k.revokedAt).toISOString()}`,
      ]))));
    });
}
