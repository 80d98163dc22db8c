/**
 * Property: the token cache loses nothing. For arbitrary valid MSAL unified-schema caches
 * (accounts with tenant profiles, user and app access tokens including PoP and OBO ones, refresh
 * tokens including family ones, id tokens, app metadata, fields and sections this library does not
 * know, `__proto__` among them, `null`s as MSAL Python writes them, keys other libraries chose,
 * one user's entries under several host aliases of one cloud as libraries sharing a file write
 * them), deserialize then serialize gives back every section and entry under the same key with the
 * same fields in the same order, and a second round trip is a fixed point. Only the order of
 * entries within a section may differ (the store groups them by owner). Lookups treat a cloud's
 * aliases as one, and each library finds the entry it wrote first.
 */
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import type { TokenStore } from '../../src/cache/token-store.js'
import { TokenCache } from '../../src/cache/token-cache.js'
import { AuthError } from '../../src/errors.js'
import { cacheEnvironment } from '../../src/protocol/clouds.js'

type Entry = Record<string, unknown>

const SECTIONS = ['Account', 'IdToken', 'AccessToken', 'RefreshToken', 'AppMetadata'] as const
/** Fields each section's entries are read by, so generated extra fields never collide with them. */
const KNOWN = new Set([
  'home_account_id', 'environment', 'credential_type', 'client_id', 'secret', 'realm', 'target', 'cached_at', 'expires_on', 'extended_expires_on', 'refresh_on',
  'key_id', 'token_type', 'userAssertionHash', 'requestedClaims', 'requestedClaimsHash', 'family_id', 'local_account_id', 'username', 'authority_type', 'name',
  'client_info', 'last_modification_time', 'last_modification_app', 'tenantProfiles',
  // Not read, but they change where a token is filed.
  'additionalCacheKeyComponents',
])

// Every host of the clouds that have several (msal-node writes login.windows.net, MSAL Python and
// the Azure CLI login.microsoftonline.com), one in capitals, a single-host cloud and a non-Microsoft issuer.
const environment = fc.oneof(
  { weight: 3, arbitrary: fc.constantFrom('login.windows.net', 'login.microsoftonline.com', 'login.microsoft.com', 'sts.windows.net', 'Login.MicrosoftOnline.com') },
  { weight: 2, arbitrary: fc.constantFrom('login.microsoftonline.us', 'login.usgovcloudapi.net', 'login.chinacloudapi.cn', 'login.partner.microsoftonline.cn', 'login.microsoftonline.de', 'idp.example.com') },
)
const guid = fc.uuid()
/** Mostly one fixed id (a cache file is mostly one user's, of one app, in one tenant), else a fresh one: so entries of one identity meet, under one host or several. */
const pooled = (id: string): fc.Arbitrary<string> => fc.oneof({ weight: 5, arbitrary: fc.constant(id) }, { weight: 1, arbitrary: guid })
const clientId = pooled('04b07795-8ddb-461a-bbee-02f9e1bf7b46')
const tenantId = pooled('72f988bf-86f1-41af-91ab-2d7cd011db47')
/** Any string, including non-ASCII and lone surrogates (JSON escapes them), for values the library only carries. */
const text = fc.oneof(fc.string(), fc.string({ unit: 'binary', maxLength: 40 }), fc.string({ unit: 'grapheme', maxLength: 20 }))
const secret = fc.oneof(fc.string({ minLength: 1, maxLength: 60 }), fc.string({ unit: 'binary', minLength: 1, maxLength: 60 }))
const seconds = fc.nat({ max: 4_000_000_000 }).map(String)
const opt = <T>(arb: fc.Arbitrary<T>): fc.Arbitrary<T | undefined> => fc.option(arb, { nil: undefined })
const scope = fc.constantFrom('User.Read', 'Mail.Read', 'openid', 'profile', 'offline_access', 'email', 'https://graph.microsoft.com/.default', 'https://database.windows.net//.default', 'api://x/Y.Z')
const target = fc.uniqueArray(scope, { minLength: 1, maxLength: 4 }).map((s) => s.join(' '))
// Names an object literal would not hold as its own (`__proto__`) or already has (`constructor`, `toString`) included.
const fieldName = fc
  .oneof(fc.constantFrom('x_ms_extra', 'ext', 'last_used', 'cached_by', 'SomeField', 'data', '__proto__', 'constructor', 'toString'), fc.string({ minLength: 1, maxLength: 12 }))
  .filter((k) => !KNOWN.has(k))
