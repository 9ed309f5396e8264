import { Type } from '@sinclair/typebox';
import { isEvalReport, latestEvalReports } from '../../evaluation/index.js';
import { ModelsReply, responses } from '../schemas.js';
import type { RouteGroup } from './shared.js';

const EvaluationsReply = Type.Array(Type.Object({
  task: Type.String({ description: 'next-track, continuation, listener-artist or skip' }),
  version: Type.Integer(), createdAt: Type.Number(),
  report: Type.Object({}, { additionalProperties: true, description: 'the JSON report of `segue eval --json`' }),
}));

/** Trained model versions, and the ones this server answers with; the latest `segue eval` reports. */
export const modelRoutes: RouteGroup = (app, { store, serving }) => {
  app.get('/v1/models', {
    config: { scope: 'read' },
    schema: { summary: 'Trained model versions (with their training info: time, figures, feature importance), and the ones the server answers with', tags: ['admin'], response: { 200: ModelsReply, ...responses.errors(401, 403, 429) } },
  }, async () => ({
    serving: { ...(serving.surfaces?.reco.versions ?? {}) },
    loadedAt: serving.loadedAt,
    models: (await store.models.list()).filter((m) => !isEvalReport(m.name)).map((m) => ({ name: m.name, version: m.version, createdAt: m.createdAt, bytes: m.bytes, info: m.info })),
  }));
  app.get('/v1/evaluations', {
    config: { scope: 'read' },
    schema: { summary: 'The latest report of each `segue eval` task run on this store', tags: ['admin'], response: { 200: EvaluationsReply, ...responses.errors(401, 403, 429) } },
  }, async () => latestEvalReports(store));
};
