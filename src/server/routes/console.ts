import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import fastifyStatic from '@fastify/static';
import type { FastifyInstance } from 'fastify';

/**
 * Where the console's bundle is: dist/console, built by `npm run build` (Vite) from console/.
 * This module is dist/src/server/routes/console.js when compiled, src/server/routes/console.ts in tests.
 */
export function consoleDir(moduleUrl = import.meta.url): string {
  return fileURLToPath(new URL(moduleUrl.endsWith('.ts') ? '../../../dist/console/' : '../../../console/', moduleUrl));
}

/** The console's pages only reach this origin; Plot draws with inline style attributes. */
const CSP = "default-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; connect-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'none'";

/**
 * The web console at /console: static files of the bundle (public; every call it makes to
 * the API carries the key the user logged in with). Without a bundle, /console says how to
 * build one.
 */
export async function registerConsole(app: FastifyInstance, dir = consoleDir()): Promise<void> {
  const built = existsSync(`${dir}/index.html`);
  app.get('/console', { schema: { hide: true }, config: { rateLimit: false } }, async (_req, reply) => reply.redirect('/console/', 301));
  if (!built) {
    app.get('/console/*', { schema: { hide: true }, config: { rateLimit: false } }, async (_req, reply) =>
      reply.code(503).type('text/plain; charset=utf-8').send(`The console is not built: run \`npm run build\` (it bundles console/ into ${dir}).\n`));
    return;
  }
  await app.register(fastifyStatic, {
    root: dir, prefix: '/console/', index: ['index.html'], wildcard: true, decorateReply: false,
    // Cache-Control is set below: left on, the plugin's own (public, max-age=0) replaces it after setHeaders.
    cacheControl: false,
    setHeaders: (res, path) => {
      res.setHeader('content-security-policy', CSP);
      res.setHeader('x-content-type-options', 'nosniff');
      // Vite names assets by content hash: they never change; the page itself is revalidated.
      res.setHeader('cache-control', /[\\/]assets[\\/]/.test(path) ? 'public, max-age=31536000, immutable' : 'no-cache');
    },
  });
}
