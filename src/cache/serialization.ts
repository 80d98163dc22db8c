/**
 * The MSAL unified cache schema, read and written: the JSON every MSAL (msal-node, MSAL Python,
 * MSAL.NET, MSAL Java) and the Azure CLI keep their tokens in. Writing follows @azure/msal-node
 * 7.2.1 exactly (section order, field names and order, keys, times as strings of seconds), so a
 * cache written here loads into msal-node and a msal-node cache round-trips byte for byte.
 * Reading also takes what MSAL Python and the Azure CLI write (`home_account_id: null` on app
 * tokens, their shorter keys, `login.microsoftonline.com` environments). Fields and sections we
 * do not use are kept and written back; entries keep the key they were loaded under when it is
 * not msal-node's. A corrupt input throws `ClientAuthError('cache_corrupt')` naming what is
 * wrong; it never loads as an empty cache.
 *
 * Names in a cache file are data, whatever they are: a field, an entry key or a section named
 * `__proto__` (or `constructor`, `toString`) is kept and written back like any other, and never
 * reaches a prototype. Bags of names read from a file are null-prototype objects, and names are
 * written with `put` (a plain assignment of `__proto__` would set the object's prototype, and
 * the field would vanish from the output).
 *
 * @see https://github.com/AzureAD/microsoft-authentication-library-for-js/blob/dev/lib/msal-node/src/cache/serializer/Serializer.ts
 */
import { ClientAuthError } from '../errors.js'
import type { AccessTokenRecord, AccountRecord, AppMetadataRecord, IdTokenRecord, RefreshTokenRecord, TenantProfile } from './records.js'
import type { TokenStore } from './token-store.js'

/** The five sections of the schema, in the order msal-node writes them. */
export const CACHE_SECTIONS = ['Account', 'IdToken', 'AccessToken', 'RefreshToken', 'AppMetadata'] as const

/** Top-level members of a cache file that are not one of the five sections, kept as they were (a null-prototype object). */
export type UnknownSections = Record<string, unknown>

/** Everything a cache file holds, parsed and checked, before it replaces a store's contents. */
export interface ParsedCache {
  accounts: AccountRecord[]
  idTokens: IdTokenRecord[]
  accessTokens: AccessTokenRecord[]
  refreshTokens: RefreshTokenRecord[]
  appMetadata: AppMetadataRecord[]
  unknownSections: UnknownSections
}

type Entry = Record<string, unknown>

/** An object with no prototype, for names read from a file: every name, `__proto__` included, is an own property. */
export function bag(): Entry {
  return Object.create(null) as Entry
}

/** `target[name] = value` as an own, enumerable property, whatever `name` is (at its insertion position, like an assignment). */
export function put(target: Entry, name: string, value: unknown): void {
  Object.defineProperty(target, name, { value, enumerable: true, writable: true, configurable: true })
}

// ---- keys (msal-node's CacheHelpers.generateCredentialKey / generateAccountKey / generateAppMetadataKey)

function credentialKey(parts: readonly string[]): string {
  return parts.join('-').toLowerCase()
}

function scheme(tokenType: string): string {
  return tokenType.toLowerCase() === 'bearer' ? '' : tokenType.toLowerCase()
}

function stringExtra(extra: Record<string, unknown> | undefined, field: string): string {
  const value = extra?.[field]
  return typeof value === 'string' ? value : ''
}

/** `{home_account_id}-{environment}-{credential_type}-{client_id}-{realm}-{target}-{scheme}`, lower-cased. */
export function accessTokenKey(r: AccessTokenRecord): string {
  return credentialKey([r.homeAccountId, r.environment, accessTokenCredentialType(r.tokenType), r.clientId, r.realm, r.target, scheme(r.tokenType)])
}

/** `{home_account_id}-{environment}-refreshtoken-{family_id or client_id}-{realm}-{target}-`, lower-cased. */
export function refreshTokenKey(r: RefreshTokenRecord): string {
  return credentialKey([r.homeAccountId, r.environment, 'RefreshToken', r.familyId || r.clientId, stringExtra(r.extra, 'realm'), stringExtra(r.extra, 'target'), ''])
}

