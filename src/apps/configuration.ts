/**
 * msal-node's `Configuration` shape, checked once in the constructor, and the flow context built
 * from it. A configuration that cannot work throws `ClientConfigurationError` here, before any
 * request.
 */
import { parseAuthority, type AuthorityParseOptions } from '../authority/authority.js'
import { EndpointResolver } from '../authority/endpoints.js'
import { JwksCache } from '../authority/jwks.js'
import { TokenCache, type CachePlugin } from '../cache/token-cache.js'
import { createClientCredential, type ClientAssertionCallback, type ClientCertificate } from '../credentials/client-credential.js'
import { ClientConfigurationError } from '../errors.js'
import { createInFlight, type FlowContext } from '../flows/context.js'
import { Logger, type LoggerOptions } from '../logger.js'
import type { CloudDiscoveryEntry } from '../protocol/clouds.js'
import { Transport, type TransportOptions } from '../transport/index.js'

export const DEFAULT_AUTHORITY = 'https://login.microsoftonline.com/common'

export interface AuthOptions {
  clientId: string
  /** Defaults to `https://login.microsoftonline.com/common`. */
  authority?: string | undefined
  /** Hosts trusted besides Microsoft's clouds (B2C, CIAM, ADFS, any OpenID provider). */
  knownAuthorities?: string[] | undefined
  /** msal-node's pinned instance discovery metadata (JSON string). */
  cloudDiscoveryMetadata?: string | undefined
  /** msal-node's pinned OpenID configuration of `authority` (JSON string): no discovery request. */
  authorityMetadata?: string | undefined
  clientSecret?: string | undefined
  clientCertificate?: ClientCertificate | undefined
  clientAssertion?: string | ClientAssertionCallback | undefined
  /** Capabilities such as `["CP1"]` (CAE), sent as `xms_cc` claims. */
  clientCapabilities?: string[] | undefined
  /** `AAD` (default) or `OIDC` for a plain OpenID provider's discovery path. */
  protocolMode?: 'AAD' | 'OIDC' | undefined
}

export interface CacheOptions {
  cachePlugin?: CachePlugin | undefined
  /**
   * The most access tokens kept in memory (not in msal-node): past it the least recently used
   * is evicted, so a multi-tenant daemon's memory stays flat. Expired tokens are removed either way.
   */
  maxAccessTokens?: number | undefined
}

/** msal-node's `system` options, plus the transport's own knobs (see TransportOptions). */
export interface SystemOptions extends Pick<TransportOptions, 'fetch' | 'dispatcher' | 'proxyUrl' | 'timeouts' | 'maxResponseBytes' | 'retry'> {
  loggerOptions?: LoggerOptions | undefined
}

export interface Configuration {
  auth: AuthOptions
  cache?: CacheOptions | undefined
  system?: SystemOptions | undefined
  /** Accepted for msal-node compatibility; unused. */
  telemetry?: unknown
  /** Accepted for msal-node compatibility; brokers are not supported. */
  broker?: unknown
}

/** Checks a configuration and builds the context its flows run in. */
export function createFlowContext(config: Configuration, kind: 'public' | 'confidential'): FlowContext {
  if (typeof config !== 'object' || config === null || typeof config.auth !== 'object' || config.auth === null) {
    throw new ClientConfigurationError('invalid_client_id', 'The configuration needs an auth object: { auth: { clientId: "..." } }.')
  }
  const auth = config.auth
  if (typeof auth.clientId !== 'string' || auth.clientId.trim() === '') {
    throw new ClientConfigurationError('invalid_client_id', 'auth.clientId is missing: set it to the Application (client) ID from the app registration.')
  }
  const system = config.system ?? {}
  const logger = new Logger(system.loggerOptions)
  const authorityOptions: AuthorityParseOptions = {
    knownAuthorities: auth.knownAuthorities,
    cloudDiscoveryMetadata: parseCloudDiscoveryMetadata(auth.cloudDiscoveryMetadata),
  }
  const authorityUrl = auth.authority ?? DEFAULT_AUTHORITY
  const authority = parseAuthority(authorityUrl, authorityOptions)
  const credential = createClientCredential(auth)
  if (kind === 'confidential' && !credential) {
    throw new ClientConfigurationError('missing_client_credential', 'A ConfidentialClientApplication needs auth.clientSecret, auth.clientCertificate or auth.clientAssertion.')
  }
  if (kind === 'public' && credential) {
    throw new ClientConfigurationError(
      'conflicting_client_credentials',
      'A PublicClientApplication must not hold a secret, certificate or assertion (Entra refuses them from public clients, AADSTS700025). Use ConfidentialClientApplication.',
    )
  }
  const transport = new Transport({
    fetch: system.fetch,
    dispatcher: system.dispatcher,
    proxyUrl: system.proxyUrl,
    timeouts: system.timeouts,
    maxResponseBytes: system.maxResponseBytes,
    retry: system.retry,
    logger,
  })
  const endpoints = new EndpointResolver(transport, { protocolMode: auth.protocolMode, authorityMetadata: auth.authorityMetadata, pinnedFor: authority.url })
  return {
    clientId: auth.clientId,
    authority,
    authorityOptions,
    protocolMode: auth.protocolMode ?? 'AAD',
    endpoints,
    jwks: new JwksCache(transport),
    transport,
    credential,
    cache: new TokenCache({ cachePlugin: config.cache?.cachePlugin, clientId: auth.clientId, maxAccessTokens: checkMaxAccessTokens(config.cache?.maxAccessTokens) }),
    logger,
    clientCapabilities: auth.clientCapabilities ?? [],
    inFlight: createInFlight(),
    now: Date.now,
  }
}

function checkMaxAccessTokens(max: unknown): number | undefined {
  if (max === undefined) return undefined
  if (typeof max !== 'number' || !Number.isInteger(max) || max < 1) {
    throw new ClientConfigurationError('invalid_cache_options', `cache.maxAccessTokens must be a positive whole number of tokens (e.g. 50000), not ${JSON.stringify(max) ?? String(max)}.`)
  }
  return max
}

function parseCloudDiscoveryMetadata(json: string | undefined): CloudDiscoveryEntry[] | undefined {
  if (json === undefined || json === '') return undefined
  let value: unknown
  try {
    value = JSON.parse(json)
  } catch (cause) {
    throw new ClientConfigurationError('invalid_cloud_discovery_metadata', 'auth.cloudDiscoveryMetadata must be a JSON string of the instance discovery response.', { cause })
  }
  const metadata = (value as { metadata?: unknown }).metadata
  if (!Array.isArray(metadata) || !metadata.every((m) => typeof m?.preferred_network === 'string' && typeof m?.preferred_cache === 'string' && Array.isArray(m?.aliases))) {
    throw new ClientConfigurationError('invalid_cloud_discovery_metadata', 'auth.cloudDiscoveryMetadata needs { "metadata": [{ "preferred_network", "preferred_cache", "aliases": [...] }] }.')
  }
  return metadata as CloudDiscoveryEntry[]
}
