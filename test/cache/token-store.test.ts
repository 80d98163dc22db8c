import { describe, expect, it } from 'vitest'
import type { AccessTokenRecord, AccountRecord, IdTokenRecord, RefreshTokenRecord } from '../../src/cache/records.js'
import { TokenStore, type AccessTokenQuery } from '../../src/cache/token-store.js'
import { ConfidentialClientApplication } from '../../src/apps/confidential-client-application.js'
import { ClientConfigurationError } from '../../src/errors.js'

const NOW = 1_767_225_600
const HOME = 'uid-1.tenant-home'
const CLIENT = 'client-1'

function at(overrides: Partial<AccessTokenRecord> = {}): AccessTokenRecord {
  return {
    homeAccountId: HOME,
    environment: 'login.windows.net',
    clientId: CLIENT,
    realm: 'tenant-home',
    target: 'User.Read Mail.Read openid profile',
    secret: `at-${Math.random()}`,
    cachedAt: NOW,
    expiresOn: NOW + 3600,
    extendedExpiresOn: NOW + 3600,
    tokenType: 'Bearer',
    ...overrides,
  }
}

function q(scopes: string[], overrides: Partial<AccessTokenQuery> = {}): AccessTokenQuery {
  return { homeAccountId: HOME, environment: 'login.windows.net', clientId: CLIENT, realm: 'tenant-home', scopes, ...overrides }
}

function rt(overrides: Partial<RefreshTokenRecord> = {}): RefreshTokenRecord {
  return { homeAccountId: HOME, environment: 'login.windows.net', clientId: CLIENT, secret: `rt-${Math.random()}`, ...overrides }
}

function account(overrides: Partial<AccountRecord> = {}): AccountRecord {
  return { homeAccountId: HOME, environment: 'login.windows.net', realm: 'tenant-home', localAccountId: 'uid-1', username: 'ada@contoso.example', authorityType: 'MSSTS', ...overrides }
}

function idToken(overrides: Partial<IdTokenRecord> = {}): IdTokenRecord {
  return { homeAccountId: HOME, environment: 'login.windows.net', clientId: CLIENT, realm: 'tenant-home', secret: 'id.token.jwt', ...overrides }
}

