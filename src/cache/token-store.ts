/**
 * The in-memory token store: a data structure, not a scan. Every lookup the flows make (the
 * access token for account+client+tenant+scopes, the app token for client+tenant+scopes, the
 * refresh token for account+client or family, the accounts of a client) is a map lookup whose
 * cost does not grow with the number of entries; at most it walks the few tokens one account
 * holds for one client in one tenant. Scope matching is case-insensitive, and a token whose
 * scopes are a superset of the request serves it. Environments that are aliases of one cloud
 * (login.microsoftonline.com, login.windows.net, ...) meet.
 *
 * Memory per token is kept small for daemons with 100,000 tenants: records hold no key strings,
 * repeated strings (environment, client id, realm, scopes) are interned, and the indexes are
 * nested maps keyed by strings the records already hold.
 */
import { cacheEnvironment } from '../protocol/clouds.js'
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

export interface TokenStoreOptions {
  /**
   * The most access tokens kept; past it, the least recently used (looked up or stored) go
   * first. Unbounded when absent.
   */
  maxAccessTokens?: number | undefined
  /** Milliseconds since the epoch, for removing expired tokens; `Date.now` by default. */
  now?: (() => number) | undefined
}

/** How a record is stored: `replace` drops older tokens whose scopes overlap (a new grant); `load` keeps everything (a file being read). */
export type StoreMode = 'replace' | 'load'

const SEP = '\u0000'
/** Scopes every user token carries; they never make two tokens "overlap" (msal-common's rule). */
const OIDC = new Set(['openid', 'profile', 'offline_access'])
/** Below this many insertions between sweeps, expired tokens are not looked for. */
const SWEEP_MIN_INSERTS = 1024
const INTERN_LIMIT = 16_384
const SCOPE_MEMO_LIMIT = 4096

type Slot = AccessTokenRecord | AccessTokenRecord[]

/** What one (home account, environment) owns besides its access tokens. */
interface Owner {
  readonly accounts: Map<string, AccountRecord>
  /** client SEP realm → id token. */
  readonly idTokens: Map<string, IdTokenRecord>
  /** `c` SEP client, or `f` SEP family id → refresh token (one per msal key). */
  readonly refreshTokens: Map<string, RefreshTokenRecord>
  /** client → the family refresh token issued to it (msal-node finds a family RT by client id too). */
  readonly familyByClient: Map<string, RefreshTokenRecord>
  /** Access-token partitions of this owner, so removing the account needs no scan. */
  readonly partitions: Set<string>
}

interface ScopeInfo {
  /** Lower-cased scopes. */
  readonly all: ReadonlySet<string>
  /** Lower-cased scopes without the OIDC ones (unless those are all there is). */
  readonly resource: ReadonlySet<string>
}

function lower(value: string | undefined): string {
  if (value === undefined) return ''
  const l = value.toLowerCase()
  // Same content: keep the instance we already hold, so keys and records share one string.
  return l === value ? value : l
}

/** The partition an access token lives in: everything but its realm and scopes. */
function partitionKey(q: {
  homeAccountId: string
  environment: string
  clientId: string
  tokenType?: string | undefined
  requestedClaimsHash?: string | undefined
  userAssertionHash?: string | undefined
  extra?: Record<string, unknown> | undefined
}): string {
  const owner = ownerKey(q.homeAccountId, q.environment)
  const plain = (q.tokenType === undefined || q.tokenType === 'Bearer') && !q.requestedClaimsHash && !q.userAssertionHash && q.extra === undefined
  if (plain) {
    // Hand back the very string of last time: Map lookups by it reuse its hash instead of
    // hashing ~120 fresh characters on every cache hit.
    const memo = plainPartitions.get(owner)
    if (memo !== undefined && memo.clientId === q.clientId) return memo.key
  }
  const type = q.tokenType === undefined || q.tokenType.toLowerCase() === 'bearer' ? '' : q.tokenType.toLowerCase()
  let key = owner + SEP + lower(q.clientId) + SEP + type
  if (plain) {
    if (plainPartitions.size >= OWNER_KEY_MEMO_LIMIT) plainPartitions.clear()
    plainPartitions.set(owner, { clientId: q.clientId, key })
    return key
  }
  if (q.requestedClaimsHash) key += SEP + 'c' + q.requestedClaimsHash
  if (q.userAssertionHash) key += SEP + 'u' + q.userAssertionHash
  // msal-node isolates tokens bound to extra key components (e.g. an FMI path): never serve them to a plain request.
  const components = q.extra?.['additionalCacheKeyComponents']
  if (components !== undefined && components !== null) key += SEP + 'x' + JSON.stringify(components)
  return key
}

