import * as z from 'zod';

/**
 * The terminal WebSocket: binary frames carry terminal bytes both ways; text frames carry
 * these JSON control messages.
 */

export const terminalLimits = {
  maxCols: 500,
  maxRows: 500,
  /** Largest frame the server accepts (ws maxPayload). */
  maxPayloadBytes: 64 * 1024,
  /** The browser acknowledges rendered output in steps of this many bytes (far below the server's flow-control marks). */
  ackStepBytes: 32 * 1024,
} as const;

const dimension = (max: number) => z.number().int().min(1).max(max);

export const clientMessageSchema = z.discriminatedUnion('type', [
  z.object({ type: z.literal('resize'), cols: dimension(terminalLimits.maxCols), rows: dimension(terminalLimits.maxRows) }).strict(),
  /** Bytes of terminal output the client has processed in total since it attached (flow control). */
  z.object({ type: z.literal('ack'), bytes: z.number().int().min(0) }).strict(),
  z.object({ type: z.literal('ping') }).strict(),
]);
export type ClientMessage = z.infer<typeof clientMessageSchema>;

export const terminalStates = ['attached', 'replaced', 'reattached'] as const;

export const serverMessageSchema = z.discriminatedUnion('type', [
  z.object({ type: z.literal('status'), state: z.enum(terminalStates), message: z.string().optional() }),
  /** The shell ended (the learner typed exit, or the host stopped). */
  z.object({
    type: z.literal('exit'),
    code: z.number().nullable(),
    reason: z.enum(['shell-exited', 'environment-lost', 'session-ended']),
    message: z.string(),
  }),
  z.object({ type: z.literal('error'), error: z.string(), message: z.string() }),
  z.object({ type: z.literal('pong') }),
]);
export type ServerMessage = z.infer<typeof serverMessageSchema>;

/**
 * The terminal URL's optional `tab` query parameter: a random id a browser tab keeps for its
 * lifetime. A newer socket from the same tab supersedes the older one quietly (closeCodes.superseded,
 * no 'replaced' status): the tab gave up on that attempt, no other tab took the terminal.
 */
export const tabIdSchema = z.string().regex(/^[A-Za-z0-9_-]{1,64}$/);

/** The terminal WebSocket URL's query: ?ticket=…&tab=… */
export const terminalQuerySchema = z.object({
  ticket: z.string({ error: 'a terminal needs ?ticket=… from POST /api/sessions/:id/ticket' }).min(1).max(128),
  /** The browser tab's own id: a newer socket of the same tab supersedes an older one quietly instead of "replacing" it. */
  tab: tabIdSchema.optional(),
});

/** WebSocket close codes the server uses (4000-4999 are for applications). */
export const closeCodes = {
  replaced: 4001,
  /** A newer socket of the same tab, or one that arrived before this one was attached, took over: not news for the learner. */
  superseded: 4002,
  badTicket: 4003,
  sessionGone: 4004,
  badMessage: 4400,
  slowClient: 4408,
  shellEnded: 4000,
  /** This backend is stopping; the shell lives on (on the workstation): reconnect, through another replica. Not an error. */
  serverMoving: 4010,
} as const;
