/**
 * What every user flow does with a token response: validate the id token, work out the account
 * (`homeAccountId` from `client_info`, `localAccountId` = `oid`, `username` = `preferred_username`),
 * write the access token, refresh token (with its FOCI family), id token, account and app
 * metadata in one cache access, and map it all to msal-node's `AuthenticationResult`.
 */
import { lazy } from '../lazy.js'
import { parseAuthority, type Authority } from '../authority/authority.js'
import type { EndpointMetadata } from '../authority/endpoints.js'
import { toAccountInfo, type AccountInfo, type IdTokenClaims } from '../cache/accounts.js'
import type { AccessTokenRecord, AccountRecord, IdTokenRecord, RefreshTokenRecord } from '../cache/records.js'
import { ClientAuthError, ClientConfigurationError } from '../errors.js'
import { decodeClientInfo, homeAccountIdOf } from '../protocol/client-info.js'
import { normalizeScopes } from '../protocol/scopes.js'
import type { TokenResponse } from '../protocol/token-response.js'
import type { FlowContext } from './context.js'
import { toAuthenticationResult, type AuthenticationResult } from './result.js'

const loadIdToken = lazy(() => import('../protocol/id-token.js'))

export interface UserTokenContext {
  authority: Authority
  endpoints: EndpointMetadata
  correlationId: string
  /** The scopes sent on the wire: the token's target when the response names none. */
  requestedScopes: readonly string[]
  /** Seconds since the epoch when the request was sent (lifetimes count from there). */
  requestedAt: number
  /** The nonce sent on the authorize URL, checked against the id token. */
  nonce?: string | undefined
  /** The account the request was for (a refresh): used when the response lacks client_info or an id token. */
  account?: AccountInfo | undefined
  /** On-behalf-of: SHA-256 of the incoming assertion, which partitions the tokens. */
  userAssertionHash?: string | undefined
  state?: string | undefined
  signal?: AbortSignal | undefined
}

/** Validates the id token, caches everything the response grants, and returns the result. */
export async function handleUserTokenResponse(ctx: FlowContext, response: TokenResponse, t: UserTokenContext): Promise<AuthenticationResult> {
  const claims = response.id_token === undefined ? undefined : await validateIdTokenFromAuthority(ctx, response.id_token, t)
  if (claims === undefined && t.nonce !== undefined) {
    throw new ClientAuthError('invalid_id_token', 'A nonce was sent but the token endpoint returned no id token to carry it back; the response cannot be trusted. Include "openid" in the scopes.')
  }
  const clientInfo = decodeClientInfo(response.client_info)
  const homeAccountId = clientInfo || claims ? homeAccountIdOf(clientInfo, claims) : (t.account?.homeAccountId ?? '')
  const environment = t.authority.environment
  const realm = typeof claims?.tid === 'string' ? claims.tid : (t.account?.tenantId ?? t.authority.tenant)
  const familyId = response.foci === undefined || response.foci === '' ? undefined : response.foci

  const at: AccessTokenRecord = {
    homeAccountId,
    environment,
    clientId: ctx.clientId,
    realm,
    target: response.scope ? normalizeScopes([response.scope]).join(' ') : normalizeScopes(t.requestedScopes).join(' '),
    secret: response.access_token,
    cachedAt: t.requestedAt,
    expiresOn: t.requestedAt + response.expires_in,
    extendedExpiresOn: t.requestedAt + (response.ext_expires_in ?? response.expires_in),
    refreshOn: response.refresh_in === undefined ? undefined : t.requestedAt + response.refresh_in,
    tokenType: response.token_type,
    userAssertionHash: t.userAssertionHash,
  }
  const rt: RefreshTokenRecord | undefined =
    response.refresh_token === undefined || homeAccountId === ''
      ? undefined
      : {
          homeAccountId,
          environment,
          clientId: ctx.clientId,
          secret: response.refresh_token,
          familyId,
          expiresOn: response.refresh_token_expires_in === undefined ? undefined : t.requestedAt + response.refresh_token_expires_in,
          userAssertionHash: t.userAssertionHash,
        }
  const idToken: IdTokenRecord | undefined =
    response.id_token === undefined || homeAccountId === '' ? undefined : { homeAccountId, environment, clientId: ctx.clientId, realm, secret: response.id_token }
  const account: AccountRecord | undefined = claims && homeAccountId !== '' ? accountRecord(homeAccountId, environment, realm, claims, clientInfo?.utid, response.client_info, t.authority, ctx.now()) : undefined

  const stored = await ctx.cache.access((s) => {
    s.setAccessToken(at)
    if (rt) s.setRefreshToken(rt)
    if (idToken) s.setIdToken(idToken)
    if (account) s.setAccount(account)
    if (homeAccountId !== '') s.setAppMetadata({ clientId: ctx.clientId, environment, familyId })
    // A refresh without a new id token still describes the account the cache already knows.
    const knownAccount = account ?? s.findAccounts(homeAccountId, environment).find((r) => r.realm.toLowerCase() === realm.toLowerCase())
    const knownIdToken = idToken ?? (homeAccountId === '' ? undefined : s.findIdToken({ homeAccountId, environment, clientId: ctx.clientId }, realm))
    return { knownAccount, knownIdToken }
  })
  const info = stored.knownAccount ? toAccountInfo(stored.knownAccount, stored.knownIdToken, claims as IdTokenClaims | undefined) : (t.account ?? null)
  ctx.logger.info(`Tokens acquired for ${at.target} (expires in ${response.expires_in} s${rt ? ', refresh token cached' : ''}${familyId ? `, family ${familyId}` : ''})`, t.correlationId)
  if (info) ctx.logger.verbosePii(`Signed-in account ${info.username} (${info.homeAccountId})`, t.correlationId)
  return toAuthenticationResult(at, {
    authority: t.authority.url,
    correlationId: t.correlationId,
    fromCache: false,
    account: info,
    idToken: stored.knownIdToken?.secret ?? '',
    idTokenClaims: info?.idTokenClaims ?? {},
    familyId,
    state: t.state,
  })
}