describe('TokenStore access tokens', () => {
  it('serves the exact scopes, any subset, case-insensitively, and ignores the OIDC scopes of the request', () => {
    const store = new TokenStore()
    const token = at()
    store.setAccessToken(token)
    expect(store.findAccessToken(q(['User.Read', 'Mail.Read']))).toBe(token)
    expect(store.findAccessToken(q(['user.read']))).toBe(token)
    expect(store.findAccessToken(q(['MAIL.READ', 'openid', 'offline_access']))).toBe(token)
    expect(store.findAccessToken(q(['User.Read', 'Files.Read']))).toBeUndefined()
    expect(store.findAccessToken(q([]))).toBe(token) // msal: no scopes searches the OIDC defaults
  })

  it('keys every other part exactly: account, client, tenant, token type, assertion hash', () => {
    const store = new TokenStore()
    store.setAccessToken(at())
    expect(store.findAccessToken(q(['User.Read'], { homeAccountId: 'uid-2.tenant-home' }))).toBeUndefined()
    expect(store.findAccessToken(q(['User.Read'], { clientId: 'client-2' }))).toBeUndefined()
    expect(store.findAccessToken(q(['User.Read'], { realm: 'tenant-other' }))).toBeUndefined()
    expect(store.findAccessToken(q(['User.Read'], { tokenType: 'pop' }))).toBeUndefined()
    expect(store.findAccessToken(q(['User.Read'], { userAssertionHash: 'hash' }))).toBeUndefined()
    expect(store.findAccessToken(q(['User.Read'], { realm: 'TENANT-HOME', homeAccountId: HOME.toUpperCase(), tokenType: 'bearer' }))).toBeDefined()
  })

  it('lets the aliases of one cloud meet (MSAL Python writes login.microsoftonline.com, msal-node login.windows.net)', () => {
    const store = new TokenStore()
    const token = at({ environment: 'login.microsoftonline.com' })
    store.setAccessToken(token)
    for (const environment of ['login.windows.net', 'login.microsoft.com', 'sts.windows.net', 'LOGIN.MICROSOFTONLINE.COM']) {
      expect(store.findAccessToken(q(['User.Read'], { environment }))).toBe(token)
    }
    expect(store.findAccessToken(q(['User.Read'], { environment: 'login.microsoftonline.us' }))).toBeUndefined()
  })

  it('replaces an older token whose scopes overlap, keeps disjoint ones, and never counts openid/profile as overlap', () => {
    const store = new TokenStore()
    const first = at({ target: 'User.Read Mail.Read openid profile' })
    const arm = at({ target: 'https://management.azure.com/user_impersonation openid profile' })
    store.setAccessToken(first)
    store.setAccessToken(arm)
    expect(store.accessTokenCount).toBe(2)
    const second = at({ target: 'mail.read Files.Read openid profile' })
    store.setAccessToken(second)
    expect(store.accessTokenCount).toBe(2)
    expect([...store.accessTokens()]).toEqual(expect.arrayContaining([arm, second]))
    expect(store.findAccessToken(q(['User.Read']))).toBeUndefined()
    expect(store.findAccessToken(q(['Files.Read']))).toBe(second)
    expect(store.findAccessToken(q(['https://management.azure.com/user_impersonation']))).toBe(arm)
  })

  it('keeps overlapping tokens as loaded (a file is not a grant) and prefers the exact match', () => {
    const store = new TokenStore()
    const wide = at({ target: 'a b c', expiresOn: NOW + 9000 })
    const exact = at({ target: 'a b' })
    store.setAccessToken(wide, 'load')
    store.setAccessToken(exact, 'load')
    expect(store.accessTokenCount).toBe(2)
    expect(store.findAccessToken(q(['A', 'B']))).toBe(exact)
    expect(store.findAccessToken(q(['c']))).toBe(wide)
  })

  it('app tokens: one per tenant, found by client, tenant and scope', () => {
    const store = new TokenStore({ now: () => NOW * 1000 })
    for (let i = 0; i < 2000; i++) store.setAccessToken(at({ homeAccountId: '', realm: `tenant-${i}`, target: 'https://graph.microsoft.com/.default', secret: `s-${i}` }))
    expect(store.accessTokenCount).toBe(2000)
    const found = store.findAccessToken(q(['https://GRAPH.microsoft.com/.default'], { homeAccountId: '', realm: 'tenant-1234' }))
    expect(found?.secret).toBe('s-1234')
    expect(store.findAccessToken(q(['https://graph.microsoft.com/.default'], { realm: 'tenant-1234' }))).toBeUndefined() // a user query never gets an app token
  })

  it('removes a token by identity and forgets empty partitions', () => {
    const store = new TokenStore()
    const a = at({ target: 'a' })
    const b = at({ target: 'b' })
    store.setAccessToken(a)
    store.setAccessToken(b)
    expect(store.removeAccessToken(a)).toBe(true)
    expect(store.removeAccessToken(a)).toBe(false)
    expect(store.removeAccessToken(at({ target: 'b' }))).toBe(false) // an equal record is not the stored one
    expect(store.findAccessToken(q(['b']))).toBe(b)
    expect(store.removeAccessToken(b)).toBe(true)
    expect(store.accessTokenCount).toBe(0)
    expect([...store.accessTokens()]).toEqual([])
  })

  it('storing the same record twice counts it once', () => {
    const store = new TokenStore()
    const a = at()
    store.setAccessToken(a)
    const version = store.version
    store.setAccessToken(a)
    expect(store.accessTokenCount).toBe(1)
    expect(store.version).toBeGreaterThan(version)
  })
})

