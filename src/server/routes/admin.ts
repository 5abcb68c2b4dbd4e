import { createHash, timingSafeEqual } from 'node:crypto';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import {
  type AdminPoolResponse,
  adminPoolParamsSchema,
  adminPoolResponseSchema,
  type LabPool,
  setPoolTargetRequestSchema,
  setPoolTargetResponseSchema,
} from '../../protocol/api.js';
import { Errors } from '../errors.js';
import { planPoolSize } from '../pool/targets.js';
import { type AppContext, bearerToken } from './context.js';

/** An override may last at most this long: a forgotten one must not keep a class's pool warm for days. */
const maxOverrideMs = 24 * 3600 * 1000;

const digest = (value: string) => createHash('sha256').update(value).digest();

/**
 * The operator's routes (registered by api.ts only when SSH_LAB_ADMIN_TOKEN is set): warm a lab's
 * pool for a while (a class is coming) and read what every lab's pool holds. Rate-limited like
 * every /api route; the token is compared in constant time before anything else runs.
 */
export const adminRoutes: FastifyPluginAsyncZod<AppContext> = async (app, { config, catalogue, registry, pool: control }) => {
  const { adminToken } = config;
  if (!adminToken || !control) throw new Error('admin routes registered without SSH_LAB_ADMIN_TOKEN or a pool');
  const expected = digest(adminToken);
  const { targets, pool } = control;
  const hostMemoryMb = config.hostLimits.memoryMb;

  app.addHook('onRequest', async (request) => {
    const token = bearerToken(request.headers.authorization);
    // Digests compare in constant time whatever the length of what was sent.
    if (!token || !timingSafeEqual(digest(token), expected)) throw new Errors.AdminTokenWrong();
  });

  const hostsOf = (labId: string) => catalogue.get(labId)?.definition.hosts.length ?? 1;
  const labPool = (labId: string): LabPool => {
    const override = targets.override(labId);
    const target = targets.target(labId);
    return {
      labId,
      hostsPerEnvironment: hostsOf(labId),
      configuredSize: targets.configured(labId),
      target,
      override: override ? { size: override.size, until: new Date(override.until).toISOString() } : null,
      ready: pool.readyCount(labId),
      building: pool.buildingCount(labId),
      memoryLimitMb: target * hostsOf(labId) * hostMemoryMb,
    };
  };
  const pooled = (labId: string) => pool.readyCount(labId) + pool.buildingCount(labId);

  app.get('/admin/pool', { schema: { response: { 200: adminPoolResponseSchema } } }, async (_request, reply) => {
    const labs = catalogue.summaries().map((summary) => labPool(summary.id));
    const sum = (key: 'configuredSize' | 'target' | 'ready' | 'building' | 'memoryLimitMb') => labs.reduce((n, lab) => n + lab[key], 0);
    const body: AdminPoolResponse = {
      labs,
      totals: {
        configuredSize: sum('configuredSize'),
        target: sum('target'),
        ready: sum('ready'),
        building: sum('building'),
        memoryLimitMb: sum('memoryLimitMb'),
      },
      sessions: { active: registry.size, max: config.maxSessions },
      machine: { hostMemoryMb, availableMemoryMb: control.availableMemoryMb() },
    };
    return reply.header('cache-control', 'no-store').send(body);
  });

  app.put(
    '/admin/pool/:labId',
    { schema: { params: adminPoolParamsSchema, body: setPoolTargetRequestSchema, response: { 200: setPoolTargetResponseSchema } } },
    async (request, reply) => {
      const { labId } = request.params;
      if (!catalogue.get(labId)) throw new Errors.LabUnknown(labId);
      const { size, dryRun } = request.body;
      const until = Date.parse(request.body.until);
      if (until - Date.now() > maxOverrideMs)
        throw new Errors.BadRequest('"until" must be within 24 hours from now: an override is for a class, not a new default.');
      const pooledForLab = pooled(labId);
      const pooledForOtherLabs = catalogue
        .summaries()
        .filter((summary) => summary.id !== labId)
        .reduce((n, summary) => n + pooled(summary.id), 0);
      const plan = planPoolSize({
        size,
        hostsPerEnvironment: hostsOf(labId),
        hostMemoryMb,
        pooledForLab,
        pooledForOtherLabs,
        activeSessions: registry.size,
        maxSessions: config.maxSessions,
        availableMemoryMb: control.availableMemoryMb(),
      });
      // A past `until` clears the override: nothing is spent, so nothing is refused.
      const clearing = until <= Date.now();
      if (plan.refusal && !clearing) {
        throw plan.refusal.reason === 'sessions' ? new Errors.PoolOverCap(labId, plan.refusal.message) : new Errors.PoolOverMemory(labId, plan.refusal.message);
      }
      if (!dryRun) {
        targets.set(labId, size, until);
        pool.retarget();
        request.log.info(
          { lab: labId, size, until: request.body.until, memoryLimitMb: plan.memoryLimitMb },
          clearing ? 'pool override cleared' : 'pool override set',
        );
      }
      const { refusal: _, ...shown } = plan;
      return reply.header('cache-control', 'no-store').send({ applied: !dryRun, lab: labPool(labId), plan: shown });
    },
  );
};
