import { Type } from '@sinclair/typebox';
import { ExperimentSchema, type Experiment, createExperiment, experimentReport, getExperiment, interleavingReport, shipExperiment, startExperiment, stopExperiment } from '../../experiments/index.js';
import { ExperimentReportReply, InterleavingReportReply, StoredExperimentReply, responses } from '../schemas.js';
import type { RouteGroup } from './shared.js';

/**
 * Experiments (admin): define, start, stop, ship, report. A change of status reloads this
 * process's assignment and announces it to the other processes of a --workers cluster.
 */
export const experimentRoutes: RouteGroup = (app, { store, serving, siblings, bus }) => {
  const Name = Type.Object({ name: Type.String({ minLength: 1, maxLength: 64 }) });
  app.post('/v1/experiments', {
    config: { scope: 'admin' },
    schema: { summary: 'Define an experiment (a draft until started)', tags: ['experiments'], body: ExperimentSchema, response: { 201: StoredExperimentReply, ...responses.errors(400, 401, 403, 409, 429) } },
  }, async (req, reply) => reply.code(201).send(stored(await createExperiment(store, req.body))));
  app.get('/v1/experiments', {
    config: { scope: 'read' },
    schema: { summary: 'Experiments and their status', tags: ['experiments'], response: { 200: Type.Array(StoredExperimentReply), ...responses.errors(401, 403, 429) } },
  }, async () => store.experiments.list());
  for (const verb of ['start', 'stop'] as const) {
    app.post(`/v1/experiments/:name/${verb}`, {
      config: { scope: 'admin' },
      schema: { summary: verb === 'start' ? 'Start assigning listeners' : 'Stop assigning listeners', tags: ['experiments'], params: Name, response: { 200: StoredExperimentReply, ...responses.errors(400, 401, 403, 404, 429) } },
    }, async (req) => {
      const name = (req.params as { name: string }).name;
      const x = verb === 'start' ? await startExperiment(store, name) : await stopExperiment(store, name);
      await serving.reloadExperiments();
      siblings?.announce('experiments');
      bus?.announce('experiments');
      return stored(x);
    });
  }
  app.post('/v1/experiments/:name/ship', {
    config: { scope: 'admin' },
    schema: { summary: 'Serve a variant to all the experiment\'s listeners but the long-term holdout', tags: ['experiments'], params: Name, body: Type.Object({ variant: Type.String({ minLength: 1, maxLength: 64 }) }, { additionalProperties: false }), response: { 200: StoredExperimentReply, ...responses.errors(400, 401, 403, 404, 429) } },
  }, async (req) => {
    const x = await shipExperiment(store, (req.params as { name: string }).name, (req.body as { variant: string }).variant);
    await serving.reloadExperiments();
    siblings?.announce('experiments');
    bus?.announce('experiments');
    return stored(x);
  });
  app.get('/v1/experiments/:name/report', {
    config: { scope: 'read' },
    // What cannot be estimated yet is NaN (the sample ratio of an experiment without listeners, a
    // metric of a variant without plays): written as null, as `segue experiment report --json`
    // writes it. The schema's compiled serializer throws on NaN, which made such a report a 500.
    serializerCompiler: () => (data) => JSON.stringify(data),
    schema: {
      summary: 'The experiment\'s report: per metric the value per variant, relativeLift, ci, pValue, sequential test; the decision (an interleaving experiment: the teams\' credit and the listeners\' preference)',
      tags: ['experiments'], params: Name, response: { 200: Type.Union([ExperimentReportReply, InterleavingReportReply]), ...responses.errors(401, 403, 404, 429) },
    },
  }, async (req) => {
    const name = (req.params as { name: string }).name;
    return (await getExperiment(store, name)).def.design === 'interleave' ? interleavingReport(store, name) : experimentReport(store, name);
  });
};

/** An experiment as the store holds it: its name beside the definition and status. */
const stored = (x: Experiment): Record<string, unknown> => ({ name: x.def.name, ...x });