const extras = fc.dictionary(fieldName, fc.jsonValue({ maxDepth: 2 }), { maxKeys: 3 })

/** A user: `uid.utid` (Entra) or a bare `sub` (a generic OpenID provider). */
const user = fc.oneof(
  {
    weight: 3,
    arbitrary: fc.record({ uid: pooled('00000000-0000-0000-66f3-3332eca7ea81'), utid: tenantId }).map(({ uid, utid }) => ({ home: `${uid}.${utid}`, homeTenant: utid })),
  },
  {
    weight: 1,
    arbitrary: fc
      .string({ minLength: 1, maxLength: 20 })
      .filter((s) => !s.includes('.'))
      .map((sub) => ({ home: sub, homeTenant: undefined as string | undefined })),
  },
)

const key = (...parts: (string | undefined)[]): string => parts.map((p) => p ?? '').join('-').toLowerCase()

interface Keyed {
  key: string
  /** Where the store files the entry: entries of one identity (twins) must all be kept even so. */
  identity: string
  entry: Entry
}

/** The cloud of a host: twins are one identity under several hosts of one cloud. */
const cloud = (host: string): string => cacheEnvironment(host)

/** Either msal-node's key or one another library wrote (kept on a round trip), `__proto__` included. */
const chooseKey = (msal: string): fc.Arbitrary<string> =>
  fc.oneof({ weight: 8, arbitrary: fc.constant(msal) }, { weight: 2, arbitrary: fc.string({ minLength: 1, maxLength: 30 }).map((k) => `foreign:${k}`) }, { weight: 1, arbitrary: fc.constant('__proto__') })

const account = fc
  .record({ user, environment, realm: tenantId, local: guid, username: text, authorityType: fc.constantFrom('MSSTS', 'Generic', 'ADFS'), name: opt(text), clientInfo: opt(fc.base64String()), lmt: opt(seconds), lma: opt(text), profiles: opt(fc.array(fc.record({ tenantId: guid, localAccountId: guid, name: opt(text), username: opt(text), isHomeTenant: fc.boolean() }, { requiredKeys: ['tenantId', 'localAccountId', 'isHomeTenant'] }), { maxLength: 3 })), extra: extras })
  .chain((a) => {
    const realm = a.user.homeTenant ?? a.realm
    const msal = key(a.user.home, a.environment, realm)
    const entry: Entry = { home_account_id: a.user.home, environment: a.environment, realm, local_account_id: a.local, username: a.username, authority_type: a.authorityType, name: a.name, client_info: a.clientInfo, last_modification_time: a.lmt, last_modification_app: a.lma, tenantProfiles: a.profiles?.map((p) => JSON.stringify(p)), ...a.extra }
    return chooseKey(msal).map((k): Keyed => ({ key: k, identity: `${a.user.home}|${cloud(a.environment)}|${realm}`.toLowerCase(), entry }))
  })

const idToken = fc.record({ user, environment, client: clientId, realm: tenantId, secret, extra: extras }).chain((t) => {
  const msal = key(t.user.home, t.environment, 'idtoken', t.client, t.realm, '', '')
  const entry: Entry = { home_account_id: t.user.home, environment: t.environment, credential_type: 'IdToken', client_id: t.client, secret: t.secret, realm: t.realm, ...t.extra }
  return chooseKey(msal).map((k): Keyed => ({ key: k, identity: `${t.user.home}|${cloud(t.environment)}|${t.client}|${t.realm}`.toLowerCase(), entry }))
})