describe('TokenStore bound and expiry', () => {
  it('evicts the least recently used access token past maxAccessTokens; a lookup counts as a use', () => {
    const store = new TokenStore({ maxAccessTokens: 3 })
    const tokens = [0, 1, 2].map((i) => at({ homeAccountId: '', realm: `t${i}`, target: 'r/.default' }))
    for (const t of tokens) store.setAccessToken(t)
    expect(store.findAccessToken(q(['r/.default'], { homeAccountId: '', realm: 't0' }))).toBe(tokens[0]) // t0 is now the most recent
    store.setAccessToken(at({ homeAccountId: '', realm: 't3', target: 'r/.default' }))
    expect(store.accessTokenCount).toBe(3)
    expect(store.findAccessToken(q(['r/.default'], { homeAccountId: '', realm: 't1' }))).toBeUndefined()
    expect(store.findAccessToken(q(['r/.default'], { homeAccountId: '', realm: 't0' }))).toBe(tokens[0])
  })

  it('stays at the bound under a stream of new tenants, and eviction keeps every index consistent', () => {
    const store = new TokenStore({ maxAccessTokens: 500 })
    for (let i = 0; i < 20_000; i++) store.setAccessToken(at({ homeAccountId: '', realm: `tenant-${i}`, target: 'r/.default', secret: `s${i}` }))
    expect(store.accessTokenCount).toBe(500)
    expect([...store.accessTokens()]).toHaveLength(500)
    expect(store.findAccessToken(q(['r/.default'], { homeAccountId: '', realm: 'tenant-19999' }))?.secret).toBe('s19999')
    expect(store.findAccessToken(q(['r/.default'], { homeAccountId: '', realm: 'tenant-19499' }))).toBeUndefined()
  })

  it('removes expired tokens on its own under a stream of new tenants, without a bound', () => {
    let clock = NOW * 1000
    const store = new TokenStore({ now: () => clock })
    let peak = 0
    for (let i = 0; i < 12_000; i++) {
      // A new tenant every second, each token valid for an hour.
      clock += 1000
      const now = Math.floor(clock / 1000)
      store.setAccessToken(at({ homeAccountId: '', realm: `tenant-${i}`, target: 'r/.default', cachedAt: now, expiresOn: now + 3600 }))
      peak = Math.max(peak, store.accessTokenCount)
    }
    // Without sweeping it would hold 12,000; with it, about an hour's worth (plus one sweep interval).
    expect(peak).toBeLessThan(3600 * 2 + 2)
    expect(store.removeExpiredAccessTokens(Math.floor(clock / 1000))).toBeGreaterThanOrEqual(0)
    expect(store.accessTokenCount).toBeLessThanOrEqual(3600)
  })

  it('rejects a bound that is not a positive integer', () => {
    expect(() => new TokenStore({ maxAccessTokens: 0 })).toThrow(RangeError)
    expect(() => new TokenStore({ maxAccessTokens: 1.5 })).toThrow(RangeError)
  })

  it('cache.maxAccessTokens reaches the application cache, and a bad value is a configuration error', () => {
    const auth = { clientId: CLIENT, authority: 'https://login.microsoftonline.com/tenant-home', clientSecret: 'test-secret' }
    const cca = new ConfidentialClientApplication({ auth, cache: { maxAccessTokens: 10 } })
    expect(cca.getTokenCache().store.maxAccessTokens).toBe(10)
    for (const bad of [0, -1, 2.5, '100']) {
      let error: unknown
      try {
        new ConfidentialClientApplication({ auth, cache: { maxAccessTokens: bad as number } })
      } catch (e) {
        error = e
      }
      expect(error).toBeInstanceOf(ClientConfigurationError)
      expect((error as ClientConfigurationError).errorCode).toBe('invalid_cache_options')
      expect((error as Error).message).toContain('cache.maxAccessTokens')
    }
  })
})

