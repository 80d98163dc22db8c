/**
 * The signing keys of an authority (its metadata's `jwks_uri`), fetched through the transport,
 * cached per URI and shared by concurrent callers. When a token names a key we do not hold (Entra
 * rolled its keys), the set is fetched again, at most once per cooldown per URI, so a stream of
 * forged `kid`s cannot turn into a stream of requests.
 */
import { lazy } from '../lazy.js'
import type { JSONWebKeySet } from 'jose'
import type { Transport } from '../transport/index.js'

const loadIdToken = lazy(() => import('../protocol/id-token.js'))

export interface JwksCacheOptions {
  /** Milliseconds since the epoch; injectable for tests. */
  now?: (() => number) | undefined
  /** Least time between two fetches of one URI, in ms. Default 30 s (jose's `cooldownDuration`). */
  cooldownMs?: number | undefined
}

export interface JwksFetchContext {
  correlationId?: string | undefined
  signal?: AbortSignal | undefined
}

interface Entry {
  keys: Promise<JSONWebKeySet>
  fetchedAt: number
}

export const JWKS_COOLDOWN_MS = 30_000

export class JwksCache {
  readonly #transport: Transport
  readonly #now: () => number
  readonly #cooldownMs: number
  readonly #entries = new Map<string, Entry>()
  #fetches = 0

  constructor(transport: Transport, options: JwksCacheOptions = {}) {
    this.#transport = transport
    this.#now = options.now ?? Date.now
    this.#cooldownMs = options.cooldownMs ?? JWKS_COOLDOWN_MS
  }

  /** Key sets fetched so far (for diagnostics and tests). */
  get fetches(): number {
    return this.#fetches
  }

  /** The key set at `uri`: cached, or fetched once for all concurrent callers. */
  get(uri: string, ctx: JwksFetchContext = {}): Promise<JSONWebKeySet> {
    const entry = this.#entries.get(uri)
    if (entry) return entry.keys
    return this.#fetch(uri, ctx)
  }

  /**
   * Fetches the key set again because a token names a key it lacks; within the cooldown of the
   * last fetch, returns the cached set instead (the caller then fails on the unknown key).
   */
  refresh(uri: string, ctx: JwksFetchContext = {}): Promise<JSONWebKeySet> {
    const entry = this.#entries.get(uri)
    if (entry && this.#now() - entry.fetchedAt < this.#cooldownMs) return entry.keys
    return this.#fetch(uri, ctx)
  }

  #fetch(uri: string, ctx: JwksFetchContext): Promise<JSONWebKeySet> {
    this.#fetches++
    const url = new URL(uri)
    const endpoint = `JWKS endpoint ${url.origin}${url.pathname}`
    const keys = this.#transport
      .send({ method: 'GET', url, endpoint: 'JWKS endpoint', correlationId: ctx.correlationId, signal: ctx.signal })
      // The parser (and zod, jose behind it) loads with the first key set, not at start-up.
      .then(async (res) => (await loadIdToken()).parseJwksResponse(res, endpoint))
    const entry: Entry = { keys, fetchedAt: this.#now() }
    this.#entries.set(uri, entry)
    // A failed fetch is not remembered: the next token tries again.
    keys.catch(() => {
      if (this.#entries.get(uri) === entry) this.#entries.delete(uri)
    })
    return keys
  }
}