/** `{home_account_id}-{environment}-idtoken-{client_id}-{realm}--`, lower-cased. */
export function idTokenKey(r: IdTokenRecord): string {
  return credentialKey([r.homeAccountId, r.environment, 'IdToken', r.clientId, r.realm, '', ''])
}

/** `{home_account_id}-{environment}-{home tenant id, else realm}`, lower-cased. */
export function accountKey(r: AccountRecord): string {
  const homeTenant = r.homeAccountId.split('.')[1]
  return credentialKey([r.homeAccountId, r.environment, homeTenant || r.realm || ''])
}

/** `appmetadata-{environment}-{client_id}`, lower-cased. */
export function appMetadataKey(r: AppMetadataRecord): string {
  return credentialKey(['appmetadata', r.environment, r.clientId])
}

function accessTokenCredentialType(tokenType: string): string {
  return tokenType.toLowerCase() === 'bearer' ? 'AccessToken' : 'AccessToken_With_AuthScheme'
}

// ---- writing -------------------------------------------------------------------------------

function time(value: number | undefined): string | undefined {
  return value === undefined ? undefined : String(value)
}

/**
 * Known fields first, in msal-node's order; then the fields we kept from the loaded entry, in
 * their order (a known field that was null keeps its place, and its null).
 */
function withExtra(known: Entry, extra: Record<string, unknown> | undefined): Entry {
  if (extra !== undefined) for (const [field, value] of Object.entries(extra)) put(known, field, value)
  return known
}

function writeAccessToken(r: AccessTokenRecord): Entry {
  return withExtra(
    {
      home_account_id: r.homeAccountId,
      environment: r.environment,
      credential_type: accessTokenCredentialType(r.tokenType),
      client_id: r.clientId,
      secret: r.secret,
      realm: r.realm,
      target: r.target,
      cached_at: time(r.cachedAt),
      expires_on: time(r.expiresOn),
      extended_expires_on: time(r.extendedExpiresOn),
      refresh_on: time(r.refreshOn),
      key_id: r.keyId,
      token_type: r.tokenType,
      userAssertionHash: r.userAssertionHash,
      requestedClaims: r.requestedClaims,
      requestedClaimsHash: r.requestedClaimsHash,
    },
    r.extra,
  )
}

function writeRefreshToken(r: RefreshTokenRecord): Entry {
  const entry = withExtra(
    {
      home_account_id: r.homeAccountId,
      environment: r.environment,
      credential_type: 'RefreshToken',
      client_id: r.clientId,
      secret: r.secret,
      family_id: r.familyId,
    },
    r.extra,
  )
  // msal-node keeps these in memory but does not write them; we do, so a reload keeps them.
  if (r.expiresOn !== undefined) entry['expires_on'] = String(r.expiresOn)
  if (r.userAssertionHash !== undefined) entry['userAssertionHash'] = r.userAssertionHash
  return entry
}

function writeIdToken(r: IdTokenRecord): Entry {
  return withExtra(
    { home_account_id: r.homeAccountId, environment: r.environment, credential_type: 'IdToken', client_id: r.clientId, secret: r.secret, realm: r.realm },
    r.extra,
  )
}

function writeAccount(r: AccountRecord): Entry {
  return withExtra(
    {
      home_account_id: r.homeAccountId,
      environment: r.environment,
      realm: r.realm,
      local_account_id: r.localAccountId,
      username: r.username,
      authority_type: r.authorityType,
      name: r.name,
      client_info: r.clientInfo,
      last_modification_time: r.lastModificationTime,
      last_modification_app: r.lastModificationApp,
      tenantProfiles: r.tenantProfiles?.map((profile) => JSON.stringify(profile)),
    },
    r.extra,
  )
}

function writeAppMetadata(r: AppMetadataRecord): Entry {
  return withExtra({ client_id: r.clientId, environment: r.environment, family_id: r.familyId }, r.extra)
}

function section<T extends { sourceKey?: string | undefined }>(records: Iterable<T>, key: (r: T) => string, write: (r: T) => Entry): Entry {
  const out = bag()
  for (const r of records) put(out, r.sourceKey ?? key(r), write(r))
  return out
}

