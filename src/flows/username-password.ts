/**
 * Resource owner password credentials (ROPC): the app collects the user's password and sends it
 * to Entra. **Discouraged**: it cannot do MFA, Conditional Access, federated or personal
 * accounts, and it teaches users to type passwords into apps. Use it only where nothing else
 * works (some test automation, legacy migration); prefer device code or the system browser.
 * The password is never logged and never appears in an error.
 * @see https://learn.microsoft.com/entra/identity-platform/v2-oauth-ropc
 */
import { ClientConfigurationError } from '../errors.js'
import { mergeClaims } from '../protocol/claims.js'
import { withOidcScopes } from '../protocol/scopes.js'
import { buildPasswordBody } from '../protocol/token-request.js'
import { newCorrelationId, postTokenRequest, tokenFields, type FlowContext } from './context.js'
import type { AuthenticationResult } from './result.js'
import { checkUserScopes, handleUserTokenResponse, nowSeconds, requestAuthority } from './user-tokens.js'

/** msal-node's `UsernamePasswordRequest`. */
export interface UsernamePasswordRequest {
  scopes: string[]
  username: string
  /** Secret: sent once to the token endpoint, never logged, never in an error. */
  password: string
  claims?: string | undefined
  authority?: string | undefined
  correlationId?: string | undefined
  tokenBodyParameters?: Record<string, string> | undefined
  tokenQueryParameters?: Record<string, string> | undefined
}

/**
 * Signs a user in with a username and password.
 * @throws ClientConfigurationError `invalid_request` (missing username or password; nothing is sent);
 *   InteractionRequiredAuthError when Entra needs the user (MFA, consent: AADSTS50076, 65001);
 *   ServerError for a wrong password (`invalid_grant`, AADSTS50126) and other errors.
 */
export async function acquireTokenByUsernamePassword(ctx: FlowContext, request: UsernamePasswordRequest): Promise<AuthenticationResult> {
  if (typeof request?.username !== 'string' || request.username === '') {
    throw new ClientConfigurationError('invalid_request', 'request.username is missing.')
  }
  if (typeof request.password !== 'string' || request.password === '') {
    throw new ClientConfigurationError('invalid_request', 'request.password is missing.')
  }
  const scopes = withOidcScopes(checkUserScopes(request.scopes))
  const authority = requestAuthority(ctx, request.authority)
  const correlationId = request.correlationId ?? newCorrelationId()
  const endpoints = await ctx.endpoints.resolve(authority, { correlationId })
  const body = buildPasswordBody(
    tokenFields(ctx, mergeClaims(request.claims, ctx.clientCapabilities), request.tokenBodyParameters),
    { username: request.username, password: request.password, scopes },
    {},
  )
  ctx.logger.warning('Username/password (ROPC) sign-in: discouraged; prefer the system browser or device code.', correlationId)
  ctx.logger.verbosePii(`ROPC sign-in for ${request.username}`, correlationId)
  const requestedAt = nowSeconds(ctx)
  // userFlow false: here invalid_grant means a wrong username or password (AADSTS50126), a
  // ServerError as in msal-node, not a call to sign in interactively.
  const response = await postTokenRequest(ctx, { endpoints, body, correlationId, userFlow: false, query: request.tokenQueryParameters })
  return handleUserTokenResponse(ctx, response, { authority, endpoints, correlationId, requestedScopes: scopes, requestedAt })
}