// A silent hit asks for the owner key three times (access token, id token, account), always for
// the same few accounts: remember the last key per home account id. A string keeps its hash, so
// this lookup is cheaper than lower-casing and joining ~100 characters each time.
const ownerKeys = new Map<string, { environment: string; key: string }>()
const plainPartitions = new Map<string, { clientId: string; key: string }>()
const OWNER_KEY_MEMO_LIMIT = 4096

function ownerKey(homeAccountId: string, environment: string): string {
  const memo = ownerKeys.get(homeAccountId)
  if (memo !== undefined && memo.environment === environment) return memo.key
  const key = lower(homeAccountId) + SEP + cacheEnvironment(environment)
  if (ownerKeys.size >= OWNER_KEY_MEMO_LIMIT) ownerKeys.clear()
  ownerKeys.set(homeAccountId, { environment, key })
  return key
}

export class TokenStore {
  /** access-token partition → lower-cased realm → the token(s) there. */
  readonly #at = new Map<string, Map<string, Slot>>()
  #atCount = 0
  readonly #owners = new Map<string, Owner>()
  /** lower-cased home account id → its owner keys (one per cloud it signed in to). */
  readonly #byHome = new Map<string, Set<string>>()
  /** lower-cased client id → owners holding an id token or refresh token for it. */
  readonly #byClient = new Map<string, Set<string>>()
  readonly #appMetadata = new Map<string, AppMetadataRecord>()
  /** On-behalf-of (added for flows/on-behalf-of.ts): assertion hash → the home account id its tokens are filed under. */
  readonly #assertionOwners = new Map<string, string>()
  /** (Added for TokenCache.getAccountByLocalId) lower-cased local account id → its records; checked against #owners on read, so removals need no upkeep here. */
  readonly #byLocalId = new Map<string, Set<AccountRecord>>()
  /** Access tokens in least-recently-used order (first = oldest); kept only when bounded. */
  readonly #lru: Set<AccessTokenRecord> | undefined
  readonly #max: number
  readonly #now: () => number
  #insertsSinceSweep = 0
  /** Insertions before the next sweep: as many as there were tokens after the last one, so sweeping costs O(1) per insertion. */
  #sweepAfter = SWEEP_MIN_INSERTS
  readonly #strings = new Map<string, string>()
  readonly #scopes = new Map<string, ScopeInfo>()
  #version = 0

  constructor(options: TokenStoreOptions = {}) {
    const max = options.maxAccessTokens
    if (max !== undefined && (!Number.isInteger(max) || max < 1)) {
      throw new RangeError(`maxAccessTokens must be a positive integer, not ${String(max)}`)
    }
    this.#max = max ?? Infinity
    this.#lru = max === undefined ? undefined : new Set()
    this.#now = options.now ?? Date.now
  }

  /** Increases on every change; lets the plugin layer tell whether anything changed. */
  get version(): number {
    return this.#version
  }

  get accessTokenCount(): number {
    return this.#atCount
  }

  /** The configured bound on access tokens (`Infinity` when unbounded). */
  get maxAccessTokens(): number {
    return this.#max
  }

  // ---- access tokens -------------------------------------------------------------------------

