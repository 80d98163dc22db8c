/**
 * On-behalf-of (a web API calling another API as the signed-in user): the incoming user token
 * is exchanged with a jwt-bearer grant. Tokens are cached keyed by the SHA-256 of the incoming
 * assertion (msal-node's `userAssertionHash`), so the next request carrying the same user token
 * is served without a round trip, and a different user's token never matches.
 * @see https://learn.microsoft.com/entra/identity-platform/v2-oauth2-on-behalf-of-flow
 */
import { ClientConfigurationError } from '../errors.js'
import { mergeClaims } from '../protocol/claims.js'
import { withOidcScopes } from '../protocol/scopes.js'
import { buildOnBehalfOfBody } from '../protocol/token-request.js'
import { hashUserAssertion } from '../protocol/user-assertion.js'
import { toAccountInfo } from '../cache/accounts.js'
import { EXPIRY_MARGIN_SECONDS } from './client-credential.js'
import { newCorrelationId, postTokenRequest, tokenFields, type FlowContext } from './context.js'
import { toAuthenticationResult, type AuthenticationResult } from './result.js'
import { checkUserScopes, handleUserTokenResponse, nowSeconds, requestAuthority } from './user-tokens.js'

/** msal-node's `OnBehalfOfRequest`. */
export interface OnBehalfOfRequest {
  /** The access token the API received (its audience is this app). Secret: never logged. */
  oboAssertion: string
  scopes: string[]
  skipCache?: boolean | undefined
  claims?: string | undefined
  authority?: string | undefined
  correlationId?: string | undefined
  tokenBodyParameters?: Record<string, string> | undefined
  tokenQueryParameters?: Record<string, string> | undefined
}

/**
 * A token for a downstream API on behalf of the caller's user.
 * @throws ClientConfigurationError `invalid_request` (no assertion), `missing_client_credential`;
 *   InteractionRequiredAuthError when the user must consent or pass MFA (`interaction_required`,
 *   AADSTS65001, 50076: send the claims challenge back to the client); ServerError otherwise.
 */
export async function acquireTokenOnBehalfOf(ctx: FlowContext, request: OnBehalfOfRequest): Promise<AuthenticationResult> {
  if (typeof request?.oboAssertion !== 'string' || request.oboAssertion === '') {
    throw new ClientConfigurationError('invalid_request', 'request.oboAssertion is missing: pass the access token your API received (without "Bearer ").')
  }
  if (!ctx.credential) {
    throw new ClientConfigurationError('missing_client_credential', 'On-behalf-of needs a confidential client (a secret, certificate or assertion).')
  }
  const scopes = checkUserScopes(request.scopes)
  const authority = requestAuthority(ctx, request.authority)
  const correlationId = request.correlationId ?? newCorrelationId()
  const userAssertionHash = hashUserAssertion(request.oboAssertion)
  const claims = mergeClaims(request.claims, ctx.clientCapabilities)

  if (!request.skipCache && !request.claims) {
    const hit = await ctx.cache.access((s) => {
      const homeAccountId = s.homeAccountIdForAssertion(userAssertionHash)
      if (homeAccountId === undefined) return undefined
      const environment = authority.environment
      const owner = { homeAccountId, environment, clientId: ctx.clientId }
      const realms = authority.tenantKind === 'guid' ? [authority.tenant] : [...s.findAccounts(homeAccountId, environment).map((a) => a.realm), authority.tenant]
      for (const realm of realms) {
        const token = s.findAccessToken({ ...owner, realm, scopes: withOidcScopes(scopes), userAssertionHash })
        if (!token) continue
        const account = s.findAccounts(homeAccountId, environment).find((a) => a.realm.toLowerCase() === realm.toLowerCase())
        const idToken = s.findIdToken(owner, realm)
        return { token, account: account ? toAccountInfo(account, idToken) : null, idToken }
      }
      return undefined
    })
    if (hit && hit.token.expiresOn - nowSeconds(ctx) > EXPIRY_MARGIN_SECONDS) {
      ctx.logger.verbose('On-behalf-of token served from the cache', correlationId)
      return toAuthenticationResult(hit.token, {
        authority: authority.url,
        correlationId,
        fromCache: true,
        account: hit.account,
        idToken: hit.idToken?.secret ?? '',
        idTokenClaims: hit.account?.idTokenClaims ?? {},
      })
    }
  }

  const wireScopes = withOidcScopes(scopes)
  const key = JSON.stringify(['obo', ctx.clientId, authority.url, userAssertionHash, wireScopes.map((s) => s.toLowerCase()).sort(), claims ?? '', request.tokenBodyParameters ?? {}, request.tokenQueryParameters ?? {}])
  const result = await ctx.inFlight.run(key, async () => {
    const endpoints = await ctx.endpoints.resolve(authority, { correlationId })
    const body = buildOnBehalfOfBody(tokenFields(ctx, claims, request.tokenBodyParameters), { assertion: request.oboAssertion, scopes: wireScopes }, {})
    const requestedAt = nowSeconds(ctx)
    const response = await postTokenRequest(ctx, { endpoints, body, correlationId, userFlow: true, query: request.tokenQueryParameters })
    return handleUserTokenResponse(ctx, response, { authority, endpoints, correlationId, requestedScopes: wireScopes, requestedAt, userAssertionHash })
  })
  return { ...result }
}
