import { ExposureParam, ExposureReply, responses } from '../schemas.js';
import { HttpError, type RouteGroup } from './shared.js';

/** A logged exposure by request id (admin). */
export const exposureRoutes: RouteGroup = (app, { store }) => {
  app.get('/v1/exposures/:requestId', {
    config: { scope: 'admin' },
    schema: { summary: 'A logged exposure by request id', tags: ['admin'], params: ExposureParam, response: { 200: ExposureReply, ...responses.errors(401, 403, 404, 429) } },
  }, async (req) => {
    const id = (req.params as { requestId: string }).requestId;
    const x = await store.exposures.get(id);
    if (!x) throw new HttpError(404, 'not_found', `no exposure with request id ${JSON.stringify(id)}`);
    return x;
  });
};
