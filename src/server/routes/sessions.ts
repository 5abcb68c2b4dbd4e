import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import {
  checkRequestSchema,
  checkResponseSchema,
  createSessionRequestSchema,
  createSessionResponseSchema,
  sessionParamsSchema,
  sessionSchema,
  solutionResponseSchema,
  ticketResponseSchema,
} from '../../protocol/api.js';
import { createCheckContext } from '../checks/check-context.js';
import { runChecks } from '../checks/run-checks.js';
import { Errors } from '../errors.js';
import { type AppContext, authorisedSession, sessionToken } from './context.js';

export const sessionRoutes: FastifyPluginAsyncZod<AppContext> = async (app, { catalogue, registry, config, metrics }) => {
  const preHandler = sessionToken(registry);
  const params = sessionParamsSchema;

  app.post(
    '/sessions',
    {
      schema: { body: createSessionRequestSchema, response: { 201: createSessionResponseSchema } },
      config: { rateLimit: { max: config.sessionCreatePerMinute, timeWindow: 60_000, errorResponseBuilder: () => new Errors.TooManySessionStarts() } },
    },
    async (request, reply) => {
      const lab = catalogue.get(request.body.labId);
      if (!lab) throw new Errors.LabUnknown(request.body.labId);
      const { session, token } = await registry.create(lab, request.ip);
      return reply
        .code(201)
        .header('cache-control', 'no-store')
        .send({ ...session.view(), token });
    },
  );

  app.get('/sessions/:id', { schema: { params, response: { 200: sessionSchema } }, preHandler }, async (request, reply) =>
    reply.header('cache-control', 'no-store').send(authorisedSession(request).view()),
  );

  app.delete('/sessions/:id', { schema: { params }, preHandler }, async (request, reply) => {
    await registry.end(authorisedSession(request).id, 'ended by learner');
    return reply.code(204).send();
  });

  app.post(
    '/sessions/:id/check',
    // No body at all (Fastify passes null) checks every step, as {} does.
    { schema: { params, body: checkRequestSchema.nullish().transform((body) => body ?? {}), response: { 200: checkResponseSchema } }, preHandler },
    async (request) => {
      const session = authorisedSession(request);
      const { stepId } = request.body;
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
    },
  );

  app.post('/sessions/:id/ticket', { schema: { params, response: { 200: ticketResponseSchema } }, preHandler }, async (request, reply) =>
    reply.header('cache-control', 'no-store').send(await registry.issueTicket(authorisedSession(request).id)),
  );

  /** The reference solution, revealed only when the learner asks for it. */
  app.get('/sessions/:id/solution', { schema: { params, response: { 200: solutionResponseSchema } }, preHandler }, async (request) => {
    const { solution, steps } = authorisedSession(request).lab.definition;
    return {
      steps: steps.map((s) => ({
        id: s.id,
        commands: (solution[s.id] ?? []).flatMap((a) => (typeof a === 'string' ? [a] : 'run' in a ? [a.run] : [])),
      })),
    };
  });
};
