import { readFileSync } from 'node:fs'
import { describe, expect, it } from 'vitest'
import type { AccessTokenRecord } from '../../src/cache/records.js'
import { TokenCache } from '../../src/cache/token-cache.js'
import { ClientAuthError } from '../../src/errors.js'

const fixture = (name: string): string => readFileSync(new URL(`../../fixtures/caches/${name}`, import.meta.url), 'utf8')
const compact = (text: string): string => JSON.stringify(JSON.parse(text))

const NOW = 1_767_225_600
const CLI = '04b07795-8ddb-461a-bbee-02f9e1bf7b46'
const TENANT = '72f988bf-86f1-41af-91ab-2d7cd011db47'
const HOME = `00000000-0000-0000-66f3-3332eca7ea81.${TENANT}`

function loaded(text: string): TokenCache {
  const cache = new TokenCache()
  cache.deserialize(text)
  return cache
}

describe('serialize / deserialize: msal-node 7.2.1 output', () => {
  it.each(['msal-node-daemon.json', 'msal-node-desktop.json'])('%s round-trips byte for byte', (name) => {
    const text = fixture(name)
    expect(loaded(text).serialize()).toBe(compact(text))
  })

  it('writes what the flows store in msal-node’s keys, field names, field order and string times', () => {
    const cache = new TokenCache()
    const app: AccessTokenRecord = {
      homeAccountId: '',
      environment: 'login.windows.net',
      clientId: 'Client-A',
      realm: 'Tenant-X',
      target: 'https://graph.microsoft.com/.default',
      secret: 'app-secret',
      cachedAt: NOW,
      expiresOn: NOW + 3599,
      extendedExpiresOn: NOW + 7198,
      refreshOn: NOW + 1800,
      tokenType: 'Bearer',
    }
    cache.store.setAccessToken(app)
    cache.store.setAccessToken({ ...app, homeAccountId: 'u.t', realm: 't', target: 'User.Read openid profile', secret: 'pop-secret', tokenType: 'pop', keyId: 'kid-1', refreshOn: undefined })
    cache.store.setRefreshToken({ homeAccountId: 'u.t', environment: 'login.windows.net', clientId: 'Client-A', secret: 'rt', familyId: '1' })
    cache.store.setRefreshToken({ homeAccountId: 'u.t', environment: 'login.windows.net', clientId: 'Client-B', secret: 'rt-b' })
    cache.store.setIdToken({ homeAccountId: 'u.t', environment: 'login.windows.net', clientId: 'Client-A', realm: 't', secret: 'id' })
    cache.store.setAccount({
      homeAccountId: 'u.t',
      environment: 'login.windows.net',
      realm: 'guest-tenant',
      localAccountId: 'u',
      username: 'ada@contoso.example',
      authorityType: 'MSSTS',
      name: 'Ada',
      tenantProfiles: [{ tenantId: 'guest-tenant', localAccountId: 'u2', name: 'Ada', isHomeTenant: false }],
    })
    cache.store.setAppMetadata({ clientId: 'Client-A', environment: 'login.windows.net', familyId: '1' })

    const json = JSON.parse(cache.serialize()) as Record<string, Record<string, Record<string, unknown>>>
    expect(Object.keys(json)).toEqual(['Account', 'IdToken', 'AccessToken', 'RefreshToken', 'AppMetadata'])
    expect(Object.keys(json['AccessToken'] ?? {}).sort()).toEqual([
      '-login.windows.net-accesstoken-client-a-tenant-x-https://graph.microsoft.com/.default-',
      'u.t-login.windows.net-accesstoken_with_authscheme-client-a-t-user.read openid profile-pop',
    ])
    const appEntry = json['AccessToken']?.['-login.windows.net-accesstoken-client-a-tenant-x-https://graph.microsoft.com/.default-']
    expect(Object.entries(appEntry ?? {})).toEqual([
      ['home_account_id', ''],
      ['environment', 'login.windows.net'],
      ['credential_type', 'AccessToken'],
      ['client_id', 'Client-A'],
      ['secret', 'app-secret'],
      ['realm', 'Tenant-X'],
      ['target', 'https://graph.microsoft.com/.default'],
      ['cached_at', String(NOW)],
      ['expires_on', String(NOW + 3599)],
      ['extended_expires_on', String(NOW + 7198)],
      ['refresh_on', String(NOW + 1800)],
      ['token_type', 'Bearer'],
    ])
    expect(json['AccessToken']?.['u.t-login.windows.net-accesstoken_with_authscheme-client-a-t-user.read openid profile-pop']).toMatchObject({
      credential_type: 'AccessToken_With_AuthScheme',
      key_id: 'kid-1',
      token_type: 'pop',
    })
    expect(Object.keys(json['RefreshToken'] ?? {}).sort()).toEqual(['u.t-login.windows.net-refreshtoken-1---', 'u.t-login.windows.net-refreshtoken-client-b---'])
    expect(Object.keys(json['IdToken'] ?? {})).toEqual(['u.t-login.windows.net-idtoken-client-a-t--'])
    // The account key names the home tenant (from the home account id), not the profile's realm.
    expect(json['Account']).toEqual({
      'u.t-login.windows.net-t': {
        home_account_id: 'u.t',
        environment: 'login.windows.net',
        realm: 'guest-tenant',
        local_account_id: 'u',
        username: 'ada@contoso.example',
        authority_type: 'MSSTS',
        name: 'Ada',
        tenantProfiles: ['{"tenantId":"guest-tenant","localAccountId":"u2","name":"Ada","isHomeTenant":false}'],
      },
    })
    expect(json['AppMetadata']).toEqual({ 'appmetadata-login.windows.net-client-a': { client_id: 'Client-A', environment: 'login.windows.net', family_id: '1' } })
  })

  it('an empty cache serializes as msal-node’s empty cache, and an empty string deserializes to no change', () => {
    const cache = new TokenCache()
    expect(cache.serialize()).toBe('{"Account":{},"IdToken":{},"AccessToken":{},"RefreshToken":{},"AppMetadata":{}}')
    cache.deserialize(fixture('msal-node-daemon.json'))
    cache.deserialize('')
    expect(cache.accessTokenCount).toBe(4)
  })

  it('keeps unknown sections and unknown fields on a round trip', () => {
    const input = JSON.parse(fixture('msal-node-daemon.json')) as Record<string, Record<string, Record<string, unknown>>>
    const [key] = Object.keys(input['AccessToken'] ?? {})
    Object.assign(input['AccessToken']?.[key as string] ?? {}, { resource: 'https://graph.microsoft.com', future_field: { nested: [1, 2] } })
    const withExtras = { ...input, Telemetry: { 'some-key': { x: 1 } }, AppMetadata: { ...input['AppMetadata'] } }
    const text = JSON.stringify(withExtras)
    expect(loaded(text).serialize()).toBe(text)
  })
})

