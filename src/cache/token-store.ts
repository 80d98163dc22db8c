/**
 * The in-memory token store: a data structure, not a scan. Every lookup the flows make (the
 * access token for account+client+tenant+scopes, the app token for client+tenant+scopes, the
 * refresh token for account+client or family, the accounts of a client) is a map lookup whose
 * cost does not grow with the number of entries; at most it walks the few tokens one account
 * holds for one client in one tenant. Scope matching is case-insensitive, and a token whose
 * scopes are a superset of the request serves it. Environments that are aliases of one cloud
 * (login.microsoftonline.com, login.windows.net, ...) meet: records are filed under the cloud,
 * not the host.
 *
 * Filing by cloud means two loaded entries can claim one place: a shared cache file holds a
 * refresh token msal-node wrote under `login.windows.net` and one MSAL Python or the Azure CLI
 * wrote under `login.microsoftonline.com` for the same user and app, or one entry under two
 * libraries' keys. Every place therefore holds a {@link Slot}: one record, or the twins a file
 * brought, each kept with its own environment so it is written back under its own key. A lookup
 * takes the twin whose environment is the one asked for, else the newest; a new grant replaces
 * all of them. Access tokens, refresh tokens, id tokens, accounts and app metadata all go through
 * the same few functions (`file`, `unfile`, `pick`).
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

/**
 * How a record is stored. `replace` (a new grant) drops the older records it supersedes: the
 * access tokens whose scopes overlap it, the refresh token, id token, account or app metadata of
 * the same identity, their twins under the cloud's other host aliases included. `load` (a file
 * being read) keeps everything, twins side by side.
 */
export type StoreMode = 'replace' | 'load'

const SEP = '\u0000'
/** Scopes every user token carries; they never make two tokens "overlap" (msal-common's rule). */
const OIDC = new Set(['openid', 'profile', 'offline_access'])
/** Below this many insertions between sweeps, expired tokens are not looked for. */
const SWEEP_MIN_INSERTS = 1024
const INTERN_LIMIT = 16_384
const SCOPE_MEMO_LIMIT = 4096

/**
 * The records filed in one place: nearly always one record, held as itself so a cached token
 * costs no array. Several when a loaded file brought twins (the same identity under two host
 * aliases of one cloud, or under two libraries' keys), or, for access tokens, tokens of one
 * tenant with different scopes.
 */
type Slot<T> = T | T[]

/** What every record has that `pick` looks at. */
interface Twin {
  environment: string
  lastModificationTime?: string | undefined
  extra?: Record<string, unknown> | undefined
}

