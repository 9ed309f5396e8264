import { Type } from '@sinclair/typebox';
import { SWEEPABLE, parseSweep } from '../../evaluation/index.js';
import { overridePolicy } from '../../sequencing/index.js';
import { responses } from '../schemas.js';
import type { Job } from '../jobs.js';
import { HttpError, type RouteGroup } from './shared.js';

const TradeoffBody = Type.Object({
  surface: Type.Union([Type.Literal('radio'), Type.Literal('autoplay')]),
  objective: Type.Union(SWEEPABLE.map((o) => Type.Literal(o)), { description: 'the objective weight swept' }),
  from: Type.Number({ minimum: 0, maximum: 100 }),
  to: Type.Number({ minimum: 0, maximum: 100 }),
  step: Type.Number({ exclusiveMinimum: 0, maximum: 100 }),
  policy: Type.Optional(Type.Object({}, { additionalProperties: true, description: 'a partial policy (e.g. the playground\'s): also served, and marked on the plot as the current point' })),
  listeners: Type.Optional(Type.Integer({ minimum: 50, maximum: 5_000, description: 'listeners of the simulated world (default 400)' })),
  tracks: Type.Optional(Type.Integer({ minimum: 500, maximum: 50_000, description: 'tracks of the simulated world (default 4,000)' })),
  days: Type.Optional(Type.Integer({ minimum: 2, maximum: 60, description: 'days of history (default 7)' })),
  sessions: Type.Optional(Type.Integer({ minimum: 10, maximum: 2_000, description: 'listeners served per point (default 120)' })),
  length: Type.Optional(Type.Integer({ minimum: 5, maximum: 100, description: 'tracks per served session (default 20)' })),
  seed: Type.Optional(Type.Integer()),
}, { additionalProperties: false });
const Arm = Type.Object({ listenThrough: Type.Number(), minutes: Type.Number(), emergingShare: Type.Number(), plays: Type.Number() });
const JobReply = Type.Object({
  id: Type.String(), kind: Type.String(), status: Type.String({ description: 'running, done, failed or cancelled' }),
  progress: Type.Number({ description: '0..1' }), message: Type.String(), startedAt: Type.Number(), finishedAt: Type.Union([Type.Number(), Type.Null()]),
  params: Type.Object({}, { additionalProperties: true }),
  result: Type.Optional(Type.Object({
    surface: Type.String(), objective: Type.String(), protocol: Type.String(),
    points: Type.Array(Type.Composite([Arm, Type.Object({ weight: Type.Number() })])),
    baseline: Arm,
    current: Type.Optional(Type.Composite([Arm, Type.Object({ weight: Type.Number() })])),
  })),
  error: Type.Optional(Type.String()),
});
const IdParam = Type.Object({ id: Type.String({ minLength: 1, maxLength: 64 }) });

/**
 * Background jobs: the trade-off frontier of `segue tradeoff`, run in a worker thread of this
 * process while the console shows its progress. One at a time (409 while one runs).
 */
export const jobRoutes: RouteGroup = (app, { jobs }) => {
  app.post('/v1/jobs/tradeoff', {
    config: { scope: 'read' },
    schema: {
      summary: 'Start tracing a trade-off frontier in the simulator\'s closed loop (as `segue tradeoff`); poll GET /v1/jobs/{id}',
      description: 'Builds its own simulated world (needs no store data) and changes nothing; one job runs at a time per process.',
      tags: ['jobs'], body: TradeoffBody, response: { 202: JobReply, ...responses.errors(400, 401, 403, 409, 429) },
    },
  }, async (req, reply) => {
    const b = req.body as { surface: 'radio' | 'autoplay'; objective: string; from: number; to: number; step: number; policy?: object; listeners?: number; tracks?: number; days?: number; sessions?: number; length?: number; seed?: number };
    let sweep;
    try {
      sweep = parseSweep(`${b.objective}=${b.from}:${b.to}:${b.step}`);
    } catch (err) {
      throw new HttpError(400, 'bad_request', (err as Error).message.replace(/^--sweep:? ?/, 'sweep: '), '/step');
    }
    if (sweep.values.length > 21) throw new HttpError(400, 'bad_request', `at most 21 points per run, from ${b.from} to ${b.to} by ${b.step} makes ${sweep.values.length}`, '/step');
    const current = b.policy === undefined ? undefined : overridePolicy(b.surface, b.policy, 'policy');
    const job = jobs.tradeoff(b.surface, sweep, {
      listeners: b.listeners ?? 400, tracks: b.tracks ?? 4_000, days: b.days ?? 7, sessions: b.sessions ?? 120, length: b.length ?? 20, seed: b.seed ?? 3,
    }, current);
    if (!job) throw new HttpError(409, 'conflict', `a job is running already (${jobs.busy!.id}, ${Math.round(jobs.busy!.progress * 100)}% done); wait for it or stop it`);
    return reply.code(202).send(view(job));
  });
  app.get('/v1/jobs', {
    config: { scope: 'read' },
    schema: { summary: 'This process\'s recent jobs, newest first (without their results)', tags: ['jobs'], response: { 200: Type.Array(JobReply), ...responses.errors(401, 403, 429) } },
  }, async () => jobs.list().map((j) => ({ ...view(j), result: undefined })));
  app.get('/v1/jobs/:id', {
    config: { scope: 'read', rateLimit: false },
    schema: { summary: 'A job\'s status, progress and (when done) result', tags: ['jobs'], params: IdParam, response: { 200: JobReply, ...responses.errors(401, 403, 404) } },
  }, async (req) => {
    const job = jobs.get((req.params as { id: string }).id);
    if (!job) throw new HttpError(404, 'not_found', 'no such job in this process (jobs are kept in memory by the process that runs them: a restart forgets them)');
    return view(job);
  });
  app.post('/v1/jobs/:id/cancel', {
    config: { scope: 'read' },
    schema: { summary: 'Stop a running job', tags: ['jobs'], params: IdParam, response: { 200: JobReply, ...responses.errors(401, 403, 404, 409) } },
  }, async (req) => {
    const id = (req.params as { id: string }).id;
    const job = jobs.get(id);
    if (!job) throw new HttpError(404, 'not_found', 'no such job in this process');
    if (!(await jobs.cancel(id))) throw new HttpError(409, 'conflict', `the job is ${job.status}, not running`);
    return view(job);
  });
};

function view(j: Job): Job {
  return { ...j };
}
