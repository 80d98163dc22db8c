/**
 * Round trips with @azure/msal-node itself, both ways. msw answers nothing on a cache hit: any
 * network request (token endpoint, discovery) fails the test, so "fromCache" is proven, not assumed.
 */
import { readFileSync } from 'node:fs'
import * as msal from '@azure/msal-node'
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { ConfidentialClientApplication } from '../../src/apps/confidential-client-application.js'
import { TokenCache } from '../../src/cache/token-cache.js'
import { server } from '../msw/server.js'
import { appTokenResponse, recordRequests, tokenEndpoint } from '../msw/entra.js'

const fixture = (name: string): string => readFileSync(new URL(`../../fixtures/caches/${name}`, import.meta.url), 'utf8')

/** The fixtures' pinned clock (scripts/make-cache-fixtures.ts); tests run a minute later. */
const FIXTURE_NOW = 1_767_225_600
const TENANT_A = '72f988bf-86f1-41af-91ab-2d7cd011db47'
const TENANT_B = 'f8cdef31-a31e-4b4a-93e4-5f571e91255a'
const DAEMON = '535fb089-9ff3-47b6-9bfb-4f1264799865'
const DESKTOP = '04b07795-8ddb-461a-bbee-02f9e1bf7b46'
const UID = '00000000-0000-0000-66f3-3332eca7ea81'
const HOME = `${UID}.${TENANT_A}`

const CLOUD_DISCOVERY = JSON.stringify({
  tenant_discovery_endpoint: 'https://login.microsoftonline.com/common/v2.0/.well-known/openid-configuration',
  'api-version': '1.1',
  metadata: [
    { preferred_network: 'login.microsoftonline.com', preferred_cache: 'login.windows.net', aliases: ['login.microsoftonline.com', 'login.windows.net', 'login.microsoft.com', 'sts.windows.net'] },
  ],
})

function authorityMetadata(tenant: string): string {
  const base = `https://login.microsoftonline.com/${tenant}`
  return JSON.stringify({
    token_endpoint: `${base}/oauth2/v2.0/token`,
    authorization_endpoint: `${base}/oauth2/v2.0/authorize`,
    end_session_endpoint: `${base}/oauth2/v2.0/logout`,
    issuer: `https://login.microsoftonline.com/${tenant}/v2.0`,
    jwks_uri: `${base}/discovery/v2.0/keys`,
  })
}

function msalConfidential(tenant: string): msal.ConfidentialClientApplication {
  return new msal.ConfidentialClientApplication({
    auth: { clientId: DAEMON, clientSecret: 'test-secret', authority: `https://login.microsoftonline.com/${tenant}`, authorityMetadata: authorityMetadata(tenant), cloudDiscoveryMetadata: CLOUD_DISCOVERY },
  })
}

function ours(tenant: string): ConfidentialClientApplication {
  return new ConfidentialClientApplication({ auth: { clientId: DAEMON, clientSecret: 'test-secret', authority: `https://login.microsoftonline.com/${tenant}` } })
}

function b64url(value: unknown): string {
  return Buffer.from(JSON.stringify(value)).toString('base64url')
}

beforeEach(() => {
  vi.useFakeTimers({ toFake: ['Date'] })
  vi.setSystemTime(new Date((FIXTURE_NOW + 60) * 1000))
})
afterEach(() => {
  vi.useRealTimers()
})

describe('a cache written by msal-node, used here', () => {
  it('serves client-credential cache hits for every tenant and resource msal-node cached, with no request', async () => {
    const seen = recordRequests()
    server.use(seen.handler)
    const cca = ours(TENANT_A)
    cca.getTokenCache().deserialize(fixture('msal-node-daemon.json'))
    const expected: [string, string, string][] = [
      [TENANT_A, 'https://graph.microsoft.com/.default', 'fixture-app-access-token-1'],
      [TENANT_A, 'https://vault.azure.net/.default', 'fixture-app-access-token-2'],
      [TENANT_A, 'https://database.windows.net//.default', 'fixture-app-access-token-3'],
      [TENANT_B, 'https://graph.microsoft.com/.default', 'fixture-app-access-token-4'],
    ]
    for (const [tenant, scope, secret] of expected) {
      const result = await cca.acquireTokenByClientCredential({ scopes: [scope], authority: `https://login.microsoftonline.com/${tenant}` })
      expect(result).toMatchObject({ accessToken: secret, fromCache: true, tenantId: tenant, scopes: [scope] })
    }
    expect(seen.requests).toHaveLength(0)
  })

  it('finds the desktop user’s tokens, family refresh token, id token and account through the store', () => {
    const cache = new TokenCache()
    cache.deserialize(fixture('msal-node-desktop.json'))
    const s = cache.store
    // Queried under the network host: login.windows.net entries meet login.microsoftonline.com.
    const q = { homeAccountId: HOME, environment: 'login.microsoftonline.com', clientId: DESKTOP, realm: TENANT_A }
    expect(s.findAccessToken({ ...q, scopes: ['user.read'] })?.secret).toBe('fixture-user-access-token-5')
    expect(s.findAccessToken({ ...q, scopes: ['https://management.azure.com/user_impersonation'] })?.secret).toBe('fixture-user-access-token-6')
    expect(s.findAccessToken({ ...q, scopes: ['Files.Read'] })).toBeUndefined()
    expect(s.findRefreshToken(q)?.secret).toBe('fixture-refresh-token-6')
    expect(s.findRefreshToken({ ...q, clientId: 'some-other-family-app' }, '1')?.secret).toBe('fixture-refresh-token-6')
    expect(s.findIdToken(q, TENANT_A)?.secret).toMatch(/^eyJ/)
    expect(s.accountsOfClient(DESKTOP)).toMatchObject([{ homeAccountId: HOME, username: 'ada@contoso.example', tenantProfiles: [{ tenantId: TENANT_A, isHomeTenant: true }] }])
    expect(s.findAppMetadata(DESKTOP, 'login.microsoftonline.com')?.familyId).toBe('1')
  })
})

