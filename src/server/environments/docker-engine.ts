import type Dockerode from 'dockerode';
import { getContainerRuntimeClient } from 'testcontainers';
import { ProviderUnavailableError } from './types.js';

// Ryuk cannot be pulled where no registry answers; this process reaps its own leftovers instead.
process.env.TESTCONTAINERS_RYUK_DISABLED ??= 'true';

/** The Docker engine testcontainers found (DOCKER_HOST, the usual sockets), or ProviderUnavailableError. */
export async function dockerEngine(): Promise<Dockerode> {
  try {
    const client = await getContainerRuntimeClient();
    return client.container.dockerode;
  } catch (error) {
    throw new ProviderUnavailableError(
      `No Docker engine answers (${(error as Error).message}). Operators: start one, e.g. "systemctl start docker", and build the lab image with "npm run images".`,
    );
  }
}

export const dockerStatus = (error: unknown): number | undefined => (error as { statusCode?: number }).statusCode;
