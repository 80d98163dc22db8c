/**
 * Client credentials: an app-only token for `{resource}/.default`. The app token cache answers
 * first (a map lookup); a token within five minutes of expiry counts as expired; past its
 * `refresh_in` a still-valid token is returned while a fresh one is fetched in the background;
 * concurrent misses for one key share one request.
 * @see https://learn.microsoft.com/entra/identity-platform/v2-oauth2-client-creds-grant-flow
 */
import { parseAuthority, type Authority } from '../authority/authority.js'
import { regionalTokenEndpoint, resolveRegion } from '../authority/region.js'
import type { AccessTokenRecord } from '../cache/records.js'
import { ClientConfigurationError } from '../errors.js'
import { mergeClaims } from '../protocol/claims.js'
import { checkClientCredentialScopes, normalizeScopes } from '../protocol/scopes.js'
import { buildClientCredentialBody } from '../protocol/token-request.js'
import { newCorrelationId, postTokenRequest, tokenFields, type FlowContext } from './context.js'
import { toAuthenticationResult, type AuthenticationResult } from './result.js'

export interface ClientCredentialRequest {
  scopes: string[]
  /** Skip the cache lookup and always ask the server (the new token is still cached). */
  skipCache?: boolean | undefined
  /** A claims challenge (JSON). Bypasses the cache, as in msal-node. */
  claims?: string | undefined
  /** An Azure region (`westus2`) or `TryAutoDetect`, for the regional token service. */
  azureRegion?: string | undefined
  /** Overrides the configured authority for this call (a tenant-specific one). */
  authority?: string | undefined
  correlationId?: string | undefined
  /** Extra query parameters for the token endpoint. */
  tokenQueryParameters?: Record<string, string> | undefined
  /** Extra form fields for the token request. */
  tokenBodyParameters?: Record<string, string> | undefined
}

/** Tokens this close to expiry are treated as expired (MSAL's default offset). */
export const EXPIRY_MARGIN_SECONDS = 300

export async function acquireTokenByClientCredential(ctx: FlowContext, request: ClientCredentialRequest): Promise<AuthenticationResult> {
  // `{resource}/.default` is Entra's rule; a plain OpenID provider takes whatever scopes it defines.
  const scopes = ctx.protocolMode === 'OIDC' ? normalizeScopes(request.scopes ?? []) : checkClientCredentialScopes(request.scopes)
  const scope = scopes.join(' ')
  if (!ctx.credential) {
    throw new ClientConfigurationError('missing_client_credential', 'Client credentials need auth.clientSecret, auth.clientCertificate or auth.clientAssertion in the ConfidentialClientApplication config.')
  }
  const authority = request.authority === undefined ? ctx.authority : parseAuthority(request.authority, ctx.authorityOptions)
  if (ctx.protocolMode === 'AAD' && (authority.tenantKind === 'common' || authority.tenantKind === 'organizations' || authority.tenantKind === 'consumers')) {
    throw new ClientConfigurationError(
      'invalid_authority',
      `Client credentials need a tenant, not "${authority.tenant}": set auth.authority to https://${authority.host}/{tenant-id or domain}.`,
    )
  }
  const region = resolveRegion(request.azureRegion)
  const claims = mergeClaims(request.claims, ctx.clientCapabilities)
  const correlationId = request.correlationId ?? newCorrelationId()
  const query = { homeAccountId: '', environment: authority.environment, clientId: ctx.clientId, realm: authority.tenant, scopes }
  const call: AppTokenCall = { authority, scope, claims, region, request, correlationId }

  if (!request.skipCache && !request.claims) {
    const cached = ctx.cache.hasPlugin ? await ctx.cache.access((s) => s.findAccessToken(query)) : ctx.cache.store.findAccessToken(query)
    const nowSeconds = Math.floor(ctx.now() / 1000)
    if (cached && cached.expiresOn - nowSeconds > EXPIRY_MARGIN_SECONDS) {
      if (cached.refreshOn !== undefined && nowSeconds >= cached.refreshOn) {
        // Still valid: hand it out now, renew behind the caller's back.
        ctx.logger.verbose('App token past its refresh_in; refreshing in the background', correlationId)
        fetchShared(ctx, { ...call, correlationId: newCorrelationId() }).catch((error: unknown) => {
          ctx.logger.warning(`Background refresh of an app token failed: ${(error as Error).message}`, correlationId)
        })
      }
      return toAuthenticationResult(cached, { authority: authority.url, correlationId, fromCache: true })
    }
  }
  return fetchShared(ctx, call)
}

/** Everything that shapes one app-token request. */
interface AppTokenCall {
  authority: Authority
  scope: string
  claims: string | undefined
  region: string | undefined
  request: ClientCredentialRequest
  correlationId: string
}

function fetchShared(ctx: FlowContext, call: AppTokenCall): Promise<AuthenticationResult> {
  const { authority, scope, claims, region, request } = call
  // Every input that shapes the request is in the key, so no caller gets another's token.
  const key = JSON.stringify(['cc', authority.url, scope, claims ?? '', region ?? '', request.tokenQueryParameters ?? {}, request.tokenBodyParameters ?? {}])
  return ctx.inFlight.run(key, () => fetchAppToken(ctx, call))
}

async function fetchAppToken(ctx: FlowContext, { authority, scope, claims, region, request, correlationId }: AppTokenCall): Promise<AuthenticationResult> {
  const endpoints = await ctx.endpoints.resolve(authority, { correlationId })
  const tokenEndpoint = region ? regionalTokenEndpoint(authority, endpoints.token_endpoint, region) : endpoints.token_endpoint
  const body = buildClientCredentialBody(tokenFields(ctx, claims, request.tokenBodyParameters), scope, {})
  const requestedAt = Math.floor(ctx.now() / 1000)
  const response = await postTokenRequest(ctx, { endpoints, tokenEndpoint, body, correlationId, userFlow: false, query: request.tokenQueryParameters })

  const record: AccessTokenRecord = {
    homeAccountId: '',
    environment: authority.environment,
    clientId: ctx.clientId,
    realm: authority.tenant,
    target: response.scope || scope,
    secret: response.access_token,
    cachedAt: requestedAt,
    expiresOn: requestedAt + response.expires_in,
    extendedExpiresOn: requestedAt + (response.ext_expires_in ?? response.expires_in),
    refreshOn: response.refresh_in === undefined ? undefined : requestedAt + response.refresh_in,
    tokenType: response.token_type,
  }
  await ctx.cache.access((s) => s.setAccessToken(record))
  ctx.logger.info(`App token acquired for ${scope}, expires in ${response.expires_in} s`, correlationId)
  return toAuthenticationResult(record, { authority: authority.url, correlationId, fromCache: false })
}
