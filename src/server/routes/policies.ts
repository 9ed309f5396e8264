import { Type } from '@sinclair/typebox';
import { PolicySchema, checkSavedPolicy, defaultPolicy, type Surface } from '../../sequencing/index.js';
import { SurfaceParam, responses } from '../schemas.js';
import { HttpError, type RouteGroup } from './shared.js';

const Name = Type.Object({ name: Type.String({ minLength: 1, maxLength: 64 }) });
const Partial = Type.Object({}, { additionalProperties: true, description: 'a partial policy over a surface\'s defaults: objects merge, values replace' });
const SavedPolicy = Type.Object({ name: Type.String(), version: Type.Integer(), createdAt: Type.Number(), policy: Partial });

/** Saved (named) policies, and each surface's default policy: what the playground starts from and saves to. */
export const policyRoutes: RouteGroup = (app, { store }) => {
  app.get('/v1/surfaces/:surface/policy', {
    config: { scope: ['read', 'recommend'] },
    schema: { summary: 'The surface\'s default policy, whole (a partial policy is laid over it)', tags: ['policies'], params: SurfaceParam, response: { 200: PolicySchema, ...responses.errors(401, 403, 429) } },
  }, async (req) => defaultPolicy((req.params as { surface: Surface }).surface));
  app.get('/v1/policies', {
    config: { scope: 'read' },
    schema: { summary: 'Saved policies (newest version of each)', tags: ['policies'], response: { 200: Type.Array(Type.Object({ name: Type.String(), version: Type.Integer(), createdAt: Type.Number() })), ...responses.errors(401, 403, 429) } },
  }, async () => store.policies.list());
  app.get('/v1/policies/:name', {
    config: { scope: 'read' },
    schema: { summary: 'A saved policy (its newest version)', tags: ['policies'], params: Name, response: { 200: SavedPolicy, ...responses.errors(401, 403, 404, 429) } },
  }, async (req) => {
    const name = (req.params as { name: string }).name;
    const p = await store.policies.get(name);
    if (!p) throw new HttpError(404, 'not_found', `no policy named ${JSON.stringify(name)}`);
    return p;
  });
  app.put('/v1/policies/:name', {
    config: { scope: 'admin' },
    schema: {
      summary: 'Save a partial policy under a name (a new version each time); checked against every surface it may apply to',
      tags: ['policies'], params: Name, body: Partial, response: { 200: Type.Object({ name: Type.String(), version: Type.Integer() }), ...responses.errors(400, 401, 403, 429) },
    },
  }, async (req) => {
    const name = (req.params as { name: string }).name;
    const policy = checkSavedPolicy(name, req.body);
    return { name, version: await store.policies.put(name, policy) };
  });
};
