/**
 * msal-node's account shape (`AccountInfo`), and the one mapping from cached records to it. The
 * account's claims come from its cached id token, decoded without verification: it was verified
 * when it arrived.
 */
import { decodeJwtClaims } from '../protocol/jwt.js'
import type { AccountRecord, IdTokenRecord } from './records.js'

export type IdTokenClaims = Record<string, unknown> & {
  aud?: string
  iss?: string
  iat?: number
  nbf?: number
  exp?: number
  oid?: string
  sub?: string
  tid?: string
  name?: string
  preferred_username?: string
  nonce?: string
}

export interface TenantProfileInfo {
  tenantId: string
  localAccountId: string
  name?: string | undefined
  isHomeTenant: boolean
}

/** A signed-in user, as msal-node describes one. */
export interface AccountInfo {
  /** `uid.utid` from `client_info`: stable across the user's tenants. */
  homeAccountId: string
  /** The cloud's cache host, e.g. `login.windows.net`. */
  environment: string
  tenantId: string
  username: string
  /** The user's object id (`oid`) in `tenantId`. */
  localAccountId: string
  name?: string | undefined
  idToken?: string | undefined
  idTokenClaims?: IdTokenClaims | undefined
  tenantProfiles?: Map<string, TenantProfileInfo> | undefined
  authorityType?: string | undefined
}

/**
 * Maps an account record (and its id token, when the cache holds one) to an `AccountInfo`.
 * `claims` may be passed when they are already known (just validated), to skip decoding.
 */
export function toAccountInfo(record: AccountRecord, idToken?: IdTokenRecord | undefined, claims?: IdTokenClaims | undefined): AccountInfo {
  const idTokenClaims = claims ?? (idToken ? cachedClaims(idToken) : undefined)
  const profiles = new Map<string, TenantProfileInfo>()
  for (const p of record.tenantProfiles ?? []) profiles.set(p.tenantId, { tenantId: p.tenantId, localAccountId: p.localAccountId, name: p.name, isHomeTenant: p.isHomeTenant })
  const info: AccountInfo = {
    homeAccountId: record.homeAccountId,
    environment: record.environment,
    tenantId: record.realm,
    username: record.username,
    localAccountId: record.localAccountId,
    name: record.name ?? (typeof idTokenClaims?.name === 'string' ? idTokenClaims.name : undefined),
    authorityType: record.authorityType,
    tenantProfiles: profiles,
  }
  if (idToken) info.idToken = idToken.secret
  if (idTokenClaims) info.idTokenClaims = idTokenClaims
  return info
}

// A cached id token is decoded once, not on every cache hit (silent hits and account lookups
// would otherwise spend most of their time in base64 and JSON.parse). Each caller gets its own
// shallow copy, so one result's claims can be changed without touching another's.
const decoded = new WeakMap<IdTokenRecord, { secret: string; claims: IdTokenClaims | undefined }>()

function cachedClaims(record: IdTokenRecord): IdTokenClaims | undefined {
  let entry = decoded.get(record)
  if (entry === undefined || entry.secret !== record.secret) {
    entry = { secret: record.secret, claims: safeClaims(record.secret) }
    decoded.set(record, entry)
  }
  return entry.claims === undefined ? undefined : { ...entry.claims }
}

function safeClaims(jwt: string): IdTokenClaims | undefined {
  try {
    return decodeJwtClaims(jwt) as IdTokenClaims
  } catch {
    // A damaged cached id token costs the account its claims, not its existence.
    return undefined
  }
}
