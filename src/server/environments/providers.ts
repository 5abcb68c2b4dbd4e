import type { Logger } from 'pino';
import type { Config } from '../config.js';
import { DockerEnvironmentProvider } from './docker-provider.js';
import { labHostImage } from './image.js';
import { kubeCluster } from './kubernetes/cluster.js';
import { KubernetesEnvironmentProvider } from './kubernetes/provider.js';
import type { EnvironmentProvider } from './types.js';

type ProviderFactory = (config: Config, logger: Logger) => EnvironmentProvider;

/**
 * Every provider SSH_LAB_PROVIDER can name, by id. A new backend adds its id to the config
 * schema and its factory here; the compiler then insists on both.
 */
const providerFactories: { readonly [Id in Config['provider']]: ProviderFactory } = {
  docker: (config, logger) =>
    new DockerEnvironmentProvider({
      image: labHostImage(),
      limits: config.hostLimits,
      subnetPool: config.subnetPool,
      subnetPrefix: config.subnetPrefix,
      hostFirewall: config.hostFirewall,
      sessionNetwork: config.sessionNetwork,
      startupTimeoutMs: config.startupTimeoutMs,
      logger,
    }),
  kubernetes: (config, logger) =>
    new KubernetesEnvironmentProvider({
      namespace: config.kubernetes.namespace,
      image: config.kubernetes.image ?? labHostImage(),
      runtimeClassName: config.kubernetes.runtimeClassName,
      limits: config.hostLimits,
      // The config schema requires it with SSH_LAB_PROVIDER=kubernetes.
      podIp: config.kubernetes.podIp ?? '',
      startupTimeoutMs: config.startupTimeoutMs,
      logger,
      cluster: () => kubeCluster(config.kubernetes.namespace),
    }),
};

/** The provider the configuration names (the composition root's only say in where labs run). */
export function createProvider(config: Config, logger: Logger): EnvironmentProvider {
  return providerFactories[config.provider](config, logger);
}
