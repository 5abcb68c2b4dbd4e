import createError from '@fastify/error';

/** Every error a client can see: a stable code, an HTTP status and a message that says what is wrong. */
export const Errors = {
  LabUnknown: createError<[string]>('LAB_UNKNOWN', 'No lab named "%s". GET /api/labs lists the labs.', 404),
  StepUnknown: createError<[string, string]>('STEP_UNKNOWN', 'Lab "%s" has no step "%s".', 404),
  SessionUnknown: createError('SESSION_UNKNOWN', 'No such session: it never existed, has ended or has expired.', 404),
  TokenMissing: createError('TOKEN_MISSING', 'This call needs the session token: send "Authorization: Bearer <token>".', 401),
  TokenWrong: createError('TOKEN_WRONG', 'The session token does not match this session.', 403),
  BadRequest: createError<[string]>('BAD_REQUEST', '%s', 400),
  NotReady: createError('SESSION_NOT_READY', 'The lab environment is not running (it is starting, or it stopped). Reset the session to get a fresh one.', 409),
  CapacityFull: createError<[number]>('CAPACITY_FULL', 'All %d lab environments are in use. Try again in a few minutes.', 503),
  ClientLimit: createError<[number]>('CLIENT_LIMIT', 'You already have %d lab sessions open. End one (or let it expire) before starting another.', 429),
  EnvironmentsUnavailable: createError<[string]>(
    'ENVIRONMENTS_UNAVAILABLE',
    'Lab environments are unavailable: %s The server picks them up again without a restart once the operator has fixed that.',
    503,
  ),
  EnvironmentCapacity: createError<[string]>(
    'ENVIRONMENT_CAPACITY',
    'The lab machines have no room for another environment right now: %s. Try again in a few minutes.',
    503,
  ),
  EnvironmentFailed: createError<[string]>('ENVIRONMENT_FAILED', 'The lab environment could not start: %s', 500),
  ShuttingDown: createError('SHUTTING_DOWN', 'The server is shutting down.', 503),
  MetricsTokenWrong: createError('METRICS_TOKEN_WRONG', 'GET /metrics needs "Authorization: Bearer <SSH_LAB_METRICS_TOKEN>".', 401),
  AdminTokenWrong: createError('ADMIN_TOKEN_WRONG', 'The admin API needs "Authorization: Bearer <SSH_LAB_ADMIN_TOKEN>".', 401),
  PoolOverCap: createError<[string, string]>('POOL_OVER_CAP', 'Lab "%s" cannot be warmed to that size: %s', 409),
  PoolOverMemory: createError<[string, string]>('POOL_OVER_MEMORY', 'Lab "%s" cannot be warmed to that size: %s', 409),
  TooManySessionStarts: createError('RATE_LIMITED', 'Too many new sessions from your address. Wait a minute and try again.', 429),
  TooManyRequests: createError('RATE_LIMITED', 'Too many requests from your address. Wait a minute and try again.', 429),
  // --- SSH gateway ---
  GatewayOff: createError('GATEWAY_OFF', 'This server has no SSH gateway (SSH_LAB_GATEWAY_PORT=0): use the terminal in the page.', 404),
  // --- shared session directory (several replicas) ---
  SessionStoreDown: createError(
    'SESSION_STORE_DOWN',
    'The session store (Redis) does not answer, so no session can be started or looked up right now. Open terminals keep working; try again in a moment.',
    503,
  ),
} as const;

const catalogue: readonly (new (...args: never[]) => Error)[] = Object.values(Errors);

/** Whether an error is one of ours: its code and message were written for the client. */
export function isCatalogueError(error: unknown): error is Error & { code: string; statusCode: number } {
  return catalogue.some((type) => error instanceof type);
}
