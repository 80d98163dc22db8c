/**
 * The in-memory token store: a data structure, not a scan. Every lookup the flows make (the
 * access token for account+client+tenant+scopes, the app token for client+tenant+scope, the
 * refresh token for account+client or family, the accounts of a client) is a map lookup whose
 * cost does not grow with the number of entries. Scope matching is case-insensitive, and a token
 * whose scopes are a superset of the request serves it.
 */
import { cacheEnvironment } from '../protocol/clouds.js'
import { scopeSetKey, scopesCover, parseScopeString } from '../protocol/scopes.js'
import type { AccessTokenRecord, AccountRecord, AppMetadataRecord, IdTokenRecord, RefreshTokenRecord } from './records.js'

export interface AccessTokenQuery {
  homeAccountId: string
  environment: string
  clientId: string
  realm: string
  scopes: readonly string[]
  tokenType?: string | undefined
  requestedClaimsHash?: string | undefined
  userAssertionHash?: string | undefined
}

export interface CredentialOwner {
  homeAccountId: string
  environment: string
  clientId: string
}

const SEP = '\u0000'

function lower(value: string | undefined): string {
  return value === undefined ? '' : value.toLowerCase()
}

/** The partition an access token lives in: everything but its scopes. */
function atBucketKey(q: { homeAccountId: string; environment: string; clientId: string; realm: string; tokenType?: string | undefined; requestedClaimsHash?: string | undefined; userAssertionHash?: string | undefined }): string {
  return (
    lower(q.homeAccountId) + SEP + cacheEnvironment(q.environment) + SEP + lower(q.clientId) + SEP + lower(q.realm) + SEP +
    lower(q.tokenType ?? 'bearer') + SEP + (q.requestedClaimsHash ?? '') + SEP + (q.userAssertionHash ?? '')
  )
}

function ownerKey(homeAccountId: string, environment: string): string {
  return lower(homeAccountId) + SEP + cacheEnvironment(environment)
}

export class TokenStore {
  /** bucket + SEP + scope set key → the token (the exact-scope fast path). */
  readonly #accessTokens = new Map<string, AccessTokenRecord>()
  /** bucket → its tokens, for superset matches and replacing overlaps. */
  readonly #buckets = new Map<string, Set<AccessTokenRecord>>()
  /** The exact key each record is filed under, so removal needs no recomputation. */
  readonly #atKeys = new WeakMap<AccessTokenRecord, string>()
  readonly #refreshTokens = new Map<string, RefreshTokenRecord>()
  readonly #idTokens = new Map<string, IdTokenRecord>()
  /** owner (home account id + environment) → realm → account. */
  readonly #accounts = new Map<string, Map<string, AccountRecord>>()
  readonly #appMetadata = new Map<string, AppMetadataRecord>()
  #version = 0

  /** Increases on every change; lets the plugin layer tell whether anything changed. */
  get version(): number {
    return this.#version
  }

  get accessTokenCount(): number {
    return this.#accessTokens.size
  }

  // ---- access tokens -------------------------------------------------------------------------

  /** The cached access token that serves `q`: exact scope set first, then any superset. Expiry is the caller's call. */
  findAccessToken(q: AccessTokenQuery): AccessTokenRecord | undefined {
    const bucket = atBucketKey(q)
    const exact = this.#accessTokens.get(bucket + SEP + scopeSetKey(q.scopes))
    if (exact) return exact
    const candidates = this.#buckets.get(bucket)
    if (!candidates) return undefined
    for (const record of candidates) {
      if (scopesCover(parseScopeString(record.target), q.scopes)) return record
    }
    return undefined
  }

  /**
   * Stores an access token, replacing any in the same partition whose scopes overlap it (as
   * MSAL does: the newest grant wins).
   */
  setAccessToken(record: AccessTokenRecord): void {
    const bucket = atBucketKey(record)
    const scopes = parseScopeString(record.target)
    const existing = this.#buckets.get(bucket)
    if (existing) {
      const wanted = new Set(scopes.map((s) => s.toLowerCase()))
      for (const other of existing) {
        if (parseScopeString(other.target).some((s) => wanted.has(s.toLowerCase()))) this.removeAccessToken(other)
      }
    }
    const key = bucket + SEP + scopeSetKey(scopes)
    this.#accessTokens.set(key, record)
    this.#atKeys.set(record, key)
    let set = this.#buckets.get(bucket)
    if (!set) {
      set = new Set()
      this.#buckets.set(bucket, set)
    }
    set.add(record)
    this.#version++
  }

