import pino, { type Logger } from 'pino';

export function createLogger(level: pino.Level | 'silent'): Logger {
  return pino({
    level,
    // Secrets never reach a log line, whatever object is logged.
    redact: { paths: ['token', 'ticket', 'password', '*.token', '*.password', 'req.headers.authorization', 'req.query.ticket'], censor: '[redacted]' },
  });
}
