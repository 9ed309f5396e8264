import { HealthReply } from '../schemas.js';
import { HttpError, type RouteGroup } from './shared.js';

/** Health, readiness, Prometheus metrics and the OpenAPI document: public, not rate limited, hidden from the document. */
export const healthRoutes: RouteGroup = (app, { serving, metrics, siblings }) => {
  const publicRoute = { config: { rateLimit: false as const } };
  app.get('/healthz', { ...publicRoute, schema: { hide: true, response: { 200: HealthReply } } }, async () => ({ status: 'ok' }));
  app.get('/readyz', { ...publicRoute, schema: { hide: true, response: { 200: HealthReply, 503: HealthReply } } }, async (_req, reply) => {
    if (serving.stopping) return reply.code(503).send({ status: 'stopping' });
    if (!serving.surfaces) return reply.code(503).send({ status: serving.problem });
    return { status: 'ready' };
  });
  app.get('/metrics', { ...publicRoute, schema: { hide: true } }, async (_req, reply) => {
    void reply.header('content-type', metrics.contentType);
    if (!siblings) return metrics.render(serving);
    return siblings.metrics().catch((err: Error) => {
      throw new HttpError(503, 'unavailable', `the metrics of every process are not available: ${err.message}`);
    });
  });
  app.get('/docs', { ...publicRoute, schema: { hide: true } }, async () => app.swagger());
};
