import { ModelsReply, responses } from '../schemas.js';
import type { RouteGroup } from './shared.js';

/** Trained model versions, and the ones this server answers with (admin). */
export const modelRoutes: RouteGroup = (app, { store, serving }) => {
  app.get('/v1/models', {
    config: { scope: 'admin' },
    schema: { summary: 'Trained model versions, and the ones the server answers with', tags: ['admin'], response: { 200: ModelsReply, ...responses.errors(401, 403, 429) } },
  }, async () => ({
    serving: { ...(serving.surfaces?.reco.versions ?? {}) },
    loadedAt: serving.loadedAt,
    models: (await store.models.list()).map((m) => ({ name: m.name, version: m.version, createdAt: m.createdAt, bytes: m.bytes })),
  }));
};