const accessToken = fc
  .record({
    // App tokens have no account: '' as msal-node writes it, null as MSAL Python does.
    home: fc.oneof(user.map((u) => u.home as string | null), fc.constant(''), fc.constant(null)),
    environment,
    client: clientId,
    realm: tenantId,
    target,
    secret,
    cachedAt: seconds,
    expiresOn: seconds,
    ext: opt(seconds),
    refreshOn: opt(seconds),
    tokenType: fc.constantFrom('Bearer', 'Bearer', 'pop', 'ssh-cert'),
    keyId: opt(text),
    uah: opt(fc.base64String({ minLength: 4 })),
    claims: opt(fc.record({ claims: fc.constant('{"access_token":{"xms_cc":{"values":["CP1"]}}}'), hash: fc.stringMatching(/^[0-9a-f]{8,16}$/) })),
    extra: extras,
  })
  .chain((t) => {
    const bearer = t.tokenType === 'Bearer'
    const credentialType = bearer ? 'AccessToken' : 'AccessToken_With_AuthScheme'
    const msal = key(t.home ?? '', t.environment, credentialType, t.client, t.realm, t.target, bearer ? '' : t.tokenType.toLowerCase())
    const entry: Entry = {
      home_account_id: t.home,
      environment: t.environment,
      credential_type: credentialType,
      client_id: t.client,
      secret: t.secret,
      realm: t.realm,
      target: t.target,
      cached_at: t.cachedAt,
      expires_on: t.expiresOn,
      extended_expires_on: t.ext,
      refresh_on: t.refreshOn,
      key_id: t.keyId,
      token_type: t.tokenType,
      userAssertionHash: t.uah,
      requestedClaims: t.claims?.claims,
      requestedClaimsHash: t.claims?.hash,
      ...t.extra,
    }
    const partition = `${t.home ?? ''}|${cloud(t.environment)}|${t.client}|${t.realm}|${t.tokenType}|${t.uah ?? ''}|${t.claims?.hash ?? ''}`.toLowerCase()
    return chooseKey(msal).map((k): Keyed => ({ key: k, identity: partition, entry }))
  })

const refreshToken = fc.record({ user, environment, client: clientId, secret, family: opt(fc.constantFrom('1', '2')), expiresOn: opt(seconds), uah: opt(fc.base64String({ minLength: 4 })), extra: extras }).chain((t) => {
  const msal = key(t.user.home, t.environment, 'refreshtoken', t.family ?? t.client, '', '', '')
  // msal-node does not write expires_on or userAssertionHash on refresh tokens; this library adds them last.
  const entry: Entry = { home_account_id: t.user.home, environment: t.environment, credential_type: 'RefreshToken', client_id: t.client, secret: t.secret, family_id: t.family, ...t.extra, expires_on: t.expiresOn, userAssertionHash: t.uah }
  return chooseKey(msal).map((k): Keyed => ({ key: k, identity: `${t.user.home}|${cloud(t.environment)}|${t.family ? `f${t.family}` : `c${t.client}`}`.toLowerCase(), entry }))
})

const appMetadata = fc.record({ environment, client: clientId, family: opt(fc.constantFrom('1')), extra: extras }).chain((m) => {
  const msal = key('appmetadata', m.environment, m.client)
  const entry: Entry = { client_id: m.client, environment: m.environment, family_id: m.family, ...m.extra }
  return chooseKey(msal).map((k): Keyed => ({ key: k, identity: `${cloud(m.environment)}|${m.client}`.toLowerCase(), entry }))
})

/** `target[name] = value` as an own property, `__proto__` included. */
function put(target: Record<string, unknown>, name: string, value: unknown): void {
  Object.defineProperty(target, name, { value, enumerable: true, writable: true, configurable: true })
}

