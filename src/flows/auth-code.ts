/**
 * The authorization code flow in two steps, as msal-node exposes it: `getAuthCodeUrl` builds the
 * URL the user's browser opens, `acquireTokenByCode` redeems the code that comes back (with the
 * PKCE verifier and `client_info=1`), validates the id token and caches the tokens.
 * @see https://learn.microsoft.com/entra/identity-platform/v2-oauth2-auth-code-flow
 */
import type { AccountInfo } from '../cache/accounts.js'
import { ClientAuthError, ClientConfigurationError } from '../errors.js'
import { buildAuthorizeUrl, type Prompt, type ResponseMode } from '../protocol/authorize-url.js'
import { mergeClaims } from '../protocol/claims.js'
import { withOidcScopes } from '../protocol/scopes.js'
import { buildAuthorizationCodeBody } from '../protocol/token-request.js'
import { newCorrelationId, postTokenRequest, tokenFields, type FlowContext } from './context.js'
import type { AuthenticationResult } from './result.js'
import { checkUserScopes, handleUserTokenResponse, nowSeconds, requestAuthority } from './user-tokens.js'

/** msal-node's `AuthorizationUrlRequest`. */
export interface AuthorizationUrlRequest {
  scopes: string[]
  redirectUri: string
  /** The PKCE challenge (`CryptoProvider.generatePkceCodes().challenge`). Public clients should always send one. */
  codeChallenge?: string | undefined
  codeChallengeMethod?: 'S256' | 'plain' | (string & {}) | undefined
  state?: string | undefined
  nonce?: string | undefined
  prompt?: Prompt | undefined
  loginHint?: string | undefined
  domainHint?: string | undefined
  /** A claims request (JSON); client capabilities are merged in. */
  claims?: string | undefined
  /** Default `query` (msal-node's default for Node). */
  responseMode?: ResponseMode | undefined
  extraQueryParameters?: Record<string, string> | undefined
  /** Sets `login_hint` from the account's username when `loginHint` is not given. */
  account?: AccountInfo | undefined
  authority?: string | undefined
  correlationId?: string | undefined
}

/** msal-node's `AuthorizationCodeRequest`. */
export interface AuthorizationCodeRequest {
  /** The `code` from the redirect. Secret: never logged. */
  code: string
  redirectUri: string
  scopes?: string[] | undefined
  /** The PKCE verifier whose challenge went on the authorize URL. Secret: never logged. */
  codeVerifier?: string | undefined
  /** The state sent on the authorize URL; compared with the redirect's when `authCodePayload` is given. */
  state?: string | undefined
  /** The nonce sent on the authorize URL; the id token must carry it. */
  nonce?: string | undefined
  claims?: string | undefined
  authority?: string | undefined
  correlationId?: string | undefined
  tokenBodyParameters?: Record<string, string> | undefined
  tokenQueryParameters?: Record<string, string> | undefined
  signal?: AbortSignal | undefined
}

/** msal-node's `AuthorizationCodePayload`: what the redirect carried. */
export interface AuthorizationCodePayload {
  code: string
  state?: string | undefined
  nonce?: string | undefined
  client_info?: string | undefined
  cloud_instance_name?: string | undefined
  cloud_instance_host_name?: string | undefined
  cloud_graph_host_name?: string | undefined
}

/**
 * The authorize URL for a sign-in.
 * @throws ClientConfigurationError `invalid_request` (no redirectUri), `invalid_scopes`, `invalid_claims`.
 */