  /**
   * The cached access token that serves `q`: the exact scope set first, then any superset.
   * Expiry is the caller's call. Counts as a use for least-recently-used eviction.
   */
  findAccessToken(q: AccessTokenQuery): AccessTokenRecord | undefined {
    const slot = this.#at.get(partitionKey(q))?.get(lower(q.realm))
    if (slot === undefined) return undefined
    const wanted = requestedScopes(q.scopes)
    let found: AccessTokenRecord | undefined
    if (Array.isArray(slot)) {
      for (const record of slot) {
        const scopes = this.#scopeInfo(record.target)
        if (!covers(scopes, wanted)) continue
        if (found === undefined || scopes.resource.size === wanted.size || record.expiresOn > found.expiresOn) found = record
        if (scopes.resource.size === wanted.size) break
      }
    } else if (covers(this.#scopeInfo(slot.target), wanted)) {
      found = slot
    }
    if (found !== undefined && this.#lru !== undefined) {
      this.#lru.delete(found)
      this.#lru.add(found)
    }
    return found
  }

  /**
   * Stores an access token. In `replace` mode (the default: a token just granted) any token of
   * the same account, client, tenant and type whose scopes overlap it is dropped, as MSAL does.
   * Past `maxAccessTokens` the least recently used token is evicted; every so often (amortized
   * O(1)) expired tokens are removed.
   */
  setAccessToken(record: AccessTokenRecord, mode: StoreMode = 'replace'): void {
    record.environment = this.#intern(record.environment)
    record.clientId = this.#intern(record.clientId)
    record.realm = this.#intern(record.realm)
    record.target = this.#intern(record.target)
    record.tokenType = this.#intern(record.tokenType)
    record.homeAccountId = this.#intern(record.homeAccountId)
    const partition = partitionKey(record)
    let realms = this.#at.get(partition)
    if (realms === undefined) {
      realms = new Map()
      this.#at.set(partition, realms)
      if (record.homeAccountId !== '') this.#owner(record.homeAccountId, record.environment).partitions.add(partition)
      if (record.userAssertionHash) this.#assertionOwners.set(record.userAssertionHash, record.homeAccountId)
    }
    const realm = lower(record.realm)
    const slot = realms.get(realm)
    if (slot === record || (Array.isArray(slot) && slot.includes(record))) {
      // Stored already (a caller updated it in place): nothing to index, but it did change.
      this.#version++
      return
    }
    if (slot === undefined) {
      realms.set(realm, record)
    } else {
      const kept = Array.isArray(slot) ? slot : [slot]
      const next: AccessTokenRecord[] = []
      const mine = this.#scopeInfo(record.target)
      for (const other of kept) {
        if (mode === 'replace' && overlaps(this.#scopeInfo(other.target), mine)) this.#forget(other)
        else next.push(other)
      }
      next.push(record)
      realms.set(realm, next.length === 1 ? record : next)
    }
    this.#atCount++
    this.#lru?.add(record)
    this.#version++
    while (this.#atCount > this.#max && this.#lru !== undefined) {
      const oldest = this.#lru.values().next().value
      if (oldest === undefined) break
      this.removeAccessToken(oldest)
    }
    if (mode === 'replace' && ++this.#insertsSinceSweep >= this.#sweepAfter) {
      this.removeExpiredAccessTokens()
    }
  }

  removeAccessToken(record: AccessTokenRecord): boolean {
    const partition = partitionKey(record)
    const realms = this.#at.get(partition)
    const realm = lower(record.realm)
    const slot = realms?.get(realm)
    if (realms === undefined || slot === undefined) return false
    if (Array.isArray(slot)) {
      const at = slot.indexOf(record)
      if (at < 0) return false
      slot.splice(at, 1)
      if (slot.length === 1) realms.set(realm, slot[0] as AccessTokenRecord)
    } else {
      if (slot !== record) return false
      realms.delete(realm)
      if (realms.size === 0) {
        this.#at.delete(partition)
        if (record.homeAccountId !== '') this.#owners.get(ownerKey(record.homeAccountId, record.environment))?.partitions.delete(partition)
        if (record.userAssertionHash) this.#assertionOwners.delete(record.userAssertionHash)
      }
    }
    this.#atCount--
    this.#lru?.delete(record)
    this.#version++
    return true
  }

  /**
   * Removes every access token that has expired (`expiresOn` at or before now). Runs by itself
   * after enough insertions to pay for the walk; call it directly from a timer if you like.
   * @returns how many were removed.
   */
  removeExpiredAccessTokens(nowSeconds: number = Math.floor(this.#now() / 1000)): number {
    this.#insertsSinceSweep = 0
    const expired: AccessTokenRecord[] = []
    for (const record of this.accessTokens()) if (record.expiresOn <= nowSeconds) expired.push(record)
    for (const record of expired) this.removeAccessToken(record)
    this.#sweepAfter = Math.max(SWEEP_MIN_INSERTS, this.#atCount)
    return expired.length
  }

  *accessTokens(): IterableIterator<AccessTokenRecord> {
    for (const realms of this.#at.values()) {
      for (const slot of realms.values()) {
        if (Array.isArray(slot)) yield* [...slot]
        else yield slot
      }
    }
  }

  /** Drops a token replaced by an overlapping one (the slot itself is rebuilt by the caller). */
  #forget(record: AccessTokenRecord): void {
    this.#atCount--
    this.#lru?.delete(record)
  }

  // ---- refresh tokens ------------------------------------------------------------------------

  /**
   * The refresh token of an account for a client (its own, else the family token issued to
   * it), or the family's when `familyId` is given (FOCI: any app of the family may use it).
   */
  findRefreshToken(owner: CredentialOwner, familyId?: string): RefreshTokenRecord | undefined {
    const entry = this.#owners.get(ownerKey(owner.homeAccountId, owner.environment))
    if (entry === undefined) return undefined
    if (familyId) return entry.refreshTokens.get('f' + SEP + familyId)
    const client = lower(owner.clientId)
    return entry.refreshTokens.get('c' + SEP + client) ?? entry.familyByClient.get(client)
  }

  /** Stores a refresh token, replacing the one with the same account and client (or family). */
  setRefreshToken(record: RefreshTokenRecord): void {
    record.environment = this.#intern(record.environment)
    record.clientId = this.#intern(record.clientId)
    record.homeAccountId = this.#intern(record.homeAccountId)
    const entry = this.#owner(record.homeAccountId, record.environment)
    const client = lower(record.clientId)
    const key = record.familyId ? 'f' + SEP + record.familyId : 'c' + SEP + client
    const previous = entry.refreshTokens.get(key)
    if (previous !== undefined && previous !== record) this.#unlinkRefreshToken(entry, previous)
    entry.refreshTokens.set(key, record)
    if (record.familyId) entry.familyByClient.set(client, record)
    this.#link(client, ownerKey(record.homeAccountId, record.environment))
    this.#version++
  }

  removeRefreshToken(record: RefreshTokenRecord): boolean {
    const owner = ownerKey(record.homeAccountId, record.environment)
    const entry = this.#owners.get(owner)
    const key = record.familyId ? 'f' + SEP + record.familyId : 'c' + SEP + lower(record.clientId)
    if (entry === undefined || entry.refreshTokens.get(key) !== record) return false
    entry.refreshTokens.delete(key)
    this.#unlinkRefreshToken(entry, record)
    this.#unlinkIfUnused(lower(record.clientId), owner, entry)
    this.#version++
    return true
  }

  #unlinkRefreshToken(entry: Owner, record: RefreshTokenRecord): void {
    const client = lower(record.clientId)
    if (entry.familyByClient.get(client) === record) entry.familyByClient.delete(client)
  }

  *refreshTokens(): IterableIterator<RefreshTokenRecord> {
    for (const entry of this.#owners.values()) yield* entry.refreshTokens.values()
  }

  // ---- id tokens -----------------------------------------------------------------------------

  findIdToken(owner: CredentialOwner, realm: string): IdTokenRecord | undefined {
    return this.#owners.get(ownerKey(owner.homeAccountId, owner.environment))?.idTokens.get(lower(owner.clientId) + SEP + lower(realm))
  }

  setIdToken(record: IdTokenRecord): void {
    record.environment = this.#intern(record.environment)
    record.clientId = this.#intern(record.clientId)
    record.realm = this.#intern(record.realm)
    record.homeAccountId = this.#intern(record.homeAccountId)
    const client = lower(record.clientId)
    this.#owner(record.homeAccountId, record.environment).idTokens.set(client + SEP + lower(record.realm), record)
    this.#link(client, ownerKey(record.homeAccountId, record.environment))
    this.#version++
  }

  removeIdToken(record: IdTokenRecord): boolean {
    const owner = ownerKey(record.homeAccountId, record.environment)
    const entry = this.#owners.get(owner)
    const client = lower(record.clientId)
    const key = client + SEP + lower(record.realm)
    if (entry === undefined || entry.idTokens.get(key) !== record) return false
    entry.idTokens.delete(key)
    this.#unlinkIfUnused(client, owner, entry)
    this.#version++
    return true
  }

  *idTokens(): IterableIterator<IdTokenRecord> {
    for (const entry of this.#owners.values()) yield* entry.idTokens.values()
  }

  // ---- accounts ------------------------------------------------------------------------------

  setAccount(record: AccountRecord): void {
    record.environment = this.#intern(record.environment)
    record.realm = this.#intern(record.realm)
    record.homeAccountId = this.#intern(record.homeAccountId)
    this.#owner(record.homeAccountId, record.environment).accounts.set(lower(record.realm), record)
    const local = lower(record.localAccountId)
    let records = this.#byLocalId.get(local)
    if (records === undefined) this.#byLocalId.set(local, (records = new Set()))
    records.add(record)
    this.#version++
  }

  /** The account records whose local account id (`oid` in their tenant) is given: a map lookup, whatever the cache size. */
  findAccountsByLocalId(localAccountId: string): AccountRecord[] {
    const key = lower(localAccountId)
    const records = this.#byLocalId.get(key)
    if (records === undefined) return []
    const out: AccountRecord[] = []
    for (const record of records) {
      const held = this.#owners.get(ownerKey(record.homeAccountId, record.environment))?.accounts.get(lower(record.realm))
      if (held === record && lower(record.localAccountId) === key) out.push(record)
      else records.delete(record)
    }
    if (records.size === 0) this.#byLocalId.delete(key)
    return out
  }

  /** The account records of one user (one per tenant), in `environment` or any of its aliases; in every cloud when it is omitted. */
  /** The account record of one user in one tenant: a map lookup. */
  findAccount(homeAccountId: string, environment: string, realm: string): AccountRecord | undefined {
    return this.#owners.get(ownerKey(homeAccountId, environment))?.accounts.get(lower(realm))
  }

  findAccounts(homeAccountId: string, environment?: string): AccountRecord[] {
    if (environment !== undefined) return [...(this.#owners.get(ownerKey(homeAccountId, environment))?.accounts.values() ?? [])]
    const out: AccountRecord[] = []
    for (const owner of this.#byHome.get(lower(homeAccountId)) ?? []) out.push(...(this.#owners.get(owner)?.accounts.values() ?? []))
    return out
  }

  /**
   * The accounts that hold an id token or refresh token for `clientId`: what an application
   * lists as its signed-in users. Costs the number of those accounts, not the cache size.
   */
  accountsOfClient(clientId: string): AccountRecord[] {
    const out: AccountRecord[] = []
    for (const owner of this.#byClient.get(lower(clientId)) ?? []) out.push(...(this.#owners.get(owner)?.accounts.values() ?? []))
    return out
  }

  *accounts(): IterableIterator<AccountRecord> {
    for (const entry of this.#owners.values()) yield* entry.accounts.values()
  }

  /** Removes one account record (one tenant profile), leaving the user's credentials. */
  removeAccountRecord(record: AccountRecord): boolean {
    const entry = this.#owners.get(ownerKey(record.homeAccountId, record.environment))
    const realm = lower(record.realm)
    if (entry === undefined || entry.accounts.get(realm) !== record) return false
    entry.accounts.delete(realm)
    this.#version++
    return true
  }

  /** Removes an account (every tenant profile in `environment` and its aliases) and every credential it owns. */
  removeAccount(homeAccountId: string, environment: string): void {
    const owner = ownerKey(homeAccountId, environment)
    const entry = this.#owners.get(owner)
    if (entry === undefined) return
    for (const partition of entry.partitions) {
      for (const slot of this.#at.get(partition)?.values() ?? []) {
        for (const record of Array.isArray(slot) ? slot : [slot]) this.#forget(record)
      }
      this.#at.delete(partition)
    }
    for (const client of new Set([...entry.idTokens.values(), ...entry.refreshTokens.values()].map((r) => lower(r.clientId)))) {
      const owners = this.#byClient.get(client)
      owners?.delete(owner)
      if (owners?.size === 0) this.#byClient.delete(client)
    }
    this.#owners.delete(owner)
    const home = lower(homeAccountId)
    const homes = this.#byHome.get(home)
    homes?.delete(owner)
    if (homes?.size === 0) this.#byHome.delete(home)
    this.#version++
  }

  #owner(homeAccountId: string, environment: string): Owner {
    const key = ownerKey(homeAccountId, environment)
    let entry = this.#owners.get(key)
    if (entry === undefined) {
      entry = { accounts: new Map(), idTokens: new Map(), refreshTokens: new Map(), familyByClient: new Map(), partitions: new Set() }
      this.#owners.set(key, entry)
      const home = lower(homeAccountId)
      let homes = this.#byHome.get(home)
      if (homes === undefined) {
        homes = new Set()
        this.#byHome.set(home, homes)
      }
      homes.add(key)
    }
    return entry
  }

  #link(client: string, owner: string): void {
    let owners = this.#byClient.get(client)
    if (owners === undefined) {
      owners = new Set()
      this.#byClient.set(client, owners)
    }
    owners.add(owner)
  }

  /** Forgets that `owner` uses `client` once it holds no id token or refresh token for it. */
  #unlinkIfUnused(client: string, owner: string, entry: Owner): void {
    for (const r of entry.refreshTokens.values()) if (lower(r.clientId) === client) return
    for (const r of entry.idTokens.values()) if (lower(r.clientId) === client) return
    const owners = this.#byClient.get(client)
    owners?.delete(owner)
    if (owners?.size === 0) this.#byClient.delete(client)
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

  /**
   * On-behalf-of: the home account id of the tokens obtained with an assertion (msal-node finds
   * OBO tokens by `userAssertionHash`, before it knows the user), so the flow can then look the
   * token up like any other. A stale answer only costs a cache miss.
   */
  homeAccountIdForAssertion(userAssertionHash: string): string | undefined {
    return this.#assertionOwners.get(userAssertionHash)
  }

  /** Empties the store. */
  clear(): void {
    this.#assertionOwners.clear()
    this.#byLocalId.clear()
    this.#at.clear()
    this.#atCount = 0
    this.#lru?.clear()
    this.#owners.clear()
    this.#byHome.clear()
    this.#byClient.clear()
    this.#appMetadata.clear()
    this.#insertsSinceSweep = 0
    this.#version++
  }

  // ---- strings -------------------------------------------------------------------------------

  /** One instance per distinct value of the strings every record repeats (bounded, so an attacker-sized cache cannot grow it without end). */
  #intern(value: string): string {
    const known = this.#strings.get(value)
    if (known !== undefined) return known
    if (this.#strings.size < INTERN_LIMIT) this.#strings.set(value, value)
    return value
  }

  #scopeInfo(target: string): ScopeInfo {
    let info = this.#scopes.get(target)
    if (info === undefined) {
      info = scopeInfo(target)
      if (this.#scopes.size >= SCOPE_MEMO_LIMIT) this.#scopes.clear()
      this.#scopes.set(target, info)
    }
    return info
  }
}

function scopeInfo(target: string): ScopeInfo {
  const all = new Set<string>()
  for (const scope of target.split(' ')) if (scope !== '') all.add(scope.toLowerCase())
  const resource = new Set([...all].filter((s) => !OIDC.has(s)))
  return { all, resource: resource.size === 0 ? all : resource }
}

/** What a lookup asks for, lower-cased; the OIDC scopes are not access-token scopes (msal-common's createSearchScopes). */
function requestedScopes(scopes: readonly string[]): Set<string> {
  // One pass, one set: this runs on every cache hit.
  const resource = new Set<string>()
  let oidc = 0
  for (const raw of scopes) {
    for (const scope of raw.includes(' ') ? raw.split(' ') : [raw]) {
      if (scope === '') continue
      const s = scope.toLowerCase()
      if (OIDC.has(s)) oidc |= s === 'openid' ? 1 : s === 'profile' ? 2 : 0
      else resource.add(s)
    }
  }
  if (resource.size > 0) return resource
  // Only OIDC scopes, or none: msal-common searches for `openid profile` then.
  if (oidc === 0) return new Set(['openid', 'profile'])
  if (oidc & 1) resource.add('openid')
  if (oidc & 2) resource.add('profile')
  return resource
}

function covers(available: ScopeInfo, wanted: ReadonlySet<string>): boolean {
  if (wanted.size === 0) return false
  for (const scope of wanted) if (!available.all.has(scope)) return false
  return true
}

function overlaps(a: ScopeInfo, b: ScopeInfo): boolean {
  for (const scope of b.resource) if (a.resource.has(scope)) return true
  return false
}
