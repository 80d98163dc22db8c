/**
 * The public token cache of an application (msal-node's `TokenCache`): accounts, and the plugin
 * hooks around every access. Flows read and write through `read`/`write`, which call the
 * plugin's `beforeCacheAccess` and `afterCacheAccess` exactly as msal-node does, so msal-node
 * cache plugins work unchanged.
 */
import type { AccessTokenRecord } from './records.js'
import { loadCache, parseCache, serializeCache, type UnknownSections } from './serialization.js'
import { TokenStore } from './token-store.js'
import { toAccountInfo, type AccountInfo } from './accounts.js'
import type { AccountRecord } from './records.js'

/** What msal-node passes to a cache plugin. */
export interface TokenCacheContext {
  tokenCache: TokenCache
  /** True in `afterCacheAccess` when the call changed the cache (persist it). */
  cacheHasChanged: boolean
  /** msal-node's older name for `cacheHasChanged`. */
  readonly hasChanged: boolean
}

/** msal-node's `ICachePlugin`. */
export interface CachePlugin {
  beforeCacheAccess(context: TokenCacheContext): Promise<void>
  afterCacheAccess(context: TokenCacheContext): Promise<void>
}

export interface TokenCacheOptions {
  cachePlugin?: CachePlugin | undefined
  /** The application's client id: accounts are listed with the id token issued to it. */
  clientId?: string | undefined
  /** The most access tokens kept in memory; least recently used go first (config `cache.maxAccessTokens`). */
  maxAccessTokens?: number | undefined
}

export class TokenCache {
  /** The indexed store behind this cache. */
  readonly store: TokenStore
  readonly #plugin: CachePlugin | undefined
  readonly #clientId: string
  /** Top-level sections of a loaded cache that are not MSAL's five, written back unchanged. */
  #unknownSections: UnknownSections = {}

  constructor(options: TokenCacheOptions = {}, store: TokenStore = new TokenStore({ maxAccessTokens: options.maxAccessTokens })) {
    this.store = store
    this.#plugin = options.cachePlugin
    this.#clientId = options.clientId ?? ''
  }

  /** Whether a plugin wraps every access (if not, reads are synchronous map lookups). */
  get hasPlugin(): boolean {
    return this.#plugin !== undefined
  }

  /** Runs `fn` between the plugin's before/after hooks (a read: `cacheHasChanged` reflects what fn did). */
  async access<T>(fn: (store: TokenStore) => T): Promise<T> {
    if (!this.#plugin) return fn(this.store)
    const context = this.#context(false)
    await this.#plugin.beforeCacheAccess(context)
    const before = this.store.version
    let result: T
    try {
      result = fn(this.store)
    } finally {
      context.cacheHasChanged = this.store.version !== before
      await this.#plugin.afterCacheAccess(context)
    }
    return result
  }

  #context(changed: boolean): TokenCacheContext {
    const context = {
      tokenCache: this,
      cacheHasChanged: changed,
      get hasChanged() {
        return context.cacheHasChanged
      },
    }
    return context
  }

  /** App tokens and user access tokens currently held. */
  get accessTokenCount(): number {
    return this.store.accessTokenCount
  }

  /** Every access token held, for diagnostics. */
  accessTokens(): AccessTokenRecord[] {
    return [...this.store.accessTokens()]
  }

  // ---- serialization (msal-node's ISerializableTokenCache) -----------------------------------

  /**
   * The whole cache as JSON in the MSAL unified schema, as @azure/msal-node writes it: loadable
   * by msal-node's `getTokenCache().deserialize()`, MSAL Python and the Azure CLI. Contains
   * secrets: store it as you would a password.
   * @see https://learn.microsoft.com/entra/msal/javascript/node/caching
   */
  serialize(): string {
    return serializeCache(this.store, this.#unknownSections)
  }

  /**
   * Replaces the cache's contents with a serialized cache (msal-node, MSAL Python, Azure CLI).
   * Fields and sections this library does not use are kept for the next `serialize()`. An
   * empty string leaves the cache as it is (msal-node does the same).
   * @throws ClientAuthError `cache_corrupt`, naming the entry and field, when `json` is not a
   *   valid cache; the cache is then left unchanged.
   */
  deserialize(json: string): void {
    if (json === '') return
    const parsed = parseCache(json)
    loadCache(this.store, parsed)
    this.#unknownSections = parsed.unknownSections
  }

  // ---- accounts (msal-node's async account methods) ------------------------------------------

  /**
   * Every signed-in account in the cache (one per tenant profile), with its id token claims. An
   * account a shared file holds under two host aliases of one cloud is listed once.
   */
  async getAllAccounts(): Promise<AccountInfo[]> {
    return this.access((s) => [...s.signedInAccounts()].map((r) => this.#accountInfo(s, r)))
  }

  /** The account whose `homeAccountId` (`uid.utid`) is given, or null. */
  async getAccountByHomeId(homeAccountId: string): Promise<AccountInfo | null> {
    if (!homeAccountId) return null
    return this.access((s) => {
      const records = s.findAccounts(homeAccountId)
      // The home tenant's profile first: it is the one `uid.utid` names.
      const home = records.find((r) => homeAccountId.toLowerCase().endsWith(`.${r.realm.toLowerCase()}`)) ?? records[0]
      return home ? this.#accountInfo(s, home) : null
    })
  }

  /** The account whose `localAccountId` (the user's `oid` in that tenant) is given, or null. */
  async getAccountByLocalId(localAccountId: string): Promise<AccountInfo | null> {
    if (!localAccountId) return null
    return this.access((s) => {
      const [record] = s.findAccountsByLocalId(localAccountId)
      return record ? this.#accountInfo(s, record) : null
    })
  }

  /** Signs an account out of this cache: its account records and every token it owns. */
  async removeAccount(account: AccountInfo): Promise<void> {
    if (!account?.homeAccountId) return
    await this.access((s) => s.removeAccount(account.homeAccountId, account.environment))
  }

  #accountInfo(s: TokenStore, record: AccountRecord): AccountInfo {
    const idToken = this.#clientId ? s.findIdToken({ homeAccountId: record.homeAccountId, environment: record.environment, clientId: this.#clientId }, record.realm) : undefined
    return toAccountInfo(record, idToken)
  }
}
