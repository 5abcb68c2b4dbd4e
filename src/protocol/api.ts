import * as z from 'zod';

/** Request and response bodies of the HTTP API, shared by the server (validation) and the widget. */

const id = z
  .string()
  .min(1)
  .max(64)
  .regex(/^[a-z0-9-]+$/, 'use lower-case letters, digits and dashes');

/** Path parameters of every /api/sessions/:id… route. */
export const sessionParamsSchema = z.object({ id: z.string().min(1).max(64) });
export type SessionParams = z.infer<typeof sessionParamsSchema>;

/** The query of a terminal upgrade: a one-time ticket from POST /api/sessions/:id/ticket. */

export const createSessionRequestSchema = z.object({ labId: id }).strict();
export type CreateSessionRequest = z.infer<typeof createSessionRequestSchema>;

export const sessionHostSchema = z.object({ name: z.string(), role: z.enum(['workstation', 'server']), ports: z.array(z.number()) });

export const sessionSchema = z.object({
  id: z.string(),
  labId: z.string(),
  createdAt: z.string(),
  expiresAt: z.string(),
  user: z.string(),
  password: z.string(),
  hosts: z.array(sessionHostSchema),
  /** Facts a lab shows the learner, e.g. the server's real host-key fingerprint. */
  facts: z.record(z.string(), z.string()),
});
export type SessionView = z.infer<typeof sessionSchema>;

export const createSessionResponseSchema = sessionSchema.extend({ token: z.string() });
export type CreateSessionResponse = z.infer<typeof createSessionResponseSchema>;

export const checkRequestSchema = z.object({ stepId: id.optional() }).strict();
export type CheckRequest = z.infer<typeof checkRequestSchema>;

export const stepResultSchema = z.object({
  id: z.string(),
  passed: z.boolean(),
  message: z.string(),
  hint: z.string().optional(),
});
export type StepResult = z.infer<typeof stepResultSchema>;

export const checkResponseSchema = z.object({ steps: z.array(stepResultSchema) });
export type CheckResponse = z.infer<typeof checkResponseSchema>;

export const ticketResponseSchema = z.object({ ticket: z.string(), expiresInSeconds: z.number() });
export type TicketResponse = z.infer<typeof ticketResponseSchema>;

export const solutionResponseSchema = z.object({ steps: z.array(z.object({ id: z.string(), commands: z.array(z.string()) })) });
export type SolutionResponse = z.infer<typeof solutionResponseSchema>;

/** Every error the API returns has this shape; `error` is a stable code from the server's catalogue. */
export const apiErrorSchema = z.object({ error: z.string(), message: z.string() });
export type ApiError = z.infer<typeof apiErrorSchema>;

export const healthSchema = z.object({
  /** 'draining': this replica is stopping (SIGTERM) and takes no new work; a load balancer sends it none. */
  status: z.enum(['ok', 'degraded', 'draining']),
  /** Whether lab environments can be started (the provider answers), and why not. */
  environments: z.object({ available: z.boolean(), message: z.string().optional() }),
  sessions: z.number(),
});
export type Health = z.infer<typeof healthSchema>;

/** Path parameters of /api/admin/pool/:labId (the operator's routes, on only with SSH_LAB_ADMIN_TOKEN). */
export const adminPoolParamsSchema = z.object({ labId: id });
export type AdminPoolParams = z.infer<typeof adminPoolParamsSchema>;

/** Warm a lab's pool: `size` ready environments until `until` (ISO 8601); an `until` already past clears the override. */
export const setPoolTargetRequestSchema = z
  .object({
    size: z.number().int().min(0).max(10_000),
    until: z.iso.datetime({ offset: true }),
    /** Only show what it would take (memory, room under the cap); change nothing. */
    dryRun: z.boolean().optional(),
  })
  .strict();
export type SetPoolTargetRequest = z.infer<typeof setPoolTargetRequestSchema>;

export const poolOverrideSchema = z.object({ size: z.number(), until: z.string() });

export const labPoolSchema = z.object({
  labId: z.string(),
  hostsPerEnvironment: z.number(),
  /** SSH_LAB_POOL_SIZE / SSH_LAB_POOL_SIZES for this lab. */
  configuredSize: z.number(),
  /** What the pool builds toward now: the override's size while it lasts, else the configured size. */
  target: z.number(),
  override: poolOverrideSchema.nullable(),
  ready: z.number(),
  building: z.number(),
  /** target × hosts × SSH_LAB_HOST_MEMORY_MB: the memory limit of what the target holds, an upper bound (idle hosts use far less). */
  memoryLimitMb: z.number(),
});
export type LabPool = z.infer<typeof labPoolSchema>;

export const adminPoolResponseSchema = z.object({
  labs: z.array(labPoolSchema),
  totals: z.object({ configuredSize: z.number(), target: z.number(), ready: z.number(), building: z.number(), memoryLimitMb: z.number() }),
  sessions: z.object({ active: z.number(), max: z.number() }),
  machine: z.object({ hostMemoryMb: z.number(), availableMemoryMb: z.number() }),
});
export type AdminPoolResponse = z.infer<typeof adminPoolResponseSchema>;

export const setPoolTargetResponseSchema = z.object({
  /** False for a dry run. */
  applied: z.boolean(),
  lab: labPoolSchema,
  plan: z.object({
    /** size × hosts × SSH_LAB_HOST_MEMORY_MB: the upper bound of what the override's environments take. */
    memoryLimitMb: z.number(),
    /** The part not spent yet (environments still to make), at their limit; compared with availableMemoryMb. */
    additionalMemoryLimitMb: z.number(),
    availableMemoryMb: z.number(),
    /** The largest size that fits the session cap and the memory now. */
    maxSize: z.number(),
  }),
});
export type SetPoolTargetResponse = z.infer<typeof setPoolTargetResponseSchema>;

// --- SSH gateway ---
/** POST /api/sessions/:id/gateway: a login for the learner's own SSH client (the password is shown once; POST again rotates it). */
export const gatewayCredentialSchema = z.object({
  /** Where the client connects: SSH_LAB_GATEWAY_PUBLIC_HOST, or the host name the browser used. */
  host: z.string(),
  port: z.number().int(),
  /** Names the session to the gateway; neither its id nor its token. */
  username: z.string(),
  password: z.string(),
  /** The gateway's host key, `SHA256:…` as ssh-keygen -lf and the client's first-connection prompt show it. */
  hostKeyFingerprint: z.string(),
  /** When the session, and so the password, ends (ISO 8601). */
  expiresAt: z.string(),
});
export type GatewayCredentialView = z.infer<typeof gatewayCredentialSchema>;