export async function getAuthCodeUrl(ctx: FlowContext, request: AuthorizationUrlRequest): Promise<string> {
  if (typeof request?.redirectUri !== 'string' || request.redirectUri === '') {
    throw new ClientConfigurationError('invalid_request', 'request.redirectUri is missing: pass the redirect URI registered for the app (e.g. http://localhost for a desktop app).')
  }
  const scopes = checkUserScopes(request.scopes)
  const authority = requestAuthority(ctx, request.authority)
  const correlationId = request.correlationId ?? newCorrelationId()
  const endpoints = await ctx.endpoints.resolve(authority, { correlationId })
  if (endpoints.authorization_endpoint === undefined) {
    throw new ClientConfigurationError('invalid_authority_metadata', `The authority ${authority.url} publishes no authorization_endpoint; add it to auth.authorityMetadata.`)
  }
  if (!ctx.credential && request.codeChallenge === undefined) {
    ctx.logger.warning('getAuthCodeUrl without codeChallenge: public clients should use PKCE (CryptoProvider.generatePkceCodes()).', correlationId)
  }
  const url = buildAuthorizeUrl(endpoints.authorization_endpoint, {
    clientId: ctx.clientId,
    clientInfo: ctx.protocolMode === 'AAD',
    redirectUri: request.redirectUri,
    scopes,
    responseMode: request.responseMode,
    state: request.state,
    nonce: request.nonce,
    prompt: request.prompt,
    loginHint: request.loginHint ?? request.account?.username,
    domainHint: request.domainHint,
    claims: mergeClaims(request.claims, ctx.clientCapabilities),
    codeChallenge: request.codeChallenge,
    codeChallengeMethod: request.codeChallengeMethod,
    extraQueryParameters: request.extraQueryParameters,
  })
  ctx.logger.verbose(`Authorize URL built for ${url.origin}${url.pathname}`, correlationId)
  return url.href
}

/**
 * Redeems an authorization code.
 * @throws ClientConfigurationError `invalid_request` when the code or redirectUri is missing (nothing is sent);
 *   ClientAuthError `state_mismatch`, `invalid_id_token`, `nonce_mismatch`;
 *   InteractionRequiredAuthError for `invalid_grant` (code expired or already redeemed: sign in again);
 *   ServerError for other Entra errors; ClientAuthError for network failures.
 */
export async function acquireTokenByCode(ctx: FlowContext, request: AuthorizationCodeRequest, payload?: AuthorizationCodePayload): Promise<AuthenticationResult> {
  if (typeof request?.code !== 'string' || request.code === '') {
    throw new ClientConfigurationError(
      'invalid_request',
      'request.code is missing: pass the "code" query parameter of the redirect that followed the sign-in (getAuthCodeUrl returns the URL to open, not a code).',
    )
  }
  if (typeof request.redirectUri !== 'string' || request.redirectUri === '') {
    throw new ClientConfigurationError('invalid_request', 'request.redirectUri is missing: pass the same redirect URI as on the authorize URL.')
  }
  if (payload !== undefined && request.state !== undefined && payload.state !== request.state) {
    throw new ClientAuthError('state_mismatch', "The redirect's state does not match the state sent on the authorize URL; the code was not redeemed. Start the sign-in again.")
  }
  const scopes = withOidcScopes(checkUserScopes(request.scopes))
  const authority = requestAuthority(ctx, request.authority)
  const correlationId = request.correlationId ?? newCorrelationId()
  const endpoints = await ctx.endpoints.resolve(authority, { correlationId, signal: request.signal })
  const body = buildAuthorizationCodeBody(
    tokenFields(ctx, mergeClaims(request.claims, ctx.clientCapabilities), request.tokenBodyParameters),
    { code: request.code, redirectUri: request.redirectUri, codeVerifier: request.codeVerifier, scopes },
    {},
  )
  const requestedAt = nowSeconds(ctx)
  ctx.logger.verbose(`Redeeming an authorization code${request.codeVerifier ? ' with a PKCE verifier' : ''}`, correlationId)
  const response = await postTokenRequest(ctx, { endpoints, body, correlationId, userFlow: true, signal: request.signal, query: request.tokenQueryParameters })
  return handleUserTokenResponse(ctx, response, {
    authority,
    endpoints,
    correlationId,
    requestedScopes: scopes,
    requestedAt,
    nonce: payload?.nonce ?? request.nonce,
    state: payload?.state ?? request.state,
    signal: request.signal,
  })
}