/**
 * The store as msal-node writes it: `{"Account":{},"IdToken":{},"AccessToken":{},"RefreshToken":{},"AppMetadata":{}}`
 * plus any unknown sections that were loaded, compact JSON, times as strings.
 */
export function serializeCache(store: TokenStore, unknownSections: UnknownSections = {}): string {
  const json: Record<string, unknown> = {
    Account: section(store.accounts(), accountKey, writeAccount),
    IdToken: section(store.idTokens(), idTokenKey, writeIdToken),
    AccessToken: section(store.accessTokens(), accessTokenKey, writeAccessToken),
    RefreshToken: section(store.refreshTokens(), refreshTokenKey, writeRefreshToken),
    AppMetadata: section(store.appMetadata(), appMetadataKey, writeAppMetadata),
  }
  for (const [name, value] of Object.entries(unknownSections)) put(json, name, value)
  return JSON.stringify(json)
}

// ---- reading -------------------------------------------------------------------------------

function corrupt(message: string, cause?: unknown): ClientAuthError {
  return new ClientAuthError('cache_corrupt', `${message} The cache was not loaded; fix or delete the cache file (it is not emptied for you).`, cause === undefined ? {} : { cause })
}

/** Reads one entry's fields, naming the entry in every complaint; whatever it does not take ends in `extra`. */
class EntryReader {
  readonly #entry: Entry
  readonly #where: string
  readonly #taken = new Set<string>()
  /** Known fields whose value was `null` (MSAL Python writes `home_account_id: null`): written back as null. */
  readonly #nulls = new Set<string>()

  constructor(entry: Entry, where: string) {
    this.#entry = entry
    this.#where = where
  }