/** A section: keys are unique in a JSON object, and that is all (twins of one identity included). */
function section(items: Keyed[]): Record<string, Entry> {
  const out: Record<string, Entry> = {}
  for (const item of items) if (!Object.hasOwn(out, item.key)) put(out, item.key, item.entry)
  return out
}

const unknownSections = fc.dictionary(
  fc.oneof(fc.constantFrom('__proto__', 'constructor', 'x-ms-extension'), fc.string({ minLength: 1, maxLength: 16 })).filter((k) => !(SECTIONS as readonly string[]).includes(k)),
  fc.jsonValue({ maxDepth: 3 }),
  { maxKeys: 3 },
)

/** Where the store files each entry that made it into the section (the first of a key). */
function identitiesOf(items: Keyed[]): Map<string, string> {
  const out = new Map<string, string>()
  for (const item of items) if (!out.has(item.key)) out.set(item.key, item.identity)
  return out
}

/** A valid cache as JSON text, its sections in msal-node's order, each entry's fields in msal-node's order. */
const cacheText = fc
  .record({
    Account: fc.array(account, { maxLength: 4 }),
    IdToken: fc.array(idToken, { maxLength: 4 }),
    AccessToken: fc.array(accessToken, { maxLength: 8 }),
    RefreshToken: fc.array(refreshToken, { maxLength: 4 }),
    AppMetadata: fc.array(appMetadata, { maxLength: 3 }),
    unknown: unknownSections,
  })
  .map((c) => ({
    text: JSON.stringify({ Account: section(c.Account), IdToken: section(c.IdToken), AccessToken: section(c.AccessToken), RefreshToken: section(c.RefreshToken), AppMetadata: section(c.AppMetadata), ...c.unknown }),
    identities: Object.fromEntries(SECTIONS.map((name) => [name, identitiesOf(c[name])])) as Record<(typeof SECTIONS)[number], Map<string, string>>,
  }))

const PROTOTYPE_NAMES = Object.getOwnPropertyNames(Object.prototype).sort()

/** The store's lookup for what a generated entry is, asked under `host`. */
function find(store: TokenStore, section: (typeof SECTIONS)[number], e: Entry, host: string): { environment: string } | undefined {
  const str = (field: string): string => (typeof e[field] === 'string' ? (e[field] as string) : '')
  const owner = { homeAccountId: str('home_account_id'), environment: host, clientId: str('client_id') }
  switch (section) {
    case 'Account':
      return store.findAccount(owner.homeAccountId, host, str('realm'))
    case 'IdToken':
      return store.findIdToken(owner, str('realm'))
    case 'AccessToken':
      return store.findAccessToken({
        ...owner,
        realm: str('realm'),
        scopes: str('target').split(' '),
        tokenType: str('token_type'),
        userAssertionHash: str('userAssertionHash') || undefined,
        requestedClaimsHash: str('requestedClaimsHash') || undefined,
      })
    case 'RefreshToken':
      return str('family_id') ? store.findRefreshToken(owner, str('family_id')) : store.findRefreshToken(owner)
    case 'AppMetadata':
      return store.findAppMetadata(owner.clientId, host)
  }
}

function roundTrip(json: string): string {
  const cache = new TokenCache()
  cache.deserialize(json)
  return cache.serialize()
}

/** Sections in order; within each, entries by key (their order aside), each entry's JSON text exact. */
function expectSameCache(actual: string, expected: string): void {
  const a = JSON.parse(actual) as Record<string, unknown>
  const e = JSON.parse(expected) as Record<string, unknown>
  expect(Object.keys(a)).toEqual(Object.keys(e))
  for (const name of Object.keys(e)) {
    if (!(SECTIONS as readonly string[]).includes(name)) {
      expect(JSON.stringify(a[name]), name).toBe(JSON.stringify(e[name]))
      continue
    }
    const as = a[name] as Record<string, Entry>
    const es = e[name] as Record<string, Entry>
    expect(Object.keys(as).sort(), name).toEqual(Object.keys(es).sort())
    for (const k of Object.keys(es)) expect(JSON.stringify(as[k]), `${name} ${k}`).toBe(JSON.stringify(es[k]))
  }
}

