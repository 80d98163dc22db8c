/**
 * The public token cache of an application (msal-node's `TokenCache`): accounts, and the plugin
 * hooks around every access. Flows read and write through `read`/`write`, which call the
 * plugin's `beforeCacheAccess` and `afterCacheAccess` exactly as msal-node does, so msal-node
 * cache plugins work unchanged.
 */
import type { AccessTokenRecord } from './records.js'
import { TokenStore } from './token-store.js'

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
}

export class TokenCache {
  /** The indexed store behind this cache. */
  readonly store: TokenStore
  readonly #plugin: CachePlugin | undefined

  constructor(options: TokenCacheOptions = {}, store: TokenStore = new TokenStore()) {
    this.store = store
    this.#plugin = options.cachePlugin
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
}
