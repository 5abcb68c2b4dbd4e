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
  status: z.enum(['ok', 'degraded']),
  /** Whether lab environments can be started (the provider answers), and why not. */
  environments: z.object({ available: z.boolean(), message: z.string().optional() }),
  sessions: z.number(),
});
export type Health = z.infer<typeof healthSchema>;