describe('deserialize: MSAL Python / Azure CLI caches', () => {
  const text = fixture('msal-python-azure-cli.json')

  it('loads and serves them: app token with a null home account id, user tokens under login.microsoftonline.com', () => {
    const cache = loaded(text)
    const s = cache.store
    const app = s.findAccessToken({ homeAccountId: '', environment: 'login.windows.net', clientId: '535fb089-9ff3-47b6-9bfb-4f1264799865', realm: TENANT, scopes: ['https://management.azure.com/.default'] })
    expect(app?.secret).toBe('fixture-cli-app-access-token')
    expect(app?.refreshOn).toBe(NOW + 1799)
    const user = s.findAccessToken({ homeAccountId: HOME, environment: 'login.windows.net', clientId: CLI, realm: TENANT, scopes: ['https://management.core.windows.net//user_impersonation'] })
    expect(user?.secret).toBe('fixture-cli-user-access-token')
    const owner = { homeAccountId: HOME, environment: 'login.windows.net', clientId: CLI }
    expect(s.findRefreshToken(owner)?.secret).toBe('fixture-cli-refresh-token')
    expect(s.findRefreshToken({ ...owner, clientId: 'another-family-app' }, '1')?.secret).toBe('fixture-cli-refresh-token')
    expect(s.findIdToken(owner, TENANT)?.secret).toMatch(/^eyJ/)
    expect(s.accountsOfClient(CLI).map((a) => a.username)).toEqual(['ada@contoso.example'])
  })

  it('writes them back under their own keys with null, their extra fields and their field values intact', () => {
    const out = JSON.parse(loaded(text).serialize()) as Record<string, Record<string, unknown>>
    const input = JSON.parse(text) as Record<string, Record<string, unknown>>
    for (const section of ['Account', 'IdToken', 'AccessToken', 'RefreshToken', 'AppMetadata']) {
      expect(out[section], section).toEqual(input[section])
    }
  })
})