  #take(field: string): unknown {
    this.#taken.add(field)
    const value = this.#entry[field]
    if (value === null) {
      this.#nulls.add(field)
      return undefined
    }
    return typeof value === 'string' ? own(value) : value
  }

  required(field: string): string {
    const value = this.#take(field)
    if (typeof value !== 'string') throw corrupt(`${this.#where} has ${describe(value)} for "${field}", which must be a string.`)
    return value
  }

  /** A string that may be absent or null (then empty), such as `home_account_id` of an app token. */
  orEmpty(field: string): string {
    return this.optional(field) ?? ''
  }

  optional(field: string): string | undefined {
    const value = this.#take(field)
    if (value === undefined || typeof value === 'string') return value
    throw corrupt(`${this.#where} has ${describe(value)} for "${field}", which must be a string.`)
  }

  /** Seconds since the epoch, written as a string by MSAL (numbers are taken too). */
  seconds(field: string): number | undefined {
    const value = this.#take(field)
    if (value === undefined) return undefined
    const n = typeof value === 'string' && /^\s*-?\d+(\.\d+)?\s*$/.test(value) ? Number(value) : typeof value === 'number' ? value : NaN
    if (!Number.isFinite(n)) throw corrupt(`${this.#where} has ${describe(value)} for "${field}", which must be seconds since the epoch (a string of digits).`)
    return n
  }

  requiredSeconds(field: string): number {
    const n = this.seconds(field)
    if (n === undefined) throw corrupt(`${this.#where} has no "${field}".`)
    return n
  }

  oneOf(field: string, allowed: readonly string[]): string {
    const value = this.required(field)
    if (!allowed.some((a) => a.toLowerCase() === value.toLowerCase())) {
      throw corrupt(`${this.#where} has credential type "${value.slice(0, 40)}" where ${allowed.map((a) => `"${a}"`).join(' or ')} belongs.`)
    }
    return value
  }

  tenantProfiles(field: string): TenantProfile[] | undefined {
    const value = this.#take(field)
    if (value === undefined) return undefined
    if (!Array.isArray(value)) throw corrupt(`${this.#where} has ${describe(value)} for "${field}", which must be an array of JSON strings.`)
    return value.map((item, i) => {
      let parsed: unknown
      try {
        parsed = typeof item === 'string' ? JSON.parse(item) : item
      } catch (cause) {
        throw corrupt(`${this.#where} "${field}"[${i}] is not valid JSON.`, cause)
      }
      if (typeof parsed !== 'object' || parsed === null || typeof (parsed as TenantProfile).tenantId !== 'string') {
        throw corrupt(`${this.#where} "${field}"[${i}] is not a tenant profile (no "tenantId").`)
      }
      return parsed as TenantProfile
    })
  }

  /**
   * What we do not use (and the known fields that were null), to write back unchanged, in the
   * entry's order; undefined when there is none. A null-prototype bag, so a field named
   * `__proto__` is kept like any other.
   */
  extra(): Record<string, unknown> | undefined {
    let out: Record<string, unknown> | undefined
    for (const [field, value] of Object.entries(this.#entry)) {
      if (this.#taken.has(field) && !this.#nulls.has(field)) continue
      out ??= bag()
      // JSON.parse(JSON.stringify()) copies nested objects with every own name, __proto__ included.
      out[field] = typeof value === 'string' ? own(value) : typeof value === 'object' && value !== null ? (JSON.parse(JSON.stringify(value)) as unknown) : value
    }
    return out
  }
}

/**
 * A copy of a string parsed out of a cache file that does not pin the file. V8's JSON.parse
 * returns long strings as slices of the source text, so keeping one token would keep the whole
 * file alive (measured: a 230 MB file for 100,000 tokens stayed in memory). Strings shorter than
 * V8's slice minimum (13) are copies already.
 */
function own(value: string): string {
  return value.length < 13 ? value : (' ' + value).slice(1)
}

function describe(value: unknown): string {
  if (value === undefined) return 'nothing'
  if (value === null) return 'null'
  if (Array.isArray(value)) return 'an array'
  return `a ${typeof value}`
}

function readAccessToken(e: EntryReader): AccessTokenRecord {
  e.oneOf('credential_type', ['AccessToken', 'AccessToken_With_AuthScheme'])
  const record: AccessTokenRecord = {
    homeAccountId: e.orEmpty('home_account_id'),
    environment: e.required('environment'),
    clientId: e.required('client_id'),
    realm: e.orEmpty('realm'),
    target: e.required('target'),
    secret: e.required('secret'),
    cachedAt: e.requiredSeconds('cached_at'),
    expiresOn: e.requiredSeconds('expires_on'),
    extendedExpiresOn: e.seconds('extended_expires_on'),
    refreshOn: e.seconds('refresh_on'),
    tokenType: e.optional('token_type') ?? 'Bearer',
    keyId: e.optional('key_id'),
    requestedClaims: e.optional('requestedClaims'),
    requestedClaimsHash: e.optional('requestedClaimsHash'),
    userAssertionHash: e.optional('userAssertionHash'),
    extra: undefined,
    sourceKey: undefined,
  }
  record.extra = e.extra()
  return record
}

function readRefreshToken(e: EntryReader): RefreshTokenRecord {
  e.oneOf('credential_type', ['RefreshToken'])
  const record: RefreshTokenRecord = {
    homeAccountId: e.orEmpty('home_account_id'),
    environment: e.required('environment'),
    clientId: e.required('client_id'),
    secret: e.required('secret'),
    familyId: e.optional('family_id'),
    expiresOn: e.seconds('expires_on'),
    userAssertionHash: e.optional('userAssertionHash'),
    extra: undefined,
    sourceKey: undefined,
  }
  record.extra = e.extra()
  return record
}

function readIdToken(e: EntryReader): IdTokenRecord {
  e.oneOf('credential_type', ['IdToken'])
  const record: IdTokenRecord = {
    homeAccountId: e.orEmpty('home_account_id'),
    environment: e.required('environment'),
    clientId: e.required('client_id'),
    realm: e.orEmpty('realm'),
    secret: e.required('secret'),
    extra: undefined,
    sourceKey: undefined,
  }
  record.extra = e.extra()
  return record
}

function readAccount(e: EntryReader): AccountRecord {
  const record: AccountRecord = {
    homeAccountId: e.required('home_account_id'),
    environment: e.required('environment'),
    realm: e.orEmpty('realm'),
    localAccountId: e.orEmpty('local_account_id'),
    username: e.orEmpty('username'),
    authorityType: e.optional('authority_type') ?? 'MSSTS',
    name: e.optional('name'),
    clientInfo: e.optional('client_info'),
    lastModificationTime: e.optional('last_modification_time'),
    lastModificationApp: e.optional('last_modification_app'),
    tenantProfiles: e.tenantProfiles('tenantProfiles'),
    extra: undefined,
    sourceKey: undefined,
  }
  record.extra = e.extra()
  return record
}

function readAppMetadata(e: EntryReader): AppMetadataRecord {
  const record: AppMetadataRecord = {
    clientId: e.required('client_id'),
    environment: e.required('environment'),
    familyId: e.optional('family_id'),
    extra: undefined,
    sourceKey: undefined,
  }
  record.extra = e.extra()
  return record
}

function readSection<T extends { sourceKey?: string | undefined }>(json: Entry, name: string, read: (e: EntryReader) => T, key: (r: T) => string): T[] {
  const value = json[name]
  if (value === undefined || value === null) return []
  if (typeof value !== 'object' || Array.isArray(value)) throw corrupt(`The cache's "${name}" section is ${describe(value)}, not an object of entries.`)
  const out: T[] = []
  for (const [k, entry] of Object.entries(value as Entry)) {
    const where = `${name} entry "${k.slice(0, 200)}"`
    if (typeof entry !== 'object' || entry === null || Array.isArray(entry)) throw corrupt(`${where} is ${describe(entry)}, not an object.`)
    const record = read(new EntryReader(entry as Entry, where))
    // Another library's key (MSAL Python, .NET) goes back as it was, so that library finds its entry.
    if (k !== key(record)) record.sourceKey = own(k)
    out.push(record)
  }
  return out
}

/**
 * Parses and checks a serialized cache (MSAL unified schema). Nothing is loaded anywhere:
 * the caller replaces its contents only once the whole input has been read.
 * @throws ClientAuthError `cache_corrupt` for invalid JSON, a top level that is not an object,
 *   a section that is not an object, or an entry with a missing or mistyped field (named).
 */
export function parseCache(text: string): ParsedCache {
  let json: unknown
  try {
    json = JSON.parse(text)
  } catch (cause) {
    throw corrupt(`The token cache is not valid JSON (${(cause as Error).message.replace(/"[^"]*"/g, '"…"').slice(0, 120)}).`, cause)
  }
  if (typeof json !== 'object' || json === null || Array.isArray(json)) {
    throw corrupt(`The token cache is ${describe(json)}, not a JSON object with Account, IdToken, AccessToken, RefreshToken and AppMetadata sections.`)
  }
  const top = json as Entry
  const unknownSections: UnknownSections = bag()
  for (const [name, value] of Object.entries(top)) if (!(CACHE_SECTIONS as readonly string[]).includes(name)) unknownSections[name] = value
  return {
    accounts: readSection(top, 'Account', readAccount, accountKey),
    idTokens: readSection(top, 'IdToken', readIdToken, idTokenKey),
    accessTokens: readSection(top, 'AccessToken', readAccessToken, accessTokenKey),
    refreshTokens: readSection(top, 'RefreshToken', readRefreshToken, refreshTokenKey),
    appMetadata: readSection(top, 'AppMetadata', readAppMetadata, appMetadataKey),
    unknownSections,
  }
}

/**
 * Replaces the store's contents with a parsed cache. Every entry is kept as loaded: overlapping
 * access tokens, and twins (one identity under two host aliases of a cloud, or under two
 * libraries' keys) of every kind, each to be written back under its own key.
 */
export function loadCache(store: TokenStore, parsed: ParsedCache): void {
  store.clear()
  for (const r of parsed.accounts) store.setAccount(r, 'load')
  for (const r of parsed.idTokens) store.setIdToken(r, 'load')
  for (const r of parsed.accessTokens) store.setAccessToken(r, 'load')
  for (const r of parsed.refreshTokens) store.setRefreshToken(r, 'load')
  for (const r of parsed.appMetadata) store.setAppMetadata(r, 'load')
}