/** The same cache with every entry's fields (and the top level) in another order. */
function shuffled(json: string, seed: number): string {
  let s = seed
  const shuffle = <T>(items: T[]): T[] => items.map((v) => ({ v, r: (s = (s * 1103515245 + 12345) % 2 ** 31) })).sort((x, y) => x.r - y.r).map((x) => x.v)
  const top = JSON.parse(json) as Record<string, unknown>
  const out: Record<string, unknown> = {}
  for (const name of shuffle(Object.keys(top))) {
    const value = top[name]
    put(
      out,
      name,
      (SECTIONS as readonly string[]).includes(name)
        ? Object.fromEntries(shuffle(Object.entries(value as Record<string, Entry>)).map(([k, entry]) => [k, Object.fromEntries(shuffle(Object.entries(entry)))]))
        : value,
    )
  }
  return JSON.stringify(out)
}

/** Deep equality that ignores the order of object keys. */
function canonical(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(canonical)
  if (value && typeof value === 'object') return Object.fromEntries(Object.keys(value).sort().map((k) => [k, canonical((value as Entry)[k])]))
  return value
}

describe('cache serialize/deserialize (properties)', () => {
  it('a valid cache round-trips exactly: every section, key and field, in msal-node order', () => {
    // What the generator produced, so a weak generator cannot pass quietly.
    const seen: Record<string, number> = { foreignKeys: 0, nulls: 0, extraFields: 0, unknownSections: 0, family: 0, pop: 0, protoFields: 0, protoKeys: 0, protoSections: 0, twins: 0, aliasTwins: 0 }
    fc.assert(
      fc.property(cacheText, ({ text: json, identities }) => {
        const parsed = JSON.parse(json) as Record<string, Record<string, Entry>>
        for (const name of Object.keys(parsed)) {
          if (!(SECTIONS as readonly string[]).includes(name)) {
            seen.unknownSections!++
            if (name === '__proto__') seen.protoSections!++
            continue
          }
          const hosts = new Map<string, string>()
          for (const [k, entry] of Object.entries(parsed[name]!)) {
            seen[name] = (seen[name] ?? 0) + 1
            if (k.startsWith('foreign:')) seen.foreignKeys!++
            if (k === '__proto__') seen.protoKeys!++
            if (entry.home_account_id === null) seen.nulls!++
            if (entry.family_id !== undefined) seen.family!++
            if (entry.credential_type === 'AccessToken_With_AuthScheme') seen.pop!++
            if (Object.hasOwn(entry, '__proto__')) seen.protoFields!++
            seen.extraFields! += Object.keys(entry).filter((f) => !KNOWN.has(f)).length
            const identity = identities[name as (typeof SECTIONS)[number]].get(k)!
            const host = hosts.get(identity)
            if (host !== undefined) seen.twins!++
            if (host !== undefined && host !== entry.environment) seen.aliasTwins!++
            hosts.set(identity, entry.environment as string)
          }
        }
        const once = roundTrip(json)
        expectSameCache(once, json)
        // A second trip changes nothing at all, not even the order of entries.
        expect(roundTrip(once)).toBe(once)
      }),
      { numRuns: 300 },
    )
    for (const [what, count] of Object.entries(seen)) expect(count, what).toBeGreaterThan(10)
    for (const name of SECTIONS) expect(seen[name], name).toBeGreaterThan(100)
    expect(seen.aliasTwins).toBeGreaterThan(50)
    // Nothing read from a file reached a prototype.
    expect(Object.getOwnPropertyNames(Object.prototype).sort()).toEqual(PROTOTYPE_NAMES)
  })

  it('lookups treat a cloud’s aliases as one, and under its own host each entry is the one found', () => {
    let lookups = 0
    fc.assert(
      fc.property(cacheText, ({ text: json }) => {
        const cache = new TokenCache()
        cache.deserialize(json)
        const parsed = JSON.parse(json) as Record<string, Record<string, Entry>>
        for (const name of SECTIONS) {
          for (const entry of Object.values(parsed[name] ?? {})) {
            // A token of OIDC scopes only is not what a request for them finds (msal-common searches `openid profile` then).
            if (name === 'AccessToken' && (entry.target as string).split(' ').every((scope) => ['openid', 'profile', 'offline_access'].includes(scope))) continue
            const host = entry.environment as string
            // Under the entry's own host: a record of that host (the entry or an equal twin of it).
            expect(find(cache.store, name, entry, host)?.environment.toLowerCase(), `${name} under ${host}`).toBe(host.toLowerCase())
            // Under any host of its cloud: one of the twins.
            for (const alias of [cloud(host), host.toUpperCase()]) expect(find(cache.store, name, entry, alias), `${name} under ${alias}`).toBeDefined()
            lookups++
          }
        }
      }),
      { numRuns: 150 },
    )
    expect(lookups).toBeGreaterThan(1000)
  })

  it('fields in any order are all kept, and come back in msal-node order', () => {
    fc.assert(
      fc.property(cacheText, fc.integer({ min: 1, max: 2 ** 30 }), ({ text: json }, seed) => {
        const once = roundTrip(shuffled(json, seed))
        expect(canonical(JSON.parse(once))).toEqual(canonical(JSON.parse(json)))
        // Known fields are written in msal-node's order whatever order they were read in.
        const known = (text: string): string[][] =>
          SECTIONS.flatMap((name) => Object.values((JSON.parse(text) as Record<string, Record<string, Entry>>)[name] ?? {}).map((entry) => Object.keys(entry).filter((k) => KNOWN.has(k)))).sort()
        expect(known(once)).toEqual(known(json))
        expect(roundTrip(once)).toBe(once)
      }),
      { numRuns: 150 },
    )
  })

  it('anything that is not a cache is refused with cache_corrupt, and the cache keeps what it held', () => {
    const held = new TokenCache()
    held.deserialize('{"AppMetadata":{"appmetadata-login.windows.net-c":{"client_id":"c","environment":"login.windows.net"}}}')
    const before = held.serialize()
    const notACache = fc.oneof(
      fc.string(),
      fc.jsonValue().map((v) => JSON.stringify(v)),
      // A section of the wrong shape, or an entry with a field of the wrong type.
      fc.record({ section: fc.constantFrom(...SECTIONS), value: fc.oneof(fc.array(fc.jsonValue()), fc.string(), fc.integer()) }).map(({ section: s, value }) => JSON.stringify({ [s]: value })),
      fc.record({ field: fc.constantFrom('environment', 'client_id', 'secret', 'cached_at', 'expires_on', 'target', 'credential_type'), value: fc.oneof(fc.integer(), fc.boolean(), fc.array(fc.string()), fc.constant('soon')) }).map(({ field, value }) =>
        JSON.stringify({ AccessToken: { k: { home_account_id: '', environment: 'login.windows.net', credential_type: 'AccessToken', client_id: 'c', secret: 's', realm: 't', target: 'x', cached_at: '1', expires_on: '2', [field]: value } } }),
      ),
    )
    fc.assert(
      fc.property(notACache, (input) => {
        try {
          held.deserialize(input)
        } catch (error) {
          expect(error).toBeInstanceOf(AuthError)
          expect((error as AuthError).errorCode).toBe('cache_corrupt')
          expect(held.serialize()).toBe(before)
          return
        }
        // What did load was a cache after all (e.g. "{}" or a section of null): put the old one back.
        held.deserialize(before)
      }),
      { numRuns: 300 },
    )
  })
})