describe('deserialize: corrupt input is a typed error, never an empty cache', () => {
  const good = JSON.parse(fixture('msal-node-daemon.json')) as Record<string, Record<string, Record<string, unknown>>>
  const [atKey] = Object.keys(good['AccessToken'] ?? {})
  const withAt = (patch: Record<string, unknown>): string => {
    const copy = structuredClone(good)
    const entry = copy['AccessToken']?.[atKey as string] as Record<string, unknown>
    for (const [k, v] of Object.entries(patch)) {
      if (v === undefined) delete entry[k]
      else entry[k] = v
    }
    return JSON.stringify(copy)
  }

  const cases: [string, string, RegExp][] = [
    ['not JSON', '{"AccessToken": {', /not valid JSON/],
    ['an array', '[]', /is an array, not a JSON object/],
    ['null', 'null', /is null/],
    ['a section that is not an object', '{"AccessToken": "oops"}', /"AccessToken" section is a string/],
    ['an entry that is not an object', '{"RefreshToken": {"k": 5}}', /RefreshToken entry "k" is a number/],
    ['a missing secret', withAt({ secret: undefined }), /"secret", which must be a string/],
    ['a mistyped client id', withAt({ client_id: 42 }), /a number for "client_id"/],
    ['a non-numeric expiry', withAt({ expires_on: 'tomorrow' }), /"expires_on", which must be seconds/],
    ['a missing expiry', withAt({ expires_on: undefined }), /has no "expires_on"/],
    ['a wrong credential type', withAt({ credential_type: 'RefreshToken' }), /credential type "RefreshToken"/],
    ['a broken tenant profile', '{"Account": {"k": {"home_account_id": "h", "environment": "e", "tenantProfiles": ["{nope"]}}}', /"tenantProfiles"\[0\] is not valid JSON/],
  ]

  it.each(cases)('%s', (_label, input, message) => {
    const cache = loaded(fixture('msal-node-desktop.json'))
    const before = cache.serialize()
    let error: unknown
    try {
      cache.deserialize(input)
    } catch (e) {
      error = e
    }
    expect(error).toBeInstanceOf(ClientAuthError)
    expect((error as ClientAuthError).errorCode).toBe('cache_corrupt')
    expect((error as Error).message).toMatch(message)
    expect(String(error)).not.toMatch(/fixture-app-access-token|fixture-refresh-token/)
    expect(cache.serialize()).toBe(before) // the cache in memory is untouched
  })

  it('names the entry key so the user can find it in the file', () => {
    let error: unknown
    try {
      loaded(withAt({ cached_at: [] }))
    } catch (e) {
      error = e
    }
    expect((error as Error).message).toContain(`AccessToken entry "${atKey}"`)
    expect((error as Error).message).toContain('cached_at')
  })
})
