/**
 * Redeeming a refresh token (RFC 6749 §6), also a family (FOCI) one: the step under
 * `acquireTokenSilent`, and msal-node's `acquireTokenByRefreshToken` for apps migrating refresh
 * tokens from elsewhere (ADAL). The new tokens are cached like any sign-in.
 * @see https://learn.microsoft.com/entra/identity-platform/v2-oauth2-auth-code-flow#refresh-the-access-token
 */
import type { Authority } from '../authority/authority.js'
import type { AccountInfo } from '../cache/accounts.js'
import { ClientConfigurationError } from '../errors.js'
import { mergeClaims } from '../protocol/claims.js'
import { withOidcScopes } from '../protocol/scopes.js'
import { buildRefreshTokenBody } from '../protocol/token-request.js'
import { newCorrelationId, postTokenRequest, tokenFields, type FlowContext } from './context.js'
import type { AuthenticationResult } from './result.js'
import { checkUserScopes, handleUserTokenResponse, nowSeconds, requestAuthority } from './user-tokens.js'

/** msal-node's `RefreshTokenRequest`. */
export interface RefreshTokenRequest {
  /** The refresh token to redeem. Secret: never logged. */
  refreshToken: string
  scopes: string[]
  claims?: string | undefined
  authority?: string | undefined
  correlationId?: string | undefined
  redirectUri?: string | undefined
  /** Accepted for msal-node compatibility: the tokens are always cached. */
  forceCache?: boolean | undefined
  tokenBodyParameters?: Record<string, string> | undefined
  tokenQueryParameters?: Record<string, string> | undefined
  signal?: AbortSignal | undefined
}

export interface RedeemOptions {
  refreshToken: string
  /** The scopes as the caller gave them (OIDC scopes are added). */
  scopes: readonly string[]
  authority: Authority
  correlationId: string
  /** Already merged with client capabilities. */
  claims?: string | undefined
  account?: AccountInfo | undefined
  redirectUri?: string | undefined
  tokenBodyParameters?: Record<string, string> | undefined
  tokenQueryParameters?: Record<string, string> | undefined
  signal?: AbortSignal | undefined
}

/** POSTs a refresh_token grant and caches what comes back. */
export async function redeemRefreshToken(ctx: FlowContext, o: RedeemOptions): Promise<AuthenticationResult> {
  const scopes = withOidcScopes(o.scopes)
  const endpoints = await ctx.endpoints.resolve(o.authority, { correlationId: o.correlationId, signal: o.signal })
  const body = buildRefreshTokenBody(tokenFields(ctx, o.claims, o.tokenBodyParameters), { refreshToken: o.refreshToken, scopes, redirectUri: o.redirectUri }, {})
  const requestedAt = nowSeconds(ctx)
  const response = await postTokenRequest(ctx, { endpoints, body, correlationId: o.correlationId, userFlow: true, signal: o.signal, query: o.tokenQueryParameters })
  return handleUserTokenResponse(ctx, response, { authority: o.authority, endpoints, correlationId: o.correlationId, requestedScopes: scopes, requestedAt, account: o.account, signal: o.signal })
}

/**
 * msal-node's `acquireTokenByRefreshToken`.
 * @throws ClientConfigurationError `invalid_request` when no refresh token is given;
 *   InteractionRequiredAuthError when Entra refuses it (`invalid_grant`, expired or revoked);
 *   ServerError / ClientAuthError otherwise.
 */
export async function acquireTokenByRefreshToken(ctx: FlowContext, request: RefreshTokenRequest): Promise<AuthenticationResult> {
  if (typeof request?.refreshToken !== 'string' || request.refreshToken === '') {
    throw new ClientConfigurationError('invalid_request', 'request.refreshToken is missing.')
  }
  return redeemRefreshToken(ctx, {
    refreshToken: request.refreshToken,
    scopes: checkUserScopes(request.scopes),
    authority: requestAuthority(ctx, request.authority),
    correlationId: request.correlationId ?? newCorrelationId(),
    claims: mergeClaims(request.claims, ctx.clientCapabilities),
    redirectUri: request.redirectUri,
    tokenBodyParameters: request.tokenBodyParameters,
    tokenQueryParameters: request.tokenQueryParameters,
    signal: request.signal,
  })
}
