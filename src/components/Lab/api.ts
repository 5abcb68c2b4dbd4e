import type { ApiError, CheckResponse, CreateSessionResponse, GatewayCredentialView, SessionView, SolutionResponse, TicketResponse } from '../../protocol/api';

/** Why a call failed, in the terms the widget shows the learner. */
export type FailureKind = 'unreachable' | 'unavailable' | 'capacity' | 'gone' | 'other';

export class LabApiError extends Error {
  constructor(
    readonly kind: FailureKind,
    message: string,
    readonly status?: number,
  ) {
    super(message);
  }
}

function kindOf(status: number, code: string): FailureKind {
  if (code === 'ENVIRONMENTS_UNAVAILABLE') return 'unavailable';
  if (code === 'CAPACITY_FULL' || code === 'ENVIRONMENT_CAPACITY' || code === 'CLIENT_LIMIT' || code === 'RATE_LIMITED' || status === 429) return 'capacity';
  if (status === 404 || code === 'TOKEN_WRONG') return 'gone';
  return 'other';
}

/** The browser's client of the lab API; the token goes in a header, never in a URL. */
export class LabApi {
  constructor(private readonly base: string) {}

  private async call<T>(method: string, path: string, token?: string, body?: unknown): Promise<T> {
    let response: Response;
    try {
      response = await fetch(`${this.base}${path}`, {
        method,
        headers: { ...(body !== undefined ? { 'content-type': 'application/json' } : {}), ...(token ? { authorization: `Bearer ${token}` } : {}) },
        ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
      });
    } catch {
      throw new LabApiError('unreachable', 'The lab service cannot be reached. Check your connection, or try again in a moment.');
    }
    if (response.status === 204) return undefined as T;
    const payload = (await response.json().catch(() => ({}))) as Partial<ApiError> & T;
    if (!response.ok) {
      throw new LabApiError(kindOf(response.status, payload.error ?? ''), payload.message ?? `The lab service answered ${response.status}.`, response.status);
    }
    return payload;
  }

  createSession(labId: string) {
    return this.call<CreateSessionResponse>('POST', '/api/sessions', undefined, { labId });
  }
  getSession(id: string, token: string) {
    return this.call<SessionView>('GET', `/api/sessions/${id}`, token);
  }
  endSession(id: string, token: string) {
    return this.call<void>('DELETE', `/api/sessions/${id}`, token);
  }
  check(id: string, token: string, stepId?: string) {
    return this.call<CheckResponse>('POST', `/api/sessions/${id}/check`, token, stepId ? { stepId } : {});
  }
  ticket(id: string, token: string) {
    return this.call<TicketResponse>('POST', `/api/sessions/${id}/ticket`, token);
  }
  solution(id: string, token: string) {
    return this.call<SolutionResponse>('GET', `/api/sessions/${id}/solution`, token);
  }
  /** A login for the learner's own SSH client (a new password each time). */
  gateway(id: string, token: string) {
    return this.call<GatewayCredentialView>('POST', `/api/sessions/${id}/gateway`, token);
  }

  /** The terminal socket's URL; `tab` (src/protocol/terminal.ts tabIdSchema) lets a newer socket of this page supersede an older one quietly. */
  terminalUrl(id: string, ticket: string, tab?: string): string {
    const http = this.base || window.location.origin;
    const query = new URLSearchParams({ ticket, ...(tab ? { tab } : {}) });
    return `${http.replace(/^http/, 'ws')}/api/sessions/${id}/terminal?${query}`;
  }
}