function accountRecord(
  homeAccountId: string,
  environment: string,
  realm: string,
  claims: IdTokenClaims,
  homeTenant: string | undefined,
  rawClientInfo: string | undefined,
  authority: Authority,
  now: number,
): AccountRecord {
  const localAccountId = str(claims.oid) ?? str(claims.sub) ?? ''
  const name = str(claims.name)
  return {
    homeAccountId,
    environment,
    realm,
    localAccountId,
    username: str(claims.preferred_username) ?? str(claims.upn) ?? str(claims.email) ?? '',
    authorityType: authority.cloud ? 'MSSTS' : 'Generic',
    name,
    clientInfo: rawClientInfo,
    lastModificationTime: String(Math.floor(now / 1000)),
    tenantProfiles: [{ tenantId: realm, localAccountId, name, isHomeTenant: homeTenant === undefined || homeTenant.toLowerCase() === realm.toLowerCase() }],
  }
}

function str(value: unknown): string | undefined {
  return typeof value === 'string' && value !== '' ? value : undefined
}

/**
 * Validates an id token against the authority's keys (fetched once and cached; fetched again,
 * rate-limited, when the token names a key we do not hold).
 * @throws ClientAuthError `invalid_id_token` / `nonce_mismatch`, or the transport's errors while fetching keys.
 */
export async function validateIdTokenFromAuthority(ctx: FlowContext, idToken: string, t: Pick<UserTokenContext, 'authority' | 'endpoints' | 'nonce' | 'correlationId' | 'signal'>): Promise<IdTokenClaims> {
  const uri = t.endpoints.jwks_uri
  if (uri === undefined) {
    throw new ClientConfigurationError('invalid_authority_metadata', `The authority ${t.authority.url} publishes no jwks_uri, so its id tokens cannot be verified. Add jwks_uri to auth.authorityMetadata.`)
  }
  const fetchCtx = { correlationId: t.correlationId, signal: t.signal }
  // jose and zod load with the first id token, not at start-up.
  const { idTokenKeyId, jwksHasKey, validateIdToken } = await loadIdToken()
  let keys = await ctx.jwks.get(uri, fetchCtx)
  const kid = idTokenKeyId(idToken)
  if (!jwksHasKey(keys, kid)) {
    ctx.logger.verbose('The id token names a signing key not in the cached key set; fetching the keys again', t.correlationId)
    keys = await ctx.jwks.refresh(uri, fetchCtx)
  }
  const claims = await validateIdToken(idToken, keys, {
    clientId: ctx.clientId,
    issuer: t.endpoints.issuer,
    issuerHosts: t.authority.aliases,
    nonce: t.nonce,
    now: ctx.now(),
    jwksUri: uri,
  })
  return claims as IdTokenClaims
}

/** The authority of one request: its own `authority` when given (checked as the config's is), else the app's. */
export function requestAuthority(ctx: FlowContext, override: string | undefined): Authority {
  return override === undefined || override === '' ? ctx.authority : parseAuthority(override, ctx.authorityOptions)
}

/**
 * The caller's scopes, trimmed and de-duplicated; empty strings dropped (msal-node accepts
 * `[""]`, which then asks for the OIDC scopes only).
 * @throws ClientConfigurationError `invalid_scopes` when `scopes` is not an array of strings.
 */
export function checkUserScopes(scopes: unknown, field = 'scopes'): string[] {
  if (scopes === undefined) return []
  if (!Array.isArray(scopes) || scopes.some((s) => typeof s !== 'string')) {
    throw new ClientConfigurationError('invalid_scopes', `request.${field} must be an array of strings such as ["User.Read"].`)
  }
  return normalizeScopes(scopes as string[])
}

/** Seconds since the epoch by the context's clock. */
export function nowSeconds(ctx: FlowContext): number {
  return Math.floor(ctx.now() / 1000)
}
