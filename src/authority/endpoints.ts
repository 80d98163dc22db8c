/**
 * Endpoint metadata for an authority. Microsoft cloud hosts need no round trip: their endpoints
 * follow a fixed pattern. Other hosts use OpenID discovery, fetched once per authority and
 * shared by concurrent callers; msal-node's `authorityMetadata` pins it instead.
 */
import { lazy } from '../lazy.js'
import type { Transport } from '../transport/index.js'
import type { EndpointMetadata } from '../protocol/openid-configuration.js'
import type { Authority } from './authority.js'

const loadOpenIdConfiguration = lazy(() => import('../protocol/openid-configuration.js'))

export type { EndpointMetadata } from '../protocol/openid-configuration.js'

export interface EndpointResolverOptions {
  /** `AAD` (default): discovery at `{authority}/v2.0/.well-known/openid-configuration`; `OIDC`: at `{authority}/.well-known/openid-configuration`. */
  protocolMode?: 'AAD' | 'OIDC' | undefined
  /** msal-node's `authorityMetadata`, for `pinnedFor` only. */
  authorityMetadata?: string | undefined
  /** The authority URL the pinned metadata describes. */
  pinnedFor?: string | undefined
}

export interface ResolveContext {
  correlationId?: string | undefined
  signal?: AbortSignal | undefined
}

/** The endpoints of a Microsoft cloud authority, computed without a request. */
export function microsoftEndpoints(authority: Authority): EndpointMetadata {
  const host = authority.cloud?.preferred_network ?? authority.host
  const base = `https://${host}/${authority.tenant}`
  return {
    issuer: `https://${host}/${authority.tenantKind === 'guid' ? authority.tenant : '{tenantid}'}/v2.0`,
    token_endpoint: `${base}/oauth2/v2.0/token`,
    authorization_endpoint: `${base}/oauth2/v2.0/authorize`,
    device_authorization_endpoint: `${base}/oauth2/v2.0/devicecode`,
    jwks_uri: `${base}/discovery/v2.0/keys`,
    end_session_endpoint: `${base}/oauth2/v2.0/logout`,
  }
}

export class EndpointResolver {
  readonly #transport: Transport
  readonly #protocolMode: 'AAD' | 'OIDC'
  readonly #pinned: { url: string; json: string; metadata?: Promise<EndpointMetadata> } | undefined
  readonly #discovered = new Map<string, Promise<EndpointMetadata>>()
  #discoveryRequests = 0

  constructor(transport: Transport, options: EndpointResolverOptions = {}) {
    this.#transport = transport
    this.#protocolMode = options.protocolMode ?? 'AAD'
    this.#pinned = options.authorityMetadata !== undefined && options.pinnedFor !== undefined ? { url: options.pinnedFor, json: options.authorityMetadata } : undefined
  }

  /** Discovery documents fetched so far (for diagnostics and tests). */
  get discoveryRequests(): number {
    return this.#discoveryRequests
  }

  /**
   * The authority's endpoints: pinned, known, or discovered once and cached.
   * @throws ClientConfigurationError `invalid_authority_metadata` (on every call) when the pinned
   *   metadata is unusable; the transport's errors, or `invalid_response`, for a failed discovery.
   */
  resolve(authority: Authority, ctx: ResolveContext = {}): Promise<EndpointMetadata> | EndpointMetadata {
    const pinned = this.#pinned
    if (pinned && pinned.url === authority.url) {
      // Checked on first use rather than in the constructor, so that building an app never loads
      // the schema library; a bad value fails every call the same way.
      pinned.metadata ??= loadOpenIdConfiguration().then((m) => m.parsePinnedOpenIdConfiguration(pinned.json))
      return pinned.metadata
    }
    if (authority.cloud && this.#protocolMode === 'AAD') return microsoftEndpoints(authority)
    let pending = this.#discovered.get(authority.url)
    if (!pending) {
      pending = this.#discover(authority, ctx)
      this.#discovered.set(authority.url, pending)
      // A failed discovery is not remembered: the next call tries again.
      pending.catch(() => this.#discovered.delete(authority.url))
    }
    return pending
  }

  async #discover(authority: Authority, ctx: ResolveContext): Promise<EndpointMetadata> {
    const path = this.#protocolMode === 'OIDC' ? '.well-known/openid-configuration' : 'v2.0/.well-known/openid-configuration'
    const url = new URL(path, authority.url)
    this.#discoveryRequests++
    const res = await this.#transport.send({ method: 'GET', url, endpoint: 'OpenID discovery', correlationId: ctx.correlationId, signal: ctx.signal })
    const { parseOpenIdConfiguration } = await loadOpenIdConfiguration()
    return parseOpenIdConfiguration(res, `OpenID discovery ${url.origin}${url.pathname}`)
  }
}