describe('TokenStore refresh tokens, id tokens and accounts', () => {
  it('finds a client refresh token by client, a family one by family or by the client it was issued to, across aliases', () => {
    const store = new TokenStore()
    const own = rt({ clientId: 'client-own' })
    const family = rt({ clientId: 'client-1', familyId: '1', environment: 'login.microsoftonline.com' })
    store.setRefreshToken(own)
    store.setRefreshToken(family)
    const owner = { homeAccountId: HOME, environment: 'login.windows.net' }
    expect(store.findRefreshToken({ ...owner, clientId: 'client-own' })).toBe(own)
    expect(store.findRefreshToken({ ...owner, clientId: 'client-1' })).toBe(family)
    expect(store.findRefreshToken({ ...owner, clientId: 'any-family-app' }, '1')).toBe(family)
    expect(store.findRefreshToken({ ...owner, clientId: 'any-family-app' })).toBeUndefined()
    expect(store.findRefreshToken({ homeAccountId: 'someone.else', environment: 'login.windows.net', clientId: 'client-own' })).toBeUndefined()
  })

  it('a newer family refresh token replaces the older one for every app of the family', () => {
    const store = new TokenStore()
    const old = rt({ clientId: 'client-a', familyId: '1' })
    const fresh = rt({ clientId: 'client-b', familyId: '1' })
    store.setRefreshToken(old)
    store.setRefreshToken(fresh)
    const owner = { homeAccountId: HOME, environment: 'login.windows.net' }
    expect([...store.refreshTokens()]).toEqual([fresh])
    expect(store.findRefreshToken({ ...owner, clientId: 'client-a' })).toBeUndefined()
    expect(store.findRefreshToken({ ...owner, clientId: 'client-b' })).toBe(fresh)
    expect(store.removeRefreshToken(old)).toBe(false)
    expect(store.removeRefreshToken(fresh)).toBe(true)
    expect([...store.refreshTokens()]).toEqual([])
  })

  it('lists the accounts of a client, finds accounts by home id, and removing an account removes what it owns only', () => {
    const store = new TokenStore()
    store.setAccount(account())
    store.setAccount(account({ realm: 'tenant-guest', localAccountId: 'uid-1-guest' }))
    store.setIdToken(idToken())
    store.setRefreshToken(rt({ familyId: '1' }))
    store.setAccessToken(at())
    store.setAccessToken(at({ realm: 'tenant-guest' }))
    const otherHome = 'uid-2.tenant-home'
    store.setAccount(account({ homeAccountId: otherHome, localAccountId: 'uid-2', username: 'bob@contoso.example' }))
    store.setIdToken(idToken({ homeAccountId: otherHome, clientId: 'client-2' }))
    store.setAccessToken(at({ homeAccountId: otherHome }))
    const app = at({ homeAccountId: '', target: 'r/.default' })
    store.setAccessToken(app)

    expect(store.accountsOfClient('CLIENT-1').map((a) => a.realm).sort()).toEqual(['tenant-guest', 'tenant-home'])
    expect(store.accountsOfClient('client-2').map((a) => a.username)).toEqual(['bob@contoso.example'])
    expect(store.accountsOfClient('client-3')).toEqual([])
    expect(store.findAccounts(HOME)).toHaveLength(2)
    expect(store.findAccounts(HOME, 'login.microsoftonline.com')).toHaveLength(2)
    expect(store.findIdToken({ homeAccountId: HOME, environment: 'login.microsoftonline.com', clientId: CLIENT }, 'TENANT-HOME')?.secret).toBe('id.token.jwt')

    store.removeAccount(HOME, 'login.microsoftonline.com')
    expect(store.findAccounts(HOME)).toEqual([])
    expect(store.accountsOfClient(CLIENT)).toEqual([])
    expect([...store.refreshTokens()]).toEqual([])
    expect([...store.idTokens()].map((t) => t.homeAccountId)).toEqual([otherHome])
    expect(store.accessTokenCount).toBe(2)
    expect([...store.accessTokens()].map((t) => t.homeAccountId).sort()).toEqual(['', otherHome])
    expect(store.findAccessToken(q(['r/.default'], { homeAccountId: '' }))).toBe(app)
  })

  it('forgets that an account uses a client once its last id token and refresh token for it are gone', () => {
    const store = new TokenStore()
    store.setAccount(account())
    const id = idToken()
    const refresh = rt()
    store.setIdToken(id)
    store.setRefreshToken(refresh)
    store.removeIdToken(id)
    expect(store.accountsOfClient(CLIENT)).toHaveLength(1)
    store.removeRefreshToken(refresh)
    expect(store.accountsOfClient(CLIENT)).toEqual([])
    expect(store.findAccounts(HOME)).toHaveLength(1)
  })

  it('interns the strings every record repeats', () => {
    const store = new TokenStore()
    const a = at({ homeAccountId: '', realm: 't1', environment: ['login', 'windows', 'net'].join('.') })
    const b = at({ homeAccountId: '', realm: 't2', environment: ['login', 'windows', 'net'].join('.') })
    store.setAccessToken(a)
    store.setAccessToken(b)
    // Same content either way; what matters is that the store did not throw away equality.
    expect(a.environment).toBe(b.environment)
    expect(store.findAccessToken(q(['User.Read'], { homeAccountId: '', realm: 't2' }))).toBe(b)
  })
})
