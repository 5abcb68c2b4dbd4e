import type { FastifyPluginAsync } from 'fastify';
import * as z from 'zod';
import { checkRequestSchema, createSessionRequestSchema, type CheckResponse, type CreateSessionResponse, type SolutionResponse } from '../../protocol/api.js';
import { runChecks } from '../checks/run-checks.js';
import { createCheckContext } from '../checks/check-context.js';
import { Errors } from '../errors.js';
import { bearerToken, parseWith, type AppContext } from './context.js';

const paramsSchema = z.object({ id: z.string().min(1).max(64) });

export const sessionRoutes: FastifyPluginAsync<AppContext> = async (app, { catalogue, registry, config, metrics }) => {
  const authorise = (request: { params: unknown; headers: { authorization?: string } }) => {
    const { id } = parseWith(paramsSchema, request.params, 'session id');
    return registry.authorise(id, bearerToken(request.headers.authorization));
  };

  app.post(
    '/api/sessions',
    { config: { rateLimit: { max: config.sessionCreatePerMinute, timeWindow: 60_000 } } },
    async (request, reply) => {
      const { labId } = parseWith(createSessionRequestSchema, request.body, 'request body');
      const lab = catalogue.get(labId);
      if (!lab) throw new Errors.LabUnknown(labId);
      const { session, token } = await registry.create(lab, request.ip);
      const body: CreateSessionResponse = { ...session.view(), token };
      return reply.code(201).header('cache-control', 'no-store').send(body);
    },
  );

  app.get('/api/sessions/:id', async (request, reply) => reply.header('cache-control', 'no-store').send(authorise(request).view()));

  app.delete('/api/sessions/:id', async (request, reply) => {
    const session = authorise(request);
    await registry.end(session.id, 'ended by learner');
    return reply.code(204).send();
  });

  app.post('/api/sessions/:id/check', async (request): Promise<CheckResponse> => {
    const session = authorise(request);
    const { stepId } = parseWith(checkRequestSchema, request.body, 'request body');
    if (stepId && !session.lab.definition.steps.some((s) => s.id === stepId)) throw new Errors.StepUnknown(session.lab.definition.id, stepId);
    if (session.state !== 'ready') throw new Errors.NotReady();
    const timer = metrics.checks.startTimer();
    const context = createCheckContext(
      session.environment,
      { user: session.user, password: session.password, hosts: session.environment.hosts },
      config.checkTimeoutMs,
    );
    const steps = await runChecks(session.lab, context, config.checkTimeoutMs, stepId);
    timer();
    return { steps };
  });

  app.post('/api/sessions/:id/ticket', async (request, reply) => {
    const session = authorise(request);
    return reply.header('cache-control', 'no-store').send(registry.tickets.issue(session.id));
  });

  /** The reference solution, revealed only when the learner asks for it. */
  app.get('/api/sessions/:id/solution', async (request): Promise<SolutionResponse> => {
    const session = authorise(request);
    const { solution, steps } = session.lab.definition;
    return {
      steps: steps.map((s) => ({
        id: s.id,
        commands: (solution[s.id] ?? []).flatMap((a) => (typeof a === 'string' ? [a] : 'run' in a ? [a.run] : [])),
      })),
    };
  });
};
