/**
 * `acquireTokenSilent`: the first step of the pattern every desktop page prescribes. An access
 * token of that account whose scopes cover the request comes from the cache (`fromCache: true`);
 * otherwise the account's refresh token (or its family's) is redeemed and the cache updated.
 * When nothing in the cache can serve and Entra says the user must act, it throws
 * `InteractionRequiredAuthError` so the caller falls back to an interactive flow.
 * Concurrent identical calls share one request.
 * @see https://learn.microsoft.com/entra/identity-platform/scenario-desktop-acquire-token#recommended-pattern
 */
import type { Authority } from '../authority/authority.js'
import { toAccountInfo, type AccountInfo } from '../cache/accounts.js'
import type { AccessTokenRecord, IdTokenRecord, RefreshTokenRecord } from '../cache/records.js'
import type { TokenStore } from '../cache/token-store.js'
import { ClientAuthError, InteractionRequiredAuthError, ServerError } from '../errors.js'
import { mergeClaims } from '../protocol/claims.js'
import { scopeSetKey } from '../protocol/scopes.js'
import { EXPIRY_MARGIN_SECONDS } from './client-credential.js'
import { newCorrelationId, type FlowContext } from './context.js'
import { redeemRefreshToken } from './refresh-token.js'
import { toAuthenticationResult, type AuthenticationResult } from './result.js'
import { checkUserScopes, nowSeconds, requestAuthority } from './user-tokens.js'

/** msal-node's `SilentFlowRequest`. */
export interface SilentFlowRequest {
  account: AccountInfo
  scopes: string[]
  /** Skip the access token cache and redeem the refresh token. */
  forceRefresh?: boolean | undefined
  /** A claims challenge (JSON): bypasses the access token cache, as in msal-node. */
  claims?: string | undefined
  authority?: string | undefined
  correlationId?: string | undefined
  redirectUri?: string | undefined
  tokenBodyParameters?: Record<string, string> | undefined
  tokenQueryParameters?: Record<string, string> | undefined
}

/**
 * A token for `request.account`, from the cache or its refresh token.
 * @throws ClientAuthError `no_account` when no account is given;
 *   InteractionRequiredAuthError with `errorCode` (`no_tokens_found`, `invalid_grant`,
 *   `interaction_required`, `consent_required`, `login_required`), `subError` and `errorCodes`
 *   (AADSTS numbers) when the user must sign in again; ServerError / ClientAuthError otherwise.
 */
export async function acquireTokenSilent(ctx: FlowContext, request: SilentFlowRequest): Promise<AuthenticationResult> {
  const account = request?.account
  if (!account || typeof account.homeAccountId !== 'string' || account.homeAccountId === '') {
    throw new ClientAuthError('no_account', 'request.account is missing: pass one of getTokenCache().getAllAccounts(), or sign in interactively first.')
  }
  const scopes = checkUserScopes(request.scopes)
  const authority = requestAuthority(ctx, request.authority)
  const correlationId = request.correlationId ?? newCorrelationId()
  const claims = mergeClaims(request.claims, ctx.clientCapabilities)
  // A tenant named in the authority wins; common/organizations/a domain mean the account's own tenant.
  const realm = authority.tenantKind === 'guid' ? authority.tenant : account.tenantId
  const owner = { homeAccountId: account.homeAccountId, environment: account.environment, clientId: ctx.clientId }

  if (!request.forceRefresh && !request.claims) {
    // The OIDC scopes are not access-token scopes: the store leaves them out of the match.
    const lookup = (s: TokenStore): { token: AccessTokenRecord; accountInfo: AccountInfo; idToken: IdTokenRecord | undefined } | undefined => {
      const token = s.findAccessToken({ ...owner, realm, scopes })
      if (!token) return undefined
      const accountRecord = s.findAccount(account.homeAccountId, account.environment, token.realm)
      const idToken = s.findIdToken(owner, token.realm)
      return { token, accountInfo: accountRecord ? toAccountInfo(accountRecord, idToken) : account, idToken }
    }
    // Without a plugin a cache read is a plain map lookup: no promise in the way.
    const hit = ctx.cache.hasPlugin ? await ctx.cache.access(lookup) : lookup(ctx.cache.store)
    const now = nowSeconds(ctx)
    if (hit && hit.token.expiresOn - now > EXPIRY_MARGIN_SECONDS) {
      if (hit.token.refreshOn !== undefined && now >= hit.token.refreshOn) {
        // Still valid: hand it out now and renew it behind the caller's back, as msal-node does.
        ctx.logger.verbose('Cached access token past its refresh_in; refreshing in the background', correlationId)
        refreshShared(ctx, request, { scopes, authority, realm, claims, correlationId: newCorrelationId() }).catch((error: unknown) => {
          ctx.logger.warning(`Background refresh failed: ${(error as Error).message}`, correlationId)
        })
      }
      ctx.logger.verbose('Access token served from the cache', correlationId)
      return toAuthenticationResult(hit.token, {
        authority: authority.url,
        correlationId,
        fromCache: true,
        account: hit.accountInfo,
        idToken: hit.idToken?.secret ?? '',
        idTokenClaims: hit.accountInfo.idTokenClaims ?? {},
      })
    }
  }
  return refreshShared(ctx, request, { scopes, authority, realm, claims, correlationId })
}

