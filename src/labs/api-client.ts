import type { CheckResponse, CreateSessionResponse, StepResult } from '../protocol/api.js';

/** A small client of the HTTP API, for tests, the lab validator and the benchmark. */
export class ApiClient {
  constructor(readonly baseUrl: string) {}

  async createSession(labId: string): Promise<CreateSessionResponse> {
    const response = await fetch(`${this.baseUrl}/api/sessions`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ labId }),
    });
    if (response.status !== 201) throw new Error(`POST /api/sessions (${labId}): ${response.status} ${await response.text()}`);
    return (await response.json()) as CreateSessionResponse;
  }

  async check(session: { id: string; token: string }, stepId?: string): Promise<StepResult[]> {
    const response = await fetch(`${this.baseUrl}/api/sessions/${session.id}/check`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${session.token}` },
      body: JSON.stringify(stepId ? { stepId } : {}),
    });
    if (!response.ok) throw new Error(`check: ${response.status} ${await response.text()}`);
    return ((await response.json()) as CheckResponse).steps;
  }

  async endSession(session: { id: string; token: string }): Promise<void> {
    const response = await fetch(`${this.baseUrl}/api/sessions/${session.id}`, {
      method: 'DELETE',
      headers: { authorization: `Bearer ${session.token}` },
    });
    if (response.status !== 204 && response.status !== 404) throw new Error(`DELETE session: ${response.status} ${await response.text()}`);
  }
}