  removeAccessToken(record: AccessTokenRecord): boolean {
    const key = this.#atKeys.get(record)
    if (key === undefined || this.#accessTokens.get(key) !== record) return false
    this.#accessTokens.delete(key)
    const bucket = atBucketKey(record)
    const set = this.#buckets.get(bucket)
    set?.delete(record)
    if (set && set.size === 0) this.#buckets.delete(bucket)
    this.#version++
    return true
  }

  *accessTokens(): IterableIterator<AccessTokenRecord> {
    yield* this.#accessTokens.values()
  }

  // ---- refresh tokens ------------------------------------------------------------------------

  /** The refresh token of an account for a client, or the family's when `familyId` is given. */
  findRefreshToken(owner: CredentialOwner, familyId?: string): RefreshTokenRecord | undefined {
    return this.#refreshTokens.get(rtKey(owner, familyId))
  }

  setRefreshToken(record: RefreshTokenRecord): void {
    this.#refreshTokens.set(rtKey(record, record.familyId), record)
    this.#version++
  }

  removeRefreshToken(record: RefreshTokenRecord): boolean {
    const key = rtKey(record, record.familyId)
    if (this.#refreshTokens.get(key) !== record) return false
    this.#refreshTokens.delete(key)
    this.#version++
    return true
  }

  *refreshTokens(): IterableIterator<RefreshTokenRecord> {
    yield* this.#refreshTokens.values()
  }

  // ---- id tokens -----------------------------------------------------------------------------

  findIdToken(owner: CredentialOwner, realm: string): IdTokenRecord | undefined {
    return this.#idTokens.get(idKey(owner, realm))
  }

  setIdToken(record: IdTokenRecord): void {
    this.#idTokens.set(idKey(record, record.realm), record)
    this.#version++
  }

  *idTokens(): IterableIterator<IdTokenRecord> {
    yield* this.#idTokens.values()
  }

  // ---- accounts ------------------------------------------------------------------------------

  setAccount(record: AccountRecord): void {
    const owner = ownerKey(record.homeAccountId, record.environment)
    let realms = this.#accounts.get(owner)
    if (!realms) {
      realms = new Map()
      this.#accounts.set(owner, realms)
    }
    realms.set(lower(record.realm), record)
    this.#version++
  }

  /** The account records of one user (one per tenant profile), in any alias of the environment. */
  findAccounts(homeAccountId: string, environment?: string): AccountRecord[] {
    if (environment !== undefined) return [...(this.#accounts.get(ownerKey(homeAccountId, environment))?.values() ?? [])]
    const out: AccountRecord[] = []
    for (const [key, realms] of this.#accounts) if (key.startsWith(lower(homeAccountId) + SEP)) out.push(...realms.values())
    return out
  }

  *accounts(): IterableIterator<AccountRecord> {
    for (const realms of this.#accounts.values()) yield* realms.values()
  }

  /** Removes an account and every credential it owns. */
  removeAccount(homeAccountId: string, environment: string): void {
    const owner = ownerKey(homeAccountId, environment)
    this.#accounts.delete(owner)
    const ownedBy = (r: { homeAccountId: string; environment: string }): boolean => ownerKey(r.homeAccountId, r.environment) === owner
    for (const r of [...this.#accessTokens.values()]) if (ownedBy(r)) this.removeAccessToken(r)
    for (const [k, r] of this.#refreshTokens) if (ownedBy(r)) this.#refreshTokens.delete(k)
    for (const [k, r] of this.#idTokens) if (ownedBy(r)) this.#idTokens.delete(k)
    this.#version++
  }

  // ---- app metadata --------------------------------------------------------------------------

  findAppMetadata(clientId: string, environment: string): AppMetadataRecord | undefined {
    return this.#appMetadata.get(cacheEnvironment(environment) + SEP + lower(clientId))
  }

  setAppMetadata(record: AppMetadataRecord): void {
    this.#appMetadata.set(cacheEnvironment(record.environment) + SEP + lower(record.clientId), record)
    this.#version++
  }

  *appMetadata(): IterableIterator<AppMetadataRecord> {
    yield* this.#appMetadata.values()
  }

  /** Empties the store. */
  clear(): void {
    this.#accessTokens.clear()
    this.#buckets.clear()
    this.#refreshTokens.clear()
    this.#idTokens.clear()
    this.#accounts.clear()
    this.#appMetadata.clear()
    this.#version++
  }
}

function rtKey(owner: CredentialOwner, familyId: string | undefined): string {
  return ownerKey(owner.homeAccountId, owner.environment) + SEP + (familyId ? `family:${familyId}` : lower(owner.clientId))
}

function idKey(owner: CredentialOwner, realm: string): string {
  return ownerKey(owner.homeAccountId, owner.environment) + SEP + lower(owner.clientId) + SEP + lower(realm)
}
