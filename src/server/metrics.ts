import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';

export interface Metrics {
  registry: Registry;
  sessions: Gauge;
  timeToShell: Histogram;
  sessionFailures: Counter;
  checks: Histogram;
  // --- SSH gateway ---
  gatewayConnections: Gauge;
  gatewayLogins: Counter<'method'>;
  gatewayRefusals: Counter<'reason'>;
}

export function createMetrics(): Metrics {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry });
  return {
    registry,
    sessions: new Gauge({ name: 'ssh_lab_sessions', help: 'Live lab sessions', registers: [registry] }),
    timeToShell: new Histogram({
      name: 'ssh_lab_time_to_shell_seconds',
      help: 'From session request to the first shell output',
      buckets: [0.05, 0.1, 0.25, 0.5, 1, 1.5, 2, 3, 5, 10],
      registers: [registry],
    }),
    sessionFailures: new Counter({ name: 'ssh_lab_session_failures_total', help: 'Sessions whose environment failed to start', registers: [registry] }),
    checks: new Histogram({
      name: 'ssh_lab_check_seconds',
      help: 'Duration of a lab check request',
      buckets: [0.05, 0.1, 0.2, 0.3, 0.5, 1, 2, 5],
      registers: [registry],
    }),
    // --- SSH gateway ---
    gatewayConnections: new Gauge({ name: 'ssh_lab_gateway_connections', help: 'Open SSH gateway connections', registers: [registry] }),
    gatewayLogins: new Counter({ name: 'ssh_lab_gateway_logins_total', help: 'SSH gateway logins, by method', labelNames: ['method'], registers: [registry] }),
    gatewayRefusals: new Counter({
      name: 'ssh_lab_gateway_refusals_total',
      help: 'SSH gateway refusals (failed logins, locks, limits, forbidden channels and requests), by reason',
      labelNames: ['reason'],
      registers: [registry],
    }),
  };
}
