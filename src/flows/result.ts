/**
 * The result and account shapes of msal-node (`AuthenticationResult`, `AccountInfo`), and the one
 * mapper from cache records to them.
 */
import { parseScopeString } from '../protocol/scopes.js'
import type { AccessTokenRecord } from '../cache/records.js'
import type { AccountInfo, IdTokenClaims, TenantProfileInfo } from '../cache/accounts.js'

export type { AccountInfo, IdTokenClaims, TenantProfileInfo }

export interface AuthenticationResult {
  authority: string
  uniqueId: string
  tenantId: string
  scopes: string[]
  account: AccountInfo | null
  idToken: string
  idTokenClaims: IdTokenClaims
  accessToken: string
  fromCache: boolean
  expiresOn: Date | null
  extExpiresOn?: Date | undefined
  refreshOn?: Date | undefined
  tokenType: string
  correlationId: string
  familyId?: string | undefined
  state?: string | undefined
  code?: string | undefined
}

export interface ResultContext {
  authority: string
  correlationId: string
  fromCache: boolean
  account?: AccountInfo | null | undefined
  idToken?: string | undefined
  idTokenClaims?: IdTokenClaims | undefined
  familyId?: string | undefined
  state?: string | undefined
}

/** Maps a cached (or just stored) access token to msal-node's result shape. */
export function toAuthenticationResult(token: AccessTokenRecord, ctx: ResultContext): AuthenticationResult {
  const claims = ctx.idTokenClaims ?? {}
  const result: AuthenticationResult = {
    authority: ctx.authority,
    uniqueId: typeof claims.oid === 'string' ? claims.oid : typeof claims.sub === 'string' ? claims.sub : '',
    tenantId: typeof claims.tid === 'string' ? claims.tid : token.realm,
    scopes: parseScopeString(token.target),
    account: ctx.account ?? null,
    idToken: ctx.idToken ?? '',
    idTokenClaims: claims,
    accessToken: token.secret,
    fromCache: ctx.fromCache,
    expiresOn: new Date(token.expiresOn * 1000),
    extExpiresOn: token.extendedExpiresOn === undefined ? undefined : new Date(token.extendedExpiresOn * 1000),
    refreshOn: token.refreshOn === undefined ? undefined : new Date(token.refreshOn * 1000),
    tokenType: token.tokenType,
    correlationId: ctx.correlationId,
  }
  if (ctx.familyId !== undefined) result.familyId = ctx.familyId
  if (ctx.state !== undefined) result.state = ctx.state
  return result
}