interface SilentPlan {
  scopes: string[]
  authority: Authority
  realm: string
  claims: string | undefined
  correlationId: string
}

function refreshShared(ctx: FlowContext, request: SilentFlowRequest, plan: SilentPlan): Promise<AuthenticationResult> {
  const a = request.account
  // Every input that shapes the request is in the key (msal-js #8680: a key without the resource
  // handed one caller another resource's token).
  const key = JSON.stringify([
    'silent',
    ctx.clientId,
    plan.authority.url,
    a.homeAccountId.toLowerCase(),
    a.environment.toLowerCase(),
    plan.realm.toLowerCase(),
    scopeSetKey(plan.scopes),
    plan.claims ?? '',
    request.forceRefresh === true,
    request.redirectUri ?? '',
    request.tokenBodyParameters ?? {},
    request.tokenQueryParameters ?? {},
  ])
  // Each caller gets its own copy: one caller mutating its result must not change another's.
  return ctx.inFlight.run(key, () => refreshWithCachedToken(ctx, request, plan)).then((result) => ({ ...result }))
}

async function refreshWithCachedToken(ctx: FlowContext, request: SilentFlowRequest, plan: SilentPlan): Promise<AuthenticationResult> {
  const account = request.account
  const owner = { homeAccountId: account.homeAccountId, environment: account.environment, clientId: ctx.clientId }
  const { own, family, appFamilyId } = await ctx.cache.access((s) => {
    const metadata = s.findAppMetadata(ctx.clientId, account.environment)
    // The app's family is known from its metadata; with no metadata (a cache written by another
    // app of the family), any family token is worth a try.
    const familyId = metadata ? metadata.familyId : '1'
    return { own: s.findRefreshToken(owner), family: familyId ? s.findRefreshToken(owner, familyId) : undefined, appFamilyId: familyId }
  })
  const candidates: RefreshTokenRecord[] = []
  if (family) candidates.push(family)
  if (own && own !== family) candidates.push(own)
  if (candidates.length === 0) {
    throw new InteractionRequiredAuthError('no_tokens_found', 'No refresh token for this account in the cache: sign in interactively (acquireTokenInteractive, acquireTokenByCode or device code).', {
      correlationId: plan.correlationId,
    })
  }
  ctx.logger.verbose(`Redeeming a ${candidates[0] === family ? `family (${appFamilyId}) ` : ''}refresh token`, plan.correlationId)
  for (let i = 0; i < candidates.length; i++) {
    const rt = candidates[i] as RefreshTokenRecord
    try {
      return await redeemRefreshToken(ctx, {
        refreshToken: rt.secret,
        scopes: plan.scopes,
        authority: plan.authority,
        correlationId: plan.correlationId,
        claims: plan.claims,
        account,
        redirectUri: request.redirectUri,
        tokenBodyParameters: request.tokenBodyParameters,
        tokenQueryParameters: request.tokenQueryParameters,
      })
    } catch (error) {
      const last = i === candidates.length - 1
      // A family token this app may not use (client_mismatch), or one Entra refuses: fall back to the app's own.
      const familyRefused = rt === family && (error instanceof InteractionRequiredAuthError || (error instanceof ServerError && error.subError === 'client_mismatch'))
      if (last || !familyRefused) throw error
      ctx.logger.verbose('The family refresh token was refused; trying the app refresh token', plan.correlationId)
    }
  }
  /* c8 ignore next */
  throw new InteractionRequiredAuthError('no_tokens_found', 'No usable refresh token for this account.', { correlationId: plan.correlationId })
}