describe('a cache written here, used by msal-node', () => {
  it('msal-node serves client-credential cache hits from tokens our flow acquired', async () => {
    const tokens = new Map<string, string>()
    server.use(
      tokenEndpoint(async (request) => {
        const scope = new URLSearchParams(await request.text()).get('scope') ?? ''
        const body = appTokenResponse()
        tokens.set(scope, body['access_token'] as string)
        return Response.json(body)
      }),
    )
    const cca = ours(TENANT_A)
    await cca.acquireTokenByClientCredential({ scopes: ['https://graph.microsoft.com/.default'] })
    await cca.acquireTokenByClientCredential({ scopes: ['https://vault.azure.net/.default'] })
    const serialized = cca.getTokenCache().serialize()
    server.resetHandlers()

    const seen = recordRequests()
    server.use(seen.handler)
    const app = msalConfidential(TENANT_A)
    app.getTokenCache().deserialize(serialized)
    for (const scope of ['https://graph.microsoft.com/.default', 'https://vault.azure.net/.default']) {
      const result = await app.acquireTokenByClientCredential({ scopes: [scope] })
      expect(result).toMatchObject({ accessToken: tokens.get(scope), fromCache: true })
    }
    expect(seen.requests).toHaveLength(0)
    // msal-node reads our file exactly as we wrote it: its own serialization is the same.
    expect(app.getTokenCache().serialize()).toBe(serialized)
  })

  it('msal-node serves acquireTokenSilent cache hits for a user cached here', async () => {
    const idClaims = { aud: DESKTOP, iss: `https://login.microsoftonline.com/${TENANT_A}/v2.0`, iat: FIXTURE_NOW, nbf: FIXTURE_NOW, exp: FIXTURE_NOW + 3600, name: 'Ada Lovelace', oid: UID, preferred_username: 'ada@contoso.example', sub: 'sub-1', tid: TENANT_A, ver: '2.0' }
    const cache = new TokenCache()
    const s = cache.store
    const base = { homeAccountId: HOME, environment: 'login.windows.net', clientId: DESKTOP }
    s.setAccount({
      homeAccountId: HOME,
      environment: 'login.windows.net',
      realm: TENANT_A,
      localAccountId: UID,
      username: 'ada@contoso.example',
      authorityType: 'MSSTS',
      name: 'Ada Lovelace',
      clientInfo: b64url({ uid: UID, utid: TENANT_A }),
      tenantProfiles: [{ tenantId: TENANT_A, localAccountId: UID, name: 'Ada Lovelace', isHomeTenant: true }],
    })
    s.setIdToken({ ...base, realm: TENANT_A, secret: `${b64url({ alg: 'RS256', typ: 'JWT' })}.${b64url(idClaims)}.sig` })
    s.setAccessToken({ ...base, realm: TENANT_A, target: 'User.Read Mail.Read openid profile', secret: 'user-at-written-here', cachedAt: FIXTURE_NOW, expiresOn: FIXTURE_NOW + 3600, extendedExpiresOn: FIXTURE_NOW + 3600, tokenType: 'Bearer' })
    s.setRefreshToken({ ...base, secret: 'user-rt-written-here', familyId: '1' })
    s.setAppMetadata({ clientId: DESKTOP, environment: 'login.windows.net', familyId: '1' })

    const seen = recordRequests()
    server.use(seen.handler)
    const pca = new msal.PublicClientApplication({
      auth: { clientId: DESKTOP, authority: `https://login.microsoftonline.com/${TENANT_A}`, authorityMetadata: authorityMetadata(TENANT_A), cloudDiscoveryMetadata: CLOUD_DISCOVERY },
    })
    pca.getTokenCache().deserialize(cache.serialize())
    const accounts = await pca.getTokenCache().getAllAccounts()
    expect(accounts).toMatchObject([{ homeAccountId: HOME, environment: 'login.windows.net', tenantId: TENANT_A, username: 'ada@contoso.example', localAccountId: UID }])
    const result = await pca.acquireTokenSilent({ account: accounts[0] as msal.AccountInfo, scopes: ['User.Read'] })
    expect(result).toMatchObject({ accessToken: 'user-at-written-here', fromCache: true, account: { homeAccountId: HOME } })
    expect(result.idTokenClaims).toMatchObject({ oid: UID, tid: TENANT_A })
    expect(seen.requests).toHaveLength(0)
  })

  it('msal-node serves a silent hit from an Azure CLI cache that went through our deserialize/serialize', async () => {
    const cache = new TokenCache()
    cache.deserialize(fixture('msal-python-azure-cli.json'))
    const seen = recordRequests()
    server.use(seen.handler)
    const pca = new msal.PublicClientApplication({
      auth: { clientId: DESKTOP, authority: `https://login.microsoftonline.com/${TENANT_A}`, authorityMetadata: authorityMetadata(TENANT_A), cloudDiscoveryMetadata: CLOUD_DISCOVERY },
    })
    pca.getTokenCache().deserialize(cache.serialize())
    const [account] = await pca.getTokenCache().getAllAccounts()
    expect(account).toMatchObject({ homeAccountId: HOME, environment: 'login.microsoftonline.com', tenantId: TENANT_A })
    const result = await pca.acquireTokenSilent({ account: account as msal.AccountInfo, scopes: ['https://management.core.windows.net//user_impersonation'] })
    expect(result).toMatchObject({ accessToken: 'fixture-cli-user-access-token', fromCache: true })
    expect(seen.requests).toHaveLength(0)
  })
})
