// Switching a facade on for an agent or for exec: the facade (facade.ts) around a source of real
// tokens, and what its clients are told (a SealedJob) and handed (phantoms). The agent runs one
// for the whole job, exec one for its child's life; either way the real tokens stay in here.

import type { ProductName } from '../../core/products.ts';
import type { SealedJob } from '../../core/sealed-job.ts';
import { proxySettings, type TransportOptions } from '../../core/transport.ts';
import type { UpstreamSettings } from '../../io/upstream.ts';
import type { AgentToken } from '../protocol.ts';
import { startFacade } from './facade.ts';
import type { RealTokens } from './real-tokens.ts';

export interface SealOptions {
  readonly product: ProductName;
  readonly readOnly: boolean;
  readonly tokens: RealTokens;
  readonly upstream: UpstreamSettings;
  /** The tenant as the real token names it. */
  readonly tenant?: string;
  /** Sees every phantom before it is handed out (to mask it); the job key is in `job`. */
  readonly serving?: (secret: string) => void;
  readonly failed?: (error: unknown) => void;
}

export interface Seal {
  readonly job: SealedJob;
  /** A phantom standing for a real token valid at least the given seconds; its apiUrl is the facade's. */
  phantom(minValiditySeconds: number): Promise<AgentToken>;
  /** After it, the facade refuses connections. */
  close(): Promise<void>;
}

export async function startSeal(options: SealOptions): Promise<Seal> {
  const facade = await startFacade({
    product: options.product,
    tokens: options.tokens,
    upstream: options.upstream,
    readOnly: options.readOnly,
    ...(options.tenant ? { tenant: options.tenant } : {}),
    ...(options.serving ? { serving: options.serving } : {}),
    ...(options.failed ? { failed: options.failed } : {}),
  });
  const job: SealedJob = {
    product: options.product,
    origin: facade.url,
    ...(options.tenant ? { tenant: options.tenant } : {}),
    jobName: facade.credential.name,
    jobKey: facade.credential.key,
    readOnly: options.readOnly,
  };
  return { job, phantom: (seconds) => facade.phantom(seconds), close: () => facade.close() };
}

/** The facade's way out: TLS, CA and timeout as the exchange has them, the proxy variables by value. */
export function upstreamSettings(
  transport: TransportOptions,
  proxyVariables: Readonly<Record<string, string | undefined>>,
): UpstreamSettings {
  return {
    timeoutMs: transport.timeoutMs,
    insecureSkipTlsVerify: transport.insecureSkipTlsVerify,
    ...(transport.caCerts ? { caCerts: transport.caCerts } : {}),
    proxy: proxySettings(proxyVariables),
  };
}