/** What one (home account, cloud) owns besides its access tokens. */
interface Owner {
  /** lower-cased realm → account record(s). */
  readonly accounts: Map<string, Slot<AccountRecord>>
  /** client SEP realm → id token(s). */
  readonly idTokens: Map<string, Slot<IdTokenRecord>>
  /** `c` SEP client, or `f` SEP family id → refresh token(s). */
  readonly refreshTokens: Map<string, Slot<RefreshTokenRecord>>
  /** client → the family refresh token(s) issued to it (msal-node finds a family RT by client id too). */
  readonly familyByClient: Map<string, Slot<RefreshTokenRecord>>
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
  readonly #at = new Map<string, Map<string, Slot<AccessTokenRecord>>>()
  #atCount = 0
  readonly #owners = new Map<string, Owner>()
  /** lower-cased home account id → its owner keys (one per cloud it signed in to). */
  readonly #byHome = new Map<string, Set<string>>()
  /** lower-cased client id → owners holding an id token or refresh token for it. */
  readonly #byClient = new Map<string, Set<string>>()
  /** cloud SEP lower-cased client id → app metadata record(s). */
  readonly #appMetadata = new Map<string, Slot<AppMetadataRecord>>()
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
   * The cached access token that serves `q`: the exact scope set first, then any superset; among
   * equals (alias twins), the one in `q.environment`, then the one that lasts longest. Expiry is
   * the caller's call. Counts as a use for least-recently-used eviction.
   */
  findAccessToken(q: AccessTokenQuery): AccessTokenRecord | undefined {
    const slot = this.#at.get(partitionKey(q))?.get(lower(q.realm))
    if (slot === undefined) return undefined
    const wanted = requestedScopes(q.scopes)
    let found: AccessTokenRecord | undefined
    if (Array.isArray(slot)) {
      let foundExact = false
      for (const record of slot) {
        const scopes = this.#scopeInfo(record.target)
        if (!covers(scopes, wanted)) continue
        const exact = scopes.resource.size === wanted.size
        if (found === undefined || (exact !== foundExact ? exact : prefersToken(record, found, q.environment))) {
          found = record
          foundExact = exact
        }
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
   * the same account, cloud, client, tenant and type whose scopes overlap it is dropped, as MSAL
   * does (msal-common matches the environment across the cloud's aliases there too). Past
   * `maxAccessTokens` the least recently used token is evicted; every so often (amortized O(1))
   * expired tokens are removed.
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
    if (holds(realms.get(realm), record)) {
      // Stored already (a caller updated it in place): nothing to index, but it did change.
      this.#version++
      return
    }
    const mine = this.#scopeInfo(record.target)
    for (const other of file(realms, realm, record, mode, (other) => overlaps(this.#scopeInfo(other.target), mine))) this.#forget(other)
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
    if (realms === undefined || !unfile(realms, lower(record.realm), record)) return false
    if (realms.size === 0) {
      this.#at.delete(partition)
      if (record.homeAccountId !== '') this.#owners.get(ownerKey(record.homeAccountId, record.environment))?.partitions.delete(partition)
      if (record.userAssertionHash) this.#assertionOwners.delete(record.userAssertionHash)
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
    // A copy of each slot: a caller may remove what it is handed.
    for (const realms of this.#at.values()) for (const slot of realms.values()) yield* Array.isArray(slot) ? [...slot] : [slot]
  }

  /** Drops a token replaced by an overlapping one (`file` took it out of its slot). */
  #forget(record: AccessTokenRecord): void {
    this.#atCount--
    this.#lru?.delete(record)
  }

  // ---- refresh tokens ------------------------------------------------------------------------

  /**
   * The refresh token of an account for a client (its own, else the family token issued to
   * it), or the family's when `familyId` is given (FOCI: any app of the family may use it).
   * Of alias twins, the one in `owner.environment`, else the newest.
   */
  findRefreshToken(owner: CredentialOwner, familyId?: string): RefreshTokenRecord | undefined {
    const entry = this.#owners.get(ownerKey(owner.homeAccountId, owner.environment))
    if (entry === undefined) return undefined
    if (familyId) return pick(entry.refreshTokens.get('f' + SEP + familyId), owner.environment)
    const client = lower(owner.clientId)
    return pick(entry.refreshTokens.get('c' + SEP + client), owner.environment) ?? pick(entry.familyByClient.get(client), owner.environment)
  }

  /**
   * Stores a refresh token. A new one (`replace`) takes the place of every refresh token of the
   * same account, cloud and client (or family), its alias twins included; a loaded one (`load`)
   * goes beside them.
   */
  setRefreshToken(record: RefreshTokenRecord, mode: StoreMode = 'replace'): void {
    record.environment = this.#intern(record.environment)
    record.clientId = this.#intern(record.clientId)
    record.homeAccountId = this.#intern(record.homeAccountId)
    const entry = this.#owner(record.homeAccountId, record.environment)
    const owner = ownerKey(record.homeAccountId, record.environment)
    const client = lower(record.clientId)
    const displaced = file(entry.refreshTokens, refreshTokenSlot(record), record, mode)
    if (record.familyId) file(entry.familyByClient, client, record, mode)
    this.#link(client, owner)
    for (const old of displaced) {
      unfile(entry.familyByClient, lower(old.clientId), old)
      this.#unlinkIfUnused(lower(old.clientId), owner, entry)
    }
    this.#version++
  }

  removeRefreshToken(record: RefreshTokenRecord): boolean {
    const owner = ownerKey(record.homeAccountId, record.environment)
    const entry = this.#owners.get(owner)
    if (entry === undefined || !unfile(entry.refreshTokens, refreshTokenSlot(record), record)) return false
    unfile(entry.familyByClient, lower(record.clientId), record)
    this.#unlinkIfUnused(lower(record.clientId), owner, entry)
    this.#version++
    return true
  }

  *refreshTokens(): IterableIterator<RefreshTokenRecord> {
    for (const entry of this.#owners.values()) for (const slot of entry.refreshTokens.values()) yield* members(slot)
  }

  // ---- id tokens -----------------------------------------------------------------------------

  /** The id token of an account for a client in a tenant; of alias twins, the one in `owner.environment`, else the newest. */
  findIdToken(owner: CredentialOwner, realm: string): IdTokenRecord | undefined {
    return pick(this.#owners.get(ownerKey(owner.homeAccountId, owner.environment))?.idTokens.get(lower(owner.clientId) + SEP + lower(realm)), owner.environment)
  }

  /** Stores an id token: in place of the account's id tokens for that client and tenant (`replace`), or beside them (`load`). */
  setIdToken(record: IdTokenRecord, mode: StoreMode = 'replace'): void {
    record.environment = this.#intern(record.environment)
    record.clientId = this.#intern(record.clientId)
    record.realm = this.#intern(record.realm)
    record.homeAccountId = this.#intern(record.homeAccountId)
    const client = lower(record.clientId)
    // What it displaces has the same client: the link below stays right.
    file(this.#owner(record.homeAccountId, record.environment).idTokens, client + SEP + lower(record.realm), record, mode)
    this.#link(client, ownerKey(record.homeAccountId, record.environment))
    this.#version++
  }

  removeIdToken(record: IdTokenRecord): boolean {
    const owner = ownerKey(record.homeAccountId, record.environment)
    const entry = this.#owners.get(owner)
    const client = lower(record.clientId)
    if (entry === undefined || !unfile(entry.idTokens, client + SEP + lower(record.realm), record)) return false
    this.#unlinkIfUnused(client, owner, entry)
    this.#version++
    return true
  }

  *idTokens(): IterableIterator<IdTokenRecord> {
    for (const entry of this.#owners.values()) for (const slot of entry.idTokens.values()) yield* members(slot)
  }

  // ---- accounts ------------------------------------------------------------------------------

  /** Stores an account record: in place of the user's record(s) for that tenant in that cloud (`replace`), or beside them (`load`). */
  setAccount(record: AccountRecord, mode: StoreMode = 'replace'): void {
    record.environment = this.#intern(record.environment)
    record.realm = this.#intern(record.realm)
    record.homeAccountId = this.#intern(record.homeAccountId)
    // What it displaces drops out of #byLocalId by itself: that index is checked on read.
    file(this.#owner(record.homeAccountId, record.environment).accounts, lower(record.realm), record, mode)
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
      if (holds(held, record) && lower(record.localAccountId) === key) out.push(record)
      else records.delete(record)
    }
    if (records.size === 0) this.#byLocalId.delete(key)
    return out
  }

  /** The account record of one user in one tenant: a map lookup; of alias twins, the one in `environment`, else the newest. */
  findAccount(homeAccountId: string, environment: string, realm: string): AccountRecord | undefined {
    return pick(this.#owners.get(ownerKey(homeAccountId, environment))?.accounts.get(lower(realm)), environment)
  }

  /** The account records of one user (one per tenant), in `environment` or any of its aliases; in every cloud when it is omitted. */
  findAccounts(homeAccountId: string, environment?: string): AccountRecord[] {
    if (environment !== undefined) return picks(this.#owners.get(ownerKey(homeAccountId, environment))?.accounts, environment)
    const out: AccountRecord[] = []
    for (const owner of this.#byHome.get(lower(homeAccountId)) ?? []) out.push(...picks(this.#owners.get(owner)?.accounts))
    return out
  }

  /**
   * The accounts that hold an id token or refresh token for `clientId`: what an application
   * lists as its signed-in users (one per user, cloud and tenant). Costs the number of those
   * accounts, not the cache size.
   */
  accountsOfClient(clientId: string): AccountRecord[] {
    const out: AccountRecord[] = []
    for (const owner of this.#byClient.get(lower(clientId)) ?? []) out.push(...picks(this.#owners.get(owner)?.accounts))
    return out
  }

  /** The signed-in accounts, one per user, cloud and tenant (of alias twins, the newest). */
  *signedInAccounts(): IterableIterator<AccountRecord> {
    for (const entry of this.#owners.values()) yield* picks(entry.accounts)
  }

  /** Every account record held, alias twins included (what `serialize` writes). */
  *accounts(): IterableIterator<AccountRecord> {
    for (const entry of this.#owners.values()) for (const slot of entry.accounts.values()) yield* members(slot)
  }

  /** Removes one account record (one tenant profile), leaving the user's credentials. */
  removeAccountRecord(record: AccountRecord): boolean {
    const entry = this.#owners.get(ownerKey(record.homeAccountId, record.environment))
    if (entry === undefined || !unfile(entry.accounts, lower(record.realm), record)) return false
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
    const credentials = [...entry.idTokens.values(), ...entry.refreshTokens.values()].flatMap((slot) => members<IdTokenRecord | RefreshTokenRecord>(slot))
    for (const client of new Set(credentials.map((r) => lower(r.clientId)))) {
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
    for (const slot of entry.refreshTokens.values()) for (const r of members(slot)) if (lower(r.clientId) === client) return
    for (const slot of entry.idTokens.values()) for (const r of members(slot)) if (lower(r.clientId) === client) return
    const owners = this.#byClient.get(client)
    owners?.delete(owner)
    if (owners?.size === 0) this.#byClient.delete(client)
  }

  // ---- app metadata --------------------------------------------------------------------------

  /** A client's metadata in a cloud; of alias twins, the one in `environment`, else the newest. */
  findAppMetadata(clientId: string, environment: string): AppMetadataRecord | undefined {
    return pick(this.#appMetadata.get(cacheEnvironment(environment) + SEP + lower(clientId)), environment)
  }

  /** Stores a client's metadata: in place of what the cloud held for it (`replace`), or beside it (`load`). */
  setAppMetadata(record: AppMetadataRecord, mode: StoreMode = 'replace'): void {
    file(this.#appMetadata, cacheEnvironment(record.environment) + SEP + lower(record.clientId), record, mode)
    this.#version++
  }

  *appMetadata(): IterableIterator<AppMetadataRecord> {
    for (const slot of this.#appMetadata.values()) yield* members(slot)
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

// ---- slots: how every kind of record is filed, looked up and removed ---------------------------

/** The records of a slot, in the order they were stored. */
function members<T>(slot: Slot<T> | undefined): readonly T[] {
  return slot === undefined ? [] : Array.isArray(slot) ? slot : [slot]
}

function holds<T>(slot: Slot<T> | undefined, record: T): boolean {
  return slot === record || (Array.isArray(slot) && slot.includes(record))
}

/**
 * Files `record` under `key`. Loading (`load`) puts it beside what is there: a file is not a
 * grant, and every entry it held must go back out under its own key. A new grant (`replace`)
 * displaces what it supersedes (everything there, unless `supersedes` says otherwise).
 *
 * The alias twin under a new grant: MSAL's rule is that the newest grant wins, and it is also what
 * is safest for interop, so a new record displaces its twins under the cloud's other host names
 * too. Every MSAL (msal-node, MSAL Python and so the Azure CLI, MSAL.NET, MSAL Java) matches
 * `environment` across a cloud's aliases when it reads, so the new entry serves each of them; a
 * kept twin would be a stale credential that the library which wrote it reads first (MSAL Python
 * tries its own host before the aliases), e.g. a refresh token revoked since, or an access token
 * issued before a claims challenge or a CAE revocation. msal-node replaces overlapping access
 * tokens across aliases in the same way; signing out (`removeAccount`) removes every twin too.
 * @returns the records it displaced, for the caller to unlink from its other indexes.
 */
function file<T>(map: Map<string, Slot<T>>, key: string, record: T, mode: StoreMode, supersedes?: (other: T) => boolean): T[] {
  const slot = map.get(key)
  if (slot === undefined || slot === record) {
    map.set(key, record)
    return []
  }
  const kept: T[] = []
  const displaced: T[] = []
  for (const other of members(slot)) {
    if (other === record) continue
    if (mode === 'replace' && (supersedes === undefined || supersedes(other))) displaced.push(other)
    else kept.push(other)
  }
  kept.push(record)
  map.set(key, kept.length === 1 ? record : kept)
  return displaced
}

/** Takes `record` out of the slot under `key`; false when it is not there. */
function unfile<T>(map: Map<string, Slot<T>>, key: string, record: T): boolean {
  const slot = map.get(key)
  if (slot === record) {
    map.delete(key)
    return true
  }
  if (!Array.isArray(slot)) return false
  const at = slot.indexOf(record)
  if (at < 0) return false
  slot.splice(at, 1)
  if (slot.length === 1) map.set(key, slot[0] as T)
  return true
}

/**
 * The record of a slot a lookup returns. Twins are one cloud's, so each is a right answer; the
 * one in the environment asked for goes first (each library finds the entry it wrote), then the
 * newest (the latest `last_modification_time` where its writer kept one, else the one stored last).
 */
function pick<T extends Twin>(slot: Slot<T> | undefined, environment?: string): T | undefined {
  if (!Array.isArray(slot)) return slot
  let best: T | undefined
  for (const record of slot) if (best === undefined || !prefers(best, record, environment)) best = record
  return best
}

/** One record per slot of `map`, as `pick` chooses. */
function picks<T extends Twin>(map: Map<string, Slot<T>> | undefined, environment?: string): T[] {
  const out: T[] = []
  for (const slot of map?.values() ?? []) out.push(pick(slot, environment) as T)
  return out
}

/** Whether `a` wins over `b`, a twin stored after it (a tie goes to `b`). */
function prefers(a: Twin, b: Twin, environment: string | undefined): boolean {
  if (environment !== undefined) {
    const here = sameHost(a.environment, environment)
    if (here !== sameHost(b.environment, environment)) return here
  }
  return modifiedAt(a) > modifiedAt(b)
}

/** Of two access tokens that serve a request equally well: the one in `environment`, then the one that lasts longest. */
function prefersToken(a: AccessTokenRecord, b: AccessTokenRecord, environment: string): boolean {
  const here = sameHost(a.environment, environment)
  if (here !== sameHost(b.environment, environment)) return here
  return a.expiresOn > b.expiresOn
}

function sameHost(a: string, b: string): boolean {
  return a === b || a.toLowerCase() === b.toLowerCase()
}

/** Seconds since the epoch of a record's last change, where its writer kept it (accounts; MSAL Python's refresh tokens); 0 otherwise. */
function modifiedAt(r: Twin): number {
  const value = r.lastModificationTime ?? r.extra?.['last_modification_time']
  const n = typeof value === 'string' || typeof value === 'number' ? Number(value) : 0
  return Number.isFinite(n) ? n : 0
}

/** Where a refresh token is filed within its owner: by family when it has one (FOCI), else by client. */
function refreshTokenSlot(record: RefreshTokenRecord): string {
  return record.familyId ? 'f' + SEP + record.familyId : 'c' + SEP + lower(record.clientId)
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
