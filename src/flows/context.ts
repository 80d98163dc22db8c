/**
 * What every flow gets from its application: identity, authority, endpoints, credential, cache,
 * transport, logger, clock. Built once by the facade; flows never reach for globals.
 */
import { lazy } from '../lazy.js'
import { randomUUID } from 'node:crypto'
import type { Authority, AuthorityParseOptions } from '../authority/authority.js'
import type { EndpointMetadata, EndpointResolver } from '../authority/endpoints.js'
import type { JwksCache } from '../authority/jwks.js'
import type { TokenCache } from '../cache/token-cache.js'
import { SingleFlight } from '../cache/single-flight.js'
import type { ClientCredential } from '../credentials/client-credential.js'
import type { Logger } from '../logger.js'
import type { TokenResponse } from '../protocol/token-response.js'
import type { ClientAuthFields, CommonTokenFields } from '../protocol/token-request.js'
import type { Transport } from '../transport/index.js'
import type { AuthenticationResult } from './result.js'

const loadTokenResponse = lazy(() => import('../protocol/token-response.js'))

export interface FlowContext {
  clientId: string
  authority: Authority
  authorityOptions: AuthorityParseOptions
  /** `AAD` (Entra and its emulator) or `OIDC` (a plain OpenID provider: no `.default` rule, no `client_info`, a fresh assertion per request). */
  protocolMode: 'AAD' | 'OIDC'
  endpoints: EndpointResolver
  /** The authorities' signing keys, for id token validation. */
  jwks: JwksCache
  transport: Transport
  credential: ClientCredential | undefined
  cache: TokenCache
  logger: Logger
  /** msal-node's `auth.clientCapabilities` (e.g. `["CP1"]`), merged into every `claims` request. */
  clientCapabilities: readonly string[]
  /** Token requests in flight, shared by callers with the same key. */
  inFlight: SingleFlight<AuthenticationResult>
  /** Milliseconds since the epoch; injectable for tests. */
  now: () => number
}

export function newCorrelationId(): string {
  return randomUUID()
}

export function createInFlight(): SingleFlight<AuthenticationResult> {
  return new SingleFlight<AuthenticationResult>()
}

/**
 * The fields every token request of this app carries: its client id, the claims request, the
 * caller's extra body fields, and whether to ask for Entra's `client_info` (not on a plain
 * OpenID provider, as msal-node's OIDC mode).
 */
export function tokenFields(ctx: FlowContext, claims: string | undefined, extra?: Record<string, string> | undefined): CommonTokenFields {
  return { clientId: ctx.clientId, claims, extra, clientInfo: ctx.protocolMode === 'AAD' }
}

export interface TokenPost {
  endpoints: EndpointMetadata
  /** The token endpoint to call (may differ from `endpoints.token_endpoint` for a region). */
  tokenEndpoint?: string | undefined
  body: URLSearchParams
  correlationId: string
  userFlow: boolean
  signal?: AbortSignal | undefined
  /** Query parameters for the token endpoint (msal-node's `tokenQueryParameters`). */
  query?: Record<string, string> | undefined
}

/**
 * POSTs a token request, authenticating the client when it is confidential, and parses the
 * answer. The credential sees the exact URL the assertion is for.
 */
export async function postTokenRequest(ctx: FlowContext, post: TokenPost): Promise<TokenResponse> {
  const url = new URL(post.tokenEndpoint ?? post.endpoints.token_endpoint)
  for (const [k, v] of Object.entries(post.query ?? {})) url.searchParams.set(k, v)
  const audience = `${url.origin}${url.pathname}`
  if (ctx.credential) {
    const auth: ClientAuthFields = await ctx.credential.fields({ tokenEndpoint: audience, now: ctx.now(), reuseAssertion: ctx.protocolMode === 'AAD' })
    for (const [k, v] of Object.entries(auth)) post.body.set(k, v as string)
  }
  const res = await ctx.transport.send({ method: 'POST', url, endpoint: 'token endpoint', form: post.body, correlationId: post.correlationId, signal: post.signal })
  // The parser, and zod behind it, are loaded by the first response rather than at import:
  // an app whose tokens all come from the cache never pays for them (cold start).
  const { parseTokenResponse } = await loadTokenResponse()
  return parseTokenResponse(res, { endpoint: `token endpoint ${audience}`, userFlow: post.userFlow })
}
