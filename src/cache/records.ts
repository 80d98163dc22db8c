/**
 * What the cache holds, one record type per MSAL unified-schema section. Times are seconds since
 * the epoch as numbers (MSAL writes them as strings; the serializer converts). `extra` keeps the
 * fields of a loaded entry that we do not use, so a round trip writes them back unchanged (a
 * null-prototype object: any field name, `__proto__` included, is an own field there).
 * `sourceKey` keeps the key an entry was loaded under when it is not the key msal-node would
 * write (MSAL Python and .NET key entries differently): the entry goes back under the key its
 * writer looks for. Both are absent on records the flows create, so a cached token costs only
 * its fields.
 */

export interface AccessTokenRecord {
  /** `uid.utid` of the user; empty for app-only (client credential) tokens. */
  homeAccountId: string
  /** The cloud's cache host, e.g. `login.windows.net`. */
  environment: string
  clientId: string
  /** Tenant id the token was issued in. */
  realm: string
  /** Space-separated scopes, as the server returned them. */
  target: string
  secret: string
  cachedAt: number
  expiresOn: number
  extendedExpiresOn?: number | undefined
  /** When to refresh proactively (from `refresh_in`). */
  refreshOn?: number | undefined
  /** `Bearer`, or `pop` etc. for `AccessToken_With_AuthScheme`. */
  tokenType: string
  keyId?: string | undefined
  requestedClaims?: string | undefined
  requestedClaimsHash?: string | undefined
  /** SHA-256 of the incoming assertion, for on-behalf-of tokens. */
  userAssertionHash?: string | undefined
  extra?: Record<string, unknown> | undefined
  sourceKey?: string | undefined
}

export interface RefreshTokenRecord {
  homeAccountId: string
  environment: string
  clientId: string
  secret: string
  /** `1` for a family (FOCI) refresh token usable by every app of the family. */
  familyId?: string | undefined
  expiresOn?: number | undefined
  userAssertionHash?: string | undefined
  extra?: Record<string, unknown> | undefined
  sourceKey?: string | undefined
}

export interface IdTokenRecord {
  homeAccountId: string
  environment: string
  clientId: string
  realm: string
  secret: string
  extra?: Record<string, unknown> | undefined
  sourceKey?: string | undefined
}

/** One entry of msal-node's `tenantProfiles` (stored on disk as a JSON string each). */
export interface TenantProfile {
  tenantId: string
  localAccountId: string
  name?: string | undefined
  /** msal-node 7 writes it; older writers do not. */
  username?: string | undefined
  isHomeTenant: boolean
}

export interface AccountRecord {
  homeAccountId: string
  environment: string
  realm: string
  localAccountId: string
  username: string
  authorityType: string
  name?: string | undefined
  clientInfo?: string | undefined
  lastModificationTime?: string | undefined
  lastModificationApp?: string | undefined
  tenantProfiles?: TenantProfile[] | undefined
  extra?: Record<string, unknown> | undefined
  sourceKey?: string | undefined
}

export interface AppMetadataRecord {
  clientId: string
  environment: string
  familyId?: string | undefined
  extra?: Record<string, unknown> | undefined
  sourceKey?: string | undefined
}
